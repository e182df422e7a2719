import { takeSnapshot } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import hre from "hardhat";
import { runSuites, toResults } from "../../tooling/bench/harness";
import { logsOf, storageWritesOf } from "../../tooling/bench/measure";
import { easSuite } from "../../tooling/bench/suites/eas";
import { erc1155Suite } from "../../tooling/bench/suites/erc1155";
import { SUITES } from "../../tooling/bench/suites";
import type { BenchSuite, Measurement } from "../../tooling/bench/types";

const PEERS: BenchSuite[] = [easSuite, erc1155Suite];

/** Runs a suite, finds each measured transaction (same calldata, same gasUsed), then restores the chain. */
async function runTraced(suite: BenchSuite) {
  const snapshot = await takeSnapshot();
  const start = await hre.ethers.provider.getBlockNumber();
  const measurements = await suite.run(hre);
  const end = await hre.ethers.provider.getBlockNumber();
  const traced: { measurement: Measurement; hash: string }[] = [];
  for (const measurement of measurements) {
    let hash: string | undefined;
    for (let n = start + 1; n <= end && hash === undefined; n++) {
      for (const h of (await hre.ethers.provider.getBlock(n))?.transactions ?? []) {
        const [tx, receipt] = [
          await hre.ethers.provider.getTransaction(h),
          await hre.ethers.provider.getTransactionReceipt(h),
        ];
        if (tx?.data === measurement.floor.calldata && receipt?.gasUsed === BigInt(measurement.gas)) hash = h;
      }
    }
    if (hash === undefined) throw new Error(`No transaction of ${measurement.op} found`);
    traced.push({ measurement, hash });
  }
  const writes = [];
  for (const { measurement, hash } of traced) {
    const receipt = await hre.ethers.provider.getTransactionReceipt(hash);
    writes.push({ measurement, storage: await storageWritesOf(hre, hash), logs: logsOf(receipt!) });
  }
  await snapshot.restore();
  return writes;
}

describe("peer gas suites", function () {
  for (const suite of PEERS) {
    context(`${suite.name}`, function () {
      it("declares exactly the storage writes and logs its transactions make (the floor is honest)", async function () {
        for (const { measurement, storage, logs } of await runTraced(suite)) {
          const { op, floor } = measurement;
          expect({ op, newSlots: storage.newSlots, changedSlots: storage.changedSlots }).to.deep.equal({
            op,
            newSlots: floor.newSlots,
            changedSlots: floor.changedSlots,
          });
          expect(storage.clearedSlots, op).to.equal(0);
          expect(logs, op).to.deep.equal(floor.logs);
        }
      });
    });
  }

  it("registers the peers in SUITES", function () {
    for (const peer of PEERS) expect(SUITES).to.include(peer);
  });
});

describe("runSuites", function () {
  it("measures each op above its floor, identically whatever the suite order, and leaves the chain as it was", async function () {
    const before = await hre.ethers.provider.getBlockNumber();
    const forward = toResults(await runSuites(hre, PEERS));
    const backward = toResults(await runSuites(hre, [...PEERS].reverse()));
    expect(await hre.ethers.provider.getBlockNumber()).to.equal(before);

    const byOp = (rows: typeof forward) => Object.fromEntries(rows.map((r) => [r.op, r.gas]));
    expect(byOp(backward)).to.deep.equal(byOp(forward));
    expect(Object.keys(byOp(forward))).to.have.members([
      "eas.attest",
      "eas.attestByDelegation",
      "eas.revoke",
      "erc1155.transfer",
    ]);
    for (const r of forward) expect(r.gas, r.op).to.be.greaterThan(r.floor);
  });

  it("names the suite that failed", async function () {
    const broken: BenchSuite = {
      name: "broken",
      run: async () => {
        throw new Error("deploy failed");
      },
    };
    let message = "";
    await runSuites(hre, [broken]).catch((error: Error) => (message = error.message));
    expect(message).to.equal('Gas suite "broken" failed: deploy failed');
  });
});
