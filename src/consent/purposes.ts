import { AbiCoder, keccak256 } from "ethers";
import { Purposes } from "../constants";
import type { Hex32 } from "../records";

/**
 * The well-known purposes (from `contracts/consent/Purposes.sol`, through the generated src/constants.ts): each is
 * `keccak256` of a fixed ASCII tag. TREATMENT is HL7 PurposeOfUse TREAT, PAYMENT HPAYMT, RESEARCH HRESCH (prefer
 * {@link trialResearch} for one study), PUBLIC_HEALTH PUBHLTH, EMERGENCY ETREAT.
 */
export const PURPOSES = Purposes as { readonly [name in keyof typeof Purposes]: Hex32 };

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
