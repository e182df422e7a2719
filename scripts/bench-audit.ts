/**
 * `npm run bench:audit`: the auditor end to end (scan, index, rebuild, checks, reports) against a `hardhat node`
 * process holding generated activity in all four domains, side by side with a raw paged `eth_getLogs` fetch of the
 * same logs in the same run (the ceiling), at two sizes, with peak memory (RSS sampled every 20 ms). A benchmark, not a
 * test: it prints the figures and writes reports/audit-bench.json (docs/audit.md quotes them).
 *
 * Sizes: `BENCH_AUDIT_SCALES` (default "40,160": about 25,000 and 100,000 events). The second size adds activity on
 * top of the first on the same node; each audit starts from an empty index.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runAudit } from "../src/audit";
import { headBlock, logPages } from "../src/chain/logs";
import { errorText, httpRpc } from "../src/chain/rpc";
import { deployOnNode, runOnNode, startHardhatNode } from "../test/shared/node";

const ROOT = join(__dirname, "..");
const ACTIVITY = join(ROOT, "tooling", "audit", "activity.ts");

/** Runs `work` and reports its time and the process's peak RSS during it. */
async function measured<T>(work: () => Promise<T>): Promise<{ value: T; seconds: number; peakMb: number }> {
  global.gc?.();
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const t0 = performance.now();
  try {
    const value = await work();
    return {
      value,
      seconds: (performance.now() - t0) / 1000,
      peakMb: Math.round(Math.max(peak, process.memoryUsage().rss) / 2 ** 20),
    };
  } finally {
    clearInterval(timer);
  }
}

async function main() {
  const scales = (process.env.BENCH_AUDIT_SCALES ?? "40,160").split(",").map(Number);
  const node = await startHardhatNode();
  const results = [];
  try {
    const system = await deployOnNode(node.url);
    const rpc = httpRpc(node.url, { timeoutMs: 120_000 });
    const addresses = [
      system.authority,
      system.consentRegistry,
      system.trialRegistry,
      system.drugProvenance,
      system.claimsManager,
    ];
    let generated = 0;
    for (const scale of scales) {
      const g0 = performance.now();
      await runOnNode(node.url, ACTIVITY, {
        AUDIT_ADDRESSES: JSON.stringify(system),
        AUDIT_SCALE: String(scale - generated),
        AUDIT_FAST: "1",
      });
      generated = scale;
      const generation = (performance.now() - g0) / 1000;
      const head = await headBlock(rpc);

      const raw = await measured(async () => {
        let logs = 0;
        for await (const page of logPages(rpc, { address: addresses, fromBlock: system.fromBlock, toBlock: head })) {
          logs += page.logs.length;
        }
        return logs;
      });
      const dir = await mkdtemp(join(tmpdir(), "bench-audit-"));
      const phases: Record<string, number> = {};
      let phase = "";
      let phaseStart = performance.now();
      const audit = await measured(() =>
        runAudit({
          rpc,
          addresses: system,
          db: join(dir, "index.sqlite"),
          outDir: join(dir, "report"),
          onPhase: (next) => {
            if (phase !== "") phases[phase] = Number(((performance.now() - phaseStart) / 1000).toFixed(2));
            phase = next;
            phaseStart = performance.now();
          },
        }),
      );
      phases[phase] = Number(((performance.now() - phaseStart) / 1000).toFixed(2));
      await rm(dir, { recursive: true, force: true });
      const report = audit.value.report;
      const domains: Record<string, number> = {};
      for (const [name, n] of Object.entries(report.summary.eventsByName)) {
        const domain = name.split(".")[0];
        domains[domain] = (domains[domain] ?? 0) + n;
      }
      const row = {
        scale,
        blocks: head - system.fromBlock + 1,
        events: report.summary.events,
        eventsByDomain: domains,
        rawLogs: raw.value,
        generationSeconds: Number(generation.toFixed(1)),
        rawSeconds: Number(raw.seconds.toFixed(2)),
        rawEventsPerSecond: Math.round(raw.value / raw.seconds),
        auditSeconds: Number(audit.seconds.toFixed(2)),
        auditEventsPerSecond: Math.round(report.summary.events / audit.seconds),
        ratio: Number((audit.seconds / raw.seconds).toFixed(2)),
        auditPhasesSeconds: phases,
        auditPeakRssMb: audit.peakMb,
        rawPeakRssMb: raw.peakMb,
        errors: report.summary.findings.error,
        viewsCompared: Object.values(report.summary.views).reduce((n, v) => n + v.compared, 0),
      };
      results.push(row);
      console.log(
        `${row.events} events (${JSON.stringify(domains)}) over ${row.blocks} blocks: audit ${row.auditSeconds} s ` +
          `(${row.auditEventsPerSecond} events/s, peak RSS ${row.auditPeakRssMb} MB), raw fetch ${row.rawSeconds} s ` +
          `(${row.rawEventsPerSecond} events/s): ratio ${row.ratio}x; phases ${JSON.stringify(phases)}; ` +
          `${row.errors} error findings; ` +
          `${row.viewsCompared} views compared; generated in ${row.generationSeconds} s`,
      );
    }
  } finally {
    await node.stop();
  }
  await mkdir(join(ROOT, "reports"), { recursive: true });
  const out = {
    machine: `${process.platform} ${process.arch}, node ${process.version}`,
    goals: { seconds100k: 60, ratio: 2, peakMb: 500 },
    results,
  };
  await writeFile(join(ROOT, "reports", "audit-bench.json"), JSON.stringify(out, null, 2));
  console.log("wrote reports/audit-bench.json");
}

main().catch((error: unknown) => {
  console.error(`bench:audit failed: ${errorText(error)}`);
  process.exitCode = 1;
});
