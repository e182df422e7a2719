/**
 * `npm run e2e`: the operator's path end to end against a separate node. Starts `hardhat node` as its own process
 * on a free port, deploys through the `deploy` task over JSON-RPC, runs the demo story against that deployment
 * from the address book, re-runs `deploy` to check that it resumes (same addresses, nothing redeployed), and
 * stops the node by its process id. The deployment's journal folder is removed afterwards: the chain is gone.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { startHardhatNode, type HardhatNode } from "../test/shared/node";
import { DEPLOYMENTS_DIR, readDeployment } from "./address-book";
import { runHardhat, type CliRun } from "./hardhat-cli";

/** The demo's guardian: the node's second default account (tooling/demo/cast.ts). */
const DEMO_GUARDIAN = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

function must(run: CliRun, what: string): string {
  if (run.code !== 0) throw new Error(`${what} failed (exit ${run.code}):\n${run.stderr || run.stdout}`);
  return run.stdout;
}

async function main(): Promise<void> {
  const deploymentId = `e2e-${process.pid}`;
  const folder = join(DEPLOYMENTS_DIR, deploymentId);
  let node: HardhatNode | undefined;
  try {
    node = await startHardhatNode();
    console.log(`e2e: hardhat node pid ${node.pid} at ${node.url}`);
    const env = { HEALTH_LEDGER_NODE_URL: node.url };
    const deployArgs = ["deploy", "--network", "localhost", "--deployment-id", deploymentId];
    const first = must(await runHardhat([...deployArgs, "--guardian", DEMO_GUARDIAN], env), "deploy");
    const book = readDeployment(folder, deploymentId);
    if (book === undefined) throw new Error(`deploy wrote no address book in ${folder}:\n${first}`);
    console.log(`e2e: deployed ${deploymentId} (authority ${book.authority}); address book written`);

    const demo = must(
      await runHardhat(["run", "--network", "localhost", "scripts/demo.ts"], {
        ...env,
        HEALTH_LEDGER_DEPLOYMENT_ID: deploymentId,
      }),
      "demo",
    );
    if (!demo.includes("Demo complete.")) throw new Error(`The demo did not complete:\n${demo}`);
    console.log(`e2e: the demo story ran against the address book (${demo.split("\n").length} lines)`);

    const again = must(await runHardhat([...deployArgs, "--guardian", DEMO_GUARDIAN], env), "deploy (resume)");
    const rebook = readDeployment(folder, deploymentId);
    if (!again.includes("Resuming deployment") || JSON.stringify(rebook) !== JSON.stringify(book)) {
      throw new Error(`Re-running deploy did not resume to the same addresses:\n${again}`);
    }
    console.log("e2e: re-running deploy resumed with the same addresses");
    console.log("e2e: passed");
  } finally {
    await node?.stop();
    rmSync(folder, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`e2e failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
