import { takeSnapshot } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import hre from "hardhat";
import { logsOf, storageWritesOf } from "../../src/bench/measure";
import { SUITES } from "../../src/bench/suites";
import { claimsSuite } from "../../src/bench/suites/claims";
import { isInstrumented } from "../shared/instrumented";

describe("claims gas suite", function () {
  it("is registered", function () {
    expect(SUITES).to.include(claimsSuite);
  });

  it("declares exactly the storage writes and logs its transactions make, within budget", async function () {
    const snapshot = await takeSnapshot();
    const start = await hre.ethers.provider.getBlockNumber();
    const measurements = await claimsSuite.run(hre);
    const end = await hre.ethers.provider.getBlockNumber();
    const hashes: string[] = [];
    for (let n = start + 1; n <= end; n++)
      hashes.push(...((await hre.ethers.provider.getBlock(n))?.transactions ?? []));
    expect(measurements.map((m) => m.op)).to.deep.equal([
      "claims.submit",
      "claims.review",
      "claims.withdraw",
      "claims.priorAuthRequest",
      "claims.priorAuthApprove",
    ]);
    for (const m of measurements) {
      let found = false;
      for (const h of hashes) {
        const [tx, receipt] = [
          await hre.ethers.provider.getTransaction(h),
          await hre.ethers.provider.getTransactionReceipt(h),
        ];
        if (tx?.data !== m.floor.calldata || receipt?.gasUsed !== BigInt(m.gas)) continue;
        found = true;
        const storage = await storageWritesOf(hre, h);
        expect({ op: m.op, newSlots: storage.newSlots, changedSlots: storage.changedSlots }).to.deep.equal({
          op: m.op,
          newSlots: m.floor.newSlots,
          changedSlots: m.floor.changedSlots,
        });
        expect(logsOf(receipt), m.op).to.deep.equal(m.floor.logs);
      }
      expect(found, `${m.op} transaction found`).to.equal(true);
      if (!isInstrumented(hre))
        expect(Number(m.gas) <= m.budget!, `${m.op}: ${m.gas} within ${m.budget}`).to.equal(true);
    }
    await snapshot.restore();
  });
});
