import { takeSnapshot } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import hre from "hardhat";
import { logsOf, storageWritesOf } from "../../src/bench/measure";
import { SUITES } from "../../src/bench/suites";
import { CONSENT_GRANTED_LOG, consentSuite } from "../../src/bench/suites/consent";
import { ConsentRegistry__factory } from "../../typechain-types";

describe("consent gas suite", function () {
  context("traced on the EVM", function () {
    it("declares exactly the storage writes and logs its transactions make (budgets: `npm run bench:gas -- --check`)", async function () {
      const snapshot = await takeSnapshot();
      const start = await hre.ethers.provider.getBlockNumber();
      const measurements = await consentSuite.run(hre);
      const end = await hre.ethers.provider.getBlockNumber();
      const registryInterface = ConsentRegistry__factory.createInterface();
      const seen = new Map<
        string,
        { newSlots: number; changedSlots: number; logs: { topics: number; dataBytes: number }[] }
      >();
      for (let n = start + 1; n <= end; n++) {
        for (const hash of (await hre.ethers.provider.getBlock(n))?.transactions ?? []) {
          const tx = await hre.ethers.provider.getTransaction(hash);
          const fn = tx?.to ? registryInterface.parseTransaction({ data: tx.data })?.name : undefined;
          if (fn === undefined || !["grant", "grantBySig", "revoke", "batch"].includes(fn)) continue;
          const writes = await storageWritesOf(hre, hash);
          const receipt = await hre.ethers.provider.getTransactionReceipt(hash);
          seen.set(fn, { newSlots: writes.newSlots, changedSlots: writes.changedSlots, logs: logsOf(receipt!) });
        }
      }
      await snapshot.restore();

      const byOp = Object.fromEntries(measurements.map((m) => [m.op, m]));
      for (const [op, fn] of [
        ["consent.grant", "grant"],
        ["consent.grantBySig", "grantBySig"],
        ["consent.revoke", "revoke"],
      ] as const) {
        const { floor } = byOp[op];
        expect(seen.get(fn), op).to.deep.equal({
          newSlots: floor.newSlots,
          changedSlots: floor.changedSlots,
          logs: floor.logs,
        });
      }
      expect(seen.get("batch")).to.deep.equal({
        newSlots: 10,
        changedSlots: 0,
        logs: Array.from({ length: 10 }, () => CONSENT_GRANTED_LOG),
      });
      expect(SUITES).to.include(consentSuite);
    });
  });
});
