import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { AbiCoder, concat, keccak256 } from "ethers";
import { assertSerial, type Bytes32 } from "./gs1";

/** The leaf encoding of a batch's serial tree: the unit's position (its bit) and its serial. */
export const SERIAL_LEAF_ENCODING = ["uint256", "string"] as const;

/** One leaf: `[position as a decimal string, serial]` (the merkle-tree library refuses JS numbers as values). */
export type SerialLeaf = [string, string];

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

/**
 * The serial tree of a batch: an `@openzeppelin/merkle-tree` StandardMerkleTree of `[position, serial]` leaves,
 * where position `i` is the unit's index in the list given. Its root is what `commission` stores; its proofs are
 * what `dispense`, `destroyUnits` and `verifyUnit` take.
 *
 * Leaves are kept in position order (`sortLeaves: false`), so that consecutive positions — the packs of one case —
 * share subtrees: anchoring a case's subtree once lets every proof of its packs stop there (see {@link anchorFor}).
 * The double-hashed standard leaf makes the order irrelevant to security.
 */
export class SerialTree {
  private readonly positions = new Map<string, number>();

  private constructor(
    readonly tree: StandardMerkleTree<SerialLeaf>,
    readonly serials: readonly string[],
  ) {
    serials.forEach((s, i) => this.positions.set(s, i));
  }

  /** Builds the tree of a batch's serials (each validated as GS1 AI 21, all distinct). */
  static build(serials: readonly string[]): SerialTree {
    if (serials.length === 0) throw new Error("A batch needs at least one serial");
    if (serials.length > 0xffffffff) throw new Error("A batch holds at most 4,294,967,295 units");
    const seen = new Set<string>();
    for (const s of serials) {
      assertSerial(s);
      if (seen.has(s)) throw new Error(`Serial "${s}" appears twice: serials must be unique in a batch`);
      seen.add(s);
    }
    const leaves = serials.map((s, i): SerialLeaf => [i.toString(), s]);
    const tree = StandardMerkleTree.of(leaves, [...SERIAL_LEAF_ENCODING], { sortLeaves: false });
    return new SerialTree(tree, [...serials]);
  }

  /** Loads a tree saved with {@link dump} (validated by the library). */
  static load(data: ReturnType<StandardMerkleTree<SerialLeaf>["dump"]>): SerialTree {
    const tree = StandardMerkleTree.load(data);
    const serials: string[] = [];
    for (const [, [position, serial]] of tree.entries()) serials[Number(position)] = serial;
    return new SerialTree(tree, serials);
  }

  get root(): Bytes32 {
    return this.tree.root as Bytes32;
  }

  get unitCount(): number {
    return this.serials.length;
  }

  dump(): ReturnType<StandardMerkleTree<SerialLeaf>["dump"]> {
    return this.tree.dump();
  }

  /** Position of a serial in the batch. */
  positionOf(serial: string): number {
    const position = this.positions.get(serial);
    if (position === undefined) throw new Error(`Serial "${serial}" is not in this batch`);
    return position;
  }

  /**
   * The subtree `height` levels above a unit (capped at the root), to anchor on chain; unit proofs from
   * `unit(p, anchor)` then stop at it.
   */
  anchorFor(positionOrSerial: number | string, height: number): SubtreeAnchor {
    if (!Number.isInteger(height) || height < 0) throw new Error(`height ${height} must be a whole number >= 0`);
    const { position, serial, proof } = this.unit(positionOrSerial);
    const levels = Math.min(height, proof.length);
    return {
      node: processProof(serialLeafHash(position, serial), proof.slice(0, levels)),
      proof: proof.slice(levels),
      height: levels,
    };
  }

  /** Units `start` (inclusive) to `end` (exclusive), each with its proof. */
  unitsRange(start: number, end: number): UnitProof[] {
    return Array.from({ length: Math.max(0, end - start) }, (_, i) => this.unit(start + i));
  }

  /** The unit at a position or with a serial, with its proof (stopping at `anchor` when given). */
  unit(positionOrSerial: number | string, anchor?: SubtreeAnchor): UnitProof {
    const position = typeof positionOrSerial === "number" ? positionOrSerial : this.positionOf(positionOrSerial);
    if (!Number.isInteger(position) || position < 0 || position >= this.serials.length) {
      throw new Error(`Position ${position} is outside the batch (0 .. ${this.serials.length - 1})`);
    }
    // The library keeps values in insertion order, so value index = position.
    const proof = this.tree.getProof(position) as Bytes32[];
    const unit: UnitProof = { position: BigInt(position), serial: this.serials[position], proof };
    if (anchor === undefined) return unit;
    const short = proof.slice(0, anchor.height);
    if (processProof(serialLeafHash(unit.position, unit.serial), short) !== anchor.node) {
      throw new Error(`Unit ${position} is not under the anchored subtree ${anchor.node}`);
    }
    return { ...unit, proof: short };
  }
}

/** The standard leaf hash of `[position, serial]`: `keccak256(keccak256(abi.encode(position, serial)))`. */
export function serialLeafHash(position: bigint, serial: string): Bytes32 {
  return keccak256(
    keccak256(AbiCoder.defaultAbiCoder().encode([...SERIAL_LEAF_ENCODING], [position, serial])),
  ) as Bytes32;
}

/** Folds a proof onto a node with the standard (sorted-pair keccak) node hash, as OpenZeppelin's `MerkleProof`. */
export function processProof(node: string, proof: readonly string[]): Bytes32 {
  let h = node.toLowerCase();
  for (const sibling of proof) {
    const s = sibling.toLowerCase();
    h = keccak256(concat(h < s ? [h, s] : [s, h]));
  }
  return h as Bytes32;
}

/**
 * Checks a unit proof off chain exactly as the contract does: it must lead from the leaf to the root or to one of
 * the anchored subtree nodes.
 */
export function verifySerialProof(root: string, unit: UnitProof, anchors: ReadonlySet<string> = new Set()): boolean {
  const node = processProof(serialLeafHash(unit.position, unit.serial), unit.proof);
  return node === root.toLowerCase() || anchors.has(node);
}
