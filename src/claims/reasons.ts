/** TypeScript mirror of `contracts/claims/ClaimReasons.sol` and of the claim and prior-authorisation statuses. */

export const REASON = {
  NONE: 0,
  OUTSIDE_COVERAGE_PERIOD: 1,
  SERVICE_NOT_COVERED: 2,
  PENDED_FOR_REVIEW: 3,
  PENDED_ESCROW_SHORT: 4,
  NOT_MEDICALLY_NECESSARY: 16,
  INSUFFICIENT_DOCUMENTATION: 17,
  PROVIDER_NOT_ELIGIBLE: 18,
  SUSPECTED_FRAUD: 19,
} as const;

/** The lowest reason code an insurer may give when it denies. */
export const INSURER_REASON_MIN = 16;

/** `IClaimsManager.ClaimStatus`, by value. */
export enum ClaimStatus {
  None = 0,
  Pended = 1,
  Approved = 2,
  Denied = 3,
  Appealed = 4,
  FinalDenied = 5,
  Paid = 6,
}

/** `IClaimsManager.PriorAuthStatus`, by value. */
export enum PriorAuthStatus {
  None = 0,
  Requested = 1,
  Approved = 2,
  Denied = 3,
  Used = 4,
}

/** Human-readable text of a reason code. */
export function reasonText(reason: number): string {
  const name = (Object.keys(REASON) as (keyof typeof REASON)[]).find((k) => REASON[k] === reason);
  if (name !== undefined) return name.toLowerCase().replace(/_/g, " ");
  return reason >= INSURER_REASON_MIN ? `insurer reason ${reason}` : `unknown reason ${reason}`;
}
