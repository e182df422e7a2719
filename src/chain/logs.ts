/**
 * A paged, streaming `eth_getLogs` fetcher. Hosted providers cap a query's block range (often 5 000 or 10 000
 * blocks) or its number of results; a whole-chain query fails there. This asks for adaptive block ranges instead:
 * it halves a range the provider refuses, grows it again while answers stay small, retries an unreachable endpoint
 * with exponential backoff, and yields one page at a time so that memory holds one page, never the whole history.
 * A caller that records each page's last block can resume from there after any failure.
 */
import { RpcError, isRangeRefusal, isTransient, quantity, toQuantity, type Rpc } from "./rpc";

/** A log as the node returned it, with numbers parsed. */
export interface RawLog {
  address: string;
  topics: string[];
  data: string;
  blockNumber: number;
  blockHash: string;
  transactionHash: string;
  transactionIndex: number;
  logIndex: number;
}

/** Which logs to fetch: the `eth_getLogs` filter, with a closed block range. */
export interface LogQuery {
  /** One contract or several. */
  address: string | readonly string[];
  /** Topic filter as in `eth_getLogs` (position → one topic, any of several, or `null` for any). */
  topics?: readonly (string | readonly string[] | null)[];
  fromBlock: number;
  /** Last block included. */
  toBlock: number;
}

/** One answered block range. Pages come in block order and cover the query's range without gap or overlap. */
export interface LogPage {
  fromBlock: number;
  toBlock: number;
  logs: RawLog[];
}

/** What the fetcher did, for progress output and tests. */
export type FetchEvent =
  | { kind: "refused"; fromBlock: number; toBlock: number; nextRange: number; message: string }
  | { kind: "retry"; attempt: number; delayMs: number; fromBlock: number; message: string }
  | { kind: "grown"; range: number };

/** Options of {@link logPages}. */
export interface FetchOptions {
  /** The first query's block range. Default 2 000. */
  initialRange?: number;
  /** Never ask for more blocks than this. Default 100 000. */
  maxRange?: number;
  /** Grow the range (x2) after an answer with fewer logs than this. Default 2 000. */
  growBelow?: number;
  /**
   * Shrink the range after an answer with more logs than this, to keep pages (and memory) small: at least halved, and
   * down to the blocks that held about this many logs. Default 10 000.
   */
  shrinkAbove?: number;
  /** Consecutive failed attempts tolerated per range before giving up. Default 8. */
  retries?: number;
  /** First backoff delay in ms, doubled per attempt up to `maxBackoffMs`. Default 200. */
  backoffMs?: number;
  /** Default 5 000. */
  maxBackoffMs?: number;
  /** Called on each refusal, retry and growth. */
  onEvent?: (event: FetchEvent) => void;
  /** Stops the scan between requests. */
  signal?: AbortSignal;
}

/** The provider refused even a one-block query: no split helps (too many logs in one block for this provider). */
export class LogRangeError extends Error {
  constructor(
    readonly block: number,
    readonly reason: string,
  ) {
    super(`the provider refuses logs even for the single block ${block} (${reason}): use a provider without this cap`);
    this.name = "LogRangeError";
  }
}

/**
 * The endpoint stayed unreachable through every retry. `resumeFrom` is the first block not yet delivered: pages up to
 * `resumeFrom - 1` were yielded, so a caller that checkpointed them starts there next time.
 */
export class LogFetchUnavailableError extends Error {
  constructor(
    readonly resumeFrom: number,
    readonly attempts: number,
    readonly reason: string,
  ) {
    super(`the node stopped answering at block ${resumeFrom} after ${attempts} attempts (${reason})`);
    this.name = "LogFetchUnavailableError";
  }
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => (clearTimeout(timer), reject(signal.reason as Error)), { once: true });
  });

/** Parses one `eth_getLogs` entry. */
export function parseRawLog(log: Record<string, unknown>): RawLog {
  return {
    address: String(log.address),
    topics: (log.topics as string[]) ?? [],
    data: String(log.data),
    blockNumber: quantity(log.blockNumber),
    blockHash: String(log.blockHash),
    transactionHash: String(log.transactionHash),
    transactionIndex: quantity(log.transactionIndex),
    logIndex: quantity(log.logIndex),
  };
}

/**
 * Calls `rpc` with retries: transient failures (connection refused or reset, timeouts, 5xx, rate limits) are retried
 * with exponential backoff; anything else is thrown at once.
 */
