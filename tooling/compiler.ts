import path from "node:path";
import { subtask } from "hardhat/config";
import {
  TASK_COMPILE_SOLIDITY_CHECK_ERRORS,
  TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD,
} from "hardhat/builtin-tasks/task-names";

/**
 * Build patches, kept out of `hardhat.config.ts` so that the config holds settings only.
 *
 * - The compiler is the npm package `solc` (the solc-js build, pinned exactly in package.json): Hardhat's own
 *   download of the native compiler needs a network this project does not assume.
 * - Compiler warnings fail the build, except while solidity-coverage instruments the code (it adds its own code).
 */

/** The one compiler version of every contract: the newest that Hardhat 2.29 fully supports (stack traces). */
export const SOLC_VERSION = "0.8.30";
const SOLC_LONG_VERSION = `${SOLC_VERSION}+commit.73712a01`;

subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async (args: { solcVersion: string }, _hre, runSuper) => {
  if (args.solcVersion !== SOLC_VERSION) return runSuper();
  const compilerPath = path.join(__dirname, "..", "node_modules", "solc", "soljson.js");
  return { compilerPath, isSolcJs: true, version: SOLC_VERSION, longVersion: SOLC_LONG_VERSION };
});

interface SolcMessage {
  severity: string;
  formattedMessage: string;
}

subtask(TASK_COMPILE_SOLIDITY_CHECK_ERRORS, async (args: { output: { errors?: SolcMessage[] } }, hre, runSuper) => {
  await runSuper(args);
  if ((hre as unknown as { __SOLIDITY_COVERAGE_RUNNING?: boolean }).__SOLIDITY_COVERAGE_RUNNING) return;
  const warnings = (args.output.errors ?? []).filter((e) => e.severity === "warning");
  if (warnings.length > 0) {
    throw new Error(`Compiler warnings are treated as errors:\n${warnings.map((w) => w.formattedMessage).join("\n")}`);
  }
});
