import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import AuthorityModule from "./Authority";
import ForwarderModule from "./Forwarder";
import ConsentModule from "./Consent";
import { wireContract } from "./wiring";

/**
 * The claims manager, managed by the shared authority, asking the consent registry before every claim, with its
 * restricted functions wired from the permission table. Parameter `paymentToken` (required): the ERC-20 escrows
 * and payouts are in (a stablecoin on a public network; `TestToken` locally, see `tooling/deploy.ts`).
 */
export default buildModule("Claims", (m) => {
  const { authority } = m.useModule(AuthorityModule);
  const { consentRegistry } = m.useModule(ConsentModule);
  const paymentToken = m.getParameter<string>("paymentToken");
  const { forwarder } = m.useModule(ForwarderModule);
  const claimsManager = m.contract("ClaimsManager", [authority, forwarder, consentRegistry, paymentToken]);
  wireContract(m, authority, claimsManager, "ClaimsManager");
  return { claimsManager };
});
