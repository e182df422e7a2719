import hre, { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { id, type ContractTransactionReceipt } from "ethers";
import {
  ALL_SERVICES,
  blindPolicyTerms,
  policyMember,
  SERVICE,
  signMemberAppeal,
  signPaymentConsent,
} from "../../src/claims";
import type { PolicyBlinding, PolicyMember } from "../../src/claims";
import { relayGrant } from "../../src/consent";
import { PatientIdentity } from "../../src/identity";
import { relayForwardRequest } from "../../src/relay";
import type { IClaimsManager } from "../../typechain-types";
import { deployTestSystem } from "../../tooling/system";

export const DAY = 24n * 60n * 60n;
export const YEAR = 365n * DAY;
/** One token (6 decimals). */
export const USD = 1_000_000n;
export const PAYMENT = id("health-ledger.purpose.payment");
/** Every data category: a payment consent that lets a provider bill every service. */
export const ALL_DATA = (1n << 16n) - 1n;
/** Every service but dental and vision (plain codes; each policy blinds it with its own key). */
export const COVERED = BigInt(ALL_SERVICES & ~((1 << SERVICE.DENTAL) | (1 << SERVICE.VISION)));

/** The test patients' recovery phrases (each derives her own policy pseudonyms and blinding keys). */
export const ALICE_MNEMONIC = "legal winner thank year wave sausage worth useful legal winner thank yellow";
export const BOB_MNEMONIC = "letter advice cage absurd amount doctor acoustic avoid letter advice cage above";

/**
 * Default policy terms for `member` (a policy pseudonym): 500 deductible, 20% coinsurance, 10,000 a year, review
 * above 2,000, covering `COVERED`, blinded with the policy's `blinding` as the insurer issues them.
 */
export async function defaultTerms(
  member: string,
  blinding: PolicyBlinding,
): Promise<IClaimsManager.PolicyTermsStruct> {
  const now = BigInt(await time.latest());
  return blindPolicyTerms(blinding, {
    termsCommitment: id("terms-v1"),
    member,
    coverageStart: now - 10n * DAY,
    coverageEnd: now - 10n * DAY + 2n * YEAR,
    coinsuranceBps: 2000,
    annualLimit: 10_000n * USD,
    deductible: 500n * USD,
    coveredCategories: COVERED,
    reviewThreshold: 2_000n * USD,
  });
}

/**
 * The whole system, deployed as operators deploy it: insurer (funded with 100,000), a second insurer, two
 * providers, a relayer, and two patients known only by their mnemonics. Alice's first policy with the insurer
 * (id 1) is issued to her policy pseudonym, blinded with its key; she lets the hospital bill every service (a
 * payment consent signed by the pseudonym, in the policy's blinded codes, relayed). No pseudonym holds ETH.
 */
export async function deployClaimsFixture() {
  const [admin, insurer, insurer2, hospital, clinic, relayer, stranger] = await ethers.getSigners();
  const system = await deployTestSystem(hre, {
    grants: [
      { role: "INSURER", account: insurer.address },
      { role: "INSURER", account: insurer2.address },
      { role: "PROVIDER", account: hospital.address },
      { role: "PROVIDER", account: clinic.address },
    ],
  });
  const { authority, forwarder, consentRegistry: consent, token, claimsManager: manager } = system;
  const { chainId } = await ethers.provider.getNetwork();
  const aliceIdentity = PatientIdentity.fromMnemonic(ALICE_MNEMONIC, chainId);
  const bobIdentity = PatientIdentity.fromMnemonic(BOB_MNEMONIC, chainId);
  for (const ins of [insurer, insurer2]) {
    await token.mint(ins.address, 1_000_000n * USD);
    await token.connect(ins).approve(await manager.getAddress(), ethers.MaxUint256);
  }
  await manager.connect(insurer).fundEscrow(100_000n * USD);

  /** The policy relationship of each policy id, as its member holds it. */
  const members = new Map<bigint, PolicyMember>();
  /**
   * `pm` (a policy pseudonym) consents, in the consent registry, to `grantee` billing what `dataCategories` (plain)
   * allow, for 30 years (replacing an earlier consent): signed by the pseudonym, relayed.
   */
  const allow = async (pm: PolicyMember, grantee: string, dataCategories: bigint) => {
    const now = BigInt(await time.latest());
    const { signed } = await signPaymentConsent(pm.member, consent, {
      provider: grantee,
      blinding: pm.blinding,
      dataCategories,
      startsAt: now,
      expiresAt: now + 30n * YEAR,
    });
    await relayGrant(consent.connect(relayer), signed);
  };
  /** Issues a policy (default terms, with `overrides` in plain terms) to `pm`; returns its id. */
  const issue = async (
    pm: PolicyMember,
    overrides: Partial<IClaimsManager.PolicyTermsStruct> = {},
    by = insurer,
  ): Promise<bigint> => {
    const terms = { ...(await defaultTerms(pm.member.address, pm.blinding)), ...overrides };
    if (overrides.coveredCategories !== undefined) {
      terms.coveredCategories = blindPolicyTerms(pm.blinding, {
        coveredCategories: BigInt(overrides.coveredCategories),
      }).coveredCategories;
    }
    await manager.connect(by).createPolicy(terms);
    const policyId = await manager.policyCount();
    members.set(policyId, pm);
    return policyId;
  };
  /** The member of `policyId` appeals `claimId`: signed by her pseudonym, relayed through the forwarder. */
  const memberAppeal = async (
    policyId: bigint,
    claimId: string,
    evidence: string,
  ): Promise<ContractTransactionReceipt> => {
    const request = await signMemberAppeal(members.get(policyId)!.member, forwarder, manager, claimId, evidence);
    return relayForwardRequest(forwarder.connect(relayer), request);
  };

  const alice = policyMember(aliceIdentity, insurer.address, 0);
  const bob = policyMember(bobIdentity, insurer.address, 0);
  await allow(alice, hospital.address, ALL_DATA);
  await allow(bob, hospital.address, ALL_DATA);
  const terms = await defaultTerms(alice.member.address, alice.blinding);
  await manager.connect(insurer).createPolicy(terms);
  members.set(1n, alice);
  return {
    ...{ admin, insurer, insurer2, hospital, clinic, relayer, stranger },
    ...{ aliceIdentity, bobIdentity, alice, bob, members },
    ...{ authority, forwarder, consent, token, manager, terms, allow, issue, memberAppeal },
  };
}
