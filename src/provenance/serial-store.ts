/**
 * A batch's serials in flat byte buffers: their ASCII bytes end to end, the end offset of each, and an
 * open-addressing hash index from serial to position. At 1,000,000 serials of ~10 characters this is ~22 MB where a
 * `string[]` plus a `Map` take ~150 MB of V8 heap, and it lives outside the heap (typed arrays), so batches of
 * tens of millions fit without raising Node's heap limit.
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

/** Index table load factor above which it doubles. */
const MAX_LOAD = 0.7;

/** FNV-1a over bytes, finished with murmur3's fmix32 so that the low bits (the table slot) are well mixed. */
function finish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return finish(h);
}

function tableCapacity(count: number): number {
  let capacity = 1024;
  while (capacity * MAX_LOAD < count + 1) capacity *= 2;
  return capacity;
}

/** The serials of a built or loaded tree, read-only. Position `p` is `bytes[ends[p - 1] .. ends[p])` (`0` before 0). */
export class SerialList {
  /** `bytes` as a Buffer view, to decode a serial in one native call. */
  private readonly text: Buffer;

  constructor(
    /** Serial characters end to end (ASCII). */
    readonly bytes: Uint8Array,
    /** End offset (exclusive) of each position's serial in `bytes`. */
    readonly ends: Uint32Array,
    /** Open-addressing table of `position + 1` (0 = empty slot), sized a power of two. */
    private readonly index: Uint32Array,
  ) {
    this.text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
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
    let h = 0x811c9dc5;
    for (let i = 0; i < length; i++) {
      const code = serial.charCodeAt(i);
      if (code > 0x7f) return -1;
      h = Math.imul(h ^ code, 0x01000193);
    }
    const mask = this.index.length - 1;
    for (let slot = finish(h) & mask; ; slot = (slot + 1) & mask) {
      const entry = this.index[slot];
      if (entry === 0) return -1;
      const start = this.start(entry - 1);
      if (this.ends[entry - 1] - start !== length) continue;
      let i = 0;
      while (i < length && this.bytes[start + i] === serial.charCodeAt(i)) i++;
      if (i === length) return entry - 1;
    }
  }

  /**
   * A list over stored bytes and ends (a loaded file), with its index built here. Throws naming the first serial
   * that appears twice.
   */
  static fromParts(bytes: Uint8Array, ends: Uint32Array): SerialList {
    const index = new Uint32Array(tableCapacity(ends.length));
    const mask = index.length - 1;
    let start = 0;
    for (let p = 0; p < ends.length; p++) {
      const end = ends[p];
      const length = end - start;
      let slot = hashBytes(bytes, start, end) & mask;
      for (let entry = index[slot]; entry !== 0; entry = index[slot]) {
        const other = entry === 1 ? 0 : ends[entry - 2];
        if (ends[entry - 1] - other === length && sameBytes(bytes, other, start, length)) {
          throw new Error(duplicateMessage(Buffer.from(bytes.subarray(start, end)).toString("latin1"), entry - 1, p));
        }
        slot = (slot + 1) & mask;
      }
      index[slot] = p + 1;
      start = end;
    }
    return new SerialList(bytes, ends, index);
  }
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

/**
 * Collects serials one at a time (from an array, a generator or a stream), validating each as GS1 AI 21 and
 * refusing duplicates as they arrive; {@link finish} hands over a {@link SerialList} without copying strings.
 */
export class SerialCollector {
  private bytes: Uint8Array;
  private ends: Uint32Array;
  private index: Uint32Array;
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
    this.index = new Uint32Array(tableCapacity(hint));
  }

  /** Adds the serial at the next position. Throws on a serial that is not GS1 AI 21, a duplicate, or one too many. */
  add(serial: string): void {
    if (typeof serial !== "string" || serial.length === 0 || serial.length > MAX_SERIAL_LENGTH) assertSerial(serial);
    if (this.count === this.maxCount) throw new Error(this.tooMany);
    const length = serial.length;
    if (this.length + length > this.bytes.length) this.bytes = grow(this.bytes, this.length + length);
    if (this.count === this.ends.length) this.ends = grow(this.ends, this.count + 1);
    const bytes = this.bytes;
    const start = this.length;
    let h = 0x811c9dc5;
    for (let i = 0; i < length; i++) {
      const code = serial.charCodeAt(i);
      if (code > 0x7f || SERIAL_CHAR[code] === 0) assertSerial(serial);
      bytes[start + i] = code;
      h = Math.imul(h ^ code, 0x01000193);
    }
    const index = this.index;
    const mask = index.length - 1;
    let slot = finish(h) & mask;
    for (let entry = index[slot]; entry !== 0; entry = index[slot]) {
      const other = entry === 1 ? 0 : this.ends[entry - 2];
      if (this.ends[entry - 1] - other === length && sameBytes(bytes, other, start, length)) {
        throw new Error(duplicateMessage(serial, entry - 1, this.count));
      }
      slot = (slot + 1) & mask;
    }
    index[slot] = this.count + 1;
    this.length += length;
    this.ends[this.count++] = this.length;
    if (this.count > index.length * MAX_LOAD) this.rehash();
  }

  /** The collected serials (buffers trimmed to size). Throws when there are none. */
  finish(): SerialList {
    if (this.count === 0) throw new Error("A batch needs at least one serial");
    const bytes = this.bytes.length === this.length ? this.bytes : this.bytes.slice(0, this.length);
    const ends = this.ends.length === this.count ? this.ends : this.ends.slice(0, this.count);
    return new SerialList(bytes, ends, this.index);
  }

  private rehash(): void {
    const index = new Uint32Array(this.index.length * 2);
    const mask = index.length - 1;
    let start = 0;
    for (let p = 0; p < this.count; p++) {
      const end = this.ends[p];
      let slot = hashBytes(this.bytes, start, end) & mask;
      while (index[slot] !== 0) slot = (slot + 1) & mask;
      index[slot] = p + 1;
      start = end;
    }
    this.index = index;
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
