import { task } from "hardhat/config";

task("bench-gas", "Measures every operation's gas beside its EVM floor, budget and peers")
  .addFlag("check", "Fail when an op costs more than 1% above gas-snapshot.json or above its budget")
  .addFlag("update", "Rewrite gas-snapshot.json from this run")
  .setAction(async (args: { check: boolean; update: boolean }, hre) => {
    const { runBenchCli } = await import("../tooling/bench/cli");
    await runBenchCli(hre, args);
  });
