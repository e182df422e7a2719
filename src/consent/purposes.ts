import { Purposes } from "../constants";
import { WordWriter, hexToBytesInto } from "../crypto";
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
 * Research in one trial under one consent-form version, salted with the participant's trial secret:
 * `keccak256(abi.encode(RESEARCH, trialId, version, salt))`, exactly as `Purposes.trialResearch` computes it. The
 * salt is `identity.derive({ kind: "trial", registry, trialId }).secret` (docs/privacy.md); without it, no one can
 * tell which trial the purpose is for. A zero salt is refused: the purpose would be brute-forceable again. Errors
 * never repeat the salt (it is a secret).
 */
export function trialResearch(trialId: bigint | number, consentFormVersion: bigint | number, salt: string): Hex32 {
  const trial = BigInt(trialId);
  const version = BigInt(consentFormVersion);
  if (trial < 0n || trial >= 2n ** 256n) throw new Error(`trialId must be a uint256; got ${trial}`);
  if (version < 0n || version > MAX_UINT32) {
    throw new Error(`consentFormVersion must be a uint32 (0..4294967295); got ${version}`);
  }
  const saltBytes = new Uint8Array(32);
  hexToBytesInto(salt, 32, saltBytes, 0, "The trial salt (a bytes32 secret)", false);
  if (saltBytes.every((b) => b === 0)) {
    throw new Error("The trial salt must be the participant's trial secret, not zero (a zero salt is brute-forceable)");
  }
  return new WordWriter()
    .bytes32(PURPOSES.RESEARCH)
    .uint(trial)
    .uint(version, 32)
    .bytes32(saltBytes)
    .keccak256Hex() as Hex32;
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
