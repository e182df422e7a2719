import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { ROLES } from "../../src/authority/roles";
import AuthorityModule from "./Authority";
import ConsentModule from "./Consent";
import TrialsModule from "./Trials";
import ProvenanceModule from "./Provenance";
import ClaimsModule from "./Claims";
import ForwarderModule from "./Forwarder";
import VaultModule from "./Vault";

/**
 * The whole Health Ledger system. Parameters (see docs/deployment.md):
 * - `guardian`: account that may cancel scheduled admin operations (default: the deployer);
 * - `adminDelay`: seconds every admin operation waits once wiring is done (default 0; hours on a testnet).
 * Domain modules take their own parameters, e.g. `Claims.paymentToken` (the escrow's ERC-20, required).
 */
export default buildModule("HealthLedger", (m) => {
  const { authority } = m.useModule(AuthorityModule);
  const { consentRegistry } = m.useModule(ConsentModule);
  const { trialRegistry } = m.useModule(TrialsModule);
  const { drugProvenance } = m.useModule(ProvenanceModule);
  const { claimsManager } = m.useModule(ClaimsModule);
  const { forwarder } = m.useModule(ForwarderModule);
  const { vaultAnchor } = m.useModule(VaultModule);
  const deployer = m.getAccount(0);
  const guardian = m.getParameter("guardian", deployer);
  const adminDelay = m.getParameter("adminDelay", 0);

  const wiring = [
    m.call(authority, "grantRole", [ROLES.GUARDIAN, guardian, 0], { id: "grant_guardian" }),
    ConsentModule,
    TrialsModule,
    ProvenanceModule,
    ClaimsModule,
  ];

  // Last: the admin's own delay, so that every later admin operation is scheduled and can be cancelled.
  m.call(authority, "grantRole", [ROLES.ADMIN, deployer, adminDelay], { id: "set_admin_delay", after: wiring });

  return { authority, forwarder, consentRegistry, drugProvenance, claimsManager, trialRegistry, vaultAnchor };
});
