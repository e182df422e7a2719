/**
 * `npm run bench:sdk [-- --sizes 10k,100k,1M] [--previous-max 100k] [--repeat 1] [--commits 200k] [--out file]`
 *
 * The SDK's hot paths beside a reference that computes the same bytes, in the same run: SerialTree build, one
 * proof, all proofs, save and load at each size, and commit() of small FHIR resources. Each implementation at each
 * size runs in its own child process, one at a time, so that peak memory (maxrss) is its own and runs do not
 * compete for the two cores. A benchmark, not a test: the table gives CPU time, which other processes on a shared
 * machine do not stretch (wall times are in the JSON), and ratios against the reference measured in the same run.
 *
 * Implementations: "sdk" (src/), "reference" (flat buffers + hash-wasm's API, scripts/bench-sdk/reference.ts),
 * "previous" (the SDK before issue 14: @openzeppelin/merkle-tree and ethers, scripts/bench-sdk/legacy.ts; its
 * build takes ~100 s and 3 GB at 1M, so it runs up to --previous-max, and its "all proofs" is timed on 5,000
 * units and scaled). `--repeat N` runs every child N times, taking turns, and keeps each timing's least CPU time
 * and each peak's highest memory. Output: the tables on stdout, everything in reports/sdk-bench.json.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { keccakInfo } from "../src/crypto";
import {
  measureCommit,
  measureTree,
  type CommitImpl,
  type CommitResult,
  type Timing,
  type TreeImpl,
  type TreeResult,
} from "./bench-sdk/measure";
import { transpileTree } from "./bench-sdk/compile";
import { measureEngines, type EngineResult } from "./bench-sdk/engines";
import { renderReport } from "./bench-sdk/table";

interface Options {
  sizes: number[];
  previousMax: number;
  repeat: number;
  commits: number;
  out: string;
}

/** "10k" → 10000, "1M" → 1000000, "2500" → 2500. */
export function parseCount(text: string, what: string): number {
  const match = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(text.trim());
  const value = match ? Number(match[1]) * (match[2] === "" ? 1 : /k/i.test(match[2]) ? 1e3 : 1e6) : NaN;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new Error(`${what} "${text}" must be a whole number such as 2500, 10k or 1M`);
  }
  return value;
}

function parseOptions(argv: string[]): Options {
  const options: Options = {
    sizes: [10_000, 100_000, 1_000_000],
    previousMax: 100_000,
    repeat: 1,
    commits: 200_000,
    out: "",
  };
  options.out = path.join("reports", "sdk-bench.json");
  for (let i = 0; i < argv.length; i++) {
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`${argv[i]} needs a value (see the top of scripts/bench-sdk.ts)`);
    switch (argv[i++]) {
      case "--sizes":
        options.sizes = value.split(",").map((s) => parseCount(s, "A size"));
        break;
      case "--previous-max":
        options.previousMax = parseCount(value, "--previous-max");
        break;
      case "--repeat":
        options.repeat = parseCount(value, "--repeat");
        break;
      case "--commits":
        options.commits = parseCount(value, "--commits");
        break;
      case "--out":
        options.out = value;
        break;
      default:
        throw new Error(`Unknown option ${argv[i - 1]}: use --sizes, --previous-max, --repeat, --commits or --out`);
    }
  }
  return options;
}

/** Runs one measurement in a child process (plain Node on the transpiled `entry`) and returns its result. */
function child<T>(entry: string, job: object): T {
  const run = spawnSync(process.execPath, [entry, "--child", JSON.stringify(job)], {
    encoding: "utf8",
    maxBuffer: 16 * 1024 * 1024,
    stdio: ["ignore", "pipe", "inherit"],
  });
  if (run.status !== 0) throw new Error(`The child for ${JSON.stringify(job)} failed (exit ${run.status})`);
  const last = run.stdout.trim().split("\n").pop() ?? "";
  return JSON.parse(last) as T;
}

