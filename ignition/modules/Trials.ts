import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import AuthorityModule from "./Authority";
import ForwarderModule from "./Forwarder";
import ConsentModule from "./Consent";
import { wireContract } from "./wiring";

/**
 * The trial registry, managed by the shared authority and asking the consent registry about enrolment consent,
 * with its restricted functions (`register`: SPONSOR; `regulatorSuspend`/`regulatorResume`: REGULATOR) wired from
 * the permission table. `HealthLedger` runs this whole module before raising the admin's delay.
 */
export default buildModule("Trials", (m) => {
  const { authority } = m.useModule(AuthorityModule);
  const { consentRegistry } = m.useModule(ConsentModule);
  const { forwarder } = m.useModule(ForwarderModule);
  const trialRegistry = m.contract("TrialRegistry", [authority, forwarder, consentRegistry]);
  wireContract(m, authority, trialRegistry, "TrialRegistry");
  return { trialRegistry };
});
