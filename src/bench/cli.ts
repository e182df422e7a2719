import type { HardhatRuntimeEnvironment } from "hardhat/types";

export async function runBenchCli(
  _hre: HardhatRuntimeEnvironment,
  _args: { check: boolean; update: boolean },
): Promise<void> {
  throw new Error("The gas benchmark is not implemented yet");
}
