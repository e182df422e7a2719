/**
 * The auditor's indexer: scans a deployment's logs from its first block (or the index's checkpoint) to the head less
 * the confirmations, decodes them with the contracts' ABIs and stores them page by page with the checkpoint. A second
 * run reads only new blocks; a run that finds the checkpoint's block replaced (a reorganisation deeper than the
 * confirmations) rewinds to the last stored block the chain still has, then carries on.
 */
import { LogFetchUnavailableError, LogRangeError, logPages, withRetries, type FetchOptions } from "../chain/logs";
import { errorText, quantity, toQuantity, type Rpc } from "../chain/rpc";
import { ADDRESS_FIELD, DOMAINS, EventDecoder, INTERFACES, type AuditAddresses } from "./abi";
import type { AuditStore, Checkpoint, StoredEvent } from "./store";

/** Why an audit cannot run on its input; `message` is one line that says what is wrong and how to fix it. */
export class AuditInputError extends Error {
  constructor(
    readonly kind:
      | "unreachable"
      | "wrong-chain"
      | "not-health-ledger"
      | "empty-deployment"
      | "range-capped"
      | "foreign-index"
      | "addresses",
    message: string,
  ) {
    super(message);
    this.name = "AuditInputError";
  }
}

/** Progress of a scan, for a progress bar. */
export interface ScanProgress {
  fromBlock: number;
  toBlock: number;
  /** Last block indexed so far. */
  block: number;
  /** Events stored by this run so far. */
  events: number;
}

/** Options of {@link indexChain}. */
export interface IndexOptions {
  rpc: Rpc;
  store: AuditStore;
  addresses: AuditAddresses;
  /** Refuse a node whose chain id differs. */
  chainId?: number;
  /** Blocks to leave below the head (they could still be reorganised). Default 0. */
  confirmations?: number;
  fetch?: FetchOptions;
  onProgress?: (progress: ScanProgress) => void;
  /**
   * Handed every event of the index in chain order: first those stored by earlier runs (read back from the store),
   * then each new page's once it is committed. The auditor folds its state here, so that a fresh index is not read
   * back a second time.
   */
  fold?: (event: StoredEvent) => void;
  /** Told the block range of this run's scan before it starts (the last block is where views are to be read). */
  onRange?: (fromBlock: number, toBlock: number) => void;
}

