import { expect } from "chai";
import hre from "hardhat";
import { SUITES } from "../../tooling/bench/suites";
import { CONSENT_GRANTED_LOG, consentSuite } from "../../tooling/bench/suites/consent";
import { ConsentRegistry__factory } from "../../typechain-types";
import { runSuiteTraced, type Writes } from "../shared/benchTrace";

describe("consent gas suite", function () {
  context("traced on the EVM", function () {
    it("declares exactly the storage writes and logs its transactions make (budgets: `npm run bench:gas -- --check`)", async function () {
      const { measurements, txs, restore } = await runSuiteTraced(hre, consentSuite);
      const registryInterface = ConsentRegistry__factory.createInterface();
      const seen = new Map<string, Writes>();
      for (const tx of txs) {
        const fn = registryInterface.parseTransaction({ data: tx.data })?.name;
        if (fn !== undefined && ["grant", "grantBySig", "revoke", "batch"].includes(fn))
          seen.set(fn, await tx.writes());
      }
      await restore();

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
