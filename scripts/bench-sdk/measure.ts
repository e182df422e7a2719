/**
 * What one child process of `npm run bench:sdk` measures: one implementation at one size (or commit()), so that
 * its peak memory is its own. Results go to the parent as one JSON line on stdout.
 */
import { createHash, randomFillSync } from "node:crypto";
import { mkdtemp, open, readFile, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import v8 from "node:v8";
import { keccakInfo } from "../../src/crypto";
import { SerialTree } from "../../src/provenance/serials";
import { commit } from "../../src/records/commitment";
import type { CommittableResource } from "../../src/records/types";
import { LegacySerialTree, legacyCommit } from "./legacy";
import {
  ReferenceCommitter,
  referenceBuild,
  referenceLoad,
  referenceRoot,
  referenceSave,
  referenceUnit,
} from "./reference";

export type TreeImpl = "sdk" | "reference" | "previous";
export type CommitImpl = "sdk" | "reference" | "previous";

export interface Memory {
  /** How many runs the figures are the best of (set by the parent with --repeat). */
  runs?: number;
  /** RSS once modules are loaded, before the work (MB). */
  baselineRssMb: number;
  /** Peak RSS of the process (MB), `getrusage` maxrss. */
  peakRssMb: number;
  /** V8's heap limit, to show it was not raised (MB). */
  heapLimitMb: number;
}

/**
 * A duration as the process's CPU time (user + system, all its threads) and as wall time. On this shared machine
 * other processes stretch wall time but not CPU time, so the table shows CPU time; both are in the JSON.
 */
export interface Timing {
  cpuMs: number;
  wallMs: number;
}

export interface TreeResult extends Memory {
  kind: "tree";
  impl: TreeImpl;
  size: number;
  root: string;
  build: Timing;
  /** Peak RSS right after the build (MB). */
  buildPeakRssMb: number;
  /** One proof (a mean over `proofSamples` pseudo-random positions). */
  proof: Timing;
  proofSamples: number;
  allProofs: Timing;
  /** True when all proofs were timed on a sample and scaled to the batch. */
  allProofsEstimated: boolean;
  save: Timing;
  load: Timing;
  fileBytes: number;
  keccak: string;
}

export interface CommitResult extends Memory {
  kind: "commit";
  impl: CommitImpl;
  count: number;
  /** Commitments per second of CPU time, and per second of wall time. */
  perCpuSecond: number;
  perWallSecond: number;
  /** sha256 of the commitments of 1,000 fixed resources under fixed salts: equal across implementations. */
  checksum: string;
}

const MB = 1024 * 1024;

/** Starts a stopwatch; calling the result gives the time since, divided by `per` (to scale a sample). */
function stopwatch(): (per?: number) => Timing {
  const wall = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  return (per = 1) => {
    const used = process.cpuUsage(cpu);
    return {
      cpuMs: (used.user + used.system) / 1000 / per,
      wallMs: Number(process.hrtime.bigint() - wall) / 1e6 / per,
    };
  };
}

function memory(baseline: number): Memory {
  return {
    baselineRssMb: baseline / MB,
    peakRssMb: (process.resourceUsage().maxRSS * 1024) / MB,
    heapLimitMb: v8.getHeapStatistics().heap_size_limit / MB,
  };
}

/** Serial `i` of a benchmark batch: 10 GS1 characters, distinct, in a scattered but reproducible order. */
export function* benchSerials(count: number): Generator<string> {
  for (let i = 0; i < count; i++) yield (36 ** 9 + i * 7_919).toString(36).toUpperCase();
}

/** Reproducible pseudo-random positions. */
function positions(count: number, size: number): number[] {
  let state = 0x9e3779b9;
  return Array.from({ length: count }, () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state % size;
  });
}

interface Subject {
  root: string;
  unit(p: number): { proof: string[] };
  save(file: string): Promise<void>;
  load(file: string): Promise<{ root: string }>;
}

async function buildSubject(impl: TreeImpl, size: number): Promise<Subject> {
  switch (impl) {
    case "sdk": {
      const tree = SerialTree.build(benchSerials(size));
      return {
        root: tree.root,
        unit: (p) => tree.unit(p),
        save: (file) => tree.save(file),
        load: (file) => SerialTree.open(file),
      };
    }
    case "reference": {
      const tree = await referenceBuild(benchSerials(size));
      return {
        root: referenceRoot(tree),
        unit: (p) => referenceUnit(tree, p),
        save: (file) => referenceSave(tree, file),
        load: async (file) => ({ root: referenceRoot(await referenceLoad(file)) }),
      };
    }
    case "previous": {
      const tree = LegacySerialTree.build([...benchSerials(size)]);
      return {
        root: tree.root,
        unit: (p) => tree.unit(p),
        save: async (file) => {
          const handle = await open(file, "w");
          try {
            await handle.writeFile(JSON.stringify(tree.dump()));
            await handle.sync();
          } finally {
            await handle.close();
          }
        },
        load: async (file) => LegacySerialTree.load(JSON.parse(await readFile(file, "utf8"))),
      };
    }
  }
}

