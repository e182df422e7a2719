import { bytesToHex, hexToBytesInto, keccak256SortedPairInto, keccakEngine, SCRATCH_BYTES } from "../crypto";
import type { Bytes32 } from "./gs1";
import { SerialCollector, SerialList } from "./serial-store";
import {
  decodeSerialTree,
  encodeSerialTree,
  readSerialTreeFile,
  writeSerialTreeFile,
  type LoadOptions,
} from "./serial-file";

/** The leaf encoding of a batch's serial tree: the unit's position (its bit) and its serial. */
export const SERIAL_LEAF_ENCODING = ["uint256", "string"] as const;

/** One leaf: `[position as a decimal string, serial]` (the merkle-tree library refuses JS numbers as values). */
export type SerialLeaf = [string, string];

/**
 * Most units one {@link SerialTree} holds: its `2n - 1` nodes of 32 bytes fill one typed array, at most 4 GiB.
 * (The contract counts up to 4,294,967,295 units; commission a larger batch as several lots.)
 */
export const MAX_TREE_UNITS = 2 ** 26;

/** A unit as the contract takes it: position, serial and the proof that binds them (`IDrugProvenance.UnitProof`). */
export interface UnitProof {
  position: bigint;
  serial: string;
  proof: Bytes32[];
}

/** A subtree of a batch's serial tree that can be anchored on chain (`anchorSubtree(batchId, node, proof)`). */
export interface SubtreeAnchor {
  /** The subtree's root. */
  node: Bytes32;
  /** Siblings from `node` up to the batch's serial root. */
  proof: Bytes32[];
  /** How many levels below `node` the unit proofs that stop at it have. */
  height: number;
}

/** `@openzeppelin/merkle-tree`'s `StandardMerkleTree.dump()` of a serial tree (`StandardMerkleTreeData<SerialLeaf>`). */
export interface SerialTreeDump {
  format: "standard-v1";
  leafEncoding: string[];
  tree: string[];
  values: { value: SerialLeaf; treeIndex: number }[];
}

const TOO_MANY =
  `A SerialTree holds at most ${MAX_TREE_UNITS.toLocaleString("en-US")} units (its nodes fill one 4 GiB buffer): ` +
  "commission a larger batch as several lots";

/** Leaves and nodes hashed between two yields to the event loop in {@link SerialTree.buildAsync}. */
const ASYNC_SLICE = 1 << 16;

/**
 * The serial tree of a batch: exactly `@openzeppelin/merkle-tree`'s `StandardMerkleTree.of(leaves, ["uint256",
 * "string"], { sortLeaves: false })` of `[position, serial]` leaves, where position `i` is the unit's index in the
 * list given — same leaves, nodes, root and proofs (the property tests hold it to that library) — kept in flat
 * byte buffers and hashed with the SDK's keccak (src/crypto). Its root is what `commission` stores; its proofs are
 * what `dispense`, `destroyUnits` and `verifyUnit` take.
 *
 * Layout (the library's): node `i` of the `2n - 1` has children `2i + 1` and `2i + 2`; the leaf of position `p` is
 * node `2n - 2 - p`; a leaf is `keccak256(keccak256(abi.encode(position, serial)))` and a node the keccak256 of its
 * two children in ascending byte order. Leaves are kept in position order (`sortLeaves: false`), so that
 * consecutive positions — the packs of one case — share subtrees: anchoring a case's subtree once lets every proof
 * of its packs stop there (see {@link anchorFor}). The double-hashed standard leaf makes the order irrelevant to
 * security.
 *
 * A proof is read from the built nodes, never re-hashed. `save` / `open` keep a compact binary file that loads
 * without a rebuild (docs/provenance.md, "The serial tree").
 */
export class SerialTree {
  private rootHex: Bytes32 | undefined;

  private constructor(
    /** The `2n - 1` nodes, 32 bytes each, in the library's order (node 0 is the root). */
    private readonly nodes: Uint8Array,
    private readonly list: SerialList,
  ) {}