async function runChild(job: { kind: string; impl?: string; size?: number; count?: number; sample?: number }) {
  const result =
    job.kind === "engines"
      ? await measureEngines()
      : job.kind === "tree"
        ? await measureTree(job.impl as TreeImpl, job.size ?? 0, job.sample ?? Number.POSITIVE_INFINITY)
        : await measureCommit(job.impl as CommitImpl, job.count ?? 0);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** Each timing at its lowest CPU time over the runs (the least disturbed), each peak at its highest. */
function bestTree(runs: readonly TreeResult[]): TreeResult {
  const least = (pick: (t: TreeResult) => Timing): Timing =>
    runs.map(pick).reduce((a, b) => (b.cpuMs < a.cpuMs ? b : a));
  const most = (pick: (t: TreeResult) => number): number => Math.max(...runs.map(pick));
  return {
    ...runs[0],
    build: least((t) => t.build),
    proof: least((t) => t.proof),
    allProofs: least((t) => t.allProofs),
    save: least((t) => t.save),
    load: least((t) => t.load),
    buildPeakRssMb: most((t) => t.buildPeakRssMb),
    peakRssMb: most((t) => t.peakRssMb),
    runs: runs.length,
  };
}

function bestCommit(runs: readonly CommitResult[]): CommitResult {
  const best = runs.reduce((a, b) => (b.perCpuSecond > a.perCpuSecond ? b : a));
  return { ...best, peakRssMb: Math.max(...runs.map((r) => r.peakRssMb)), runs: runs.length };
}

function main(options: Options): void {
  const root = path.resolve(__dirname, "..");
  const entry = transpileTree(__filename, root, path.join(root, "reports", ".bench-build"));
  process.stderr.write("keccak engines...\n");
  const engines = child<EngineResult[]>(entry, { kind: "engines" });
  const trees: TreeResult[] = [];
  for (const size of options.sizes) {
    const impls: TreeImpl[] = ["sdk", "reference", ...(size <= options.previousMax ? (["previous"] as const) : [])];
    const runs = new Map<TreeImpl, TreeResult[]>(impls.map((impl) => [impl, []]));
    for (let round = 1; round <= options.repeat; round++) {
      for (const impl of impls) {
        process.stderr.write(`tree ${impl} ${size.toLocaleString("en-US")} (${round}/${options.repeat})...\n`);
        const job = { kind: "tree", impl, size, sample: impl === "previous" ? 5_000 : undefined };
        runs.get(impl)?.push(child<TreeResult>(entry, job));
      }
    }
    for (const impl of impls) trees.push(bestTree(runs.get(impl) ?? []));
    const roots = new Set(trees.filter((t) => t.size === size).map((t) => t.root));
    if (roots.size !== 1) throw new Error(`At ${size} serials the implementations disagree on the root: ${[...roots]}`);
  }
  const commits: CommitResult[] = [];
  const commitImpls = ["sdk", "reference", "previous"] as const;
  const commitRuns = new Map<CommitImpl, CommitResult[]>(commitImpls.map((impl) => [impl, []]));
  for (let round = 1; round <= options.repeat; round++) {
    for (const impl of commitImpls) {
      process.stderr.write(`commit ${impl} (${round}/${options.repeat})...\n`);
      const count = impl === "previous" ? Math.min(options.commits, 20_000) : options.commits;
      commitRuns.get(impl)?.push(child<CommitResult>(entry, { kind: "commit", impl, count }));
    }
  }
  for (const impl of commitImpls) commits.push(bestCommit(commitRuns.get(impl) ?? []));
  if (new Set(commits.map((c) => c.checksum)).size !== 1) {
    throw new Error("The commit() implementations disagree on the commitments of the fixed resources");
  }
  const report = {
    generatedAt: new Date().toISOString(),
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? "unknown", node: process.version },
    keccak: keccakInfo(),
    engines,
    trees,
    commits,
  };
  mkdirSync(path.dirname(options.out), { recursive: true });
  writeFileSync(options.out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(renderReport(engines, trees, commits));
  console.log(`\nWritten to ${options.out}`);
}

if (process.argv[2] === "--child") {
  runChild(JSON.parse(process.argv[3])).catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
} else if (require.main === module) {
  try {
    main(parseOptions(process.argv.slice(2)));
  } catch (e) {
    console.error((e as Error).message);
    process.exitCode = 1;
  }
}
