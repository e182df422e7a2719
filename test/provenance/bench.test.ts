import { expect } from "chai";
import hre from "hardhat";
import { takeSnapshot } from "@nomicfoundation/hardhat-network-helpers";
import { logsOf, storageWritesOf } from "../../src/bench/measure";
import { SUITES } from "../../src/bench/suites";
import { BENCH_TREE_DEPTH, deepBatchProofs, provenanceSuite } from "../../src/bench/suites/provenance";
import { processProof, serialLeafHash } from "../../src/provenance";
import { isInstrumented } from "../shared/instrumented";

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
    const snapshot = await takeSnapshot();
    const start = await hre.ethers.provider.getBlockNumber();
    const measurements = await provenanceSuite.run(hre);
    const end = await hre.ethers.provider.getBlockNumber();
    const byCalldata = new Map<string, string>();
    for (let n = start + 1; n <= end; n++) {
      for (const h of (await hre.ethers.provider.getBlock(n))?.transactions ?? []) {
        byCalldata.set((await hre.ethers.provider.getTransaction(h))!.data, h);
      }
    }
    for (const m of measurements) {
      if (m.budget !== undefined && !isInstrumented(hre)) expect(Number(m.gas), m.op).to.be.at.most(m.budget);
      if (!TRACED.includes(m.op)) continue;
      const hash = byCalldata.get(m.floor.calldata);
      expect(hash, `transaction of ${m.op}`).to.not.equal(undefined);
      const storage = await storageWritesOf(hre, hash!);
      const receipt = await hre.ethers.provider.getTransactionReceipt(hash!);
      expect({ op: m.op, newSlots: storage.newSlots, changedSlots: storage.changedSlots }).to.deep.equal({
        op: m.op,
        newSlots: m.floor.newSlots,
        changedSlots: m.floor.changedSlots,
      });
      expect(logsOf(receipt!), m.op).to.deep.equal(m.floor.logs);
    }
    expect(measurements.map((m) => m.op)).to.include.members([
      "provenance.commission",
      "provenance.ship",
      "provenance.accept",
      "provenance.dispense",
      "provenance.verify",
      "naive.commission1000",
    ]);
    await snapshot.restore();
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
