import { trialResearch } from "../consent/purposes";
import type { Hex32 } from "../records";

/**
 * `Purposes.trialResearch(trialId, consentFormVersion, salt)`: the purpose a participant consents to for research in
 * one trial under one consent-form version, salted with her trial secret (`trialParticipant(...).salt`). The trial
 * registry asks the consent registry for it, with the registry contract itself as grantee, at enrolment and at
 * every visit. Consent-form versions start at 1 in the registry, so version 0 is refused here (the consent SDK's
 * `trialResearch` accepts it); a zero salt is refused by both.
 */
export function trialResearchPurpose(
  trialId: bigint | number,
  consentFormVersion: bigint | number,
  salt: string,
): Hex32 {
  if (BigInt(consentFormVersion) <= 0n) {
    throw new Error(`consentFormVersion must be a uint32 from 1; got ${consentFormVersion}`);
  }
  return trialResearch(trialId, consentFormVersion, salt);
}
