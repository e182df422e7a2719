/**
 * The one keccak256 of the SDK, on bytes.
 *
 * Two engines compute the same function:
 * - `hash-wasm`: the Keccak WebAssembly module that the `hash-wasm` package ships, instantiated synchronously so that
 *   synchronous callers (`commit()`, `SerialTree.build`) can use it (the package's own API is asynchronous). Measured
 *   here at ~0.5 us per 64-byte hash, against ~0.7 us through hash-wasm's API, ~7 us for the native `keccak`
 *   binding (N-API call overhead) and 4-11 us for the pure-JS engines (`npm run bench:sdk`, docs/provenance.md).
 * - `noble`: `@noble/hashes`' audited pure-JS keccak, the fallback when WebAssembly is missing or the module cannot be
 *   loaded or disagrees with it on the self-test.
 *
 * The engine is chosen once, on first use; `HEALTH_LEDGER_KECCAK=js` forces the fallback. {@link keccakInfo} says
 * which engine runs and why.
 *
 * Hot paths (the serial tree, commitments) write their input straight into the engine's scratch buffer and call
 * {@link KeccakEngine.digest}, which leaves the digest in the buffer's first 32 bytes: no allocation per hash.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { keccak_256 } from "@noble/hashes/sha3";

/** Bytes of input a {@link KeccakEngine.digest} call can hash from the scratch buffer (hash-wasm's buffer size). */
export const SCRATCH_BYTES = 16 * 1024;

/** The engines that compute keccak256. */
export type KeccakBackend = "hash-wasm" | "noble";

/** A keccak256 implementation with a scratch buffer; one engine serves the whole (single-threaded) process. */
export interface KeccakEngine {
  readonly backend: KeccakBackend;
  /** {@link SCRATCH_BYTES} bytes: input of {@link digest}, and its output in bytes 0..31. */
  readonly scratch: Uint8Array;
  /** `scratch` as 32-bit words, for copying 32-byte values in 8 moves (byte order is irrelevant to a copy). */
  readonly words: Int32Array;
  /** keccak256 of `scratch[0, length)`, written to `scratch[0, 32)`; bytes from 32 on are left as they were. */
  digest(length: number): void;
  /** keccak256 of input of any length, written to `out[outOffset, outOffset + 32)`. Uses the scratch buffer. */
  hashInto(data: Uint8Array, out: Uint8Array, outOffset: number): void;
}

// ---------------------------------------------------------------------------------------------------------------
// Engines
// ---------------------------------------------------------------------------------------------------------------

/** The pure-JS engine (`@noble/hashes`). */
export function createJsEngine(): KeccakEngine {
  const scratch = new Uint8Array(SCRATCH_BYTES);
  return {
    backend: "noble",
    scratch,
    words: new Int32Array(scratch.buffer),
    digest(length) {
      scratch.set(keccak_256(scratch.subarray(0, length)));
    },
    hashInto(data, out, outOffset) {
      out.set(keccak_256(data), outOffset);
    },
  };
}

