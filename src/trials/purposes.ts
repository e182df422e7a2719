import { AbiCoder, keccak256, toUtf8Bytes } from "ethers";
import type { Hex32 } from "../records";

/** `Purposes.RESEARCH` of contracts/consent/Purposes.sol. */
export const RESEARCH_PURPOSE = keccak256(toUtf8Bytes("health-ledger.purpose.research")) as Hex32;

/**
 * `Purposes.trialResearch(trialId, consentFormVersion)`: the purpose a participant consents to for research in one
 * trial under one consent-form version. The trial registry asks the consent registry for it, with the registry
 * contract itself as grantee, at enrolment and at every visit.
 */
export function trialResearchPurpose(trialId: bigint | number, consentFormVersion: bigint | number): Hex32 {
  const version = BigInt(consentFormVersion);
  if (version <= 0n || version > 0xffffffffn) {
    throw new Error(`consentFormVersion must be a uint32 from 1; got ${consentFormVersion}`);
  }
  return keccak256(
    AbiCoder.defaultAbiCoder().encode(["bytes32", "uint256", "uint32"], [RESEARCH_PURPOSE, BigInt(trialId), version]),
  ) as Hex32;
}