/** Build, one proof, all proofs, save and load of one implementation at one size. */
export async function measureTree(impl: TreeImpl, size: number, sampleAllProofsAbove: number): Promise<TreeResult> {
  const baseline = process.memoryUsage().rss;
  let t = stopwatch();
  const subject = await buildSubject(impl, size);
  const build = t();
  const buildPeakRssMb = (process.resourceUsage().maxRSS * 1024) / MB;

  const samples = impl === "previous" ? 500 : 20_000;
  const picks = positions(samples, size);
  let sink = 0;
  for (const p of positions(samples, size).reverse()) sink += subject.unit(p).proof.length; // warm-up (JIT tiers)
  t = stopwatch();
  for (const p of picks) sink += subject.unit(p).proof.length;
  const proof = t(samples);

  const estimate = size > sampleAllProofsAbove;
  const counted = estimate ? sampleAllProofsAbove : size;
  t = stopwatch();
  for (let p = 0; p < counted; p++) sink += subject.unit(p).proof.length;
  const allProofs = t(counted / size);

  const dir = await mkdtemp(path.join(os.tmpdir(), "bench-sdk-"));
  try {
    const file = path.join(dir, "tree");
    t = stopwatch();
    await subject.save(file);
    const save = t();
    const fileBytes = (await stat(file)).size;
    t = stopwatch();
    const loaded = await subject.load(file);
    const load = t();
    if (loaded.root !== subject.root || sink === 0) throw new Error(`${impl}: the loaded tree has another root`);
    return {
      kind: "tree",
      impl,
      size,
      root: subject.root,
      build,
      buildPeakRssMb,
      proof,
      proofSamples: samples,
      allProofs,
      allProofsEstimated: estimate,
      save,
      load,
      fileBytes,
      keccak: impl === "sdk" ? keccakInfo().backend : impl === "reference" ? "hash-wasm (API)" : "ethers",
      ...memory(baseline),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Small FHIR resources of several types (~150-300 bytes of canonical JSON), reproducible. */
export function benchResources(count: number): CommittableResource[] {
  return Array.from({ length: count }, (_, i): CommittableResource => {
    switch (i % 3) {
      case 0:
        return {
          resourceType: "Consent",
          status: "active",
          scope: { coding: [{ system: "http://terminology.hl7.org/CodeSystem/consentscope", code: "research" }] },
          category: [{ coding: [{ system: "http://loinc.org", code: "59284-0" }] }],
          patient: { reference: `Patient/p-${i}` },
          dateTime: "2026-03-01T09:30:00Z",
        };
      case 1:
        return {
          resourceType: "Observation",
          status: "final",
          code: { coding: [{ system: "http://loinc.org", code: "8867-4", display: "Heart rate" }] },
          subject: { reference: `Patient/p-${i}` },
          valueQuantity: { value: 60 + (i % 40) + 0.5, unit: "/min" },
        };
      default:
        return {
          resourceType: "SupplyDelivery",
          status: "completed",
          identifier: [{ value: `ASN-${i}` }],
          suppliedItem: { quantity: { value: i % 500 } },
        };
    }
  });
}

function fixedSalt(i: number): Uint8Array {
  return createHash("sha256").update(`bench salt ${i}`).digest();
}

/** commit() throughput of one implementation, with fresh random salts, and a checksum under fixed salts. */
export async function measureCommit(impl: CommitImpl, count: number): Promise<CommitResult> {
  const resources = benchResources(1_000);
  const reference = await ReferenceCommitter.create();
  const pool = new Uint8Array(32 * 128);
  let left = 0;
  const referenceSalt = (): Uint8Array => {
    if (left === 0) {
      randomFillSync(pool);
      left = 128;
    }
    left--;
    return pool.subarray(32 * left, 32 * left + 32);
  };
  const hex = (b: Uint8Array): string => `0x${Buffer.from(b).toString("hex")}`;
  const run: (r: CommittableResource, salt?: Uint8Array) => string = {
    sdk: (r: CommittableResource, salt?: Uint8Array) => commit(r, salt && hex(salt)).commitment,
    reference: (r: CommittableResource, salt?: Uint8Array) => reference.commit(r, salt ?? referenceSalt()),
    previous: (r: CommittableResource, salt?: Uint8Array) => legacyCommit(r, salt && hex(salt)).commitment,
  }[impl];
  const checksum = createHash("sha256");
  resources.forEach((r, i) => checksum.update(run(r, fixedSalt(i))));
  const baseline = process.memoryUsage().rss;
  for (let i = 0; i < Math.min(count, 5_000); i++) run(resources[i % 1_000]);
  const t = stopwatch();
  for (let i = 0; i < count; i++) run(resources[i % 1_000]);
  const { cpuMs, wallMs } = t();
  return {
    kind: "commit",
    impl,
    count,
    perCpuSecond: (count * 1000) / cpuMs,
    perWallSecond: (count * 1000) / wallMs,
    checksum: checksum.digest("hex"),
    ...memory(baseline),
  };
}
