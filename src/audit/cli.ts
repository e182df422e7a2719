/**
 * The `audit` command's logic (the Hardhat task in tasks/audit.ts only parses arguments): where the addresses come
 * from, the progress output, and one line per failure.
 */
import { mkdir, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { Rpc } from "../chain/rpc";
import { httpRpc } from "../chain/rpc";
import { DEFAULT_AUDIT_DB, runAudit, type AuditRun } from "./index";
import type { AuditAddresses } from "./abi";
import { AuditInputError, type ScanProgress } from "./indexer";
import { VIEW_TRANSPORT_TEXT } from "./views";

/** The command's arguments, as strings from the command line. */
export interface AuditArgs {
  rpc?: string;
  /** A JSON file of addresses (the shape of a deployment's address list: authority, consentRegistry, …, fromBlock). */
  addresses?: string;
  authority?: string;
  consentRegistry?: string;
  trialRegistry?: string;
  drugProvenance?: string;
  claimsManager?: string;
  fromBlock?: string;
  chainId?: string;
  confirmations?: string;
  db?: string;
  tablePrefix?: string;
  records?: string;
  out?: string;
  viewLimit?: string;
  verbose?: boolean;
}

/**
 * Where a deployment's addresses come from. The command asks each source in turn and takes the first answer:
 * explicit options, then the `--addresses` file. An address book (a registry of deployments by network) plugs in
 * here as one more source, without touching the auditor.
 */
export type AddressSource = (args: AuditArgs) => Promise<Partial<AuditAddresses> | undefined>;

/** The five `--authority`, `--consent-registry`, … options, when any is given. */
export const fromOptions: AddressSource = async (args) => {
  const fields = ["authority", "consentRegistry", "trialRegistry", "drugProvenance", "claimsManager"] as const;
  if (!fields.some((f) => args[f] !== undefined)) return undefined;
  return {
    ...Object.fromEntries(fields.map((f) => [f, args[f]])),
    ...(args.fromBlock !== undefined && { fromBlock: Number(args.fromBlock) }),
  };
};

/** The `--addresses` JSON file (e.g. the NodeSystem line `deploy-on-node` prints, or an Ignition export). */
export const fromFile: AddressSource = async (args) => {
  if (args.addresses === undefined) return undefined;
  let text: string;
  try {
    text = await readFile(args.addresses, "utf8");
  } catch {
    throw new AuditInputError("addresses", `cannot read the addresses file ${args.addresses}: check the path`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new AuditInputError("addresses", `${args.addresses} is not JSON: give a file like {"authority": "0x…", …}`);
  }
  const addresses = parsed as Partial<AuditAddresses>;
  return args.fromBlock !== undefined ? { ...addresses, fromBlock: Number(args.fromBlock) } : addresses;
};

/** The default order of sources. */
export const ADDRESS_SOURCES: readonly AddressSource[] = [fromOptions, fromFile];

/** Where progress goes: a bar on a terminal, plain lines otherwise. */
export interface ProgressSink {
  update(p: ScanProgress): void;
  phase(name: string): void;
  stop(): void;
}

function numberArg(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new AuditInputError("addresses", `--${name} must be a whole number, not "${value}"`);
  return n;
}

/** A progress sink: `cli-progress` on a TTY, one line every few seconds otherwise. */
export async function progressSink(stream: NodeJS.WriteStream = process.stderr): Promise<ProgressSink> {
  if (stream.isTTY) {
    const { SingleBar, Presets } = await import("cli-progress");
    const bar = new SingleBar(
      {
        format: "audit |{bar}| {percentage}% | block {value}/{total} | {events} events | {rate} blocks/s | ETA {eta}s",
        stream,
      },
      Presets.shades_classic,
    );
    let started = false;
    const t0 = Date.now();
    return {
      update(p) {
        const total = p.toBlock - p.fromBlock + 1;
        const done = p.block - p.fromBlock + 1;
        const rate = Math.round(done / Math.max(0.001, (Date.now() - t0) / 1000));
        if (!started) {
          bar.start(total, 0, { events: 0, rate: 0 });
          started = true;
        }
        bar.update(done, { events: p.events, rate });
      },
      phase(name) {
        if (started) bar.stop();
        started = false;
        if (name !== "index") stream.write(`audit: ${name}\n`);
      },
      stop() {
        if (started) bar.stop();
      },
    };
  }
  let last = 0;
  return {
    update(p) {
      if (Date.now() - last < 2_000 && p.block !== p.toBlock) return;
      last = Date.now();
      const pct = Math.floor((100 * (p.block - p.fromBlock + 1)) / Math.max(1, p.toBlock - p.fromBlock + 1));
      stream.write(`audit: block ${p.block} of ${p.toBlock} (${pct}%), ${p.events} events\n`);
    },
    phase(name) {
      if (name !== "index") stream.write(`audit: ${name}\n`);
    },
    stop() {},
  };
}

/**
 * Runs the command: resolves the addresses, audits, writes the reports and prints a summary. Returns the exit code;
 * failures are one line on `err` (the stack too with `--verbose`).
 */
export async function auditCommand(
  args: AuditArgs,
  io: {
    rpc?: Rpc;
    out?: (line: string) => void;
    err?: (line: string) => void;
    sources?: readonly AddressSource[];
  } = {},
): Promise<{ code: number; run?: AuditRun }> {
  const out = io.out ?? ((l: string) => process.stdout.write(`${l}\n`));
  const err = io.err ?? ((l: string) => process.stderr.write(`${l}\n`));
  let progress: ProgressSink | undefined;
  try {
    let addresses: Partial<AuditAddresses> | undefined;
    for (const source of io.sources ?? ADDRESS_SOURCES) {
      addresses = await source(args);
      if (addresses !== undefined) break;
    }
    const rpc = args.rpc !== undefined ? httpRpc(args.rpc) : io.rpc;
    if (rpc === undefined)
      throw new AuditInputError("unreachable", "no node to read: give --rpc <url> or --network <name>");
    const db = args.db ?? DEFAULT_AUDIT_DB;
    if (!/^postgres(ql)?:\/\//.test(db) && db !== ":memory:")
      await mkdir(dirname(db.replace(/^sqlite:/, "")), { recursive: true });
    progress = await progressSink();
    const run = await runAudit({
      rpc,
      addresses: addresses as AuditAddresses,
      db,
      tablePrefix: args.tablePrefix,
      chainId: numberArg("chain-id", args.chainId),
      confirmations: numberArg("confirmations", args.confirmations),
      records: args.records,
      outDir: args.out ?? "reports/audit",
      viewLimit: numberArg("view-limit", args.viewLimit),
      onProgress: (p) => progress!.update(p),
      onPhase: (p) => progress!.phase(p),
    });
    progress.stop();
    const s = run.report.summary;
    out(
      `audit: chain ${run.report.chainId}, blocks ${run.report.scan.fromBlock}-${run.report.scan.checkpoint}: ` +
        `${s.events} events (${run.index.newEvents} new), ${s.findings.error} errors, ${s.findings.warning} warnings, ` +
        `${s.findings.info} notices${run.index.rewoundTo !== undefined ? `; rewound a reorganisation to block ${run.index.rewoundTo}` : ""}`,
    );
    const compared = Object.values(s.views).reduce((n, v) => n + v.compared, 0);
    const transport = run.report.scan.viewTransport;
    if (transport !== undefined) {
      out(
        `audit: ${compared} views compared with the contracts at block ${run.report.scan.checkpoint}, read ${VIEW_TRANSPORT_TEXT[transport]}`,
      );
    }
    out(`audit: reports in ${args.out ?? "reports/audit"} (audit.html, audit.json, one CSV per table)`);
    return { code: s.findings.error > 0 ? 2 : 0, run };
  } catch (error) {
    progress?.stop();
    const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
    err(`audit: ${message}`);
    if (args.verbose && error instanceof Error && error.stack) err(error.stack);
    return { code: 1 };
  }
}
