/**
 * Runs a vault: opens the database, connects to the chain, checks both, listens, and anchors the log's head
 * periodically. `tasks/vault.ts` (`npx hardhat vault`) is a thin wrapper over {@link startVault}.
 */
import { Wallet, isAddress } from "ethers";
import { openSql } from "../storage/sql";
import { ChainView, serverProvider, type HeadMode } from "./chain";
import { buildVault, type Vault } from "./server";
import { VaultStore } from "./store";

/** A vault's settings (all strings, as a CLI gives them). */
export interface VaultServiceConfig {
  /** Database URL: a file path, `sqlite:<path>`, `:memory:` or `postgres://…` (default `vault.sqlite`). */
  db?: string;
  /** Table prefix (default `vault_`). */
  prefix?: string;
  host?: string;
  port?: number;
  rpcUrl: string;
  consentRegistry: string;
  vaultAnchor: string;
  /** The anchoring account's private key; without it the log is not anchored. */
  operatorKey?: string;
  /** How requests learn the head block (default `fresh`; see `HeadMode`). */
  head?: HeadMode;
  /**
   * Milliseconds between head polls in `polled` mode (default {@link DEFAULT_POLL_MS}). Keep it below the chain's
   * block time for the one-block bound.
   */
  pollMs?: number;
  /** Milliseconds between anchoring attempts (default 60,000; 0: never on a timer). */
  anchorIntervalMs?: number;
}

/** Default milliseconds between head polls in `polled` mode: far below any public chain's block time (≥ 250 ms). */
export const DEFAULT_POLL_MS = 100;

/** A running vault. */
export interface RunningVault {
  url: string;
  vault: Vault;
  store: VaultStore;
  chain: ChainView;
  close(): Promise<void>;
}

/** Raised for a setting that cannot work; its message says which and how to fix it. */
export class VaultConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "VaultConfigError";
  }
}

/** Starts a vault and resolves once it listens. */
export async function startVault(config: VaultServiceConfig): Promise<RunningVault> {
  for (const [name, value] of [
    ["consent registry", config.consentRegistry],
    ["vault anchor", config.vaultAnchor],
  ] as const) {
    if (!isAddress(value)) throw new VaultConfigError(`the ${name} address "${value}" is not an address`);
  }
  let operator: Wallet | undefined;
  if (config.operatorKey !== undefined && config.operatorKey !== "") {
    try {
      operator = new Wallet(config.operatorKey);
    } catch {
      throw new VaultConfigError("the operator key is not a private key (0x + 64 hex digits)");
    }
  }
  if (config.head !== undefined && config.head !== "fresh" && config.head !== "polled") {
    throw new VaultConfigError(`head mode "${config.head}" is neither fresh nor polled`);
  }
  const pollMs = config.pollMs ?? DEFAULT_POLL_MS;
  if (!Number.isFinite(pollMs) || pollMs < 1) {
    throw new VaultConfigError(`the poll interval ${config.pollMs} ms is not a positive number of milliseconds`);
  }
  const probe = serverProvider(config.rpcUrl, 0n);
  let chainId: bigint;
  try {
    chainId = BigInt(await probe.send("eth_chainId", []));
  } catch {
    throw new VaultConfigError(`no JSON-RPC node answers at ${config.rpcUrl}: start one or pass --rpc`);
  } finally {
    probe.destroy();
  }
  const provider = serverProvider(config.rpcUrl, chainId);
  const chain = new ChainView(provider, { ...config, chainId }, config.head ?? "fresh", pollMs);
  for (const [name, address] of [
    ["consent registry", config.consentRegistry],
    ["vault anchor", config.vaultAnchor],
  ] as const) {
    if ((await provider.getCode(address)) === "0x") {
      throw new VaultConfigError(`no contract at the ${name} address ${address} on chain ${chainId}`);
    }
  }
  const db = await openSql(config.db ?? "vault.sqlite");
  const store = await VaultStore.open(db, config.prefix ?? "vault_");
  const vault = buildVault({ store, chain, chainId, consentRegistry: config.consentRegistry, operator });
  const url = await vault.app.listen({ host: config.host ?? "127.0.0.1", port: config.port ?? 8700 });
  const interval = config.anchorIntervalMs ?? 60_000;
  const timer = interval > 0 ? setInterval(() => vault.anchorLog().catch(() => undefined), interval) : undefined;
  return {
    url,
    vault,
    store,
    chain,
    async close() {
      if (timer !== undefined) clearInterval(timer);
      chain.stop();
      await vault.app.close();
      await db.close();
      provider.destroy();
    },
  };
}
