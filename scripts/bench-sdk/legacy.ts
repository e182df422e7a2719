/**
 * The SDK's serial tree and commit() as they were before issue 14 (commit a7934d8), frozen here so that
 * `npm run bench:sdk` can measure "before" beside "after" in the same run. Error messages are shortened; the work
 * done per call is the same. Not for use outside the benchmark.
 */
import { randomBytes } from "node:crypto";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import canonicalizeJson from "canonicalize";
import { AbiCoder, hexlify, keccak256, toUtf8Bytes } from "ethers";
import { assertSerial } from "../../src/provenance/gs1";

type SerialLeaf = [string, string];

/** The previous `SerialTree`: a StandardMerkleTree of `[position, serial]` leaves, in position order. */
export class LegacySerialTree {
  private readonly positions = new Map<string, number>();

  private constructor(
    readonly tree: StandardMerkleTree<SerialLeaf>,
    readonly serials: readonly string[],
  ) {
    serials.forEach((s, i) => this.positions.set(s, i));
  }

  static build(serials: readonly string[]): LegacySerialTree {
    const seen = new Set<string>();
    for (const s of serials) {
      assertSerial(s);
      if (seen.has(s)) throw new Error(`Serial "${s}" appears twice`);
      seen.add(s);
    }
    const leaves = serials.map((s, i): SerialLeaf => [i.toString(), s]);
    return new LegacySerialTree(StandardMerkleTree.of(leaves, ["uint256", "string"], { sortLeaves: false }), [
      ...serials,
    ]);
  }

  static load(data: ReturnType<StandardMerkleTree<SerialLeaf>["dump"]>): LegacySerialTree {
    const tree = StandardMerkleTree.load(data);
    const serials: string[] = [];
    for (const [, [position, serial]] of tree.entries()) serials[Number(position)] = serial;
    return new LegacySerialTree(tree, serials);
  }

  get root(): string {
    return this.tree.root;
  }

  dump(): ReturnType<StandardMerkleTree<SerialLeaf>["dump"]> {
    return this.tree.dump();
  }

  unit(position: number): { position: bigint; serial: string; proof: string[] } {
    return { position: BigInt(position), serial: this.serials[position], proof: this.tree.getProof(position) };
  }
}

const HEX32 = /^0x[0-9a-fA-F]{64}$/;
const RESOURCE_TYPE = /^[A-Z][A-Za-z]+$/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function assertJson(value: unknown, path: string, seen: Set<object>): void {
  switch (typeof value) {
    case "boolean":
      return;
    case "string":
      if (LONE_SURROGATE.exec(value)) throw new Error(`${path} has a lone surrogate`);
      return;
    case "number":
      if (!Number.isFinite(value)) throw new Error(`${path} is ${value}`);
      return;
    case "object":
      if (value === null) return;
      if (seen.has(value)) throw new Error(`${path} refers back to itself`);
      seen.add(value);
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          if (!(i in value)) throw new Error(`${path}[${i}] is a hole`);
          assertJson(value[i], `${path}[${i}]`, seen);
        }
      } else {
        const proto: unknown = Object.getPrototypeOf(value);
        if (proto !== Object.prototype && proto !== null) throw new Error(`${path} is not a plain object`);
        for (const [k, v] of Object.entries(value)) {
          if (LONE_SURROGATE.exec(k)) throw new Error(`${path} has a key with a lone surrogate`);
          assertJson(v, `${path}.${k}`, seen);
        }
      }
      seen.delete(value);
      return;
    default:
      throw new Error(`${path} is not JSON`);
  }
}

function legacyTypeHash(resourceType: string): string {
  return keccak256(toUtf8Bytes(`health-ledger.record.v1:${resourceType}`));
}

function legacyCommitmentOf(resourceType: string, salt: string, canonical: string): string {
  if (!HEX32.test(salt)) throw new Error("bad salt");
  const payloadHash = keccak256(toUtf8Bytes(canonical));
  const encoded = AbiCoder.defaultAbiCoder().encode(
    ["bytes32", "bytes32", "bytes32"],
    [legacyTypeHash(resourceType), salt.toLowerCase(), payloadHash],
  );
  return keccak256(encoded);
}

/** The previous `commit()`: canonicalize package, ethers' AbiCoder and hex keccak, a fresh `randomBytes` salt. */
export function legacyCommit(
  resource: { resourceType: string },
  salt: string = hexlify(randomBytes(32)),
): { commitment: string; salt: string; resourceType: string; canonical: string } {
  if (typeof resource !== "object" || resource === null || Array.isArray(resource)) throw new Error("not a resource");
  if (!RESOURCE_TYPE.test(resource.resourceType)) throw new Error("bad resourceType");
  if (!HEX32.test(salt)) throw new Error("bad salt");
  const parsedSalt = salt.toLowerCase();
  assertJson(resource, "$", new Set());
  const canonical = canonicalizeJson(resource) as string;
  return {
    commitment: legacyCommitmentOf(resource.resourceType, parsedSalt, canonical),
    salt: parsedSalt,
    resourceType: resource.resourceType,
    canonical,
  };
}
