/**
 * `npm run bench:audit`: the auditor end to end (scan, index and rebuild, checks, reports) against a `hardhat node`
 * process holding generated activity in all four domains, side by side with a raw paged `eth_getLogs` fetch of the
 * same logs in the same run (the ceiling), at two sizes, with peak memory. A benchmark, not a test: it prints a table and writes reports/audit-bench.json (docs/audit.md quotes them). The raw fetch and the
 * audit each run in a child process of their own, whose peak RSS is read exactly (`resourceUsage().maxRSS`).
 *
 * Sizes: `BENCH_AUDIT_SCALES` (default "45,180": about 25,000 and 100,000 events). The second size adds activity on
 * top of the first on the same node, and the activity spans a year of chain time at the last size (the first size is
 * its first three months); each audit starts from an empty index.
 *
 * Memory: beside the timed audit, each size is audited again with V8's old space capped (`BENCH_AUDIT_HEAP_MB`,
 * default 128) and `--expose-gc`: that it finishes at both sizes, and the live heap after a full GC at the end of the
 * index phase (the rebuilt state and what the scan holds), show what memory the audit really needs as events grow.
 */
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { INDEX_FETCH, runAudit, type AuditAddresses } from "../src/audit";
import { headBlock, logPages, type FetchOptions } from "../src/chain/logs";
import { errorText, httpRpc, quantity, toQuantity } from "../src/chain/rpc";
import { deployOnNode, runOnNode, startHardhatNode } from "../test/shared/node";

const ROOT = join(__dirname, "..");
const ACTIVITY = join(ROOT, "tooling", "audit", "activity.ts");
/** The raw fetch pages as the auditor's indexer does, so that both read the same pages. */
const FETCH: FetchOptions = INDEX_FETCH;

/** What one measured child process reports. */
interface Measured {
  seconds: number;
  events: number;
  /** The child's peak resident set (`process.resourceUsage().maxRSS`): exact, not sampled. */
  peakMb: number;
  /** CPU time the child spent (user and system) while measured: the rest of `seconds` it waited for the node. */
  cpuSeconds: number;
  phases?: Record<string, number>;
  /** The capped run: live heap after a full GC once the index phase ends (MB). */
  liveHeapMb?: number;
  summary?: { errors: number; viewsCompared: number; eventsByDomain: Record<string, number> };
}

/**
 * The measured work, in a child process of its own (`BENCH_AUDIT_CHILD=raw|audit`) so that its peak memory is its
 * own and not what an earlier, smaller run left in this process's heap.
 */
async function child(kind: string): Promise<Measured> {
  const url = process.env.BENCH_AUDIT_URL!;
  const addresses = JSON.parse(process.env.BENCH_AUDIT_ADDRESSES!) as AuditAddresses;
  const rpc = httpRpc(url, { timeoutMs: 120_000 });
  const head = await headBlock(rpc);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const cpuSeconds = () => {
    const { user, system } = process.cpuUsage(cpu0);
    return (user + system) / 1e6;
  };
  if (kind === "raw") {
    let events = 0;
    const address = [
      addresses.authority,
      addresses.consentRegistry,
      addresses.trialRegistry,
      addresses.drugProvenance,
      addresses.claimsManager,
    ];
    for await (const page of logPages(rpc, { address, fromBlock: addresses.fromBlock ?? 0, toBlock: head }, FETCH)) {
      events += page.logs.length;
    }
    return {
      seconds: (performance.now() - t0) / 1000,
      cpuSeconds: cpuSeconds(),
      events,
      peakMb: Math.round(process.resourceUsage().maxRSS / 1024),
    };
  }
  const dir = await mkdtemp(join(tmpdir(), "bench-audit-"));
  const phases: Record<string, number> = {};
  const gc = (globalThis as { gc?: () => void }).gc;
  let liveHeapMb: number | undefined;
  let phase = "";
  let phaseStart = t0;
  try {
    const { report } = await runAudit({
      rpc,
      addresses,
      db: join(dir, "index.sqlite"),
      outDir: join(dir, "report"),
      onPhase: (next) => {
        if (next === "checks" && gc !== undefined) {
          gc();
          liveHeapMb = Math.round(process.memoryUsage().heapUsed / 2 ** 20);
        }
        if (phase !== "") phases[phase] = Number(((performance.now() - phaseStart) / 1000).toFixed(2));
        phase = next;
        phaseStart = performance.now();
      },
    });
    const seconds = (performance.now() - t0) / 1000;
    const cpu = cpuSeconds();
    phases[phase] = Number(((performance.now() - phaseStart) / 1000).toFixed(2));
    const eventsByDomain: Record<string, number> = {};
    for (const [name, n] of Object.entries(report.summary.eventsByName)) {
      const domain = name.split(".")[0];
      eventsByDomain[domain] = (eventsByDomain[domain] ?? 0) + n;
    }
    return {
      seconds,
      cpuSeconds: cpu,
      events: report.summary.events,
      peakMb: Math.round(process.resourceUsage().maxRSS / 1024),
      phases,
      liveHeapMb,
      summary: {
        errors: report.summary.findings.error,
        viewsCompared: Object.values(report.summary.views).reduce((n, v) => n + v.compared, 0),
        eventsByDomain,
      },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs this script as a measured child (with V8 flags `flags`) and reads its one JSON line. */
function measure(
  kind: "raw" | "audit",
  url: string,
  addresses: AuditAddresses,
  flags: readonly string[] = [],
): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [...flags, "-r", "ts-node/register/transpile-only", __filename], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "inherit"],
      env: {
        ...process.env,
        BENCH_AUDIT_CHILD: kind,
        BENCH_AUDIT_URL: url,
        BENCH_AUDIT_ADDRESSES: JSON.stringify(addresses),
      },
    });
    let out = "";
    proc.stdout.on("data", (chunk) => (out += chunk));
    proc.once("exit", (code) => {
      const line = out.split("\n").find((l) => l.startsWith("{"));
      if (code !== 0 || line === undefined) reject(new Error(`the ${kind} measurement failed (exit ${code}): ${out}`));
      else resolve(JSON.parse(line) as Measured);
    });
  });
}

