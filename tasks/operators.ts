import { task } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";

task("deploy", "Deploys Health Ledger (validates every parameter first; re-run to resume) and writes the address book")
  .addOptionalParam("guardian", "Account that may cancel scheduled admin operations (default: the deployer)")
  .addOptionalParam("adminDelay", "Seconds every later admin operation waits (default 0)")
  .addOptionalParam("guardianProofDelay", "Seconds ahead a guardian-proof operation is scheduled (default 30 days)")
  .addOptionalParam("paymentToken", "ERC-20 the claims escrow pays in (required except on a local chain)")
  .addOptionalParam("deploymentId", "Ignition deployment id (default chain-<chainId>)")
  .addFlag("allowMainnet", "Allow a value-bearing chain (Ethereum mainnet, production L2s)")
  .addFlag("verify", "Verify the contracts on the explorer and Sourcify afterwards")
  .setAction(async (args, hre) => {
    // A fresh clone has no artifacts yet: compile first (quietly; nothing happens when they are current).
    await hre.run("compile", { quiet: true });
    const { runOperatorTask } = await import("../tooling/operators/errors");
    const { deployTask } = await import("../tooling/operators/deploy");
    await runOperatorTask(hre, () => deployTask(hre, args));
  });

const target = (name: string, description: string) =>
  task(name, description)
    .addOptionalParam("authority", "HealthLedgerAuthority address (default: from the address book)")
    .addOptionalParam("deploymentId", "Deployment in the address book, when the chain has several")
    .addFlag("allowMainnet", "Allow a value-bearing chain");

async function print(hre: HardhatRuntimeEnvironment, action: () => Promise<string>) {
  const { runOperatorTask } = await import("../tooling/operators/errors");
  const out = await runOperatorTask(hre, action);
  if (out !== undefined) console.log(out);
}

target("admin:schedule", "Schedules an admin operation behind the admin delay (role arguments by name)")
  .addParam("contract", "Contract of the address book: authority, consentRegistry, claimsManager, ...")
  .addParam("function", "Function name or signature, e.g. grantRole")
  .addParam("args", 'Arguments as a JSON array, e.g. \'["PROVIDER", "0xAb...", 0]\'')
  .setAction(async (args, hre) => {
    const { scheduleTask } = await import("../tooling/operators/admin");
    await print(hre, () => scheduleTask(hre, args));
  });

target("admin:pending", "Lists scheduled admin operations by name, with when each becomes executable").setAction(
  async (args, hre) => {
    const { listPendingTask } = await import("../tooling/operators/admin");
    await print(hre, () => listPendingTask(hre, args));
  },
);

target("admin:execute", "Executes a scheduled admin operation once its delay has passed")
  .addParam("operation", "Operation id (from admin:pending)")
  .setAction(async (args, hre) => {
    const { executeTask } = await import("../tooling/operators/admin");
    await print(hre, () => executeTask(hre, args));
  });

target("admin:cancel", "Cancels a scheduled admin operation (its scheduler, a guardian or an admin)")
  .addParam("operation", "Operation id (from admin:pending)")
  .setAction(async (args, hre) => {
    const { cancelTask } = await import("../tooling/operators/admin");
    await print(hre, () => cancelTask(hre, args));
  });
