import { readFileSync } from "node:fs";
import { checkCoverage } from "../tooling/coverage";

const summary = JSON.parse(readFileSync("coverage/coverage-summary.json", "utf8"));
const problems = checkCoverage(summary, { lines: 100, branches: 95 });
if (problems.length > 0) {
  console.error(`Coverage below threshold:\n${problems.join("\n")}`);
  process.exitCode = 1;
} else {
  console.log("Coverage thresholds met (lines 100%, branches 95% of contracts/ outside contracts/test/).");
}