  /**
   * Builds the tree of a batch's serials (each validated as GS1 AI 21, all distinct): an array, or any iterable
   * (a generator), consumed once, so the serials never need to sit in memory as strings.
   */
  static build(serials: Iterable<string>): SerialTree {
    const collector = collectorFor(serials);
    for (const serial of serials) collector.add(serial);
    const list = collector.finish();
    const nodes = allocateNodes(list.count);
    hashLeaves(nodes, list, 0, list.count);
    hashNodes(nodes, list.count - 2, -1);
    return new SerialTree(nodes, list);
  }

  /**
   * {@link build} from an async source (e.g. `readline` over a file of one serial a line), yielding to the event
   * loop while it hashes.
   */
  static async buildAsync(serials: AsyncIterable<string> | Iterable<string>): Promise<SerialTree> {
    const collector = collectorFor(serials);
    for await (const serial of serials) collector.add(serial);
    const list = collector.finish();
    const nodes = allocateNodes(list.count);
    for (let p = 0; p < list.count; p += ASYNC_SLICE) {
      hashLeaves(nodes, list, p, Math.min(p + ASYNC_SLICE, list.count));
      await yieldToEventLoop();
    }
    for (let i = list.count - 2; i >= 0; i -= ASYNC_SLICE) {
      hashNodes(nodes, i, Math.max(i - ASYNC_SLICE, -1));
      await yieldToEventLoop();
    }
    return new SerialTree(nodes, list);
  }

  /**
   * Loads a tree saved with {@link dump} (the library's JSON): rebuilds it from its values and checks that every
   * node matches. Prefer {@link save} / {@link open}, which need no rebuild.
   */
  static load(data: SerialTreeDump): SerialTree {
    const serials = serialsOfDump(data);
    const tree = SerialTree.build(serials);
    if (data.tree.length !== tree.nodes.length / 32) {
      throw new Error(
        `The dump has ${data.tree.length} nodes where ${serials.length} leaves make ${tree.nodes.length / 32}`,
      );
    }
    const node = new Uint8Array(32);
    for (let i = 0; i < data.tree.length; i++) {
      hexToBytesInto(data.tree[i], 32, node, 0, `Node ${i} of the dump`);
      for (let k = 0; k < 32; k++) {
        if (node[k] !== tree.nodes[i * 32 + k]) {
          throw new Error(`Node ${i} of the dump does not match its values: the dump is corrupt (rebuild it)`);
        }
      }
    }
    return tree;
  }

  /**
   * A tree from the bytes of {@link toBytes} / a file of {@link save}, without rebuilding it. See
   * {@link LoadOptions} for what is checked. The tree uses `bytes` in place (unless its nodes are not 4-byte
   * aligned): do not modify them afterwards.
   */
  static fromBytes(bytes: Uint8Array, options: LoadOptions = {}): SerialTree {
    const source = options.source ?? "the serial tree bytes";
    const { nodes, bytes: serialBytes, ends } = decodeSerialTree(bytes, source);
    let list: SerialList;
    try {
      list = SerialList.of(serialBytes, ends);
    } catch (e) {
      throw new Error(`${source} is corrupt: ${(e as Error).message}`, { cause: e });
    }
    const tree = new SerialTree(nodes, list);
    tree.checkLoaded(options);
    return tree;
  }

  /** Loads a tree written by {@link save} (see {@link fromBytes}). */
  static async open(file: string, options: LoadOptions = {}): Promise<SerialTree> {
    return SerialTree.fromBytes(await readSerialTreeFile(file), { source: file, ...options });
  }

  /** The tree as one compact byte array (format in docs/provenance.md); {@link fromBytes} reads it back. */
  toBytes(): Uint8Array {
    return encodeSerialTree(this.root, this.nodes, this.list);
  }

  /** Writes the tree to `file` atomically (temporary file, fsync, rename); {@link open} reads it back. */
  async save(file: string): Promise<void> {
    await writeSerialTreeFile(file, this.root, this.nodes, this.list);
  }

  get root(): Bytes32 {
    return (this.rootHex ??= bytesToHex(this.nodes, 0, 32));
  }

  get unitCount(): number {
    return this.list.count;
  }

