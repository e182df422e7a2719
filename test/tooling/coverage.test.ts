import { expect } from "chai";
import { checkCoverage, type CoverageSummary } from "../../tooling/coverage";

function entry(lines: number, branches: number) {
  return { lines: { pct: lines }, branches: { pct: branches }, statements: { pct: 100 }, functions: { pct: 100 } };
}

describe("checkCoverage", function () {
  it("passes at the thresholds", function () {
    const summary: CoverageSummary = { total: entry(100, 95), "a.sol": entry(100, 95) };
    expect(checkCoverage(summary, { lines: 100, branches: 95 })).to.deep.equal([]);
  });

  it("names the metric and the files below it", function () {
    const summary: CoverageSummary = { total: entry(99.5, 96), "a.sol": entry(98, 100), "b.sol": entry(100, 90) };
    const problems = checkCoverage(summary, { lines: 100, branches: 95 });
    expect(problems).to.have.length(1);
    expect(problems[0])
      .to.match(/lines: 99.5% < 100%/)
      .and.match(/a\.sol: 98%/)
      .and.not.match(/b\.sol/);
  });

  it("treats a missing percentage (Istanbul's 'Unknown') as failing", function () {
    const summary = { total: { ...entry(100, 100), branches: { pct: "Unknown" } } } as CoverageSummary;
    expect(checkCoverage(summary, { lines: 100, branches: 95 })[0]).to.match(/branches/);
  });

  it("refuses a summary without a total", function () {
    expect(() => checkCoverage({}, { lines: 100, branches: 95 })).to.throw(/no "total" entry/);
  });
});
