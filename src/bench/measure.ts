import type { TransactionReceipt, TransactionResponse } from "ethers";

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
