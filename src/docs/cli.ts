import type { HardhatRuntimeEnvironment } from "hardhat/types";

export async function runDocsCli(_hre: HardhatRuntimeEnvironment, _args: { check: boolean }): Promise<void> {
  throw new Error("The docs generator is not implemented yet");
}
