import type { DocumentReference } from "@medplum/fhirtypes";
import type { ContractTransactionReceipt } from "ethers";
import { TrialsConstants } from "../constants";
import { commit, type Hex32, type RecordCommitment } from "../records";
import type { TrialRegistry } from "../../typechain-types";

/**
 * Ethics approval (WHO TRDS item 21) and the public results deadline (item 23) as the trial registry keeps them:
 * the approval letter stays off chain, its salted commitment is recorded at registration
 * (`Registration.ethicsApprovalCommitment`) or later ({@link recordEthicsApproval}) and gates recruitment; results
 * are due {@link RESULTS_DEADLINE_SECONDS} after the trial completes or is terminated, and lateness is reported,
 * never refused.
 */

/** Seconds after a trial finishes by which its results are due (`TrialRegistry.RESULTS_DEADLINE`, 365 days). */
export const RESULTS_DEADLINE_SECONDS = Number(TrialsConstants.RESULTS_DEADLINE);

/** An ethics committee's approval of a trial (WHO TRDS item 21), as the sponsor holds it off chain. */
export interface EthicsApprovalInput {
  /** The committee (research ethics committee, institutional review board). */
  committee: string;
  /** ISO date of the approval, `YYYY-MM-DD`. */
  approvalDate: string;
  /** The committee's reference number for the approval, if any. */
  reference?: string;
  /** Protocol version approved (1 at registration; a later one after an amendment). */
  protocolVersion?: number;
  /** Where the letter itself is kept (a URL of the sponsor's document store); the letter is never on chain. */
  url?: string;
}

/** The approval letter as a FHIR DocumentReference: what the registered commitment opens to. */
export function buildEthicsApproval(input: EthicsApprovalInput): DocumentReference {
  if (input.committee.trim() === "") throw new Error("An ethics approval needs the committee's name");
  if (!/^\d{4}-\d{2}-\d{2}$/.test(input.approvalDate) || Number.isNaN(Date.parse(`${input.approvalDate}T00:00:00Z`))) {
    throw new Error(`approvalDate must be a date YYYY-MM-DD; got "${input.approvalDate}"`);
  }
  if (input.protocolVersion !== undefined && (!Number.isInteger(input.protocolVersion) || input.protocolVersion < 1)) {
    throw new Error(`protocolVersion must be a whole number from 1; got ${input.protocolVersion}`);
  }
  const doc: DocumentReference = {
    resourceType: "DocumentReference",
    status: "current",
    type: { text: "Ethics committee approval" },
    date: `${input.approvalDate}T00:00:00Z`,
    author: [{ display: input.committee }],
    description:
      input.protocolVersion === undefined
        ? "Approval of the trial protocol"
        : `Approval of protocol version ${input.protocolVersion}`,
    content: [{ attachment: { contentType: "application/pdf", ...(input.url ? { url: input.url } : {}) } }],
  };
  if (input.reference !== undefined) doc.identifier = [{ value: input.reference }];
  return doc;
}

/** Builds and commits the approval letter (keep the returned salt and canonical JSON off chain). */
export function commitEthicsApproval(input: EthicsApprovalInput, salt?: string): RecordCommitment {
  return commit(buildEthicsApproval(input), salt);
}

/**
 * Records an approval given after registration (or a new one, after an amendment): the trial's sponsor, holding
 * SPONSOR, on an unfinished trial. Refuses a zero commitment before sending (the registry would revert
 * `TrialCommitmentMissing(trialId, EthicsApproval)`).
 */
export async function recordEthicsApproval(
  registry: TrialRegistry,
  trialId: bigint,
  approvalCommitment: string,
): Promise<ContractTransactionReceipt> {
  if (!/^0x[0-9a-fA-F]{64}$/.test(approvalCommitment) || /^0x0{64}$/.test(approvalCommitment)) {
    throw new Error(`The approval commitment must be a non-zero 32-byte hex word; got "${approvalCommitment}"`);
  }
  const receipt = await (await registry.recordEthicsApproval(trialId, approvalCommitment)).wait();
  if (receipt === null) throw new Error("The recordEthicsApproval transaction was dropped before being mined");
  return receipt;
}

/** Every ethics approval recorded for a trial, in chain order (the commitments are in the events only). */
export async function readEthicsApprovals(
  registry: TrialRegistry,
  trialId: bigint,
): Promise<{ approvalCommitment: Hex32; by: string; blockNumber: number }[]> {
  const logs = await registry.queryFilter(registry.filters.EthicsApprovalRecorded(trialId));
  return logs.map((e) => ({
    approvalCommitment: e.args.approvalCommitment as Hex32,
    by: e.args.by,
    blockNumber: e.blockNumber,
  }));
}

/** Where a trial stands against its results deadline, as the registry's views say. */
export interface ResultsDeadline {
  /** Block time the trial completed or was terminated, or null while unfinished. */
  finishedAt: number | null;
  /** `finishedAt + RESULTS_DEADLINE`, or null while unfinished. */
  dueAt: number | null;
  /** Block time results were posted, or null. */
  postedAt: number | null;
  /** Finished, no results, and the latest block is past `dueAt` (`TrialRegistry.resultsOverdue`). */
  overdue: boolean;
}

/** Reads the trial's results deadline from the registry (`trial`, `resultsDueAt`, `resultsOverdue`). */
export async function readResultsDeadline(registry: TrialRegistry, trialId: bigint): Promise<ResultsDeadline> {
  const [t, dueAt, overdue] = await Promise.all([
    registry.trial(trialId),
    registry.resultsDueAt(trialId),
    registry.resultsOverdue(trialId),
  ]);
  return {
    finishedAt: t.finishedAt === 0n ? null : Number(t.finishedAt),
    dueAt: dueAt === 0n ? null : Number(dueAt),
    postedAt: t.resultsPostedAt === 0n ? null : Number(t.resultsPostedAt),
    overdue,
  };
}
