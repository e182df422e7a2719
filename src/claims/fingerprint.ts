import { ClaimsConstants } from "../constants";
import { WordWriter } from "../crypto";
import type { Hex32 } from "../records";
import { serviceDay } from "./adjudication";
import { assertLines, type ClaimLine } from "./limits";

/** Domain tag of the duplicate fingerprint (`ClaimsConstants.FINGERPRINT_TAG`, v3). */
export const FINGERPRINT_TAG = ClaimsConstants.FINGERPRINT_TAG as Hex32;

/** Words of `abi.encode(bytes32, address, address, uint256, (uint8,uint256)[])` before the array: its offset. */
const LINES_OFFSET = 5 * 32;

/**
 * The duplicate fingerprint the contract computes at submission (`ClaimsManager.fingerprintOf`),
 * `keccak256(abi.encode(FINGERPRINT_TAG, member, provider, serviceDate / 1 days, lines))`, over the policy's
 * pseudonymous member and the **blinded** lines as submitted (see `blindLines`): the same member, provider, service
 * day and lines give the same fingerprint whatever the claim's salt and the time of day, so a service cannot be
 * billed twice. Look it up with `ClaimsManager.claimOfFingerprint` before submitting. Only a holder of the
 * policy's blinding (to blind a guessed service) who also knows whose pseudonym `member` is can confirm a guess about
 * a person with it. docs/claims.md says what it catches and what it reveals.
 */
export function claimFingerprint(
  member: string,
  provider: string,
  serviceDate: bigint,
  lines: readonly ClaimLine[],
): Hex32 {
  assertLines(lines);
  const w = new WordWriter()
    .bytes32(FINGERPRINT_TAG)
    .address(member)
    .address(provider)
    .uint(serviceDay(serviceDate))
    .uint(LINES_OFFSET)
    .uint(lines.length);
  for (const line of lines) w.uint(line.category, 8).uint(line.amount);
  return w.keccak256Hex() as Hex32;
}
