import hre, { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { keccak256, toUtf8Bytes } from "ethers";
import { NO_EXPIRY } from "../../src/consent/fhir";
import { trialResearchPurpose } from "../../src/trials/purposes";
import type { Outcome } from "../../src/trials/outcomes";
import type { Hex32 } from "../../src/records";
import type { ITrialRegistry } from "../../typechain-types";
import { deployTestSystem } from "../../tooling/system";

/** Data categories used by the test trials: CONDITIONS | MEDICATIONS | LAB_RESULTS. */
export const CATEGORIES = (1n << 1n) | (1n << 2n) | (1n << 4n);
export const STIPEND = 25n * 10n ** 18n;
export const BUDGET = 1_000n * 10n ** 18n;

/** A deterministic fake commitment. */
export function h(label: string): Hex32 {
  return keccak256(toUtf8Bytes(label)) as Hex32;
}

/**
 * The salt of `account`'s research consent in `trialId`: in the SDK, her trial relationship's secret
 * (`trialParticipant(identity, registry, trialId).salt`); here a deterministic stand-in for the test signers.
 */
export function saltOf(account: string, trialId: bigint | number): Hex32 {
  return h(`trial secret of ${account.toLowerCase()} in trial ${trialId}`);
}

/** `n` outcomes; the first is primary. */
export function outcomes(n: number, tag = "o"): Outcome[] {
  return Array.from({ length: n }, (_, i) => ({ commitment: h(`${tag}${i}`), primary: i === 0 }));
}

export type Registration = ITrialRegistry.RegistrationStruct;

export async function deployTrialsFixture() {
  const [admin, sponsor, otherSponsor, investigator, investigator2, regulator, alice, bob, carol, stranger] =
    await ethers.getSigners();
  const system = await deployTestSystem(hre, {
    grants: [
      { role: "SPONSOR", account: sponsor.address },
      { role: "SPONSOR", account: otherSponsor.address },
      { role: "INVESTIGATOR", account: investigator.address },
      { role: "INVESTIGATOR", account: investigator2.address },
      { role: "REGULATOR", account: regulator.address },
    ],
  });
  const { authority, forwarder, consentRegistry, trialRegistry: registry, token } = system;
  for (const funder of [sponsor, otherSponsor]) {
    await token.mint(funder.address, BUDGET * 10n);
    await token.connect(funder).approve(await registry.getAddress(), ethers.MaxUint256);
  }

  function registration(overrides: Partial<Registration> = {}): Registration {
    return {
      protocolCommitment: h("protocol-v1"),
      researchStudyCommitment: h("research-study"),
      ethicsApprovalCommitment: h("ethics-approval"),
      targetEnrolment: 3,
      consentFormVersion: 1,
      requiredCategories: CATEGORIES,
      stipendToken: token.target,
      stipendPerVisit: STIPEND,
      outcomes: outcomes(4),
      ...overrides,
    };
  }

  /** Registers a trial as `sponsor` and returns its id. */
  async function registerTrial(overrides: Partial<Registration> = {}): Promise<bigint> {
    await registry.connect(sponsor).register(registration(overrides));
    return registry.trialCount();
  }

  /** Registers, authorises `investigator`, funds the budget and opens recruitment. */
  async function recruitingTrial(overrides: Partial<Registration> = {}): Promise<bigint> {
    const trialId = await registerTrial(overrides);
    await registry.connect(sponsor).authorizeSite(trialId, investigator.address);
    if ((overrides.stipendPerVisit ?? STIPEND) !== 0n) await registry.connect(sponsor).fundBudget(trialId, BUDGET);
    await registry.connect(sponsor).startRecruitment(trialId);
    return trialId;
  }

  /**
   * `patient` grants, in the consent registry, research in `trialId` under consent-form `version` to the trial
   * registry (the grantee enrolment checks), covering `categories`, until `expiresAt`, salted with `salt` (her
   * {@link saltOf} the trial by default).
   */
  async function consent(
    patient: string,
    trialId: bigint,
    version = 1n,
    categories = CATEGORIES,
    expiresAt: bigint = NO_EXPIRY,
    grantee?: string,
    salt: string = saltOf(patient, trialId),
  ): Promise<void> {
    const signer = await ethers.getSigner(patient);
    await consentRegistry
      .connect(signer)
      .grant(
        patient,
        grantee ?? (await registry.getAddress()),
        trialResearchPurpose(trialId, version, salt),
        categories,
        0,
        expiresAt,
        h(`consent form v${version} of trial ${trialId}`),
      );
  }

  /** `patient` revokes, in the consent registry, her research consent for `trialId` under `version`. */
  async function revokeConsent(patient: string, trialId: bigint, version = 1n): Promise<void> {
    const signer = await ethers.getSigner(patient);
    await consentRegistry
      .connect(signer)
      .revoke(patient, await registry.getAddress(), trialResearchPurpose(trialId, version, saltOf(patient, trialId)));
  }

  /** A recruiting trial with `alice` consented and enrolled. */
  async function enrolledTrial(overrides: Partial<Registration> = {}): Promise<bigint> {
    const trialId = await recruitingTrial(overrides);
    await consent(alice.address, trialId);
    await registry
      .connect(investigator)
      .enroll(trialId, alice.address, saltOf(alice.address, trialId), h("subject-alice"));
    return trialId;
  }

  return {
    admin,
    sponsor,
    otherSponsor,
    investigator,
    investigator2,
    regulator,
    alice,
    bob,
    carol,
    stranger,
    authority,
    forwarder,
    consentRegistry,
    registry,
    token,
    registration,
    registerTrial,
    recruitingTrial,
    consent,
    revokeConsent,
    enrolledTrial,
  };
}

/** A trial registered, recruited, closed and completed by its sponsor (`r`), with the block time it finished at. */
export async function completedTrial() {
  const f = await loadFixture(deployTrialsFixture);
  const id = await f.registerTrial();
  const r = f.registry.connect(f.sponsor);
  await r.startRecruitment(id);
  await r.closeEnrolment(id);
  await r.complete(id);
  return { ...f, id, r, finishedAt: BigInt(await time.latest()) };
}
