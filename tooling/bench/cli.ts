import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { TASK_COMPILE } from "hardhat/builtin-tasks/task-names";
import { HardhatPluginError } from "hardhat/plugins";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { GasResult } from "./types";
import {
  compareWithSnapshot,
  formatTable,
  parseSnapshot,
  reportOf,
  runSuites,
  snapshotOf,
  type GasSnapshot,
} from "./harness";

/** Where the report and the snapshot live, relative to the project root. */
export const REPORT_PATH = path.join("reports", "gas.json");
export const SNAPSHOT_PATH = "gas-snapshot.json";

/**
 * `npm run bench:gas [-- --check | -- --update]`: measures every registered suite, prints the table, writes
 * reports/gas.json; `--check` fails (exit code 1) on an op above its snapshot (+1%), above its budget, or
 * missing from the snapshot; `--update` rewrites gas-snapshot.json (and still fails on a budget overrun).
 */
export async function runBenchCli(
  hre: HardhatRuntimeEnvironment,
  args: { check: boolean; update: boolean },
): Promise<void> {
  if (args.check && args.update) {
    throw new HardhatPluginError("bench-gas", "Pass either --check or --update, not both");
  }
  await hre.run(TASK_COMPILE, { quiet: true });
  // Imported after compiling: suites use the TypeChain types that compiling generates.
  const { SUITES } = await import("./suites");
  const { toResults } = await import("./harness");

  let results: GasResult[];
  try {
    results = toResults(await runSuites(hre, SUITES));
  } catch (error) {
    throw new HardhatPluginError("bench-gas", error instanceof Error ? error.message : String(error), toError(error));
  }

  const root = hre.config.paths.root;
  const reportFile = path.join(root, REPORT_PATH);
  mkdirSync(path.dirname(reportFile), { recursive: true });
  writeFileSync(reportFile, `${JSON.stringify(reportOf(results), null, 2)}\n`);

  console.log(formatTable(results));
  console.log(`\nReport written to ${REPORT_PATH}`);

  const snapshotFile = path.join(root, SNAPSHOT_PATH);
  let snapshot: GasSnapshot = {};
  if (existsSync(snapshotFile)) {
    try {
      snapshot = parseSnapshot(readFileSync(snapshotFile, "utf8"));
    } catch (error) {
      if (!args.update) throw new HardhatPluginError("bench-gas", toError(error).message, toError(error));
    }
  }

  if (args.update) {
    writeFileSync(snapshotFile, `${JSON.stringify(snapshotOf(results), null, 2)}\n`);
    console.log(`Snapshot written to ${SNAPSHOT_PATH} (${results.length} ops)`);
    snapshot = snapshotOf(results);
  }

  const { problems, notes } = compareWithSnapshot(results, snapshot);
  for (const note of notes) console.log(`note: ${note}`);
  const failing = args.update ? problems.filter((p) => p.kind === "over-budget") : problems;
  if (failing.length === 0) {
    if (args.check) console.log(`Gas check passed: ${results.length} ops within +1% of the snapshot and their budgets`);
    return;
  }
  const listing = failing.map((p) => `  - ${p.message}`).join("\n");
  if (args.check || args.update) {
    console.error(`\nGas check failed for ${failing.length} op(s):\n${listing}`);
    process.exitCode = 1;
  } else {
    console.log(`\nWould fail --check:\n${listing}`);
  }
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
