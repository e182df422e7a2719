/**
 * Typed event reads for the SDK's history readers: one paged `eth_getLogs` scan (see {@link logPages}) for several
 * events of one contract that share an indexed field, decoded with the contract's ABI into TypeChain's argument types.
 * It replaces one `queryFilter` per event, each over the whole chain in a single call.
 */
import type { BaseContract } from "ethers";
import type { TypedContractEvent, TypedEventLog } from "../../typechain-types/common";
import { collectLogs, headBlock, type FetchOptions } from "./logs";
import { asRpc, type Rpc } from "./rpc";

/** A contract with TypeChain's typed `filters`. */
type WithFilters = BaseContract & { filters: object };

/** The decoded arguments of event `K` of contract `C`, as TypeChain types them (tuple and named fields). */
export type EventArgs<C extends WithFilters, K extends keyof C["filters"]> = C["filters"][K] extends TypedContractEvent
  ? TypedEventLog<C["filters"][K]>["args"]
  : never;

/** Where a log sits in the chain. */
export interface LogPosition {
  blockNumber: number;
  logIndex: number;
  transactionHash: string;
  blockHash: string;
}

/** One decoded event; a union over `K`, so `switch (e.name)` narrows `args`. */
export type ContractEvent<C extends WithFilters, K extends keyof C["filters"] & string> = {
  [N in K]: { name: N; args: EventArgs<C, N> } & LogPosition;
}[K];

/** Options of {@link readContractEvents}. */
export interface ReadEventsOptions {
  fromBlock?: number;
  /** Last block included; the latest when omitted. */
  toBlock?: number;
  /** The transport; the contract's provider when omitted (it must offer `send`, as JSON-RPC providers do). */
  rpc?: Rpc;
  fetch?: FetchOptions;
}

/** The contract's provider as {@link Rpc}, or a clear error when it has none that speaks JSON-RPC. */
export function rpcOf(contract: BaseContract): Rpc {
  const provider = contract.runner?.provider as { send?: (m: string, p: unknown[]) => Promise<unknown> } | null;
  if (provider == null || typeof provider.send !== "function") {
    throw new Error("The contract must be connected to a JSON-RPC provider (one with send()) to read its events");
  }
  return asRpc(provider as { send: (m: string, p: unknown[]) => Promise<unknown> });
}

/**
 * Reads events `names` of `contract` whose indexed fields match `indexed` (as for `contract.filters[names[0]](…)`;
 * every named event must have the same indexed fields in those positions), in chain order.
 */
export async function readContractEvents<C extends WithFilters, K extends keyof C["filters"] & string>(
  contract: C,
  names: readonly K[],
  indexed: readonly unknown[] = [],
  options: ReadEventsOptions = {},
): Promise<ContractEvent<C, K>[]> {
  const rpc = options.rpc ?? rpcOf(contract);
  const iface = contract.interface;
  const first = iface.encodeFilterTopics(names[0], [...indexed]);
  const topics = [names.map((n) => iface.getEvent(n)!.topicHash), ...first.slice(1)];
  const toBlock = options.toBlock ?? (await headBlock(rpc, options.fetch));
  const address = await contract.getAddress();
  const logs = await collectLogs(rpc, { address, topics, fromBlock: options.fromBlock ?? 0, toBlock }, options.fetch);
  return logs.map((log) => {
    const description = iface.parseLog({ topics: log.topics, data: log.data });
    if (description === null) throw new Error(`A log of ${address} does not decode with its ABI: wrong contract?`);
    return {
      name: description.name,
      args: description.args,
      blockNumber: log.blockNumber,
      logIndex: log.logIndex,
      transactionHash: log.transactionHash,
      blockHash: log.blockHash,
    } as unknown as ContractEvent<C, K>;
  });
}

/** Block timestamps (seconds) for several blocks, one request each but all at once, with repeats asked once. */
export async function blockTimes(rpc: Rpc, blocks: Iterable<number>): Promise<Map<number, number>> {
  const unique = [...new Set(blocks)];
  const answers = await Promise.all(
    unique.map((n) => rpc.send("eth_getBlockByNumber", [`0x${n.toString(16)}`, false])),
  );
  const times = new Map<number, number>();
  unique.forEach((n, i) => {
    const block = answers[i] as { timestamp?: string } | null;
    if (block?.timestamp === undefined) throw new Error(`Block ${n} not found`);
    times.set(n, Number.parseInt(block.timestamp, 16));
  });
  return times;
}
