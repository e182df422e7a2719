import { ClaimReasons } from "../constants";

export { ClaimStatus, PriorAuthStatus } from "../constants";

const { INSURER_MIN, ...reasons } = ClaimReasons;

/** Claim reason codes by name (from `contracts/claims/ClaimReasons.sol`, through the generated src/constants.ts). */
export const REASON = reasons;

/** The lowest reason code an insurer may give when it denies. */
export const INSURER_REASON_MIN: number = INSURER_MIN;

/** Human-readable text of a reason code. */
export function reasonText(reason: number): string {
  const name = (Object.keys(REASON) as (keyof typeof REASON)[]).find((k) => REASON[k] === reason);
  if (name !== undefined) return name.toLowerCase().replace(/_/g, " ");
  return reason >= INSURER_REASON_MIN ? `insurer reason ${reason}` : `unknown reason ${reason}`;
}
