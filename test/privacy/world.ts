/**
 * A month of Health Ledger, played by many patients under one of three designs, for the linkage test:
 * - `v1`: what the first contracts' SDK did: one funded account per patient for everything she does, research
 *   purposes without a secret salt, plain service codes on claims;
 * - `naive`: a separate account per relationship, but each funded from, and sent by, the patient herself;
 * - `v2`: the current design: relationship accounts derived from one secret (src/identity), never funded, every
 *   patient-side transaction relayed; salted research purposes; claim codes blinded per policy.
 * Every patient sees two of three providers, holds a policy that one of them bills, and some join a trial or arrive
 * unconscious. The world records the ground truth: which account is whose, for which relationship.
 */
import { AbiCoder, id, keccak256, toBeHex, Wallet, type Signer } from "ethers";
import hre, { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import {
  blindLines,
  blindSet,
  paymentConsentServices,
  policyMember,
  SERVICE,
  servicesWithin,
  type ClaimLine,
  type ServiceBlinding,
} from "../../src/claims";
import { categorySet, NO_EXPIRY, PURPOSES, relayGrant, signGrant } from "../../src/consent";
import { PatientIdentity } from "../../src/identity";
import { trialParticipant } from "../../src/trials";
import type { GroundTruth } from "../../tooling/privacy/observer";
import { deployTestSystem, type TestSystem } from "../../tooling/system";

export type Design = "v1" | "naive" | "v2";

const DAY = 86_400n;
const USD = 1_000_000n;
const CARE = categorySet("DEMOGRAPHICS", "CONDITIONS", "MEDICATIONS", "LAB_RESULTS");
/** Every data category: the member lets her provider bill whatever it treats her for. */
const ALL_DATA = (1n << 16n) - 1n;
/** The "salt" of the v1 design: public, so no salt at all. */
export const V1_SALT = toBeHex(1, 32);
const IDENTITY: ServiceBlinding = { blind: (c) => c, unblind: (c) => c };

/** What each provider bills: its specialty shows in the codes. */
const SPECIALTIES: { name: string; services: number[] }[] = [
  { name: "oncology", services: [SERVICE.IMAGING, SERVICE.LABORATORY] },
  { name: "psychiatry", services: [SERVICE.MENTAL_HEALTH, SERVICE.SUBSTANCE_USE] },
  { name: "general practice", services: [SERVICE.CONSULTATION, SERVICE.PREVENTIVE] },
];

export interface World {
  design: Design;
  system: TestSystem;
  fromBlock: number;
  truth: GroundTruth;
  /** The plain codes of every claim line, by claim id, in the order submitted (for scoring service readings). */
  plainLines: Map<string, ClaimLine[]>;
  /** Names of the patients, and how many relationships each has. */
  patients: { name: string; relationships: string[] }[];
}

/** Plays the month for `patients` patients under `design` on the in-process chain. */
export async function playMonth(design: Design, patients = 24): Promise<World> {
  const signers = await ethers.getSigners();
  const [admin, relayer, sponsor, investigator, insurerA, insurerB, ...rest] = signers;
  const providers = rest.slice(0, SPECIALTIES.length);
  const insurers = [insurerA, insurerB];
  const system = await deployTestSystem(hre, {
    grants: [
      ...providers.map((p) => ({ role: "PROVIDER" as const, account: p.address })),
      ...insurers.map((i) => ({ role: "INSURER" as const, account: i.address })),
      { role: "SPONSOR", account: sponsor.address },
      { role: "INVESTIGATOR", account: investigator.address },
    ],
  });
  const fromBlock = (await ethers.provider.getBlockNumber()) + 1;
  const { consentRegistry, claimsManager, trialRegistry, token } = system;
  const registryAddress = await trialRegistry.getAddress();
  const { chainId } = await ethers.provider.getNetwork();
  for (const insurer of insurers) {
    await token.mint(insurer.address, 1_000_000n * USD);
    await token.connect(insurer).approve(await claimsManager.getAddress(), ethers.MaxUint256);
    await claimsManager.connect(insurer).fundEscrow(100_000n * USD);
  }
  // Two trials: one oncology, one psychiatric (what each studies is public; who joins must not be).
  for (const study of ["oncology", "psychiatry"]) {
    await trialRegistry.connect(sponsor).register({
      protocolCommitment: id(`${study} protocol`),
      researchStudyCommitment: id(`${study} study`),
      ethicsApprovalCommitment: id(`${study} ethics approval`),
      targetEnrolment: 100,
      consentFormVersion: 1,
      requiredCategories: categorySet("CONDITIONS", "LAB_RESULTS"),
      stipendToken: ethers.ZeroAddress,
      stipendPerVisit: 0,
      outcomes: [{ commitment: id(`${study} outcome`), primary: true }],
    });
    const trialId = await trialRegistry.trialCount();
    await trialRegistry.connect(sponsor).authorizeSite(trialId, investigator.address);
    await trialRegistry.connect(sponsor).startRecruitment(trialId);
  }

  const truth: GroundTruth = new Map();
  const plainLines = new Map<string, ClaimLine[]>();
  const roster: World["patients"] = [];
  const now = BigInt(await time.latest());

  for (let i = 0; i < patients; i++) {
    const name = `patient-${i}`;
    const identity = PatientIdentity.fromSeed(id(`linkage test ${name}`), chainId);
    const wallet = new Wallet(id(`linkage test wallet of ${name}`), ethers.provider);
    const mine = [providers[i % 3], providers[(i + 1) % 3]];
    const billing = mine[0];
    const specialty = SPECIALTIES[i % 3];
    const insurer = insurers[i % 2];
    const trialId = i % 2 === 0 ? BigInt(1 + ((i / 2) % 2)) : 0n;
    const emergency = i % 4 === 1;
    const relationships = [
      ...mine.map((p) => `provider:${p.address}`),
      `policy:${insurer.address}`,
      ...(trialId ? [`trial:${trialId}`] : []),
      ...(emergency ? ["emergency"] : []),
    ];
    roster.push({ name, relationships });
    const remember = (account: string, relationship: string) => {
      const t = truth.get(account);
      truth.set(account, { person: name, relationships: [...(t?.relationships ?? []), relationship] });
    };

    // Accounts: one for everything (v1), or one per relationship from her one secret.
    if (design !== "v2")
      await (await admin.sendTransaction({ to: wallet.address, value: ethers.parseEther("1") })).wait();
    const accountFor = async (relationship: Parameters<PatientIdentity["derive"]>[0]): Promise<Wallet> => {
      if (design === "v1") return wallet;
      const account = identity.account(relationship).connect(ethers.provider);
      if (design === "naive") {
        await (await wallet.sendTransaction({ to: account.address, value: ethers.parseEther("0.05") })).wait();
      }
      return account;
    };
    /** A consent, sent by the account itself (v1, naive) or signed and relayed (v2). */
    const consent = async (account: Wallet, grantee: string, purpose: string, categories: bigint) => {
      const terms = { patient: account.address, grantee, purpose, categories, startsAt: 0n, expiresAt: NO_EXPIRY };
      const documentCommitment = id(`${name} consent to ${grantee} for ${purpose}`);
      if (design === "v2") {
        await relayGrant(
          consentRegistry.connect(relayer),
          await signGrant(account, consentRegistry, { ...terms, documentCommitment }),
        );
      } else {
        const { patient, startsAt, expiresAt } = terms;
        await (
          await consentRegistry
            .connect(account as Signer)
            .grant(patient, grantee, purpose, categories, startsAt, expiresAt, documentCommitment)
        ).wait();
      }
    };

    // Care at two providers.
    for (const provider of mine) {
      const account = await accountFor({ kind: "provider", provider: provider.address });
      remember(account.address, `provider:${provider.address}`);
      await consent(account, provider.address, PURPOSES.TREATMENT, CARE);
    }

    // A policy, billed by her first provider for its specialty.
    const pm = policyMember(identity, insurer.address, 0);
    const member = design === "v1" ? wallet : await accountFor({ kind: "policy", insurer: insurer.address, index: 0 });
    const blinding: ServiceBlinding = design === "v1" ? IDENTITY : pm.blinding;
    remember(member.address, `policy:${insurer.address}`);
    await claimsManager.connect(insurer).createPolicy({
      termsCommitment: id(`${name} policy`),
      member: member.address,
      coverageStart: now - 30n * DAY,
      coverageEnd: now + 335n * DAY,
      coinsuranceBps: 2000,
      annualLimit: 10_000n * USD,
      deductible: 100n * USD,
      coveredCategories: blindSet(blinding, (1 << 16) - 1),
      reviewThreshold: 5_000n * USD,
    });
    const policyId = await claimsManager.policyCount();
    const services = design === "v1" ? BigInt(servicesWithin(ALL_DATA)) : paymentConsentServices(pm.blinding, ALL_DATA);
    await consent(member, billing.address, PURPOSES.PAYMENT, services);
    const plain: ClaimLine[] = specialty.services.map((category, k) => ({
      category,
      amount: BigInt(150 + 10 * k) * USD,
    }));
    const lines = blindLines(blinding, plain);
    const claimId = id(`${name} claim`);
    await (
      await claimsManager.connect(billing).submitClaim(policyId, claimId, lines, Number(now - BigInt(1 + i) * DAY), 0)
    ).wait();
    plainLines.set(
      claimId,
      lines.map((l) => ({ category: blinding.unblind(Number(l.category)), amount: BigInt(l.amount) })),
    );

    // A trial, for some: research consent under the trial's purpose, then enrolment by the site.
    if (trialId) {
      const participant = trialParticipant(identity, registryAddress, trialId);
      const account =
        design === "v1" ? wallet : await accountFor({ kind: "trial", registry: registryAddress, trialId });
      // v1 had no salt; the contract now refuses a zero one, so v1 is played with a public constant instead.
      const salt = design === "v1" ? V1_SALT : participant.salt;
      remember(account.address, `trial:${trialId}`);
      const purpose = keccak256(
        AbiCoder.defaultAbiCoder().encode(
          ["bytes32", "uint256", "uint32", "bytes32"],
          [PURPOSES.RESEARCH, trialId, 1, salt],
        ),
      );
      await consent(account, registryAddress, purpose, categorySet("CONDITIONS", "LAB_RESULTS"));
      await (
        await trialRegistry.connect(investigator).enroll(trialId, account.address, salt, id(`${name} subject`))
      ).wait();
    }

    // An emergency, for some: the billing provider's emergency room breaks the glass on her emergency card.
    if (emergency) {
      const card = design === "v1" ? wallet : await accountFor({ kind: "emergency", epoch: 0 });
      remember(card.address, "emergency");
      await (await consentRegistry.connect(billing).breakGlass(card.address, id(`${name} unconscious`))).wait();
    }
  }
  return { design, system, fromBlock, truth, plainLines, patients: roster };
}
