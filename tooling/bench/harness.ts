import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { evmFloor } from "./floor";
import type { BenchSuite, GasResult, Measurement } from "./types";

/** The committed snapshot: op → gas, as written to `gas-snapshot.json`. */
export type GasSnapshot = Record<string, number>;

/** How far above its snapshot an op may go before `--check` fails: 1%. */
export const SNAPSHOT_TOLERANCE = 0.01;

/** `<domain>.<operation>`: a lower-case domain, a dot, then the operation (e.g. `eas.attestByDelegation`). */
const OP_NAME = /^[a-z][a-z0-9]*\.[A-Za-z][A-Za-z0-9_.-]*$/;

/** One reason `--check` fails. */
export interface GasProblem {
  op: string;
  kind: "over-snapshot" | "over-budget" | "not-in-snapshot";
  message: string;
}

/** What the comparison found: the failures, and what is only worth saying. */
export interface GasComparison {
  problems: GasProblem[];
  /** Ops below their floor or cheaper than their snapshot by more than the tolerance; stale snapshot entries. */
  notes: string[];
}

/**
 * Runs each suite on the in-process Hardhat EVM, each from the same starting chain (the chain is reverted to
 * a snapshot before each suite and after the last), so that a suite's figures depend on nothing another suite
 * did (deployer nonces, contract addresses, block times) and the caller's chain is left as it was.
 */
export async function runSuites(hre: HardhatRuntimeEnvironment, suites: readonly BenchSuite[]): Promise<Measurement[]> {
  if (hre.network.name !== "hardhat") {
    throw new Error(`The gas benchmark runs on the in-process Hardhat EVM; drop --network ${hre.network.name}`);
  }
  const provider = hre.network.provider;
  const snapshot = async (): Promise<string> => (await provider.request({ method: "evm_snapshot" })) as string;
  let start = await snapshot();
  const measurements: Measurement[] = [];
  try {
    for (const suite of suites) {
      let measured: Measurement[];
      try {
        measured = await suite.run(hre);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new Error(`Gas suite "${suite.name}" failed: ${reason}`, { cause: error });
      }
      measurements.push(...measured);
      await provider.request({ method: "evm_revert", params: [start] });
      start = await snapshot();
    }
  } finally {
    await provider.request({ method: "evm_revert", params: [start] });
  }
  return measurements;
}

/**
 * Turns measurements into report rows: computes each floor and fills `peerGas` from the peer op measured
 * in the same run. Throws on a malformed or duplicate op name, a bad gas figure or budget, and a peer op
 * that nothing measured.
 */
