import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { encodeBytes32String } from "ethers";
import { commit, type CommittableResource, type Hex32, type RecordCommitment } from "../records";

/** A dataset of case-report records, committed record by record under one Merkle root. */
export interface Dataset {
  /** The root to anchor (`TrialRegistry.anchorData`). */
  root: Hex32;
  /** Number of records under the root. */
  recordCount: number;
  /** One commitment per record, in order; keep the salts and canonical JSON with the data. */
  records: RecordCommitment[];
  /** The tree, for proofs. */
  tree: StandardMerkleTree<[string]>;
}

/**
 * Commits each record (fresh salts, or the given ones) and builds the Merkle tree over the record commitments
 * (OpenZeppelin standard tree, leaf = double keccak of `abi.encode(bytes32 commitment)`).
 */
export function buildDataset(records: readonly CommittableResource[], salts?: readonly string[]): Dataset {
  if (records.length === 0) throw new Error("A dataset needs at least one record");
  if (salts !== undefined && salts.length !== records.length) {
    throw new Error(`Give one salt per record: ${records.length} records, ${salts.length} salts`);
  }
  const committed = records.map((r, i) => commit(r, salts?.[i]));
  return datasetFromCommitments(committed);
}

/** Builds the Merkle tree of already-committed records. */
export function datasetFromCommitments(records: readonly RecordCommitment[]): Dataset {
  if (records.length === 0) throw new Error("A dataset needs at least one record");
  const tree = StandardMerkleTree.of(
    records.map((r) => [r.commitment] as [string]),
    ["bytes32"],
  );
  return { root: tree.root as Hex32, recordCount: records.length, records: [...records], tree };
}

/** The Merkle proof that the record with `commitment` is in the dataset. */
export function datasetProof(dataset: Dataset, commitment: string): string[] {
  for (const [i, [leaf]] of dataset.tree.entries()) {
    if (leaf.toLowerCase() === commitment.toLowerCase()) return dataset.tree.getProof(i);
  }
  throw new Error(`The record ${commitment} is not in the dataset with root ${dataset.root}`);
}

/** True when `proof` shows that the record commitment is under `root`. */
export function verifyDatasetRecord(root: string, commitment: string, proof: readonly string[]): boolean {
  return StandardMerkleTree.verify(root, ["bytes32"], [commitment], [...proof]);
}

/** A visit label as the registry stores it: a short ASCII label such as "week-12" as bytes32. */
export function visitLabel(label: string): Hex32 {
  if (label.length === 0 || label.length > 31)
    throw new Error(`A visit label needs 1 to 31 characters; got "${label}"`);
  return encodeBytes32String(label) as Hex32;
}