/** What the WebAssembly global offers that this module uses (the TypeScript lib here has no DOM types). */
interface WasmGlobal {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

/** The exports of hash-wasm's Keccak module (`src/sha3.c` in hash-wasm). */
interface HashWasmExports {
  memory: { buffer: ArrayBuffer };
  Hash_GetBuffer(): number;
  Hash_Init(bits: number): void;
  Hash_Update(length: number): void;
  Hash_Final(padding: number): void;
  Hash_Calculate(length: number, bits: number, padding: number): void;
}

/** The padding byte that makes hash-wasm's SHA-3 module compute Keccak (SHA-3 proper uses 0x06). */
const KECCAK_PADDING = 0x01;

/**
 * The Keccak WebAssembly binary of the installed hash-wasm, read from its distribution (where it is embedded as
 * base64). hash-wasm is pinned exactly in package.json; a test checks that this engine, not the fallback, loads.
 */
export function hashWasmKeccakBinary(): Uint8Array {
  const dist = path.join(path.dirname(require.resolve("hash-wasm")), "keccak.umd.min.js");
  const match = /name:"sha3",data:"([A-Za-z0-9+/=]+)"/.exec(readFileSync(dist, "utf8"));
  if (match === null) throw new Error(`no embedded sha3 module in ${dist} (hash-wasm's layout changed)`);
  return Buffer.from(match[1], "base64");
}

/**
 * The WebAssembly engine, instantiated synchronously from `binary` (hash-wasm's by default). Throws, saying why,
 * when WebAssembly is missing, the module lacks an export, or it disagrees with `@noble/hashes` on the self-test.
 */
export function createWasmEngine(binary: Uint8Array = hashWasmKeccakBinary()): KeccakEngine {
  const wasm = (globalThis as { WebAssembly?: WasmGlobal }).WebAssembly;
  if (wasm === undefined) throw new Error("this runtime has no WebAssembly");
  const instanceExports = new wasm.Instance(new wasm.Module(binary), {}).exports;
  for (const name of ["Hash_GetBuffer", "Hash_Init", "Hash_Update", "Hash_Final", "Hash_Calculate"]) {
    if (typeof instanceExports[name] !== "function") throw new Error(`the module does not export ${name}()`);
  }
  const { buffer } = (instanceExports as unknown as HashWasmExports).memory ?? {};
  if (!(buffer instanceof ArrayBuffer)) throw new Error("the module does not export its memory");
  const fns = instanceExports as unknown as HashWasmExports;
  const offset = fns.Hash_GetBuffer();
  const scratch = new Uint8Array(buffer, offset, SCRATCH_BYTES);
  const calculate = fns.Hash_Calculate;
  const engine: KeccakEngine = {
    backend: "hash-wasm",
    scratch,
    words: new Int32Array(buffer, offset, SCRATCH_BYTES / 4),
    digest(length) {
      calculate(length, 256, KECCAK_PADDING);
    },
    hashInto(data, out, outOffset) {
      fns.Hash_Init(256);
      for (let at = 0; at < data.length; at += SCRATCH_BYTES) {
        const chunk = data.subarray(at, at + SCRATCH_BYTES);
        scratch.set(chunk);
        fns.Hash_Update(chunk.length);
      }
      fns.Hash_Final(KECCAK_PADDING);
      out.set(scratch.subarray(0, 32), outOffset);
    },
  };
  selfTest(engine);
  return engine;
}

/** Checks an engine against `@noble/hashes` on lengths around the rate (136 bytes) and the scratch size. */
function selfTest(engine: KeccakEngine): void {
  const out = new Uint8Array(32);
  for (const length of [0, 1, 32, 64, 96, 128, 135, 136, 137, 272, SCRATCH_BYTES, SCRATCH_BYTES + 137]) {
    const data = new Uint8Array(length);
    for (let i = 0; i < length; i++) data[i] = (i * 131 + length) & 0xff;
    const expected = keccak_256(data);
    engine.hashInto(data, out, 0);
    let same = out.every((b, i) => b === expected[i]);
    if (length <= SCRATCH_BYTES) {
      engine.scratch.set(data);
      engine.digest(length);
      same &&= engine.scratch.subarray(0, 32).every((b, i) => b === expected[i]);
    }
    if (!same) throw new Error(`it disagrees with @noble/hashes on ${length} bytes`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The process's engine
// ---------------------------------------------------------------------------------------------------------------

let active: KeccakEngine | undefined;
/** Why the engine chosen at first use is the fallback, when it is. */
const fallbackReasons = new WeakMap<KeccakEngine, string>();

/**
 * Picks an engine: the pure-JS one when `forceJs` (the `HEALTH_LEDGER_KECCAK=js` setting) or when `loadWasm`
 * throws, with the reason; the WebAssembly one otherwise.
 */
export function selectKeccakEngine(
  forceJs: boolean,
  loadWasm: () => KeccakEngine = createWasmEngine,
): { engine: KeccakEngine; fallbackReason?: string } {
  if (forceJs) return { engine: createJsEngine(), fallbackReason: "HEALTH_LEDGER_KECCAK=js forces the pure-JS engine" };
  try {
    return { engine: loadWasm() };
  } catch (e) {
    return {
      engine: createJsEngine(),
      fallbackReason: `hash-wasm's keccak could not be used: ${(e as Error).message}`,
    };
  }
}

function chooseEngine(): KeccakEngine {
  const chosen = selectKeccakEngine(process.env.HEALTH_LEDGER_KECCAK === "js");
  if (chosen.fallbackReason !== undefined) fallbackReasons.set(chosen.engine, chosen.fallbackReason);
  return chosen.engine;
}

/** The engine every keccak of the SDK uses (chosen on first call). */
export function keccakEngine(): KeccakEngine {
  return (active ??= chooseEngine());
}

/** Which engine runs, and why the fallback does when it does. */
export function keccakInfo(): { backend: KeccakBackend; fallbackReason?: string } {
  const engine = keccakEngine();
  const fallbackReason =
    fallbackReasons.get(engine) ??
    (engine.backend === "noble" ? "useKeccakEngine() installed the pure-JS engine" : undefined);
  return fallbackReason === undefined ? { backend: engine.backend } : { backend: engine.backend, fallbackReason };
}

/**
 * Replaces the process's engine (tests and benchmarks run the fallback this way) and returns the previous one, to
 * put back. Every engine computes the same function, so switching never changes a result.
 */
export function useKeccakEngine(engine: KeccakEngine): KeccakEngine {
  const previous = keccakEngine();
  active = engine;
  return previous;
}

// ---------------------------------------------------------------------------------------------------------------
// Byte-level keccak256
// ---------------------------------------------------------------------------------------------------------------

/** keccak256 of `data`, as a new 32-byte array. */
export function keccak256(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(32);
  keccakEngine().hashInto(data, out, 0);
  return out;
}

/** keccak256 of the concatenation of `parts` (e.g. the 32-byte words of an `abi.encode` of static types). */
export function keccak256Concat(parts: readonly Uint8Array[]): Uint8Array {
  const engine = keccakEngine();
  let length = 0;
  for (const part of parts) length += part.length;
  if (length > SCRATCH_BYTES) {
    const joined = new Uint8Array(length);
    let at = 0;
    for (const part of parts) {
      joined.set(part, at);
      at += part.length;
    }
    return keccak256(joined);
  }
  let at = 0;
  for (const part of parts) {
    engine.scratch.set(part, at);
    at += part.length;
  }
  engine.digest(length);
  return engine.scratch.slice(0, 32);
}

/**
 * keccak256 of two 32-byte words, `a ‖ b` (64 bytes: `keccak256(abi.encode(bytes32 a, bytes32 b))`), read from
 * `a[aOffset, aOffset + 32)` and `b[bOffset, bOffset + 32)` and written to `out[outOffset, outOffset + 32)`.
 * `out` may be `a` or `b`.
 */
export function keccak256PairInto(
  a: Uint8Array,
  aOffset: number,
  b: Uint8Array,
  bOffset: number,
  out: Uint8Array,
  outOffset: number,
): void {
  const { scratch, digest } = keccakEngine();
  for (let i = 0; i < 32; i++) {
    scratch[i] = a[aOffset + i];
    scratch[32 + i] = b[bOffset + i];
  }
  digest(64);
  for (let i = 0; i < 32; i++) out[outOffset + i] = scratch[i];
}

/** keccak256 of two 32-byte words `a ‖ b`, as a new array. */
export function keccak256Pair(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length !== 32 || b.length !== 32) {
    throw new Error(`keccak256Pair hashes two 32-byte words; got ${a.length} and ${b.length} bytes`);
  }
  const out = new Uint8Array(32);
  keccak256PairInto(a, 0, b, 0, out, 0);
  return out;
}

/**
 * The standard Merkle node hash of OpenZeppelin's `MerkleProof` and `@openzeppelin/merkle-tree`: keccak256 of the
 * two 32-byte children in ascending byte order. Same arguments as {@link keccak256PairInto}.
 */
export function keccak256SortedPairInto(
  a: Uint8Array,
  aOffset: number,
  b: Uint8Array,
  bOffset: number,
  out: Uint8Array,
  outOffset: number,
): void {
  if (compare32(a, aOffset, b, bOffset) <= 0) keccak256PairInto(a, aOffset, b, bOffset, out, outOffset);
  else keccak256PairInto(b, bOffset, a, aOffset, out, outOffset);
}

/** Compares two 32-byte values as unsigned big-endian numbers: negative, 0 or positive. */
export function compare32(a: Uint8Array, aOffset: number, b: Uint8Array, bOffset: number): number {
  for (let i = 0; i < 32; i++) {
    const d = a[aOffset + i] - b[bOffset + i];
    if (d !== 0) return d;
  }
  return 0;
}

const utf8 = new TextEncoder();

/** keccak256 of a string's UTF-8 bytes, encoded straight into the engine's buffer when it fits. */
export function keccak256Utf8(text: string): Uint8Array {
  const engine = keccakEngine();
  const length = utf8EncodeIntoScratch(engine, text);
  if (length < 0) return keccak256(Buffer.from(text, "utf8"));
  engine.digest(length);
  return engine.scratch.slice(0, 32);
}

/**
 * Writes the UTF-8 bytes of `text` to the start of the engine's scratch buffer and returns their length, or -1
 * when they do not fit (the caller then hashes `Buffer.from(text)` with {@link KeccakEngine.hashInto}).
 */
export function utf8EncodeIntoScratch(engine: KeccakEngine, text: string): number {
  if (text.length > SCRATCH_BYTES) return -1;
  const { read, written } = utf8.encodeInto(text, engine.scratch);
  return read === text.length ? written : -1;
}

const ADDRESS_TEXT = /^0x[0-9a-fA-F]{40}$/;

/**
 * Whether `text` is an address: `0x` and 40 hex digits, all lower-case, all upper-case, or mixed case with a valid
 * EIP-55 checksum. The same answer as ethers' `isAddress` for `0x`-prefixed text (a test compares them), hashed
 * with this module's keccak rather than a pure-JS one: the vault checks every request's addresses.
 */
export function isAddressText(text: string): boolean {
  if (!ADDRESS_TEXT.test(text)) return false;
  const digits = text.slice(2);
  const lower = digits.toLowerCase();
  if (digits === lower || digits === digits.toUpperCase()) return true;
  const hash = keccak256Utf8(lower);
  for (let i = 0; i < 40; i++) {
    const nibble = (hash[i >> 1] >> (i & 1 ? 0 : 4)) & 15;
    const c = digits.charCodeAt(i);
    if (c >= 0x61 /* a-f */ ? nibble >= 8 : c >= 0x41 /* A-F */ && nibble < 8) return false;
  }
  return true;
}
