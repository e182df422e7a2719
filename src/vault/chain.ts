/**
 * What the vault asks the chain, over JSON-RPC: consents (`isAuthorized`, `canActFor`), break-glass events and
 * record anchors. Answers are cached per block: every request first learns the chain's head through an
 * `eth_blockNumber` call that starts after the request arrived (concurrent requests share one), then is answered
 * from the state at that block. So a revocation or an expiry mined in block N is enforced for every request that
 * arrives after the vault's node has block N: the bound is zero blocks behind the node (docs/vault.md).
 */
import { Interface, JsonRpcProvider, isError, type Provider } from "ethers";
import { SharedAfterCall } from "../util/after";
import { IConsentRegistry__factory, IVaultAnchor__factory } from "../../typechain-types";
import type { IConsentRegistry, IVaultAnchor } from "../../typechain-types";

const ERC1271 = new Interface(["function isValidSignature(bytes32 hash, bytes signature) view returns (bytes4)"]);
/** What `isValidSignature` returns for a signature the wallet accepts. */
const ERC1271_MAGIC = "0x1626ba7e";

/** Where the vault finds the chain. */
export interface ChainConfig {
  /** JSON-RPC URL of a node. */
  rpcUrl: string;
  /** The ConsentRegistry's address. */
  consentRegistry: string;
  /** The VaultAnchor's address. */
  vaultAnchor: string;
  /** The chain id the node must report. */
  chainId: bigint;
}

/** A JSON-RPC provider tuned for a server: fixed network, no batching delay. */
export function serverProvider(rpcUrl: string, chainId: bigint): JsonRpcProvider {
  return new JsonRpcProvider(rpcUrl, Number(chainId), { staticNetwork: true, batchStallTime: 0, cacheTimeout: -1 });
}

/**
 * How a request learns the head block:
 * - `fresh` (default): from an `eth_blockNumber` sent after the request arrived. A revocation or expiry mined in
 *   block N is enforced for every request that arrives once the vault's node has block N: zero blocks of delay,
 *   for one node round trip of latency per request (shared by concurrent requests).
 * - `polled`: from a poller that asks for the head back to back (every `pollMs`); a request takes the latest head
 *   seen. A revocation mined in block N is enforced from the moment the poller sees N, at most one poll round trip
 *   after the node has it; until then requests are answered from block N-1's state. Bound: one block.
 */
export type HeadMode = "fresh" | "polled";

/** A provider the vault can ask: ethers' JSON-RPC provider, or Hardhat's in-process one (the demo). */
export type ChainProvider = Provider & { send(method: string, params: unknown[]): Promise<unknown> };

/** The chain as the vault sees it, with a per-block cache. */
export class ChainView {
  readonly registry: IConsentRegistry;
  readonly anchor: IVaultAnchor;
  private readonly heads = new SharedAfterCall<number>(() => {
    this.stats.heads++;
    return this.provider.send("eth_blockNumber", []).then((hex) => Number(BigInt(hex as string)));
  });
  private cacheBlock = -1;
  private cache = new Map<string, Promise<unknown>>();
  /** How many `eth_call`s and `eth_blockNumber`s were sent (for tests and the benchmark). */
  readonly stats = { calls: 0, heads: 0 };

  private latest = -1;
  private polling = false;
  private readonly waiters: { block: number; resolve: () => void }[] = [];

  constructor(
    readonly provider: ChainProvider,
    config: ChainConfig,
    readonly mode: HeadMode = "fresh",
    private readonly pollMs = 5,
  ) {
    this.registry = IConsentRegistry__factory.connect(config.consentRegistry, provider);
    this.anchor = IVaultAnchor__factory.connect(config.vaultAnchor, provider);
  }

  /** The head a request is answered at (see {@link HeadMode}). */
  head(): Promise<number> {
    if (this.mode === "fresh" || this.latest < 0) return this.freshHead().then((b) => this.saw(b));
    if (!this.polling) void this.poll();
    return Promise.resolve(this.latest);
  }

  /** Resolves once the vault has seen block `block` (tests of the polled bound). */
  seen(block: number): Promise<void> {
    if (this.latest >= block) return Promise.resolve();
    if (!this.polling) void this.poll();
    return new Promise((resolve) => this.waiters.push({ block, resolve }));
  }

  /** Stops the poller. */
  stop(): void {
    this.polling = false;
  }

