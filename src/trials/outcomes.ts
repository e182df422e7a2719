import { TrialsConstants } from "../constants";
import { WordWriter } from "../crypto";
import { commit, type Hex32, type RecordCommitment } from "../records";

/** An outcome as the registry stores it: a commitment and whether it is primary. */
export interface Outcome {
  commitment: Hex32;
  primary: boolean;
}

/** What defines a pre-specified outcome (committed off chain as a FHIR EvidenceVariable). */
export interface OutcomeDefinition {
  /** Short name, e.g. "HbA1c change from baseline". */
  title: string;
  /** How it is measured and analysed. */
  description: string;
  /** When it is measured, e.g. "week 26". */
  timeFrame: string;
  /** Primary (true) or secondary (false). */
  primary: boolean;
}

/** The most outcomes one set may hold (`TrialRegistry.MAX_OUTCOMES`). */
export const MAX_OUTCOMES = Number(TrialsConstants.MAX_OUTCOMES);

/** An outcome set ready to register: the on-chain outcomes, their hash, and the openings to keep off chain. */
export interface OutcomeSet {
  outcomes: Outcome[];
  /** `keccak256(abi.encode(outcomes))`, the value the registry stores. */
  hash: Hex32;
  /** One commitment per outcome, in order: keep the salts and canonical JSON to open them later. */
  openings: RecordCommitment[];
}

/**
 * The FHIR EvidenceVariable that an outcome commitment opens to. Whether the outcome is primary is deliberately
 * not part of it: it is the on-chain flag beside the commitment, so that promoting or demoting an outcome keeps its
 * commitment and shows in the outcome-switching report as a promotion, not as one outcome replaced by another.
 */
export function outcomeEvidenceVariable(def: OutcomeDefinition): {
  resourceType: "EvidenceVariable";
  [k: string]: unknown;
} {
  for (const key of ["title", "description", "timeFrame"] as const) {
    if (typeof def[key] !== "string" || def[key].trim() === "") {
      throw new Error(`An outcome definition needs a non-empty ${key}`);
    }
  }
  return {
    resourceType: "EvidenceVariable",
    status: "active",
    title: def.title,
    description: def.description,
    characteristic: [{ description: `time frame: ${def.timeFrame}` }],
  };
}

/**
 * Builds and commits an outcome set. Checks what the contract checks (1 to MAX_OUTCOMES outcomes, at least one
 * primary), so that a bad set fails here with a message rather than on chain.
 * @param salts Optional salts, one per definition (to re-derive a set); fresh random salts otherwise.
 */
export function buildOutcomeSet(defs: readonly OutcomeDefinition[], salts?: readonly string[]): OutcomeSet {
  if (defs.length === 0 || defs.length > MAX_OUTCOMES) {
    throw new Error(`An outcome set needs 1 to ${MAX_OUTCOMES} outcomes; got ${defs.length}`);
  }
  if (!defs.some((d) => d.primary)) throw new Error("An outcome set needs at least one primary outcome");
  if (salts !== undefined && salts.length !== defs.length) {
    throw new Error(`Give one salt per outcome: ${defs.length} outcomes, ${salts.length} salts`);
  }
  const openings = defs.map((d, i) => commit(outcomeEvidenceVariable(d), salts?.[i]));
  const outcomes = openings.map((o, i) => ({ commitment: o.commitment, primary: defs[i].primary }));
  return { outcomes, hash: outcomeSetHash(outcomes), openings };
}

/**
 * `keccak256(abi.encode(outcomes))`, as `TrialRegistry.outcomeSetHash` computes it, through the SDK's one keccak and
 * `WordWriter` (src/crypto) rather than ethers' `AbiCoder`. `abi.encode` of one dynamic array of static
 * `(bytes32, bool)` tuples is: the offset of the array (0x20), its length, then each tuple's two words in order.
 */
export function outcomeSetHash(outcomes: readonly Outcome[]): Hex32 {
  const w = new WordWriter().uint(32).uint(outcomes.length);
  for (const [i, o] of outcomes.entries()) {
    if (o === null || typeof o !== "object") throw new Error(`outcome ${i} must be { commitment, primary }`);
    try {
      w.bytes32(o.commitment).bool(o.primary);
    } catch (error) {
      throw new Error(`outcome ${i}: ${(error as Error).message}`, { cause: error });
    }
  }
  return w.keccak256Hex() as Hex32;
}
