import { ethers } from "hardhat";
import { keccak256, toUtf8Bytes } from "ethers";
import { grantRoles, wirePermissions } from "../../src/authority/permissions";
import { TRIAL_PERMISSIONS } from "../../src/trials/permissions";
import { trialResearchPurpose } from "../../src/trials/purposes";
import type { Outcome } from "../../src/trials/outcomes";
import type { Hex32 } from "../../src/records";
import type { ITrialRegistry } from "../../typechain-types";

/** Data categories used by the test trials: CONDITIONS | MEDICATIONS | LAB_RESULTS. */
export const CATEGORIES = (1n << 1n) | (1n << 2n) | (1n << 4n);
export const STIPEND = 25n * 10n ** 18n;
export const BUDGET = 1_000n * 10n ** 18n;

/** A deterministic fake commitment. */
export function h(label: string): Hex32 {
  return keccak256(toUtf8Bytes(label)) as Hex32;
}

/** `n` outcomes; the first is primary. */
export function outcomes(n: number, tag = "o"): Outcome[] {
  return Array.from({ length: n }, (_, i) => ({ commitment: h(`${tag}${i}`), primary: i === 0 }));
}

export type Registration = ITrialRegistry.RegistrationStruct;

export async function deployTrialsFixture() {
  const [admin, sponsor, otherSponsor, investigator, investigator2, regulator, alice, bob, carol, stranger] =
    await ethers.getSigners();
  const authority = await ethers.deployContract("HealthLedgerAuthority", [admin.address]);
  const verifier = await ethers.deployContract("MockConsentVerifier");
  const registry = await ethers.deployContract("TrialRegistry", [
    await authority.getAddress(),
    await verifier.getAddress(),
  ]);
  const token = await ethers.deployContract("TestStipendToken");
  await wirePermissions(authority, { TrialRegistry: registry }, TRIAL_PERMISSIONS);
  await grantRoles(authority, [
    { role: "SPONSOR", account: sponsor.address },
    { role: "SPONSOR", account: otherSponsor.address },
    { role: "INVESTIGATOR", account: investigator.address },
    { role: "INVESTIGATOR", account: investigator2.address },
    { role: "REGULATOR", account: regulator.address },
  ]);
  await token.mint(sponsor.address, BUDGET * 10n);
  await token.connect(sponsor).approve(await registry.getAddress(), ethers.MaxUint256);

  function registration(overrides: Partial<Registration> = {}): Registration {
    return {
      protocolCommitment: h("protocol-v1"),
      researchStudyCommitment: h("research-study"),
      targetEnrolment: 3,
      consentFormVersion: 1,
      requiredCategories: CATEGORIES,
      stipendToken: overrides.stipendToken ?? token.target,
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

  /** Records, in the consent verifier, that `patient` consents to research in `trialId` under `version`. */
  async function consent(patient: string, trialId: bigint, version = 1n, categories = CATEGORIES): Promise<void> {
    await verifier.setConsent(patient, await registry.getAddress(), trialResearchPurpose(trialId, version), categories);
  }

  /** A recruiting trial with `alice` consented and enrolled. */
  async function enrolledTrial(overrides: Partial<Registration> = {}): Promise<bigint> {
    const trialId = await recruitingTrial(overrides);
    await consent(alice.address, trialId);
    await registry.connect(investigator).enroll(trialId, alice.address, h("subject-alice"));
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
    verifier,
    registry,
    token,
    registration,
    registerTrial,
    recruitingTrial,
    consent,
    enrolledTrial,
  };
}