  /** The library's JSON dump (`StandardMerkleTree.load` reads it); large: ~180 bytes a unit. */
  dump(): SerialTreeDump {
    const n = this.unitCount;
    const tree: string[] = new Array<string>(2 * n - 1);
    for (let i = 0; i < tree.length; i++) tree[i] = bytesToHex(this.nodes, i * 32, 32);
    const values = Array.from({ length: n }, (_, p) => ({
      value: [p.toString(), this.list.serialAt(p)] as SerialLeaf,
      treeIndex: 2 * n - 2 - p,
    }));
    return { format: "standard-v1", leafEncoding: [...SERIAL_LEAF_ENCODING], tree, values };
  }

  /** The serial at a position. */
  serialAt(position: number): string {
    return this.list.serialAt(this.checkPosition(position));
  }

  /** Position of a serial in the batch. */
  positionOf(serial: string): number {
    const position = this.list.positionOf(serial);
    if (position < 0) throw new Error(`Serial "${serial}" is not in this batch`);
    return position;
  }

  /**
   * The subtree `height` levels above a unit (capped at the root), to anchor on chain; unit proofs from
   * `unit(p, anchor)` then stop at it.
   */
  anchorFor(positionOrSerial: number | string, height: number): SubtreeAnchor {
    if (!Number.isInteger(height) || height < 0) throw new Error(`height ${height} must be a whole number >= 0`);
    const position = this.resolve(positionOrSerial);
    const proof = this.proofOf(position);
    const levels = Math.min(height, proof.length);
    return {
      node: bytesToHex(this.nodes, this.ancestor(position, levels) * 32, 32),
      proof: proof.slice(levels),
      height: levels,
    };
  }

  /** Units `start` (inclusive) to `end` (exclusive), each with its proof. For a whole large batch, see {@link units}. */
  unitsRange(start: number, end: number): UnitProof[] {
    return Array.from({ length: Math.max(0, end - start) }, (_, i) => this.unit(start + i));
  }

  /** Units `start` to `end` (the whole batch by default) one at a time, so that only one proof is in memory. */
  *units(start = 0, end = this.unitCount): IterableIterator<UnitProof> {
    for (let p = start; p < end; p++) yield this.unit(p);
  }

  /** The unit at a position or with a serial, with its proof (stopping at `anchor` when given). */
  unit(positionOrSerial: number | string, anchor?: SubtreeAnchor): UnitProof {
    const position = this.resolve(positionOrSerial);
    const proof = this.proofOf(position);
    const unit: UnitProof = { position: BigInt(position), serial: this.list.serialAt(position), proof };
    if (anchor === undefined) return unit;
    if (!Number.isInteger(anchor.height) || anchor.height < 0) {
      throw new Error(`anchor.height ${anchor.height} must be a whole number >= 0 (use the anchor from anchorFor)`);
    }
    const node = bytesToHex(this.nodes, this.ancestor(position, Math.min(anchor.height, proof.length)) * 32, 32);
    if (node !== anchor.node.toLowerCase()) {
      throw new Error(`Unit ${position} is not under the anchored subtree ${anchor.node}`);
    }
    return { ...unit, proof: proof.slice(0, anchor.height) };
  }

  /** The siblings from a leaf to the root, read from the nodes (the library's `getProof`, without its re-check). */
  private proofOf(position: number): Bytes32[] {
    const proof: Bytes32[] = [];
    for (let i = 2 * this.unitCount - 2 - position; i > 0; i = (i - 1) >>> 1) {
      proof.push(bytesToHex(this.nodes, ((i & 1) === 1 ? i + 1 : i - 1) * 32, 32));
    }
    return proof;
  }

  /** Index of the node `levels` above a position's leaf. */
  private ancestor(position: number, levels: number): number {
    let i = 2 * this.unitCount - 2 - position;
    for (let l = 0; l < levels; l++) i = (i - 1) >>> 1;
    return i;
  }

  private resolve(positionOrSerial: number | string): number {
    return typeof positionOrSerial === "number"
      ? this.checkPosition(positionOrSerial)
      : this.positionOf(positionOrSerial);
  }

  private checkPosition(position: number): number {
    if (!Number.isInteger(position) || position < 0 || position >= this.unitCount) {
      throw new Error(`Position ${position} is outside the batch (0 .. ${this.unitCount - 1})`);
    }
    return position;
  }

