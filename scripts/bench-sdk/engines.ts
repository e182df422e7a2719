/**
 * The keccak256 implementations available to Node here, timed per hash on the inputs the hot paths hash: 32 bytes
 * (a leaf's second hash), 64 (a node: two words), 128 (a serial leaf's abi.encode) and 300 (a small FHIR
 * resource), in CPU time. The measurement behind src/crypto/keccak.ts's choice. Each engine is checked against
 * @noble/hashes first.
 */
import { createRequire } from "node:module";
import { keccak_256 } from "@noble/hashes/sha3";
import { keccak256 as ethersKeccak } from "ethers";
import { createKeccak } from "hash-wasm";
import { createWasmEngine } from "../../src/crypto";

export interface EngineResult {
  engine: string;
  note: string;
  /** Nanoseconds per hash, by input length. */
  nsPerHash: Record<string, number>;
}

export const ENGINE_INPUT_LENGTHS = [32, 64, 128, 300];

/** The `keccak` package's factory (native N-API binding or its JS fallback). */
type KeccakPackage = (algorithm: "keccak256") => { update(data: Buffer): { digest(): Buffer } };

/** Loads the `keccak` package (a dependency of hardhat's, not of ours) both ways, saying which one loaded. */
function keccakPackage(): { native?: KeccakPackage; js?: KeccakPackage; note: string } {
  const load = createRequire(__filename);
  let js: KeccakPackage | undefined;
  try {
    js = load("keccak/js") as KeccakPackage;
  } catch {
    return { note: "the keccak package is not installed" };
  }
  try {
    return {
      native: load("keccak/bindings") as KeccakPackage,
      js,
      note: "native: the prebuilt N-API binary loaded (node-gyp-build needs no install script for it)",
    };
  } catch (e) {
    return { js, note: `native binding unavailable, the package falls back to JS: ${(e as Error).message}` };
  }
}

export async function measureEngines(): Promise<EngineResult[]> {
  const wasm = createWasmEngine();
  const api = await createKeccak(256);
  const pkg = keccakPackage();
  const candidates: [string, string, (data: Uint8Array) => Uint8Array][] = [
    [
      "hash-wasm, module exports (the SDK's engine)",
      "one call per hash into the module's buffer",
      (data) => {
        wasm.scratch.set(data);
        wasm.digest(data.length);
        return wasm.scratch.slice(0, 32);
      },
    ],
    ["hash-wasm, public API", "init / update / digest('binary')", (data) => api.init().update(data).digest("binary")],
    ["@noble/hashes 1.8 keccak_256", "pure JS (the SDK's fallback)", (data) => keccak_256(data)],
    ["ethers keccak256", "noble underneath, hex out", (data) => Buffer.from(ethersKeccak(data).slice(2), "hex")],
  ];
  const { native, js } = pkg;
  if (native !== undefined) {
    candidates.push(["keccak (native binding)", pkg.note, (d) => native("keccak256").update(Buffer.from(d)).digest()]);
  }
  if (js !== undefined) {
    candidates.push(["keccak (its JS fallback)", "keccak/js", (d) => js("keccak256").update(Buffer.from(d)).digest()]);
  }
  const inputs = ENGINE_INPUT_LENGTHS.map((length) => Uint8Array.from({ length }, (_, i) => (i * 131 + length) & 0xff));
  for (const [engine, , hash] of candidates) {
    for (const data of inputs) {
      if (Buffer.compare(Buffer.from(hash(data)), Buffer.from(keccak_256(data))) !== 0) {
        throw new Error(`${engine} disagrees with @noble/hashes on ${data.length} bytes`);
      }
      for (let i = 0; i < 2_000; i++) hash(data); // warm-up (JIT)
    }
  }
  // Five rounds over every engine and length, 50 ms of CPU each, keeping each cell's best: the engines take turns,
  // so a burst of load from other processes does not fall on one of them only.
  const best = candidates.map(() => inputs.map(() => Number.POSITIVE_INFINITY));
  for (let round = 0; round < 5; round++) {
    candidates.forEach(([, , hash], e) => {
      inputs.forEach((data, l) => {
        let count = 0;
        let elapsed = 0;
        const start = process.cpuUsage();
        while (elapsed < 50) {
          for (let i = 0; i < 100; i++) hash(data);
          count += 100;
          const used = process.cpuUsage(start);
          elapsed = (used.user + used.system) / 1000;
        }
        best[e][l] = Math.min(best[e][l], (elapsed * 1e6) / count);
      });
    });
  }
  return candidates.map(([engine, note], e) => ({
    engine,
    note,
    nsPerHash: Object.fromEntries(ENGINE_INPUT_LENGTHS.map((length, l) => [String(length), best[e][l]])),
  }));
}
