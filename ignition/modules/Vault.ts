import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/**
 * The record vault's anchor (contracts/vault/VaultAnchor.sol): record commitments and disclosure-log heads. It
 * checks no role (see its NatSpec), so it is deployed alone, without the authority or the forwarder.
 */
export default buildModule("Vault", (m) => {
  const vaultAnchor = m.contract("VaultAnchor", []);
  return { vaultAnchor };
});
