/**
 * `hardhat run --network localhost tooling/deploy-on-node.ts`: deploys the whole system on the node that
 * `HEALTH_LEDGER_NODE_URL` names and prints its addresses as one JSON line (read by test/shared/node.ts).
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import hre from "hardhat";
import { deployTestSystem } from "./system";

async function main() {
  const fromBlock = await hre.ethers.provider.getBlockNumber();
  // A throwaway deployment id, its journals removed afterwards: every test node is a fresh chain 31337, and a
  // journal left behind would make the next deployment "resume" against contracts that no longer exist.
  const deploymentId = `test-node-${process.pid}-${Date.now()}`;
  const folders = [deploymentId, `${deploymentId}-token`].map((id) =>
    join(__dirname, "..", "ignition", "deployments", id),
  );
  let system;
  try {
    system = await deployTestSystem(hre, { deploymentId });
  } finally {
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  }
  const addresses = {
    authority: await system.authority.getAddress(),
    forwarder: await system.forwarder.getAddress(),
    consentRegistry: await system.consentRegistry.getAddress(),
    trialRegistry: await system.trialRegistry.getAddress(),
    drugProvenance: await system.drugProvenance.getAddress(),
    claimsManager: await system.claimsManager.getAddress(),
    vaultAnchor: await system.vaultAnchor.getAddress(),
    paymentToken: system.paymentToken,
    fromBlock,
  };
  console.log(JSON.stringify(addresses));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
