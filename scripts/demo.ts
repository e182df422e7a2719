import hre from "hardhat";
import { runDemo } from "../tooling/demo";

runDemo(hre).catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
