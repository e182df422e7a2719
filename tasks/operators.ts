import { task } from "hardhat/config";

task("deploy", "Deploys Health Ledger (validates every parameter first; re-run to resume) and writes the address book")
  .addOptionalParam("guardian", "Account that may cancel scheduled admin operations (default: the deployer)")
  .addOptionalParam("adminDelay", "Seconds every later admin operation waits (default 0)")
  .addOptionalParam("guardianProofDelay", "Seconds ahead a guardian-proof operation is scheduled (default 30 days)")
  .addOptionalParam("paymentToken", "ERC-20 the claims escrow pays in (required except on a local chain)")
  .addOptionalParam("deploymentId", "Ignition deployment id (default chain-<chainId>)")
  .addFlag("allowMainnet", "Allow a value-bearing chain (Ethereum mainnet, production L2s)")
  .addFlag("verify", "Verify the contracts on the explorer and Sourcify afterwards")
  .setAction(async (args, hre) => {
    const { runOperatorTask } = await import("../tooling/operators/errors");
    const { deployTask } = await import("../tooling/operators/deploy");
    await runOperatorTask(hre, () => deployTask(hre, args));
  });
