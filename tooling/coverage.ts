/** Istanbul's coverage-summary.json: one entry per file plus "total". */
export type CoverageSummary = Record<
  string,
  Record<"lines" | "branches" | "statements" | "functions", { pct: number | string }>
>;

export interface Thresholds {
  lines: number;
  branches: number;
}

/** Returns one message per threshold that the total misses, naming the files that pull it down. */
export function checkCoverage(summary: CoverageSummary, thresholds: Thresholds): string[] {
  const total = summary.total;
  if (total === undefined) throw new Error('coverage-summary.json has no "total" entry: run `hardhat coverage` first');
  const problems: string[] = [];
  for (const metric of ["lines", "branches"] as const) {
    const pct = Number(total[metric].pct);
    if (!(pct >= thresholds[metric])) {
      const files = Object.entries(summary)
        .filter(([file, s]) => file !== "total" && Number(s[metric].pct) < thresholds[metric])
        .map(([file, s]) => `    ${file}: ${s[metric].pct}%`);
      problems.push(`  ${metric}: ${pct}% < ${thresholds[metric]}%\n${files.join("\n")}`);
    }
  }
  return problems;
}