export function toResults(measurements: readonly Measurement[]): GasResult[] {
  const gasByOp = new Map<string, number>();
  for (const m of measurements) {
    if (typeof m.op !== "string" || !OP_NAME.test(m.op)) {
      throw new Error(`Op name ${JSON.stringify(m.op)} must read "<domain>.<operation>", e.g. "consent.grant"`);
    }
    if (gasByOp.has(m.op)) throw new Error(`Op "${m.op}" is measured twice: give each measurement its own name`);
    const gas = typeof m.gas === "bigint" ? Number(m.gas) : m.gas;
    if (!Number.isSafeInteger(gas) || gas <= 0) {
      throw new Error(`Op "${m.op}" has gas ${String(m.gas)}: pass receipt.gasUsed, a positive whole number`);
    }
    if (m.budget !== undefined && (!Number.isSafeInteger(m.budget) || m.budget <= 0)) {
      throw new Error(`Op "${m.op}" has budget ${String(m.budget)}: a budget is a positive whole number of gas`);
    }
    gasByOp.set(m.op, gas);
  }
  return measurements.map((m) => {
    let peerGas: number | null = null;
    if (m.peerOp !== undefined) {
      if (m.peerOp === m.op) throw new Error(`Op "${m.op}" names itself as its peer: name another op`);
      const found = gasByOp.get(m.peerOp);
      if (found === undefined) {
        throw new Error(
          `Op "${m.op}" compares with peer "${m.peerOp}", which no suite measured; measured ops: ` +
            [...gasByOp.keys()].join(", "),
        );
      }
      peerGas = found;
    }
    let floor: number;
    try {
      floor = evmFloor(m.floor);
    } catch (error) {
      throw new Error(`Op "${m.op}": ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    return {
      op: m.op,
      gas: gasByOp.get(m.op) as number,
      floor,
      budget: m.budget ?? null,
      peerOp: m.peerOp ?? null,
      peerGas,
    };
  });
}

/**
 * Compares a run with the committed snapshot and the budgets. A problem (which fails `--check`): an op more
 * than `tolerance` above its snapshot, above its budget, or absent from the snapshot.
 */
export function compareWithSnapshot(
  results: readonly GasResult[],
  snapshot: GasSnapshot,
  tolerance: number = SNAPSHOT_TOLERANCE,
): GasComparison {
  const problems: GasProblem[] = [];
  const notes: string[] = [];
  for (const r of results) {
    if (r.gas < r.floor) {
      notes.push(`${r.op}: ${fmt(r.gas)} gas is below its floor of ${fmt(r.floor)}: recount its FloorSpec`);
    }
    if (r.budget !== null && r.gas > r.budget) {
      problems.push({
        op: r.op,
        kind: "over-budget",
        message: `${r.op}: ${fmt(r.gas)} gas is ${fmt(r.gas - r.budget)} over its budget of ${fmt(r.budget)}`,
      });
    }
    const before = Object.hasOwn(snapshot, r.op) ? snapshot[r.op] : undefined;
    if (before === undefined) {
      problems.push({
        op: r.op,
        kind: "not-in-snapshot",
        message: `${r.op}: not in gas-snapshot.json; run \`npm run bench:gas -- --update\` and commit the snapshot`,
      });
    } else if (r.gas > before * (1 + tolerance)) {
      problems.push({
        op: r.op,
        kind: "over-snapshot",
        message: `${r.op}: ${fmt(r.gas)} gas is ${pct(r.gas, before)} above its snapshot of ${fmt(before)} (limit +${tolerance * 100}%)`,
      });
    } else if (r.gas < before * (1 - tolerance)) {
      notes.push(`${r.op}: ${fmt(r.gas)} gas is ${pct(before, r.gas)} below its snapshot of ${fmt(before)}: update it`);
    }
  }
  const measured = new Set(results.map((r) => r.op));
  for (const op of Object.keys(snapshot)) {
    if (!measured.has(op)) notes.push(`${op}: in gas-snapshot.json but not measured any more: update the snapshot`);
  }
  return { problems, notes };
}

/** The snapshot of a run: op → gas, keys sorted so that diffs and merges stay one line per op. */
export function snapshotOf(results: readonly GasResult[]): GasSnapshot {
  const snapshot: GasSnapshot = {};
  for (const r of [...results].sort((a, b) => a.op.localeCompare(b.op))) snapshot[r.op] = r.gas;
  return snapshot;
}

/** Parses `gas-snapshot.json`, saying what is wrong with it when it is not an object of op → gas. */
export function parseSnapshot(text: string): GasSnapshot {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`gas-snapshot.json is not JSON (${(error as Error).message}); regenerate it with --update`, {
      cause: error,
    });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Error('gas-snapshot.json must be an object of op → gas, e.g. { "eas.attest": 180000 }');
  }
  for (const [op, gas] of Object.entries(value)) {
    if (!Number.isSafeInteger(gas) || (gas as number) <= 0) {
      throw new Error(`gas-snapshot.json: "${op}" has ${JSON.stringify(gas)}; each value is a positive whole gas`);
    }
  }
  return value as GasSnapshot;
}

/** The results as a readable table: op, gas, floor, gas/floor, budget, peer op, peer gas (and gas/peer). */
export function formatTable(results: readonly GasResult[]): string {
  const header = ["op", "gas", "floor", "gas/floor", "budget", "peer op", "peer gas", "gas/peer"];
  const rows = results.map((r) => [
    r.op,
    fmt(r.gas),
    fmt(r.floor),
    `${(r.gas / r.floor).toFixed(2)}x`,
    r.budget === null ? "-" : fmt(r.budget),
    r.peerOp ?? "-",
    r.peerGas === null ? "-" : fmt(r.peerGas),
    r.peerGas === null ? "-" : `${(r.gas / r.peerGas).toFixed(2)}x`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const numeric = [false, true, true, true, true, false, true, true];
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

/** `gas.json`'s rows in the order the issue fixes: op, gas, floor, budget, peerOp, peerGas. */
export function reportOf(results: readonly GasResult[]): GasResult[] {
  return results.map(({ op, gas, floor, budget, peerOp, peerGas }) => ({ op, gas, floor, budget, peerOp, peerGas }));
}

function fmt(gas: number): string {
  return gas.toLocaleString("en-US");
}

function pct(high: number, low: number): string {
  return `${(((high - low) / low) * 100).toFixed(2)}%`;
}
