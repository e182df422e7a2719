import { task } from "hardhat/config";

task("docs", "Regenerates docs/events.md, docs/errors.md and docs/roles.md from the contracts and tables")
  .addFlag("check", "Fail instead of writing when a generated document is out of date")
  .setAction(async (args: { check: boolean }, hre) => {
    const { runDocsCli } = await import("../tooling/docs/cli");
    await runDocsCli(hre, args);
  });
