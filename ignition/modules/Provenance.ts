import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import AuthorityModule from "./Authority";
import ForwarderModule from "./Forwarder";
import { wireContract } from "./wiring";

/**
 * Drug provenance: `DrugProvenance` managed by the shared authority, with its restricted functions (`commission`:
 * MANUFACTURER; `clearQuarantine`, `confirmIllegitimate`: REGULATOR) wired from the permission table.
 * `HealthLedger` runs this whole module before raising the admin's delay.
 */
export default buildModule("Provenance", (m) => {
  const { authority } = m.useModule(AuthorityModule);
  const { forwarder } = m.useModule(ForwarderModule);
  const drugProvenance = m.contract("DrugProvenance", [authority, forwarder]);
  wireContract(m, authority, drugProvenance, "DrugProvenance");
  return { drugProvenance };
});
