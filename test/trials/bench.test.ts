import { expect } from "chai";
import hre from "hardhat";
import { takeSnapshot } from "@nomicfoundation/hardhat-network-helpers";
import { logsOf, storageWritesOf } from "../../src/bench/measure";
import { SUITES } from "../../src/bench/suites";
import { trialsSuite } from "../../src/bench/suites/trials";

/** Budgets themselves are enforced by `npm run bench:gas -- --check`: coverage instrumentation inflates gas here. */
describe("trials gas suite", function () {
  it("is registered, gives each op its budget, and declares exactly the writes and logs its transactions make", async function () {
    this.timeout(300_000);
    expect(SUITES).to.include(trialsSuite);
    const snapshot = await takeSnapshot();
    const start = await hre.ethers.provider.getBlockNumber();
    const measurements = await trialsSuite.run(hre);
    const end = await hre.ethers.provider.getBlockNumber();
    const byCalldata = new Map<string, string>();
    for (let n = start + 1; n <= end; n++) {
      for (const h of (await hre.ethers.provider.getBlock(n))?.transactions ?? []) {
        byCalldata.set((await hre.ethers.provider.getTransaction(h))!.data, h);
      }
    }
    expect(measurements.map((m) => m.op)).to.deep.equal([
      "trials.register",
      "trials.enroll",
      "trials.anchorData",
      "trials.recordVisit",
      "trials.postResults",
    ]);
    for (const m of measurements) {
      expect(m.budget, `${m.op} has its budget from the issue`).to.be.a("number");
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
    await snapshot.restore();
  });
});
