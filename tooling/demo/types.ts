import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { System } from "../deploy";
import type { Cast } from "./cast";
import type { Narrator } from "./narrator";

export interface DemoContext {
  hre: HardhatRuntimeEnvironment;
  system: System;
  cast: Cast;
  narrator: Narrator;
}

/** One chapter of the demo. A chapter throws on anything unexpected, which makes the demo exit non-zero. */
export interface Chapter {
  title: string;
  run(ctx: DemoContext): Promise<void>;
}