/** What a run did. */
export interface IndexResult {
  chainId: number;
  fromBlock: number;
  toBlock: number;
  newEvents: number;
  totalEvents: number;
  /** Set when a reorganisation was found: the block the index was rewound to (-1: emptied). */
  rewoundTo?: number;
  checkpoint: Checkpoint | undefined;
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/**
 * The indexer's page sizes, unless `fetch` says otherwise. Small first pages: a dense chain's first 2,000 blocks may
 * hold the whole history in one answer (sparse chains double the range per page, so a few extra requests reach the
 * large ranges). Pages of more than 4,000 logs shrink, which keeps the two pages held (one stored, one fetched) to
 * a few megabytes of JSON however long the history.
 */
export const INDEX_FETCH: Readonly<FetchOptions> = { initialRange: 4, shrinkAbove: 4_000 };

/** Checks the addresses' shape: every field present and an address. */
export function checkAddresses(addresses: Partial<AuditAddresses> | undefined): AuditAddresses {
  if (addresses === undefined || Object.keys(addresses).length === 0) {
    throw new AuditInputError(
      "empty-deployment",
      "the deployment names no contracts: give --addresses <file.json> or the five --authority/--consent/... options",
    );
  }
  for (const domain of DOMAINS) {
    const field = ADDRESS_FIELD[domain];
    const value = addresses[field];
    if (typeof value !== "string" || !ADDRESS.test(value)) {
      throw new AuditInputError(
        "addresses",
        `"${field}" is ${value === undefined ? "missing" : `not an address (${String(value)})`}: give the deployed ${field} address`,
      );
    }
  }
  return addresses as AuditAddresses;
}

async function call(rpc: Rpc, to: string, data: string, block: string = "latest"): Promise<string> {
  return (await rpc.send("eth_call", [{ to, data }, block])) as string;
}

/**
 * Checks the node and the addresses before a scan: the node answers, its chain id is the expected one, every
 * address holds a contract, the four domain contracts are managed by the given authority, and the authority answers
 * as Health Ledger's does. Throws {@link AuditInputError}.
 */
export async function preflight(rpc: Rpc, addresses: AuditAddresses, expectedChainId?: number): Promise<number> {
  let chainId: number;
  try {
    chainId = quantity(await withRetries(() => rpc.send("eth_chainId", []), { retries: 2, backoffMs: 200 }));
  } catch (error) {
    throw new AuditInputError(
      "unreachable",
      `the node does not answer (${errorText(error).split(" | ")[0]}): check --rpc and that the node is running`,
    );
  }
  if (expectedChainId !== undefined && chainId !== expectedChainId) {
    throw new AuditInputError(
      "wrong-chain",
      `the node is chain ${chainId}, not ${expectedChainId}: point --rpc at the deployment's network or fix --chain-id`,
    );
  }
  for (const domain of DOMAINS) {
    const address = addresses[ADDRESS_FIELD[domain]];
    const code = (await rpc.send("eth_getCode", [address, "latest"])) as string;
    if (code === "0x" || code === "") {
      throw new AuditInputError(
        "not-health-ledger",
        `${ADDRESS_FIELD[domain]} ${address} holds no contract on chain ${chainId}: check the address and the network`,
      );
    }
    const iface = INTERFACES[domain];
    try {
      if (domain === "authority") {
        iface.decodeFunctionResult(
          "guardianProofDelay",
          await call(rpc, address, iface.encodeFunctionData("guardianProofDelay")),
        );
      } else {
        const [authority] = iface.decodeFunctionResult(
          "authority",
          await call(rpc, address, iface.encodeFunctionData("authority")),
        );
        if (String(authority).toLowerCase() !== addresses.authority.toLowerCase()) {
          throw new Error(`managed by ${String(authority)}`);
        }
      }
    } catch (error) {
      throw new AuditInputError(
        "not-health-ledger",
        `${ADDRESS_FIELD[domain]} ${address} is not a Health Ledger ${domain} contract of authority ${addresses.authority} (${errorText(error).split(" | ")[0]}): check the addresses file`,
      );
    }
  }
  return chainId;
}

async function blockHash(rpc: Rpc, n: number, fetch?: FetchOptions): Promise<string | undefined> {
  const block = (await withRetries(() => rpc.send("eth_getBlockByNumber", [toQuantity(n), false]), fetch)) as {
    hash?: string;
  } | null;
  return block?.hash ?? undefined;
}

/**
 * Finds where the index and the chain agree: the checkpoint if its hash is still the chain's, else the newest stored
 * block whose hash still is. `undefined` when none is (start again).
 */
async function forkPoint(rpc: Rpc, store: AuditStore, checkpoint: Checkpoint, fetch?: FetchOptions) {
  let below = checkpoint.block;
  for (;;) {
    const stored = await store.blocksBelow(below, 64);
    if (stored.length === 0) return undefined;
    for (const b of stored) {
      if ((await blockHash(rpc, b.number, fetch)) === b.hash) return { block: b.number, hash: b.hash };
    }
    below = stored[stored.length - 1].number - 1;
  }
}

/**
 * Yields what `pages` yields, asking for the next item as soon as one is handed out: the node answers the next
 * `eth_getLogs` while this page is decoded and stored. At most two pages are held.
 */
export async function* prefetched<T>(pages: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = pages[Symbol.asyncIterator]();
  let next = iterator.next();
  try {
    for (;;) {
      const current = await next;
      if (current.done === true) return;
      next = iterator.next();
      // Kept from being an unhandled rejection while the consumer works; awaited (and thrown) on the next turn.
      next.catch(() => undefined);
      yield current.value;
    }
  } finally {
    // The consumer stopped early (or failed): let the outstanding request finish, then close the source.
    await next.catch(() => undefined);
    await iterator.return?.();
  }
}

/** Runs one indexing pass (see the module comment). */
export async function indexChain(options: IndexOptions): Promise<IndexResult> {
  const { rpc, store } = options;
  const addresses = checkAddresses(options.addresses);
  const chainId = await preflight(rpc, addresses, options.chainId);
  await store.init();
  const identity = JSON.stringify({
    chainId,
    ...Object.fromEntries(DOMAINS.map((d) => [ADDRESS_FIELD[d], addresses[ADDRESS_FIELD[d]].toLowerCase()])),
  });
  const known = await store.meta("deployment");
  if (known !== undefined && known !== identity) {
    throw new AuditInputError(
      "foreign-index",
      "the index holds another deployment's events: give a new --db (or --table-prefix) for this one",
    );
  }
  if (known === undefined) await store.setMeta("deployment", identity);

  let checkpoint = await store.checkpoint();
  let rewoundTo: number | undefined;
  if (checkpoint !== undefined && (await blockHash(rpc, checkpoint.block, options.fetch)) !== checkpoint.hash) {
    const fork = await forkPoint(rpc, store, checkpoint, options.fetch);
    await store.rewind(fork);
    checkpoint = fork;
    rewoundTo = fork?.block ?? -1;
  }

  const deployedAt = addresses.fromBlock ?? 0;
  const fromBlock = checkpoint === undefined ? deployedAt : checkpoint.block + 1;
  const head = quantity(await withRetries(() => rpc.send("eth_blockNumber", []), options.fetch));
  const toBlock = head - (options.confirmations ?? 0);
  if (options.fold !== undefined) for await (const event of store.events(5_000, fromBlock)) options.fold(event);
  const decoder = new EventDecoder(addresses);
  const fetch: FetchOptions = { ...INDEX_FETCH, ...options.fetch };
  options.onRange?.(fromBlock, toBlock);
  let newEvents = 0;
  if (fromBlock <= toBlock) {
    try {
      for await (const page of prefetched(logPages(rpc, { address: decoder.addresses, fromBlock, toBlock }, fetch))) {
        const events: (StoredEvent & { blockHash: string })[] = [];
        for (const log of page.logs) {
          const decoded = decoder.decode(log);
          if (decoded === undefined) continue;
          events.push({
            block: log.blockNumber,
            logIndex: log.logIndex,
            tx: log.transactionHash,
            blockHash: log.blockHash,
            ...decoded,
          });
        }
        const hash =
          page.logs.at(-1)?.blockNumber === page.toBlock
            ? page.logs.at(-1)!.blockHash
            : await blockHash(rpc, page.toBlock, options.fetch);
        if (hash === undefined) throw new Error(`block ${page.toBlock} vanished during the scan: run again`);
        checkpoint = { block: page.toBlock, hash };
        await store.commitPage(events, checkpoint);
        if (options.fold !== undefined) for (const event of events) options.fold(event);
        newEvents += events.length;
        options.onProgress?.({ fromBlock, toBlock, block: page.toBlock, events: newEvents });
      }
    } catch (error) {
      if (error instanceof LogRangeError) {
        throw new AuditInputError(
          "range-capped",
          `the provider refuses logs even for block ${error.block} alone (${error.reason}): use a provider without a result cap; the index is kept up to block ${checkpoint?.block ?? fromBlock - 1}`,
        );
      }
      if (error instanceof LogFetchUnavailableError) {
        throw new AuditInputError(
          "unreachable",
          `the node stopped answering at block ${error.resumeFrom} (${error.reason}): run again to resume from block ${error.resumeFrom}`,
        );
      }
      throw error;
    }
  }
  const totalEvents = await store.count();
  if (totalEvents === 0) {
    throw new AuditInputError(
      "empty-deployment",
      `no Health Ledger events between blocks ${deployedAt} and ${toBlock}: is fromBlock the deployment block, and are the addresses this deployment's?`,
    );
  }
  return { chainId, fromBlock, toBlock, newEvents, totalEvents, rewoundTo, checkpoint };
}
