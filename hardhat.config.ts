import { vars, type HardhatUserConfig } from "hardhat/config";
import "@nomicfoundation/hardhat-toolbox";
import { SOLC_VERSION } from "./tooling/compiler";
import "./tooling/package/hooks";
import { networksFromEnv } from "./tooling/networks";

// Tasks live in tasks/ and stay thin: they parse arguments and call src/.
import "./tasks";

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
    // A separate `hardhat node` (tests start one on a free port and point HEALTH_LEDGER_NODE_URL at it).
    localhost: { url: process.env.HEALTH_LEDGER_NODE_URL ?? "http://127.0.0.1:8545" },
    ...networksFromEnv(process.env, vars),
  },
  etherscan: { apiKey: process.env.ETHERSCAN_API_KEY ?? "" },
  sourcify: { enabled: false },
  gasReporter: { enabled: process.env.REPORT_GAS === "true", offline: true },
  typechain: { outDir: "typechain-types", target: "ethers-v6" },
  mocha: { timeout: 120_000 },
};

export default config;
