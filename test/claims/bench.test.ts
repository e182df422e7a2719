import { expect } from "chai";
import hre from "hardhat";
import { SUITES } from "../../tooling/bench/suites";
import { claimsSuite } from "../../tooling/bench/suites/claims";
import { expectFloorsMatchTraces, runSuiteTraced } from "../shared/benchTrace";

const OPS = ["claims.submit", "claims.review", "claims.withdraw", "claims.priorAuthRequest", "claims.priorAuthApprove"];

describe("claims gas suite", function () {
  it("is registered", function () {
    expect(SUITES).to.include(claimsSuite);
  });

  it("declares exactly the storage writes and logs its transactions make, within budget", async function () {
    const run = await runSuiteTraced(hre, claimsSuite);
    expect(run.measurements.map((m) => m.op)).to.deep.equal(OPS);
    for (const m of run.measurements) expect(m.budget, `${m.op} has its budget from the issue`).to.be.a("number");
    await expectFloorsMatchTraces(hre, run, OPS);
  });
});
