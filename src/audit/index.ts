/**
 * The auditor: index a deployment's events (see {@link indexChain}), rebuild its state from them, run the checks and
 * write the reports. `npx hardhat audit` is a thin task over {@link runAudit}.
 */
import { openSql, type SqlDatabase } from "../storage/sql";
import { FileRecordStore, type RecordStore } from "../records";
import type { FetchOptions } from "../chain/logs";
import type { Rpc } from "../chain/rpc";
import type { AuditAddresses } from "./abi";
import { ViewPrefetch, runChecks } from "./checks";
import { indexChain, type IndexResult, type ScanProgress } from "./indexer";
import { buildReport, writeReports, type AuditReport } from "./report";
import { AuditState } from "./state";
import { AuditStore } from "./store";

export * from "./abi";
export * from "./checks";
export * from "./indexer";
export * from "./report";
export * from "./state";
export * from "./store";
export * from "./views";

/** The embedded index's default file. */
export const DEFAULT_AUDIT_DB = ".health-ledger/audit.sqlite";

/** Options of {@link runAudit}. */
export interface AuditOptions {
  rpc: Rpc;
  addresses: AuditAddresses;
  /** A file path / `sqlite:` URL (default {@link DEFAULT_AUDIT_DB}) or a `postgres://` URL, or an open database. */
  db?: string | SqlDatabase;
  /** Table prefix in the database. Default `audit_`. */
  tablePrefix?: string;
  chainId?: number;
  confirmations?: number;
  /** A record store, or the folder of a file record store, to check commitments against. */
  records?: RecordStore | string;
  /** Where to write the reports; none: no files. */
  outDir?: string;
  viewLimit?: number;
  fetch?: FetchOptions;
  onProgress?: (progress: ScanProgress) => void;
  /** Called between phases (`index`, which rebuilds the state as it goes, `checks`, `reports`). */
  onPhase?: (phase: "index" | "checks" | "reports") => void;
}

/** What an audit produced. */
export interface AuditRun {
  index: IndexResult;
  report: AuditReport;
  files: string[];
}

/** Indexes, rebuilds, checks and reports (see the module comment). */
export async function runAudit(options: AuditOptions): Promise<AuditRun> {
  const db = typeof options.db === "object" ? options.db : await openSql(options.db ?? DEFAULT_AUDIT_DB);
  try {
    const store = new AuditStore(db, options.tablePrefix);
    options.onPhase?.("index");
    const state = new AuditState();
    let prefetch: ViewPrefetch | undefined;
    const index = await indexChain({
      fold: (event) => state.apply(event),
      // Views are read at the scan's last block while the scan runs (an incremental run's checkpoint is that block).
      onRange: (_from, to) => (prefetch = new ViewPrefetch(options.rpc, options.addresses, to)),
      rpc: options.rpc,
      store,
      addresses: options.addresses,
      chainId: options.chainId,
      confirmations: options.confirmations,
      fetch: options.fetch,
      onProgress: (progress) => {
        options.onProgress?.(progress);
        if (options.viewLimit === undefined) prefetch?.update(state).catch(() => undefined);
      },
    });
    options.onPhase?.("checks");
    const records =
      typeof options.records === "string" ? new FileRecordStore({ directory: options.records }) : options.records;
    const checkpoint = index.checkpoint!.block;
    const checks = await runChecks(state, {
      rpc: options.rpc,
      addresses: options.addresses,
      block: checkpoint,
      records,
      viewLimit: options.viewLimit,
      ...(prefetch !== undefined && index.checkpoint?.block === prefetch.block && { prefetched: prefetch }),
    });
    options.onPhase?.("reports");
    const report = buildReport(state, checks, {
      chainId: index.chainId,
      addresses: options.addresses,
      scan: {
        fromBlock: options.addresses.fromBlock ?? 0,
        toBlock: index.toBlock,
        checkpoint,
        newEvents: index.newEvents,
        events: index.totalEvents,
        ...(index.rewoundTo !== undefined && { rewoundTo: index.rewoundTo }),
        ...(checks.viewTransport !== undefined && { viewTransport: checks.viewTransport }),
      },
    });
    const files = options.outDir === undefined ? [] : await writeReports(report, options.outDir);
    return { index, report, files };
  } finally {
    if (typeof options.db !== "object") await db.close();
  }
}
