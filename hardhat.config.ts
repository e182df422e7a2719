import path from "node:path";
import { subtask, task } from "hardhat/config";
import {
  TASK_COMPILE_SOLIDITY_CHECK_ERRORS,
  TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD,
} from "hardhat/builtin-tasks/task-names";
import type { HardhatUserConfig } from "hardhat/config";
import "@nomicfoundation/hardhat-toolbox";
import { networksFromEnv } from "./src/config/networks";

/**
 * One exact compiler for every contract. Hardhat 2.29 supports solc up to 0.8.30 for stack traces
 * and error inference, so 0.8.30 is the newest version that Hardhat fully understands.
 * It is loaded from the npm package `solc` (pinned in package.json) so that compiling needs no
 * network: Hardhat's own download of the native compiler is replaced by the solc-js build.
 */
export const SOLC_VERSION = "0.8.30";

subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async (args: { solcVersion: string }, _hre, runSuper) => {
  if (args.solcVersion !== SOLC_VERSION) return runSuper();
  const compilerPath = path.join(__dirname, "node_modules", "solc", "soljson.js");
  return { compilerPath, isSolcJs: true, version: SOLC_VERSION, longVersion: `${SOLC_VERSION}+commit.73712a01` };
});

/** Compiler warnings fail the build (coverage instrumentation is exempt: it adds its own code). */
subtask(TASK_COMPILE_SOLIDITY_CHECK_ERRORS, async (args: { output: { errors?: SolcMessage[] } }, hre, runSuper) => {
  await runSuper(args);
  if ((hre as unknown as { __SOLIDITY_COVERAGE_RUNNING?: boolean }).__SOLIDITY_COVERAGE_RUNNING) return;
  const warnings = (args.output.errors ?? []).filter((e) => e.severity === "warning");
  if (warnings.length > 0) {
    throw new Error(`Compiler warnings are treated as errors:\n${warnings.map((w) => w.formattedMessage).join("\n")}`);
  }
});

interface SolcMessage {
  severity: string;
  formattedMessage: string;
}

// Tasks live in tasks/ and stay thin: they parse arguments and call src/.
import "./tasks";
void task;

const config: HardhatUserConfig = {
  solidity: {
    version: SOLC_VERSION,
    settings: {
      // Osaka (Fusaka) is what the in-process EVM (EDR) runs by default and what Sepolia/Holesky run.
      evmVersion: "osaka",
      // Contracts are deployed once and called millions of times: optimise for runtime gas.
      optimizer: { enabled: true, runs: 10_000 },
      metadata: { bytecodeHash: "none" },
      // NatSpec is compiled in so that docs/events.md and docs/errors.md are generated from the contracts.
      outputSelection: {
        "*": {
          "*": [
            "abi",
            "evm.bytecode",
            "evm.deployedBytecode",
            "evm.methodIdentifiers",
            "metadata",
            "devdoc",
            "userdoc",
          ],
          "": ["ast"],
        },
      },
    },
  },
  networks: {
    hardhat: { hardfork: "osaka" },
    ...networksFromEnv(process.env),
  },
  etherscan: { apiKey: process.env.ETHERSCAN_API_KEY ?? "" },
  sourcify: { enabled: false },
  gasReporter: { enabled: process.env.REPORT_GAS === "true", offline: true },
  typechain: { outDir: "typechain-types", target: "ethers-v6" },
  mocha: { timeout: 120_000 },
};

export default config;
