/** The printed table of `npm run bench:sdk` (markdown, ready to paste into docs/provenance.md). */
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

/** Tree rows: each measure at each size, SDK beside the reference and the previous SDK. */
export function renderReport(trees: readonly TreeResult[], commits: readonly CommitResult[]): string {
  const rows: string[][] = [];
  for (const n of [...new Set(trees.map((t) => t.size))]) {
    const at = (impl: TreeImpl) => trees.find((t) => t.size === n && t.impl === impl);
    const sdk = at("sdk");
    const ref = at("reference");
    const prev = at("previous");
    if (sdk === undefined || ref === undefined) continue;
    const measures: [string, (t: TreeResult) => number, (t: TreeResult) => string][] = [
      ["build", (t) => t.buildMs, (t) => time(t.buildMs)],
      ["one proof", (t) => t.proofUs / 1000, (t) => time(t.proofUs / 1000)],
      ["all proofs", (t) => t.allProofsMs, (t) => `${time(t.allProofsMs)}${t.allProofsEstimated ? " (est.)" : ""}`],
      ["save", (t) => t.saveMs, (t) => `${time(t.saveMs)} (${(t.fileBytes / 1e6).toFixed(1)} MB)`],
      ["load", (t) => t.loadMs, (t) => time(t.loadMs)],
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
  const rate = (c: CommitResult) => `${Math.round(c.perSecond).toLocaleString("en-US")}/s`;
  const commitTable =
    sdk && ref && prev
      ? table(
          ["commit()", "SDK", "reference", "SDK ÷ ref (time)", "previous SDK", "previous ÷ SDK (time)"],
          [
            [
              "small FHIR resources, fresh salts",
              rate(sdk),
              rate(ref),
              ratio(ref.perSecond, sdk.perSecond),
              rate(prev),
              ratio(sdk.perSecond, prev.perSecond),
            ],
            ["peak RSS", mb(sdk.peakRssMb), mb(ref.peakRssMb), "", mb(prev.peakRssMb), ""],
          ],
        )
      : "";
  const heap = trees.length > 0 ? `V8 heap limit ${mb(trees[0].heapLimitMb)} (not raised). ` : "";
  return [
    treeTable,
    "",
    commitTable,
    "",
    `${heap}"+N": above the child's RSS before the work (Node and the modules loaded). ÷: time over time (below 1: faster).`,
  ].join("\n");
}
