/**
 * A batch's serials in flat byte buffers: their ASCII bytes end to end, the end offset of each, and an index from
 * serial to position. At 1,000,000 serials of 10 characters this is ~22 MB where a `string[]` plus a `Map` take
 * ~150 MB of V8 heap, and it lives outside the heap (typed arrays), so batches of tens of millions fit without
 * raising Node's heap limit.
 *
 * The index is built in sequential passes rather than by inserting into a hash table one serial at a time (a cache
 * miss each, the larger part of loading a saved tree): every serial's 32-bit hash, a stable radix sort of the
 * positions by hash (two 16-bit passes), and a directory of where each hash prefix starts. A lookup is one hash, a
 * binary search in one directory bucket (~16 entries at 1M) and a byte comparison. Duplicates are adjacent after the
 * sort, which is how they are found.
 */
import { assertSerial } from "./gs1";

/** Longest serial (GS1 AI 21): 20 characters, so its `abi.encode` takes one 32-byte word. */
export const MAX_SERIAL_LENGTH = 20;

/** GS1 AI 82 characters (the set of AI 21), by ASCII code; derived from `assertSerial` so there is one definition. */
const SERIAL_CHAR = new Uint8Array(128);
for (let code = 0; code < 128; code++) {
  try {
    assertSerial(String.fromCharCode(code));
    SERIAL_CHAR[code] = 1;
  } catch {
    SERIAL_CHAR[code] = 0;
  }
}

/** True when `code` (a byte or UTF-16 unit) may appear in a serial. */
export function isSerialChar(code: number): boolean {
  return code < 128 && SERIAL_CHAR[code] === 1;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** Finishes an FNV-1a hash with murmur3's fmix32, so that its top bits (the directory bucket) are well mixed. */
function finish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The index hash of a serial (FNV-1a over its characters, then fmix32): exposed for the collision tests. */
export function serialHash(serial: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < serial.length; i++) h = Math.imul(h ^ serial.charCodeAt(i), FNV_PRIME);
  return finish(h);
}

function sameBytes(bytes: Uint8Array, a: number, b: number, length: number): boolean {
  for (let i = 0; i < length; i++) if (bytes[a + i] !== bytes[b + i]) return false;
  return true;
}

function duplicateMessage(serial: string, first: number, second: number): string {
  return (
    `Serial ${JSON.stringify(serial)} appears twice (positions ${first} and ${second}): ` +
    "serials must be unique in a batch"
  );
}

/** Positions sorted by hash, the hashes in the same order, and a directory of the top `bits` bits of the hash. */
interface SerialIndex {
  hashes: Uint32Array;
  positions: Uint32Array;
  /** `directory[b]` is the first sorted index whose hash starts with `b`; `directory[2^bits]` is `n`. */
  directory: Uint32Array;
  bits: number;
}

/**
 * Sorts positions by hash (stable LSD radix sort, two 16-bit passes) and builds the directory. Throws, naming the
 * serial, when two positions hold the same serial: of all such pairs, the one whose later position comes first, as
 * reading the list in order would find it.
 */
function buildIndex(bytes: Uint8Array, ends: Uint32Array, hashOf: Uint32Array): SerialIndex {
  const n = ends.length;
  const counts = new Uint32Array(65_536);
  let positions = new Uint32Array(n);
  let hashes = new Uint32Array(n);
  let nextPositions = new Uint32Array(n);
  let nextHashes = new Uint32Array(n);
  for (let p = 0; p < n; p++) {
    positions[p] = p;
    hashes[p] = hashOf[p];
  }
  for (const shift of [0, 16]) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(hashes[i] >>> shift) & 0xffff]++;
    let sum = 0;
    for (let d = 0; d < 65_536; d++) {
      const c = counts[d];
      counts[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const at = counts[(hashes[i] >>> shift) & 0xffff]++;
      nextHashes[at] = hashes[i];
      nextPositions[at] = positions[i];
    }
    [hashes, nextHashes] = [nextHashes, hashes];
    [positions, nextPositions] = [nextPositions, positions];
  }
  let duplicate: [number, number] | undefined;
  for (let i = 1; i < n; i++) {
    if (hashes[i] !== hashes[i - 1]) continue;
    // A run of equal hashes (rare, short); positions ascend within it, the sort being stable.
    let end = i + 1;
    while (end < n && hashes[end] === hashes[i]) end++;
    for (let a = i - 1; a < end; a++) {
      for (let b = a + 1; b < end; b++) {
        const pa = positions[a];
        const pb = positions[b];
        const start = pa === 0 ? 0 : ends[pa - 1];
        const other = pb === 0 ? 0 : ends[pb - 1];
        const length = ends[pa] - start;
        if (ends[pb] - other === length && sameBytes(bytes, start, other, length)) {
          if (duplicate === undefined || pb < duplicate[1]) duplicate = [pa, pb];
        }
      }
    }
    i = end - 1;
  }
  if (duplicate !== undefined) {
    const [first, second] = duplicate;
    const start = first === 0 ? 0 : ends[first - 1];
    const serial = Buffer.from(bytes.buffer, bytes.byteOffset + start, ends[first] - start).toString("latin1");
    throw new Error(duplicateMessage(serial, first, second));
  }
  // About 8 to 16 entries a bucket, at most 2^16 buckets (256 KiB).
  const bits = Math.max(4, Math.min(16, Math.ceil(Math.log2(n + 1)) - 3));
  const directory = new Uint32Array((1 << bits) + 1);
  for (let i = 0; i < n; i++) directory[(hashes[i] >>> (32 - bits)) + 1]++;
  for (let b = 0; b < 1 << bits; b++) directory[b + 1] += directory[b];
  return { hashes, positions, directory, bits };
}

