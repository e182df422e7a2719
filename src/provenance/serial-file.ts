/**
 * The binary file of a serial tree: everything needed to serve proofs, loaded without re-hashing.
 *
 * ```
 * offset   size            field
 * 0        8               magic "HLSERIAL"
 * 8        2               format version (1), little-endian
 * 10       2               reserved, 0
 * 12       4               unit count n, little-endian
 * 16       4               total serial bytes S, little-endian
 * 20       4               CRC-32 (zlib) of every byte of the file except these 4, little-endian
 * 24       8               reserved, 0
 * 32       32              root (= node 0)
 * 64       n               serial lengths, one byte each (1 to 20)
 * 64 + n   S               serials, ASCII, end to end, in position order
 * …        0 to 31         zero padding to a multiple of 32
 * P        (2n - 1) × 32   the nodes, in @openzeppelin/merkle-tree's order (node 0 the root, leaf p at 2n - 2 - p)
 * ```
 *
 * 1,000,000 serials of 10 characters make a 75 MB file, against ~180 MB for the library's hex JSON dump.
 */
import { randomBytes } from "node:crypto";
import { open, readFile, rename, rm } from "node:fs/promises";
import path from "node:path";
import zlib from "node:zlib";
import { MAX_SERIAL_LENGTH, isSerialChar, type SerialList } from "./serial-store";

/** What loading a saved tree checks beyond its structure. */
export interface LoadOptions {
  /**
   * Refuse a tree of any other root, e.g. the batch's serial root read from the chain. With it, a file that was
   * tampered with can at worst give proofs that the contract refuses, never a different batch.
   */
  expectedRoot?: string;
  /**
   * `"checksum"` (default): the layout, the CRC-32 of the whole file (any accidental corruption: a truncated copy,
   * a flipped bit, a bad sector), every serial's length and characters (GS1 AI 21), their uniqueness and that the
   * header's root is node 0. It does not re-hash: a file edited on purpose, with its CRC recomputed, passes.
   * `"rebuild"`: also re-hashes every leaf and node and compares (as slow as a build), for a file from an
   * untrusted source.
   */
  check?: "checksum" | "rebuild";
  /** Names the file in error messages (set by `SerialTree.open`). */
  source?: string;
}

const MAGIC = Buffer.from("HLSERIAL", "latin1");
const VERSION = 1;
const HEADER_BYTES = 64;
const CRC_AT = 20;
const MAX_UNITS = 2 ** 26;

/** Byte offsets of a file's sections. */
function layout(n: number, serialBytes: number): { nodesAt: number; total: number } {
  const nodesAt = Math.ceil((HEADER_BYTES + n + serialBytes) / 32) * 32;
  return { nodesAt, total: nodesAt + (2 * n - 1) * 32 };
}

/** zlib's CRC-32 (Node >= 20.15), or the same function in JS on older runtimes. */
function crc32(data: Uint8Array, crc = 0): number {
  return typeof zlib.crc32 === "function" ? zlib.crc32(data, crc) : crc32Js(data, crc);
}

let crcTable: Int32Array | undefined;
/** The reflected CRC-32 of zlib (polynomial 0xEDB88320), table-driven. */
export function crc32Js(data: Uint8Array, crc = 0): number {
  const table = (crcTable ??= Int32Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c;
  }));
  let c = ~crc;
  for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

/** Header, lengths, serials and padding: everything before the nodes, with the CRC filled in. */
function encodePrefix(root: string, nodes: Uint8Array, list: SerialList): Uint8Array {
  const n = list.count;
  const { nodesAt } = layout(n, list.bytes.length);
  const prefix = Buffer.alloc(nodesAt);
  MAGIC.copy(prefix, 0);
  prefix.writeUInt16LE(VERSION, 8);
  prefix.writeUInt32LE(n, 12);
  prefix.writeUInt32LE(list.bytes.length, 16);
  prefix.write(root.slice(2), 32, "hex");
  let start = 0;
  for (let p = 0; p < n; p++) {
    prefix[HEADER_BYTES + p] = list.ends[p] - start;
    start = list.ends[p];
  }
  prefix.set(list.bytes, HEADER_BYTES + n);
  const crc = crc32(nodes, crc32(prefix.subarray(CRC_AT + 4), crc32(prefix.subarray(0, CRC_AT))));
  prefix.writeUInt32LE(crc, CRC_AT);
  return prefix;
}

/** The file's bytes in one array. */
export function encodeSerialTree(root: string, nodes: Uint8Array, list: SerialList): Uint8Array {
  const prefix = encodePrefix(root, nodes, list);
  const out = new Uint8Array(prefix.length + nodes.length);
  out.set(prefix);
  out.set(nodes, prefix.length);
  return out;
}

