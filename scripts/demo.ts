import hre from "hardhat";
import { runDemo } from "../tooling/demo";
import { deploymentOn } from "../tooling/address-book";

// HEALTH_LEDGER_DEPLOYMENT_ID names an address-book deployment to run against (npm run e2e); else the demo deploys.
async function main() {
  const deploymentId = process.env.HEALTH_LEDGER_DEPLOYMENT_ID;
  const chainId = Number((await hre.ethers.provider.getNetwork()).chainId);
  await runDemo(hre, console.log, {
    deployment: deploymentId === undefined ? undefined : deploymentOn(chainId, deploymentId),
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
