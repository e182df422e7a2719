/**
 * The benchmark's reference: the least code that computes the same serial tree and commitments on flat buffers
 * with hash-wasm's public (asynchronous) API — no validation, no uniqueness check, no serial index, no integrity
 * check on load. What the hardware does when nothing else is asked of it; the SDK is measured against it.
 */
import { open, readFile } from "node:fs/promises";
import canonicalize from "canonicalize";
import { createKeccak, type IHasher } from "hash-wasm";

export interface ReferenceTree {
  nodes: Uint8Array;
  serials: string[];
}

/** The tree of `serials` in @openzeppelin/merkle-tree's layout (sortLeaves: false): leaf p at node 2n - 2 - p. */
export async function referenceBuild(source: Iterable<string>): Promise<ReferenceTree> {
  const keccak = await createKeccak(256);
  const serials = Array.from(source);
  const n = serials.length;
  const nodes = new Uint8Array((2 * n - 1) * 32);
  const encoded = new Uint8Array(96 + 32 * 32);
  const pair = new Uint8Array(64);
  for (let p = 0; p < n; p++) {
    const serial = serials[p];
    const padded = Math.ceil(serial.length / 32) * 32;
    encoded.fill(0, 0, 96 + padded);
    new DataView(encoded.buffer).setUint32(28, p);
    encoded[63] = 0x40;
    encoded[95] = serial.length;
    for (let i = 0; i < serial.length; i++) encoded[96 + i] = serial.charCodeAt(i);
    const inner = keccak
      .init()
      .update(encoded.subarray(0, 96 + padded))
      .digest("binary");
    nodes.set(keccak.init().update(inner).digest("binary"), (2 * n - 2 - p) * 32);
  }
  for (let i = n - 2; i >= 0; i--) {
    const left = nodes.subarray((2 * i + 1) * 32, (2 * i + 2) * 32);
    const right = nodes.subarray((2 * i + 2) * 32, (2 * i + 3) * 32);
    const leftFirst = Buffer.compare(left, right) <= 0;
    pair.set(leftFirst ? left : right, 0);
    pair.set(leftFirst ? right : left, 32);
    nodes.set(keccak.init().update(pair).digest("binary"), i * 32);
  }
  return { nodes, serials };
}

export function referenceRoot(tree: ReferenceTree): string {
  return `0x${Buffer.from(tree.nodes.subarray(0, 32)).toString("hex")}`;
}

/** The proof of position p: siblings read from the nodes. */
export function referenceUnit(tree: ReferenceTree, p: number): { position: bigint; serial: string; proof: string[] } {
  const proof: string[] = [];
  for (let i = 2 * tree.serials.length - 2 - p; i > 0; i = (i - 1) >> 1) {
    const s = i % 2 === 1 ? i + 1 : i - 1;
    proof.push(`0x${Buffer.from(tree.nodes.buffer, tree.nodes.byteOffset + s * 32, 32).toString("hex")}`);
  }
  return { position: BigInt(p), serial: tree.serials[p], proof };
}

/** Writes the nodes then the serials (one a line), flushed, as the SDK's save is. */
export async function referenceSave(tree: ReferenceTree, file: string): Promise<void> {
  const handle = await open(file, "w");
  try {
    const head = Buffer.alloc(4);
    head.writeUInt32LE(tree.serials.length);
    await handle.writeFile(head);
    await handle.writeFile(tree.nodes);
    await handle.writeFile(tree.serials.join("\n"), "latin1");
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function referenceLoad(file: string): Promise<ReferenceTree> {
  const data = await readFile(file);
  const n = data.readUInt32LE(0);
  const nodes = data.subarray(4, 4 + (2 * n - 1) * 32);
  return { nodes, serials: data.toString("latin1", 4 + nodes.length).split("\n") };
}

/** Commitments with hash-wasm's API and the canonicalize package: the same value as the SDK's commit(). */
export class ReferenceCommitter {
  private readonly typeHashes = new Map<string, Uint8Array>();
  private readonly preimage = new Uint8Array(96);

  private constructor(private readonly keccak: IHasher) {}

  static async create(): Promise<ReferenceCommitter> {
    return new ReferenceCommitter(await createKeccak(256));
  }

  commit(resource: { resourceType: string }, salt: Uint8Array): string {
    const canonical = canonicalize(resource) as string;
    let typeHash = this.typeHashes.get(resource.resourceType);
    if (typeHash === undefined) {
      typeHash = this.keccak.init().update(`health-ledger.record.v1:${resource.resourceType}`).digest("binary");
      this.typeHashes.set(resource.resourceType, typeHash);
    }
    this.preimage.set(typeHash, 0);
    this.preimage.set(salt, 32);
    this.preimage.set(this.keccak.init().update(canonical).digest("binary"), 64);
    return `0x${this.keccak.init().update(this.preimage).digest("hex")}`;
  }
}