/** The serials of a built or loaded tree, read-only. Position `p` is `bytes[ends[p - 1] .. ends[p])` (`0` before 0). */
export class SerialList {
  /** `bytes` as a Buffer view, to decode a serial in one native call. */
  private readonly text: Buffer;

  private constructor(
    /** Serial characters end to end (ASCII). */
    readonly bytes: Uint8Array,
    /** End offset (exclusive) of each position's serial in `bytes`. */
    readonly ends: Uint32Array,
    private readonly index: SerialIndex,
  ) {
    this.text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  }

  /** A list over collected or stored bytes and ends, with its index. Throws naming a serial that appears twice. */
  static of(bytes: Uint8Array, ends: Uint32Array, hashes?: Uint32Array): SerialList {
    let hashOf = hashes;
    if (hashOf === undefined) {
      hashOf = new Uint32Array(ends.length);
      let start = 0;
      for (let p = 0; p < ends.length; p++) {
        const end = ends[p];
        let h = FNV_OFFSET;
        for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i], FNV_PRIME);
        hashOf[p] = finish(h);
        start = end;
      }
    }
    return new SerialList(bytes, ends, buildIndex(bytes, ends, hashOf));
  }

  get count(): number {
    return this.ends.length;
  }

  /** Start offset of a position's serial. */
  start(position: number): number {
    return position === 0 ? 0 : this.ends[position - 1];
  }

  /** The serial at a position (which the caller has range-checked). */
  serialAt(position: number): string {
    return this.text.toString("latin1", this.start(position), this.ends[position]);
  }

  /** Position of a serial, or -1 when it is not in the list. */
  positionOf(serial: string): number {
    const length = serial.length;
    if (length === 0 || length > MAX_SERIAL_LENGTH) return -1;
    let h = FNV_OFFSET;
    for (let i = 0; i < length; i++) {
      const code = serial.charCodeAt(i);
      if (code > 0x7f) return -1;
      h = Math.imul(h ^ code, FNV_PRIME);
    }
    h = finish(h);
    const { hashes, positions, directory, bits } = this.index;
    // First sorted index with this hash, by binary search in the hash's bucket.
    let lo = directory[h >>> (32 - bits)];
    let hi = directory[(h >>> (32 - bits)) + 1];
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (hashes[mid] < h) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < hashes.length && hashes[i] === h; i++) {
      const p = positions[i];
      const start = this.start(p);
      if (this.ends[p] - start !== length) continue;
      let k = 0;
      while (k < length && this.bytes[start + k] === serial.charCodeAt(k)) k++;
      if (k === length) return p;
    }
    return -1;
  }
}

/**
 * Collects serials one at a time (from an array, a generator or a stream), validating each as GS1 AI 21 as it
 * arrives and hashing it for the index; {@link finish} builds the index (refusing duplicates) and hands over a
 * {@link SerialList} without copying strings.
 */
export class SerialCollector {
  private bytes: Uint8Array;
  private ends: Uint32Array;
  private hashes: Uint32Array;
  private length = 0;
  private count = 0;

  constructor(
    /** Most serials accepted (the caller's limit, with its message). */
    private readonly maxCount: number,
    private readonly tooMany: string,
    /** Expected count, when known, to size the buffers once. */
    sizeHint = 0,
  ) {
    const hint = Math.min(Math.max(sizeHint, 1024), maxCount);
    this.bytes = new Uint8Array(hint * 12);
    this.ends = new Uint32Array(hint);
    this.hashes = new Uint32Array(hint);
  }

  /** Adds the serial at the next position. Throws on a serial that is not GS1 AI 21, or one too many. */
  add(serial: string): void {
    if (typeof serial !== "string" || serial.length === 0 || serial.length > MAX_SERIAL_LENGTH) assertSerial(serial);
    if (this.count === this.maxCount) throw new Error(this.tooMany);
    const length = serial.length;
    if (this.length + length > this.bytes.length) this.bytes = grow(this.bytes, this.length + length);
    if (this.count === this.ends.length) {
      this.ends = grow(this.ends, this.count + 1);
      this.hashes = grow(this.hashes, this.count + 1);
    }
    const bytes = this.bytes;
    const start = this.length;
    let h = FNV_OFFSET;
    for (let i = 0; i < length; i++) {
      const code = serial.charCodeAt(i);
      if (code > 0x7f || SERIAL_CHAR[code] === 0) assertSerial(serial);
      bytes[start + i] = code;
      h = Math.imul(h ^ code, FNV_PRIME);
    }
    this.hashes[this.count] = finish(h);
    this.length += length;
    this.ends[this.count++] = this.length;
  }

  /** The collected serials (buffers trimmed to size) and their index. Throws when there are none or on a duplicate. */
  finish(): SerialList {
    if (this.count === 0) throw new Error("A batch needs at least one serial");
    const bytes = this.bytes.length === this.length ? this.bytes : this.bytes.slice(0, this.length);
    const ends = this.ends.length === this.count ? this.ends : this.ends.slice(0, this.count);
    return SerialList.of(bytes, ends, this.hashes.subarray(0, this.count));
  }
}

/** A copy of `array` with room for at least `needed` elements (doubling). */
function grow<T extends Uint8Array | Uint32Array>(array: T, needed: number): T {
  let size = array.length * 2;
  while (size < needed) size *= 2;
  const grown = new (array.constructor as new (length: number) => T)(size);
  grown.set(array);
  return grown;
}