  private saw(block: number): number {
    if (block > this.latest) {
      this.latest = block;
      for (let i = this.waiters.length - 1; i >= 0; i--) {
        if (this.waiters[i].block <= block) this.waiters.splice(i, 1)[0].resolve();
      }
    }
    return block;
  }

  private async poll(): Promise<void> {
    if (this.mode !== "polled") {
      await this.freshHead().then((b) => this.saw(b));
      return;
    }
    this.polling = true;
    while (this.polling) {
      try {
        this.saw(await this.freshHead());
      } catch {
        // the node is away; keep the last head (reads fail on their eth_call) and retry
      }
      await new Promise((r) => setTimeout(r, this.pollMs));
    }
  }

  /**
   * The chain's head, from an `eth_blockNumber` sent after this call: if one is in flight it may predate the
   * caller, so the caller waits for the next, which every caller arriving meanwhile shares.
   */
  freshHead(): Promise<number> {
    return this.heads.get();
  }

  private cached<T>(block: number, key: string, ask: () => Promise<T>): Promise<T> {
    if (block > this.cacheBlock) {
      this.cacheBlock = block;
      this.cache = new Map();
    } else if (block < this.cacheBlock) {
      return ask(); // an answer for an older block than the cache's: never mix them
    }
    let hit = this.cache.get(key) as Promise<T> | undefined;
    if (hit === undefined) {
      this.stats.calls++;
      hit = ask();
      hit.catch(() => this.cache.get(key) === hit && this.cache.delete(key));
      this.cache.set(key, hit);
    }
    return hit;
  }

  /** `isAuthorized(patient, grantee, purpose, categories)` at `block`. */
  isAuthorized(block: number, patient: string, grantee: string, purpose: string, categories: bigint): Promise<boolean> {
    const key = `a:${patient}:${grantee}:${purpose}:${categories}`.toLowerCase();
    return this.cached(block, key, () =>
      this.registry.isAuthorized(patient, grantee, purpose, categories, { blockTag: block }),
    );
  }

  /** Whether `account` is the patient or her unexpired delegate, at `block`. */
  canActFor(block: number, patient: string, account: string): Promise<boolean> {
    if (patient.toLowerCase() === account.toLowerCase()) return Promise.resolve(true);
    const key = `d:${patient}:${account}`.toLowerCase();
    return this.cached(block, key, () => this.registry.canActFor(patient, account, { blockTag: block }));
  }

  /** When a record commitment was anchored (0: never), at `block`. */
  anchoredAt(block: number, commitment: string): Promise<bigint> {
    const key = `r:${commitment}`.toLowerCase();
    return this.cached(block, key, () => this.anchor.recordAnchoredAt(commitment, { blockTag: block }));
  }

  /**
   * Whether `account` is a contract wallet whose ERC-1271 `isValidSignature(digest, signature)` accepts the
   * signature, at `block`. An account without code (an EOA) is asked nothing more: its code is read once per block.
   */
  async isValidSignature(block: number, account: string, digest: string, signature: string): Promise<boolean> {
    const code = await this.cached(block, `c:${account}`.toLowerCase(), () => this.provider.getCode(account, block));
    if (code === "0x") return false;
    this.stats.calls++;
    try {
      const data = ERC1271.encodeFunctionData("isValidSignature", [digest, signature]);
      const answer = await this.provider.call({ to: account, data, blockTag: block });
      return answer.length === 66 && answer.slice(0, 10).toLowerCase() === ERC1271_MAGIC;
    } catch (error) {
      if (isError(error, "CALL_EXCEPTION")) return false; // a wallet that reverts refuses
      throw error;
    }
  }

  /**
   * Whether `provider` recorded break-glass for `patient` (`EmergencyAccessRecorded`) in a block whose time is at
   * most `windowSeconds` before block `block`'s.
   */
  emergencyAccess(block: number, patient: string, provider: string, windowSeconds: number): Promise<boolean> {
    const key = `e:${patient}:${provider}:${windowSeconds}`.toLowerCase();
    return this.cached(block, key, async () => {
      const filter = this.registry.filters.EmergencyAccessRecorded(patient, provider);
      const logs = await this.registry.queryFilter(filter, 0, block);
      if (logs.length === 0) return false;
      const last = logs[logs.length - 1];
      const [then, now] = await Promise.all([this.provider.getBlock(last.blockNumber), this.provider.getBlock(block)]);
      return now!.timestamp - then!.timestamp <= windowSeconds;
    });
  }
}
