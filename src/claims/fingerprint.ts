import { AbiCoder, keccak256 } from "ethers";
import { ClaimsConstants } from "../constants";
import type { Hex32 } from "../records";
import { serviceDay } from "./adjudication";
import { assertLines, type ClaimLine } from "./limits";

/** Domain tag of the duplicate fingerprint (`ClaimsConstants.FINGERPRINT_TAG`). */
export const FINGERPRINT_TAG = ClaimsConstants.FINGERPRINT_TAG as Hex32;

/**
 * The duplicate fingerprint the contract computes at submission (`ClaimsManager.fingerprintOf`): the same member,
 * provider, service day and (canonically sorted) lines give the same fingerprint whatever the claim's salt and the
 * time of day, so a service cannot be billed twice. Look it up with `ClaimsManager.claimOfFingerprint` before
 * submitting. docs/claims.md says what it does not catch.
 */
export function claimFingerprint(
  member: string,
  provider: string,
  serviceDate: bigint,
  lines: readonly ClaimLine[],
): Hex32 {
  assertLines(lines);
  const encoded = AbiCoder.defaultAbiCoder().encode(
    ["bytes32", "address", "address", "uint256", "tuple(uint8,uint256)[]"],
    [FINGERPRINT_TAG, member, provider, serviceDay(serviceDate), lines.map((l) => [l.category, l.amount])],
  );
  return keccak256(encoded) as Hex32;
}