  private checkLoaded(options: LoadOptions): void {
    const source = options.source ?? "the serial tree bytes";
    if (options.expectedRoot !== undefined && this.root !== options.expectedRoot.toLowerCase()) {
      throw new Error(`${source} holds the tree of root ${this.root}, not the expected ${options.expectedRoot}`);
    }
    if (options.check !== "rebuild") return;
    const rebuilt = allocateNodes(this.unitCount);
    hashLeaves(rebuilt, this.list, 0, this.unitCount);
    hashNodes(rebuilt, this.unitCount - 2, -1);
    for (let i = 0; i < rebuilt.length; i += 32) {
      for (let k = 0; k < 32; k++) {
        if (rebuilt[i + k] !== this.nodes[i + k]) {
          throw new Error(`${source} is corrupt: node ${i / 32} is not the hash of its serials (rebuild the tree)`);
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Building
// ---------------------------------------------------------------------------------------------------------------

function collectorFor(serials: Iterable<string> | AsyncIterable<string>): SerialCollector {
  const hint = Array.isArray(serials) ? serials.length : 0;
  if (hint > MAX_TREE_UNITS) throw new Error(TOO_MANY);
  return new SerialCollector(MAX_TREE_UNITS, TOO_MANY, hint);
}

function allocateNodes(count: number): Uint8Array {
  return new Uint8Array((2 * count - 1) * 32);
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Hashes the leaves of positions `from` to `to` (exclusive) into their nodes. The engine's scratch buffer holds
 * `abi.encode(uint256 position, string serial)`: the position word, the offset word (0x40), the length word and
 * one word of serial bytes (a serial has at most 20); only the position, length and serial words change from one
 * leaf to the next (a digest overwrites bytes 0..31 only).
 */
function hashLeaves(nodes: Uint8Array, list: SerialList, from: number, to: number): void {
  const engine = keccakEngine();
  const { scratch, words } = engine;
  const digest = engine.digest;
  const out = new Int32Array(nodes.buffer, nodes.byteOffset, nodes.length / 4);
  const { bytes, ends } = list;
  const last = 2 * list.count - 2;
  words.fill(0, 0, 32);
  scratch[63] = 0x40;
  let start = list.start(from);
  for (let p = from; p < to; p++) {
    const end = ends[p];
    words[0] = words[1] = words[2] = words[3] = words[4] = words[5] = words[6] = 0;
    scratch[28] = p >>> 24;
    scratch[29] = p >>> 16;
    scratch[30] = p >>> 8;
    scratch[31] = p;
    scratch[95] = end - start;
    words[24] = words[25] = words[26] = words[27] = words[28] = words[29] = words[30] = words[31] = 0;
    for (let i = start; i < end; i++) scratch[96 + i - start] = bytes[i];
    digest(128);
    digest(32);
    const o = (last - p) * 8;
    out[o] = words[0];
    out[o + 1] = words[1];
    out[o + 2] = words[2];
    out[o + 3] = words[3];
    out[o + 4] = words[4];
    out[o + 5] = words[5];
    out[o + 6] = words[6];
    out[o + 7] = words[7];
    start = end;
  }
}

/** Hashes the inner nodes `from` down to `to` (exclusive, descending): each the sorted-pair keccak of its children. */
function hashNodes(nodes: Uint8Array, from: number, to: number): void {
  const engine = keccakEngine();
  const { words } = engine;
  const digest = engine.digest;
  const all = new Int32Array(nodes.buffer, nodes.byteOffset, nodes.length / 4);
  for (let i = from; i > to; i--) {
    const left = (2 * i + 1) * 32;
    const right = left + 32;
    let k = 0;
    while (k < 31 && nodes[left + k] === nodes[right + k]) k++;
    const first = (nodes[left + k] <= nodes[right + k] ? left : right) >>> 2;
    const second = (first === left >>> 2 ? right : left) >>> 2;
    words[0] = all[first];
    words[1] = all[first + 1];
    words[2] = all[first + 2];
    words[3] = all[first + 3];
    words[4] = all[first + 4];
    words[5] = all[first + 5];
    words[6] = all[first + 6];
    words[7] = all[first + 7];
    words[8] = all[second];
    words[9] = all[second + 1];
    words[10] = all[second + 2];
    words[11] = all[second + 3];
    words[12] = all[second + 4];
    words[13] = all[second + 5];
    words[14] = all[second + 6];
    words[15] = all[second + 7];
    digest(64);
    const o = i * 8;
    all[o] = words[0];
    all[o + 1] = words[1];
    all[o + 2] = words[2];
    all[o + 3] = words[3];
    all[o + 4] = words[4];
    all[o + 5] = words[5];
    all[o + 6] = words[6];
    all[o + 7] = words[7];
  }
}

function serialsOfDump(data: SerialTreeDump): string[] {
  if (data?.format !== "standard-v1" || !Array.isArray(data.tree) || !Array.isArray(data.values)) {
    throw new Error('A serial tree dump is StandardMerkleTree.dump() output: { format: "standard-v1", tree, values }');
  }
  if (JSON.stringify(data.leafEncoding) !== JSON.stringify(SERIAL_LEAF_ENCODING)) {
    throw new Error(
      `A serial tree dump has leafEncoding ["uint256","string"]; got ${JSON.stringify(data.leafEncoding)}`,
    );
  }
  const n = data.values.length;
  const serials = new Array<string>(n);
  for (const { value, treeIndex } of data.values) {
    const position = Number(value?.[0]);
    if (!Number.isInteger(position) || position < 0 || position >= n || serials[position] !== undefined) {
      throw new Error(`A serial tree dump lists positions 0 .. ${n - 1} once each; got ${JSON.stringify(value?.[0])}`);
    }
    if (treeIndex !== 2 * n - 2 - position) {
      throw new Error(
        `Position ${position} of the dump is at tree index ${treeIndex}, not ${2 * n - 2 - position}: ` +
          "a SerialTree keeps leaves in position order (sortLeaves: false)",
      );
    }
    serials[position] = value[1];
  }
  return serials;
}

// ---------------------------------------------------------------------------------------------------------------
// Proof helpers (hex in, hex out)
// ---------------------------------------------------------------------------------------------------------------

/** The standard leaf hash of `[position, serial]`: `keccak256(keccak256(abi.encode(position, serial)))`. */
export function serialLeafHash(position: bigint, serial: string): Bytes32 {
  if (typeof position !== "bigint" || position < 0n || position >= 1n << 256n) {
    throw new Error(`A leaf position is a uint256 (a bigint from 0); got ${String(position)}`);
  }
  const text = Buffer.from(serial, "utf8");
  const length = 96 + Math.ceil(text.length / 32) * 32;
  const engine = keccakEngine();
  const input = length <= SCRATCH_BYTES ? engine.scratch : new Uint8Array(length);
  input.fill(0, 0, length);
  let rest = position;
  for (let i = 31; rest > 0n; i--, rest >>= 8n) input[i] = Number(rest & 0xffn);
  input[63] = 0x40;
  for (let i = 95, l = text.length; l > 0; i--, l = Math.floor(l / 256)) input[i] = l % 256;
  input.set(text, 96);
  if (input === engine.scratch) engine.digest(length);
  else engine.hashInto(input, engine.scratch, 0);
  engine.digest(32);
  return bytesToHex(engine.scratch, 0, 32);
}

/** Folds a proof onto a node with the standard (sorted-pair keccak) node hash, as OpenZeppelin's `MerkleProof`. */
export function processProof(node: string, proof: readonly string[]): Bytes32 {
  const acc = new Uint8Array(32);
  const sibling = new Uint8Array(32);
  hexToBytesInto(node, 32, acc, 0, "A proof's starting node");
  for (let i = 0; i < proof.length; i++) {
    hexToBytesInto(proof[i], 32, sibling, 0, `Proof element ${i}`);
    keccak256SortedPairInto(acc, 0, sibling, 0, acc, 0);
  }
  return bytesToHex(acc);
}

/**
 * Checks a unit proof off chain exactly as the contract does: it must lead from the leaf to the root or to one of
 * the anchored subtree nodes.
 */
export function verifySerialProof(root: string, unit: UnitProof, anchors: ReadonlySet<string> = new Set()): boolean {
  const node = processProof(serialLeafHash(unit.position, unit.serial), unit.proof);
  return node === root.toLowerCase() || anchors.has(node);
}

export type { LoadOptions };
