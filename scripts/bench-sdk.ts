/**
 * `npm run bench:sdk [-- --sizes 10k,100k,1M] [--previous-max 100k] [--commits 200000] [--out reports/sdk-bench.json]`
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
 * units and scaled).
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
  type TreeImpl,
  type TreeResult,
} from "./bench-sdk/measure";
import { transpileTree } from "./bench-sdk/compile";
import { measureEngines, type EngineResult } from "./bench-sdk/engines";
import { renderReport } from "./bench-sdk/table";

interface Options {
  sizes: number[];
  previousMax: number;
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
  const options: Options = { sizes: [10_000, 100_000, 1_000_000], previousMax: 100_000, commits: 200_000, out: "" };
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
      case "--commits":
        options.commits = parseCount(value, "--commits");
        break;
      case "--out":
        options.out = value;
        break;
      default:
        throw new Error(`Unknown option ${argv[i - 1]}: use --sizes, --previous-max, --commits or --out`);
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

function main(options: Options): void {
  const root = path.resolve(__dirname, "..");
  const entry = transpileTree(__filename, root, path.join(root, "reports", ".bench-build"));
  process.stderr.write("keccak engines...\n");
  const engines = child<EngineResult[]>(entry, { kind: "engines" });
  const trees: TreeResult[] = [];
  for (const size of options.sizes) {
    const impls: TreeImpl[] = ["sdk", "reference", ...(size <= options.previousMax ? (["previous"] as const) : [])];
    for (const impl of impls) {
      process.stderr.write(`tree ${impl} ${size.toLocaleString("en-US")}...\n`);
      trees.push(
        child<TreeResult>(entry, { kind: "tree", impl, size, sample: impl === "previous" ? 5_000 : undefined }),
      );
    }
    const roots = new Set(trees.filter((t) => t.size === size).map((t) => t.root));
    if (roots.size !== 1) throw new Error(`At ${size} serials the implementations disagree on the root: ${[...roots]}`);
  }
  const commits: CommitResult[] = [];
  for (const impl of ["sdk", "reference", "previous"] as const) {
    process.stderr.write(`commit ${impl}...\n`);
    const count = impl === "previous" ? Math.min(options.commits, 20_000) : options.commits;
    commits.push(child<CommitResult>(entry, { kind: "commit", impl, count }));
  }
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
