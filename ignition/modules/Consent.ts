import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import AuthorityModule from "./Authority";
import ForwarderModule from "./Forwarder";
import { wireContract } from "./wiring";

/**
 * The consent registry, managed by the shared authority, with its restricted functions (`breakGlass`: PROVIDER)
 * wired from the permission table. `HealthLedger` runs this whole module before raising the admin's delay.
 */
export default buildModule("Consent", (m) => {
  const { authority } = m.useModule(AuthorityModule);
  const { forwarder } = m.useModule(ForwarderModule);
  const consentRegistry = m.contract("ConsentRegistry", [authority, forwarder]);
  wireContract(m, authority, consentRegistry, "ConsentRegistry");
  return { consentRegistry };
});
