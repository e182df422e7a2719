import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/**
 * The permission authority. The deploying account is its first ADMIN, with no delay, so that the domain modules
 * can wire their permissions; `HealthLedger` then hands admin power to its final holder, behind a delay.
 */
export default buildModule("Authority", (m) => {
  const authority = m.contract("HealthLedgerAuthority", [m.getAccount(0)]);
  return { authority };
});
