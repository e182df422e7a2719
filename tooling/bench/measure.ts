import type { TransactionReceipt, TransactionResponse } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";

/** A sent transaction, or the promise a contract call returns (`contract.fn(args)`). */
export type SentTx = TransactionResponse | Promise<TransactionResponse>;

/** What one measured transaction gives a suite: its gas, the calldata it sent, and its receipt. */
export interface TxMeasurement {
  /** `receipt.gasUsed`: everything the sender paid for, 21,000 base included. */
  gas: bigint;
  /** The transaction's calldata (0x-prefixed hex), for {@link FloorSpec.calldata}. */
  calldata: string;
  receipt: TransactionReceipt;
}

/**
 * Waits for a transaction and returns its gas, calldata and receipt. Throws if it reverted or was not mined,
 * so that a suite never reports the gas of a failed operation.
 */
export async function measureTxDetails(sent: SentTx): Promise<TxMeasurement> {
  const tx = await sent;
  const receipt = await tx.wait();
  if (receipt === null || receipt.status !== 1) {
    throw new Error(`Transaction ${tx.hash} did not succeed: a benchmarked operation must not revert`);
  }
  return { gas: receipt.gasUsed, calldata: calldataOf(tx), receipt };
}

/** Waits for a transaction and returns `gasUsed` (throws if it reverted). */
export async function measureTx(sent: SentTx): Promise<bigint> {
  return (await measureTxDetails(sent)).gas;
}

/** The calldata a transaction sent (its `data`), as {@link FloorSpec.calldata} expects it. */
export function calldataOf(tx: { data: string }): string {
  return tx.data;
}

/**
 * The shape of every log a receipt holds: topics (event signature included) and data bytes. Use it for a
 * FloorSpec's `logs` only when every log the operation emits is one it must emit; otherwise count by hand.
 */
export function logsOf(receipt: TransactionReceipt): { topics: number; dataBytes: number }[] {
  return receipt.logs.map((log) => ({ topics: log.topics.length, dataBytes: (log.data.length - 2) / 2 }));
}

/** The storage writes a transaction made, as a FloorSpec counts them. */
export interface StorageWrites {
  /** Slots that went from zero to non-zero. */
  newSlots: number;
  /** Slots that went from one non-zero value to another. */
  changedSlots: number;
  /** Slots that went from non-zero to zero (refunded; not part of a floor). */
  clearedSlots: number;
  /** SSTOREs that left a slot as it was (e.g. a zero field written as zero). */
  unchangedSlots: number;
}

interface StructLog {
  op: string;
  depth: number;
  stack?: string[];
}

/**
 * Counts a mined transaction's storage writes from its trace (`debug_traceTransaction` on the in-process EVM),
 * comparing each written slot's final value with its value before the transaction's block. Use it to check a
 * FloorSpec's `newSlots` / `changedSlots` by hand-count against what the EVM did. Assumes one transaction per
 * block (Hardhat's automine) and counts writes of calls that later reverted as if they had stuck.
 */
export async function storageWritesOf(hre: HardhatRuntimeEnvironment, txHash: string): Promise<StorageWrites> {
  const provider = hre.ethers.provider;
  const tx = await provider.getTransaction(txHash);
  if (tx === null || tx.blockNumber === null) throw new Error(`Transaction ${txHash} is not mined`);
  if (tx.to === null) throw new Error(`Transaction ${txHash} deploys a contract: count its storage by hand`);
  const trace = (await hre.network.provider.request({
    method: "debug_traceTransaction",
    params: [txHash, { disableMemory: true, disableStorage: true }],
  })) as { structLogs: StructLog[] };

  const word = (hex: string): bigint => BigInt(hex.startsWith("0x") ? hex : `0x${hex}`);
  const addressAt: string[] = [];
  addressAt[1] = tx.to;
  const written = new Map<string, { address: string; slot: bigint; value: bigint }>();
  for (const log of trace.structLogs) {
    const stack = log.stack ?? [];
    const top = (i: number): bigint => word(stack[stack.length - 1 - i]);
    if (log.op === "CALL" || log.op === "STATICCALL") {
      addressAt[log.depth + 1] = `0x${top(1).toString(16).padStart(40, "0")}`;
    } else if (log.op === "DELEGATECALL" || log.op === "CALLCODE") {
      addressAt[log.depth + 1] = addressAt[log.depth];
    } else if (log.op === "SSTORE") {
      const address = addressAt[log.depth];
      if (address === undefined) throw new Error(`Transaction ${txHash} writes storage of a contract it creates`);
      written.set(`${address}:${top(0)}`, { address, slot: top(0), value: top(1) });
    }
  }

  const counts: StorageWrites = { newSlots: 0, changedSlots: 0, clearedSlots: 0, unchangedSlots: 0 };
  for (const { address, slot, value } of written.values()) {
    const before = BigInt(await provider.getStorage(address, slot, tx.blockNumber - 1));
    if (before === value) counts.unchangedSlots++;
    else if (before === 0n) counts.newSlots++;
    else if (value === 0n) counts.clearedSlots++;
    else counts.changedSlots++;
  }
  return counts;
}
