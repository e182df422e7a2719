import { takeSnapshot } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { logsOf, storageWritesOf } from "../../tooling/bench/measure";
import type { BenchSuite, Measurement } from "../../tooling/bench/types";
import { isInstrumented } from "./instrumented";

/** What one mined transaction of a suite really did, traced on the EVM. */
export interface TracedTx {
  hash: string;
  data: string;
  gasUsed: bigint;
  /** Traces it (on demand: tracing is slow): slots and logs in the shape of a FloorSpec. */
  writes(): Promise<Writes>;
}

/** Slots created and changed and logs emitted, as a FloorSpec counts them. */
export interface Writes {
  newSlots: number;
  changedSlots: number;
  logs: { topics: number; dataBytes: number }[];
}

export interface TracedRun {
  measurements: Measurement[];
  txs: TracedTx[];
  /** Puts the chain back as it was before the suite ran (after tracing: traces need the blocks). */
  restore(): Promise<void>;
}

/** Runs a gas suite and lists every call (not deployment) it mined, ready to trace. */
export async function runSuiteTraced(hre: HardhatRuntimeEnvironment, suite: BenchSuite): Promise<TracedRun> {
  const snapshot = await takeSnapshot();
  const start = await hre.ethers.provider.getBlockNumber();
  const measurements = await suite.run(hre);
  const end = await hre.ethers.provider.getBlockNumber();
  const txs: TracedTx[] = [];
  for (let n = start + 1; n <= end; n++) {
    for (const hash of (await hre.ethers.provider.getBlock(n))?.transactions ?? []) {
      const tx = await hre.ethers.provider.getTransaction(hash);
      if (tx!.to === null) continue; // a deployment: suites measure calls, not contract creation
      const receipt = (await hre.ethers.provider.getTransactionReceipt(hash))!;
      const writes = async (): Promise<Writes> => {
        const storage = await storageWritesOf(hre, hash);
        return { newSlots: storage.newSlots, changedSlots: storage.changedSlots, logs: logsOf(receipt) };
      };
      txs.push({ hash, data: tx!.data, gasUsed: receipt.gasUsed, writes });
    }
  }
  return { measurements, txs, restore: () => snapshot.restore() };
}

/** The slots and logs a measurement's FloorSpec declares, in the shape of {@link TracedTx.writes}. */
export function declaredWrites(m: Measurement): Writes {
  return { newSlots: m.floor.newSlots, changedSlots: m.floor.changedSlots, logs: [...m.floor.logs] };
}

/**
 * For each op in `traced`, finds the transaction sent with its declared calldata and checks that the slots it
 * created and changed and the logs it emitted are exactly those its FloorSpec declares. Every op with a budget
 * must stay within it (checked on uninstrumented runs only: coverage adds gas to every statement).
 */
export async function expectFloorsMatchTraces(
  hre: HardhatRuntimeEnvironment,
  run: TracedRun,
  traced: readonly string[],
): Promise<void> {
  for (const m of run.measurements) {
    if (m.budget !== undefined && !isInstrumented(hre)) expect(Number(m.gas), `${m.op} budget`).to.be.at.most(m.budget);
    if (!traced.includes(m.op)) continue;
    const candidates = run.txs.filter((t) => t.data === m.floor.calldata);
    const tx = candidates.find((t) => t.gasUsed === BigInt(m.gas)) ?? candidates.at(-1);
    expect(tx, `transaction of ${m.op}`).to.not.equal(undefined);
    expect({ op: m.op, ...(await tx!.writes()) }).to.deep.equal({ op: m.op, ...declaredWrites(m) });
  }
  await run.restore();
}
