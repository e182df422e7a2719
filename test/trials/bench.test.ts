import { expect } from "chai";
import hre from "hardhat";
import { SUITES } from "../../tooling/bench/suites";
import { trialsSuite } from "../../tooling/bench/suites/trials";
import { expectFloorsMatchTraces, runSuiteTraced } from "../shared/benchTrace";

const OPS = [
  "trials.register",
  "trials.recordEthicsApproval",
  "trials.complete",
  "trials.terminate",
  "trials.enroll",
  "trials.anchorData",
  "trials.recordVisit",
  "trials.postResults",
];

describe("trials gas suite", function () {
  it("is registered, gives each op its budget, and declares exactly the writes and logs its transactions make", async function () {
    this.timeout(300_000);
    expect(SUITES).to.include(trialsSuite);
    const run = await runSuiteTraced(hre, trialsSuite);
    expect(run.measurements.map((m) => m.op)).to.deep.equal(OPS);
    for (const m of run.measurements) expect(m.budget, `${m.op} has its budget from the issue`).to.be.a("number");
    await expectFloorsMatchTraces(hre, run, OPS);
  });
});
