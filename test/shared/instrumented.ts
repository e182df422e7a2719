import type { HardhatRuntimeEnvironment } from "hardhat/types";

/**
 * True while solidity-coverage runs the tests: its instrumentation adds gas to every statement, so gas budgets
 * are asserted only on uninstrumented runs (`npm test`, and `npm run bench:gas -- --check` in CI).
 */
export function isInstrumented(hre: HardhatRuntimeEnvironment): boolean {
  return (hre as { __SOLIDITY_COVERAGE_RUNNING?: boolean }).__SOLIDITY_COVERAGE_RUNNING === true;
}