async function main() {
  const scales = (process.env.BENCH_AUDIT_SCALES ?? "45,180").split(",").map(Number);
  const heapMb = Number(process.env.BENCH_AUDIT_HEAP_MB ?? "128");
  const cappedFlags = [`--max-old-space-size=${heapMb}`, "--expose-gc"];
  const node = await startHardhatNode();
  const results = [];
  try {
    const system = await deployOnNode(node.url);
    const rpc = httpRpc(node.url, { timeoutMs: 120_000 });
    let generated = 0;
    for (const scale of scales) {
      const g0 = performance.now();
      await runOnNode(node.url, ACTIVITY, {
        AUDIT_ADDRESSES: JSON.stringify(system),
        AUDIT_SCALE: String(scale - generated),
        AUDIT_FAST: "1",
        AUDIT_RUN: String(scale),
        // A year of chain time at the last size, shared in proportion to the activity each size adds.
        AUDIT_CONTINUES: generated > 0 ? "1" : "0",
        AUDIT_MONTHS: String(Math.max(1, Math.round((12 * (scale - generated)) / scales[scales.length - 1]))),
      });
      generated = scale;
      const generation = (performance.now() - g0) / 1000;
      // The node prints every request it answers; a provider does not, so neither measurement pays for it.
      await rpc.send("hardhat_setLoggingEnabled", [false]);
      const head = await headBlock(rpc);
      const timeOf = async (n: number) =>
        quantity(((await rpc.send("eth_getBlockByNumber", [toQuantity(n), false])) as { timestamp: string }).timestamp);
      const days = ((await timeOf(head)) - (await timeOf(system.fromBlock))) / 86_400;
      const load = loadavg()[0];
      const raw = await measure("raw", node.url, system);
      const audit = await measure("audit", node.url, system);
      const capped = await measure("audit", node.url, system, cappedFlags);
      const row = {
        scale,
        blocks: head - system.fromBlock + 1,
        chainDays: Math.round(days),
        events: audit.events,
        eventsByDomain: audit.summary!.eventsByDomain,
        rawLogs: raw.events,
        generationSeconds: Number(generation.toFixed(1)),
        rawSeconds: Number(raw.seconds.toFixed(2)),
        rawCpuSeconds: Number(raw.cpuSeconds.toFixed(2)),
        rawEventsPerSecond: Math.round(raw.events / raw.seconds),
        auditSeconds: Number(audit.seconds.toFixed(2)),
        auditCpuSeconds: Number(audit.cpuSeconds.toFixed(2)),
        auditEventsPerSecond: Math.round(audit.events / audit.seconds),
        ratio: Number((audit.seconds / raw.seconds).toFixed(2)),
        auditPhasesSeconds: audit.phases,
        auditPeakRssMb: audit.peakMb,
        rawPeakRssMb: raw.peakMb,
        cappedHeapMb: heapMb,
        cappedSeconds: Number(capped.seconds.toFixed(2)),
        cappedPeakRssMb: capped.peakMb,
        liveHeapAfterIndexMb: capped.liveHeapMb,
        errors: audit.summary!.errors,
        viewsCompared: audit.summary!.viewsCompared,
        loadAverage: Number(load.toFixed(2)),
      };
      results.push(row);
      console.log(
        `scale ${scale}: ${row.events} events ${JSON.stringify(row.eventsByDomain)} over ${row.blocks} blocks and ${row.chainDays} days, ` +
          `generated in ${row.generationSeconds} s; phases ${JSON.stringify(row.auditPhasesSeconds)}; ` +
          `${row.viewsCompared} views compared, ${row.errors} error findings; load ${row.loadAverage}`,
      );
    }
  } finally {
    await node.stop();
  }
  console.log("");
  console.log(
    "| size | events | auditor s | auditor CPU s | events/s | raw fetch s | raw CPU s | raw events/s | ratio | " +
      `auditor peak MB | raw peak MB | capped (${heapMb} MB heap) s | capped peak MB | live heap after index MB |`,
  );
  console.log(`|${" --- |".repeat(14)}`);
  for (const r of results) {
    console.log(
      `| ${r.scale} | ${r.events} | ${r.auditSeconds} | ${r.auditCpuSeconds} | ${r.auditEventsPerSecond} | ` +
        `${r.rawSeconds} | ${r.rawCpuSeconds} | ${r.rawEventsPerSecond} | ${r.ratio}x | ${r.auditPeakRssMb} | ` +
        `${r.rawPeakRssMb} | ${r.cappedSeconds} | ` +
        `${r.cappedPeakRssMb} | ${r.liveHeapAfterIndexMb} |`,
    );
  }
  await mkdir(join(ROOT, "reports"), { recursive: true });
  const out = {
    machine: `${process.platform} ${process.arch}, node ${process.version}`,
    goals: { seconds100k: 60, ratio: 2, peakMb: 500, flatMemory: true },
    results,
  };
  await writeFile(join(ROOT, "reports", "audit-bench.json"), JSON.stringify(out, null, 2));
  console.log("wrote reports/audit-bench.json");
}

const kind = process.env.BENCH_AUDIT_CHILD;
(kind === undefined ? main() : child(kind).then((m) => console.log(JSON.stringify(m)))).catch((error: unknown) => {
  console.error(`bench:audit failed: ${errorText(error)}`);
  process.exitCode = 1;
});
