import { AbiCoder, id, keccak256 } from "ethers";
import type { Hex32 } from "../records";

/**
 * TypeScript mirror of `contracts/consent/Purposes.sol` (a test compares every value with the Solidity library).
 * Each well-known purpose is `keccak256` of a fixed ASCII tag.
 */
export const PURPOSES = {
  /** Diagnosis and care of the patient (HL7 PurposeOfUse TREAT). */
  TREATMENT: id("health-ledger.purpose.treatment") as Hex32,
  /** Payment and insurance claims (HL7 PurposeOfUse HPAYMT). */
  PAYMENT: id("health-ledger.purpose.payment") as Hex32,
  /** Research in general (HL7 PurposeOfUse HRESCH); prefer {@link trialResearch} for one study. */
  RESEARCH: id("health-ledger.purpose.research") as Hex32,
  /** Public-health reporting (HL7 PurposeOfUse PUBHLTH). */
  PUBLIC_HEALTH: id("health-ledger.purpose.public-health") as Hex32,
  /** Emergency care (HL7 PurposeOfUse ETREAT). */
  EMERGENCY: id("health-ledger.purpose.emergency") as Hex32,
} as const;

export type PurposeName = keyof typeof PURPOSES;

/** HL7 v3 PurposeOfUse code of each well-known purpose (used in the FHIR Consent document). */
export const PURPOSE_OF_USE: Record<PurposeName, string> = {
  TREATMENT: "TREAT",
  PAYMENT: "HPAYMT",
  RESEARCH: "HRESCH",
  PUBLIC_HEALTH: "PUBHLTH",
  EMERGENCY: "ETREAT",
};

const MAX_UINT32 = 0xffffffffn;

/**
 * Research in one trial under one consent-form version: `keccak256(abi.encode(RESEARCH, trialId, version))`,
 * exactly as `Purposes.trialResearch` computes it.
 */
export function trialResearch(trialId: bigint | number, consentFormVersion: bigint | number): Hex32 {
  const trial = BigInt(trialId);
  const version = BigInt(consentFormVersion);
  if (trial < 0n || trial >= 2n ** 256n) throw new Error(`trialId must be a uint256; got ${trial}`);
  if (version < 0n || version > MAX_UINT32) {
    throw new Error(`consentFormVersion must be a uint32 (0..4294967295); got ${version}`);
  }
  const encoded = AbiCoder.defaultAbiCoder().encode(
    ["bytes32", "uint256", "uint32"],
    [PURPOSES.RESEARCH, trial, version],
  );
  return keccak256(encoded) as Hex32;
}

/** Looks a well-known purpose up by name, with an error that lists the valid names. */
export function purposeId(name: string): Hex32 {
  if (!(name in PURPOSES)) {
    throw new Error(`Unknown purpose "${name}": expected one of ${Object.keys(PURPOSES).join(", ")}`);
  }
  return PURPOSES[name as PurposeName];
}

/** Name of a well-known purpose id, or undefined for a derived purpose (e.g. one trial's research). */
export function purposeName(purpose: string): PurposeName | undefined {
  const lower = purpose.toLowerCase();
  return (Object.keys(PURPOSES) as PurposeName[]).find((n) => PURPOSES[n] === lower);
}
