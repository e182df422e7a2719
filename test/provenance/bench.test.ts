import { expect } from "chai";
import hre from "hardhat";
import { SUITES } from "../../tooling/bench/suites";
import { BENCH_TREE_DEPTH, deepBatchProofs, provenanceSuite } from "../../tooling/bench/suites/provenance";
import { processProof, serialLeafHash } from "../../src/provenance";
import { expectFloorsMatchTraces, runSuiteTraced } from "../shared/benchTrace";

/** Ops whose FloorSpec describes one mined transaction, found by its calldata. */
const TRACED = [
  "provenance.commission",
  "provenance.ship",
  "provenance.accept",
  "provenance.anchorSubtree",
  "provenance.dispense",
  "provenance.dispenseAnchored",
];

describe("provenance gas suite", function () {
  it("is registered, stays within every budget, and declares exactly the writes and logs its transactions make", async function () {
    this.timeout(300_000);
    expect(SUITES).to.include(provenanceSuite);
    const run = await runSuiteTraced(hre, provenanceSuite);
    await expectFloorsMatchTraces(hre, run, TRACED);
    expect(run.measurements.map((m) => m.op)).to.include.members([
      "provenance.commission",
      "provenance.ship",
      "provenance.accept",
      "provenance.dispense",
      "provenance.verify",
      "naive.commission1000",
    ]);
  });

  it("measures proofs of the full depth of a 1,000,000-leaf tree that lead to the committed root", function () {
    const serials = Array.from({ length: 512 }, (_, i) => `S${i}`);
    const { root, units, cases } = deepBatchProofs(serials);
    for (const u of [units[0], units[300], units[511]]) {
      expect(u.proof).to.have.length(BENCH_TREE_DEPTH);
      expect(processProof(serialLeafHash(u.position, u.serial), u.proof)).to.equal(root);
    }
    expect(processProof(cases[1].node, cases[1].proof)).to.equal(root);
    expect(2 ** (BENCH_TREE_DEPTH - 1)).to.be.below(1_000_000);
    expect(2 ** BENCH_TREE_DEPTH).to.be.at.least(1_000_000);
    expect(() => deepBatchProofs(serials.slice(1))).to.throw(/exactly 512/);
  });
});