export async function withRetries<T>(
  work: () => Promise<T>,
  options: Pick<FetchOptions, "retries" | "backoffMs" | "maxBackoffMs" | "signal"> & {
    onRetry?: (attempt: number, delayMs: number, error: unknown) => void;
  } = {},
): Promise<T> {
  const retries = options.retries ?? 8;
  let delay = options.backoffMs ?? 200;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (!isTransient(error) || attempt > retries) throw error;
      options.onRetry?.(attempt, delay, error);
      await sleep(delay, options.signal);
      delay = Math.min(delay * 2, options.maxBackoffMs ?? 5_000);
    }
  }
}

/**
 * Yields the logs of `query` one block range at a time, in chain order. Ranges adapt to the provider (halved on a
 * refusal, doubled while answers are small, never back up to a range it refused); unreachable endpoints are retried with
 * backoff, then {@link LogFetchUnavailableError} says where to resume.
 */
export async function* logPages(rpc: Rpc, query: LogQuery, options: FetchOptions = {}): AsyncGenerator<LogPage> {
  const maxRange = Math.max(1, options.maxRange ?? 100_000);
  const growBelow = options.growBelow ?? 2_000;
  const shrinkAbove = options.shrinkAbove ?? 10_000;
  const retries = options.retries ?? 8;
  let range = Math.min(maxRange, Math.max(1, options.initialRange ?? 2_000));
  // Half the smallest range the provider refused: growth stays at or below it.
  let ceiling = maxRange;
  let cursor = query.fromBlock;
  const address = typeof query.address === "string" ? query.address : [...query.address];
  const topics = query.topics?.map((t) => (t === null || typeof t === "string" ? t : [...t]));
  while (cursor <= query.toBlock) {
    options.signal?.throwIfAborted();
    const end = Math.min(query.toBlock, cursor + range - 1);
    let logs: RawLog[];
    try {
      const filter = { address, fromBlock: toQuantity(cursor), toBlock: toQuantity(end), ...(topics && { topics }) };
      const answer = await withRetries(() => rpc.send("eth_getLogs", [filter]), {
        retries,
        backoffMs: options.backoffMs,
        maxBackoffMs: options.maxBackoffMs,
        signal: options.signal,
        onRetry: (attempt, delayMs, error) =>
          options.onEvent?.({ kind: "retry", attempt, delayMs, fromBlock: cursor, message: oneLine(error) }),
      });
      if (!Array.isArray(answer)) throw new RpcError("eth_getLogs answered something that is not a list", undefined);
      logs = (answer as Record<string, unknown>[]).map(parseRawLog);
    } catch (error) {
      if (isRangeRefusal(error)) {
        const blocks = end - cursor + 1;
        if (blocks === 1) throw new LogRangeError(cursor, oneLine(error));
        // Growth stops at the half that is tried next: the cap lies below `blocks`, and creeping up towards it one
        // refusal at a time would cost a refused request per page.
        range = Math.max(1, Math.floor(blocks / 2));
        ceiling = Math.min(ceiling, range);
        options.onEvent?.({
          kind: "refused",
          fromBlock: cursor,
          toBlock: end,
          nextRange: range,
          message: oneLine(error),
        });
        continue;
      }
      if (isTransient(error)) throw new LogFetchUnavailableError(cursor, retries + 1, oneLine(error));
      throw error;
    }
    yield { fromBlock: cursor, toBlock: end, logs };
    if (logs.length > shrinkAbove && range > 1) {
      // At least halved; as far as this page's density says `shrinkAbove` logs take, so that one dense stretch does
      // not cost a halving per page while memory holds pages many times the bound.
      const proportional = Math.floor(((end - cursor + 1) * shrinkAbove) / logs.length);
      range = Math.max(1, Math.min(Math.floor(range / 2), proportional));
    } else if (logs.length < growBelow && range < ceiling) {
      range = Math.min(ceiling, range * 2);
      options.onEvent?.({ kind: "grown", range });
    }
    cursor = end + 1;
  }
}

/** The logs of `query` one at a time (see {@link logPages}). */
export async function* streamLogs(rpc: Rpc, query: LogQuery, options: FetchOptions = {}): AsyncGenerator<RawLog> {
  for await (const page of logPages(rpc, query, options)) yield* page.logs;
}

/** Every log of `query` in one array: for readers whose answer is small (one patient, one batch, one claim). */
export async function collectLogs(rpc: Rpc, query: LogQuery, options: FetchOptions = {}): Promise<RawLog[]> {
  const out: RawLog[] = [];
  for await (const page of logPages(rpc, query, options)) out.push(...page.logs);
  return out;
}

/** The latest block number, with retries. */
export async function headBlock(rpc: Rpc, options: FetchOptions = {}): Promise<number> {
  return quantity(await withRetries(() => rpc.send("eth_blockNumber", []), options));
}

function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0].slice(0, 300);
}
