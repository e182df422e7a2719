/** The printed table of `npm run bench:sdk` (markdown, ready to paste into docs/provenance.md). */
import { ENGINE_INPUT_LENGTHS, type EngineResult } from "./engines";
import type { CommitResult, TreeImpl, TreeResult } from "./measure";

function time(ms: number): string {
  if (ms < 1) return `${(ms * 1000).toFixed(ms < 0.01 ? 2 : 1)} µs`;
  if (ms < 1000) return `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

function size(n: number): string {
  return n >= 1e6 && n % 1e6 === 0
    ? `${n / 1e6}M`
    : n >= 1e3 && n % 1e3 === 0
      ? `${n / 1e3}k`
      : n.toLocaleString("en-US");
}

function mb(x: number): string {
  return `${x.toFixed(0)} MB`;
}

function ratio(a: number, b: number): string {
  return `${(a / b).toFixed(a / b < 10 ? 2 : 0)}x`;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/** Engines, then tree rows (each measure at each size, SDK beside the reference and the previous SDK), then commit(). */
export function renderReport(
  engines: readonly EngineResult[],
  trees: readonly TreeResult[],
  commits: readonly CommitResult[],
): string {
  const engineTable = table(
    ["keccak256 engine", ...ENGINE_INPUT_LENGTHS.map((l) => `${l} B`), "note"],
    engines.map((e) => [
      e.engine,
      ...ENGINE_INPUT_LENGTHS.map((l) => `${Math.round(e.nsPerHash[String(l)]).toLocaleString("en-US")} ns`),
      e.note,
    ]),
  );
  const rows: string[][] = [];
  for (const n of [...new Set(trees.map((t) => t.size))]) {
    const at = (impl: TreeImpl) => trees.find((t) => t.size === n && t.impl === impl);
    const sdk = at("sdk");
    const ref = at("reference");
    const prev = at("previous");
    if (sdk === undefined || ref === undefined) continue;
    const measures: [string, (t: TreeResult) => number, (t: TreeResult) => string][] = [
      ["build", (t) => t.build.cpuMs, (t) => time(t.build.cpuMs)],
      ["one proof", (t) => t.proof.cpuMs, (t) => time(t.proof.cpuMs)],
      [
        "all proofs",
        (t) => t.allProofs.cpuMs,
        (t) => `${time(t.allProofs.cpuMs)}${t.allProofsEstimated ? " (est.)" : ""}`,
      ],
      ["file size", (t) => t.fileBytes, (t) => `${(t.fileBytes / 1e6).toFixed(1)} MB`],
      ["save (wall)", (t) => t.save.cpuMs, (t) => `${time(t.save.cpuMs)} (${time(t.save.wallMs)})`],
      ["load (wall)", (t) => t.load.cpuMs, (t) => `${time(t.load.cpuMs)} (${time(t.load.wallMs)})`],
      [
        "peak RSS after build",
        (t) => t.buildPeakRssMb,
        (t) => `${mb(t.buildPeakRssMb)} (+${mb(t.buildPeakRssMb - t.baselineRssMb)})`,
      ],
      ["peak RSS overall", (t) => t.peakRssMb, (t) => mb(t.peakRssMb)],
    ];
    for (const [name, value, show] of measures) {
      rows.push([
        size(n),
        name,
        show(sdk),
        show(ref),
        ratio(value(sdk), value(ref)),
        prev ? show(prev) : "not run",
        prev ? ratio(value(prev), value(sdk)) : "",
      ]);
    }
  }
  const treeTable = table(
    ["serials", "SerialTree", "SDK", "reference", "SDK ÷ ref", "previous SDK", "previous ÷ SDK"],
    rows,
  );
  const by = (impl: string) => commits.find((c) => c.impl === impl);
  const [sdk, ref, prev] = [by("sdk"), by("reference"), by("previous")];
  const rate = (c: CommitResult) => `${Math.round(c.perCpuSecond).toLocaleString("en-US")}/s`;
  const commitTable =
    sdk && ref && prev
      ? table(
          ["commit()", "SDK", "reference", "SDK ÷ ref (time)", "previous SDK", "previous ÷ SDK (time)"],
          [
            [
              "small FHIR resources, fresh salts",
              rate(sdk),
              rate(ref),
              ratio(ref.perCpuSecond, sdk.perCpuSecond),
              rate(prev),
              ratio(sdk.perCpuSecond, prev.perCpuSecond),
            ],
            ["peak RSS", mb(sdk.peakRssMb), mb(ref.peakRssMb), "", mb(prev.peakRssMb), ""],
          ],
        )
      : "";
  const heap = trees.length > 0 ? `V8 heap limit ${mb(trees[0].heapLimitMb)} (not raised). ` : "";
  const runs = trees[0]?.runs ?? 1;
  const best = runs > 1 ? `Each time is the least of ${runs} runs taking turns, each peak the highest. ` : "";
  return [
    engineTable,
    "",
    treeTable,
    "",
    commitTable,
    "",
    "Times are CPU time of the measuring process (user + system), which other processes on this shared machine do",
    `not stretch; wall times are in the JSON. ${best}÷: time over time (below 1: faster).`,
    `${heap}"+N": above the child's RSS before the work (Node and the modules loaded).`,
  ].join("\n");
}
