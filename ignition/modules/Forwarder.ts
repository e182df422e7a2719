import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/**
 * The ERC-2771 forwarder every domain contract trusts: relayers submit patients' signed calls through it, so that a
 * patient's relationship accounts never hold ETH (docs/privacy.md).
 */
export default buildModule("Forwarder", (m) => {
  const forwarder = m.contract("HealthLedgerForwarder");
  return { forwarder };
});
