import { AbiCoder, keccak256, toUtf8Bytes } from "ethers";
import type { Hex32 } from "../records";
import { assertLines, type ClaimLine } from "./adjudication";

/** Domain tag of the duplicate fingerprint (`ClaimsManager.FINGERPRINT_TAG`). */
export const FINGERPRINT_TAG = keccak256(toUtf8Bytes("health-ledger.claims.fingerprint.v1")) as Hex32;

/**
 * The duplicate fingerprint the contract computes at submission: the same member, provider, service date and
 * (canonically sorted) lines give the same fingerprint whatever the claim's salt, so a service cannot be billed
 * twice. Look it up with `ClaimsManager.claimOfFingerprint` before submitting.
 */
export function claimFingerprint(
  member: string,
  provider: string,
  serviceDate: bigint,
  lines: readonly ClaimLine[],
): Hex32 {
  assertLines(lines);
  const encoded = AbiCoder.defaultAbiCoder().encode(
    ["bytes32", "address", "address", "uint40", "tuple(uint8,uint256)[]"],
    [FINGERPRINT_TAG, member, provider, serviceDate, lines.map((l) => [l.category, l.amount])],
  );
  return keccak256(encoded) as Hex32;
}
