import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/** Default guardian-proof delay: an operation scheduled this far ahead cannot be cancelled by a guardian. */
export const DEFAULT_GUARDIAN_PROOF_DELAY = 30 * 24 * 3600;

/**
 * The permission authority. The deploying account is its first ADMIN, with no delay, so that the domain modules
 * can wire their permissions; `HealthLedger` then hands admin power to its final holder, behind a delay.
 * Parameter `guardianProofDelay` (seconds, default 30 days): see docs/roles.md; it must exceed `adminDelay`.
 */
export default buildModule("Authority", (m) => {
  const guardianProofDelay = m.getParameter("guardianProofDelay", DEFAULT_GUARDIAN_PROOF_DELAY);
  const authority = m.contract("HealthLedgerAuthority", [m.getAccount(0), guardianProofDelay]);
  return { authority };
});
