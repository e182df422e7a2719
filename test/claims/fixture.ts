import hre, { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { id, type Signer } from "ethers";
import { ALL_SERVICES, SERVICE } from "../../src/claims/categories";
import type { IClaimsManager } from "../../typechain-types";
import { deployTestSystem } from "../../tooling/system";

export const DAY = 24n * 60n * 60n;
export const YEAR = 365n * DAY;
/** One token (6 decimals). */
export const USD = 1_000_000n;
export const PAYMENT = id("health-ledger.purpose.payment");
export const ALL_DATA = (1n << 16n) - 1n;
/** Every service but dental and vision. */
export const COVERED = BigInt(ALL_SERVICES & ~((1 << SERVICE.DENTAL) | (1 << SERVICE.VISION)));

/** Default policy: 500 deductible, 20% coinsurance, 10,000 a year, review above 2,000. */
export async function defaultTerms(member: string): Promise<IClaimsManager.PolicyTermsStruct> {
  const now = BigInt(await time.latest());
  return {
    termsCommitment: id("terms-v1"),
    member,
    coverageStart: now - 10n * DAY,
    coverageEnd: now - 10n * DAY + 2n * YEAR,
    coinsuranceBps: 2000,
    annualLimit: 10_000n * USD,
    deductible: 500n * USD,
    coveredCategories: COVERED,
    reviewThreshold: 2_000n * USD,
  };
}

/**
 * The whole system, deployed as operators deploy it: insurer (funded with
 * 100,000), a second insurer, two providers, member Alice (payment consent for every category to the hospital)
 * and one default policy (id 1) for her.
 */
export async function deployClaimsFixture() {
  const [admin, insurer, insurer2, hospital, clinic, alice, bob, stranger] = await ethers.getSigners();
  const system = await deployTestSystem(hre, {
    grants: [
      { role: "INSURER", account: insurer.address },
      { role: "INSURER", account: insurer2.address },
      { role: "PROVIDER", account: hospital.address },
      { role: "PROVIDER", account: clinic.address },
    ],
  });
  const { authority, forwarder, consentRegistry: consent, token, claimsManager: manager } = system;
  for (const ins of [insurer, insurer2]) {
    await token.mint(ins.address, 1_000_000n * USD);
    await token.connect(ins).approve(await manager.getAddress(), ethers.MaxUint256);
  }
  await manager.connect(insurer).fundEscrow(100_000n * USD);
  /**
   * `patient` consents, in the consent registry, to `grantee` using `categories` of her data for payment, for 30
   * years (replacing an earlier consent).
   */
  const allow = async (patient: Signer, grantee: string, categories: bigint) => {
    const now = BigInt(await time.latest());
    const patientAddress = await patient.getAddress();
    await consent
      .connect(patient)
      .grant(patientAddress, grantee, PAYMENT, categories, now, now + 30n * YEAR, id("payment-consent"));
  };
  await allow(alice, hospital.address, ALL_DATA);
  await allow(bob, hospital.address, ALL_DATA);
  const terms = await defaultTerms(alice.address);
  await manager.connect(insurer).createPolicy(terms);
  return {
    ...{ admin, insurer, insurer2, hospital, clinic, alice, bob, stranger },
    ...{ authority, forwarder, consent, token, manager, terms, allow },
  };
}