/** Writes the file atomically: a temporary file beside it, flushed, then renamed over it. */
export async function writeSerialTreeFile(
  file: string,
  root: string,
  nodes: Uint8Array,
  list: SerialList,
): Promise<void> {
  const prefix = encodePrefix(root, nodes, list);
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString("hex")}.tmp`);
  const handle = await open(temp, "wx", 0o644);
  try {
    await handle.writeFile(prefix);
    await handle.writeFile(nodes);
    await handle.sync();
  } catch (e) {
    await handle.close();
    await rm(temp, { force: true });
    throw e;
  }
  await handle.close();
  try {
    await rename(temp, file);
  } catch (e) {
    await rm(temp, { force: true });
    throw e;
  }
  await syncFolder(path.dirname(file));
}

/** Flushes the rename to disk where the platform allows it (not on Windows, nor every filesystem). */
async function syncFolder(folder: string): Promise<void> {
  try {
    const handle = await open(folder, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // The file itself was flushed before the rename; only the folder entry may be lost on a crash.
  }
}

/** Reads a file written by {@link writeSerialTreeFile}. */
export async function readSerialTreeFile(file: string): Promise<Uint8Array> {
  return readFile(file);
}

/** The parts of a serial tree file, checked as {@link LoadOptions} `"checksum"` describes (uniqueness aside). */
export function decodeSerialTree(
  file: Uint8Array,
  source: string,
): { nodes: Uint8Array; bytes: Uint8Array; ends: Uint32Array } {
  const data = Buffer.from(file.buffer, file.byteOffset, file.length);
  if (data.length < HEADER_BYTES || !data.subarray(0, 8).equals(MAGIC)) {
    throw new Error(
      `${source} is not a serial tree file (it does not start with "HLSERIAL"): save one with tree.save()`,
    );
  }
  const version = data.readUInt16LE(8);
  if (version !== VERSION) {
    throw new Error(`${source} is format version ${version}; this SDK reads version ${VERSION} (re-save the tree)`);
  }
  const n = data.readUInt32LE(12);
  const serialBytes = data.readUInt32LE(16);
  if (n < 1 || n > MAX_UNITS || serialBytes < n || serialBytes > n * MAX_SERIAL_LENGTH) {
    throw new Error(`${source} is corrupt: its header announces ${n} units of ${serialBytes} serial bytes`);
  }
  const { nodesAt, total } = layout(n, serialBytes);
  if (data.length !== total) {
    throw new Error(
      `${source} is corrupt: ${data.length} bytes where its header announces ${total} (truncated? copy it again)`,
    );
  }
  const crc = crc32(data.subarray(CRC_AT + 4), crc32(data.subarray(0, CRC_AT)));
  if (crc !== data.readUInt32LE(CRC_AT)) {
    throw new Error(`${source} is corrupt: its CRC-32 does not match its contents (copy it again or rebuild the tree)`);
  }
  if (
    data.readUInt16LE(10) !== 0 ||
    data.readBigUInt64LE(24) !== 0n ||
    !data.subarray(32, 64).equals(data.subarray(nodesAt, nodesAt + 32))
  ) {
    throw new Error(`${source} is corrupt: its header does not match its nodes (rebuild the tree)`);
  }
  const ends = new Uint32Array(n);
  const bytesAt = HEADER_BYTES + n;
  let end = 0;
  for (let p = 0; p < n; p++) {
    const length = data[HEADER_BYTES + p];
    if (length === 0 || length > MAX_SERIAL_LENGTH) {
      throw new Error(`${source} is corrupt: serial ${p} has length ${length} (1 to ${MAX_SERIAL_LENGTH})`);
    }
    end += length;
    ends[p] = end;
  }
  if (end !== serialBytes) {
    throw new Error(`${source} is corrupt: its serials take ${end} bytes, its header says ${serialBytes}`);
  }
  const bytes = file.subarray(bytesAt, bytesAt + serialBytes);
  for (let i = 0; i < bytes.length; i++) {
    if (!isSerialChar(bytes[i])) {
      throw new Error(`${source} is corrupt: byte ${bytesAt + i} is not a GS1 AI 82 serial character`);
    }
  }
  // Node values are copied 4 bytes at a time: use them in place when aligned, else copy them once.
  const aligned = (file.byteOffset + nodesAt) % 4 === 0;
  const nodes = aligned ? file.subarray(nodesAt, total) : file.slice(nodesAt, total);
  return { nodes, bytes, ends };
}
