import type { ClaimsManager } from "../../typechain-types";
import { unblindLines, type ServiceBlinding } from "./blinding";
import { deniedLines, lineAdjudications, policyYearOf, type AdjudicationResult, type PolicyRules } from "./preview";
import type { ClaimHistory } from "./fhir";
import { ClaimStatus } from "./reasons";
import {
  blockTimes,
  readContractEvents,
  rpcOf,
  type ContractEvent,
  type ReadEventsOptions,
} from "../chain/contract-events";
import { headBlock } from "../chain/logs";

type Policy = PolicyRules & { insurer: string; member: string };
type ClaimLog = ContractEvent<
  ClaimsManager,
  "ClaimSubmitted" | "ClaimApproved" | "ClaimDenied" | "ClaimAppealed" | "ClaimPaid"
>;
const CLAIM_EVENTS = ["ClaimSubmitted", "ClaimApproved", "ClaimDenied", "ClaimAppealed", "ClaimPaid"] as const;

function policyOf(log: ContractEvent<ClaimsManager, "PolicyCreated">): Policy {
  const t = log.args.terms;
  return {
    insurer: log.args.insurer,
    member: log.args.member,
    coverageStart: t.coverageStart,
    coverageEnd: t.coverageEnd,
    annualLimit: t.annualLimit,
    deductible: t.deductible,
    coinsuranceBps: t.coinsuranceBps,
    coveredCategories: t.coveredCategories,
    reviewThreshold: t.reviewThreshold,
  };
}

/** A policy's rules read from its `PolicyCreated` event, as on chain (its covered set in blinded codes). */
export async function policyFromEvents(
  manager: ClaimsManager,
  policyId: bigint,
  options: ReadEventsOptions = {},
): Promise<Policy> {
  const [log] = await readContractEvents(manager, ["PolicyCreated"], [policyId], options);
  if (log === undefined) throw new Error(`No PolicyCreated event for policy ${policyId}: is the id right?`);
  return policyOf(log);
}

/**
 * A claim's history rebuilt from the contract's events alone, in plain terms: the submission and its adjudication
 * (split back into lines with the policy's rules, in blinded space as the contract split them, then unblinded with
 * `blinding`), every decision, the appeal and the payment. `blinding` is the policy's (the member's and the
 * insurer's `PolicyBlinding`, or a provider's `ServiceCodebook`, which reads the claims it billed). The result
 * feeds `buildClaimResponse`. One paged log scan for the claim, one for its policy, one block read per timestamp.
 */
export async function claimHistory(
  manager: ClaimsManager,
  claimId: string,
  blinding: ServiceBlinding,
  options: ReadEventsOptions = {},
): Promise<ClaimHistory> {
  const rpc = options.rpc ?? rpcOf(manager);
  const scan = { ...options, rpc, toBlock: options.toBlock ?? (await headBlock(rpc, options.fetch)) };
  const logs = await readContractEvents(manager, CLAIM_EVENTS, [claimId], scan);
  const submitted = logs.find((l) => l.name === "ClaimSubmitted");
  if (submitted?.name !== "ClaimSubmitted") {
    throw new Error(`No ClaimSubmitted event for claim ${claimId}: is it submitted?`);
  }
  const policy = await policyFromEvents(manager, submitted.args.policyId, scan);
  const times = await blockTimes(rpc, timedBlocks(logs));
  return foldClaimHistory(claimId, logs, policy, times, blinding);
}

/**
 * The histories of every claim submitted in a block range, in submission order, from two paged log scans (all claim
 * events, all policies) and one block read per distinct block that carries a submission or payment: no round trip
 * per claim. `blindingOf` gives each policy's blinding (or `undefined` to leave that policy's claims out).
 */
export async function claimHistories(
  manager: ClaimsManager,
  blindingOf: (policyId: bigint) => ServiceBlinding | undefined,
  options: ReadEventsOptions = {},
): Promise<ClaimHistory[]> {
  const rpc = options.rpc ?? rpcOf(manager);
  const scan = { ...options, rpc, toBlock: options.toBlock ?? (await headBlock(rpc, options.fetch)) };
  const [logs, policyLogs] = await Promise.all([
    readContractEvents(manager, CLAIM_EVENTS, [], scan),
    readContractEvents(manager, ["PolicyCreated"], [], { ...scan, fromBlock: 0 }),
  ]);
  const policies = new Map(policyLogs.map((l) => [l.args.policyId, policyOf(l)]));
  const byClaim = new Map<string, ClaimLog[]>();
  for (const l of logs) {
    const id = l.args.claimId.toLowerCase();
    if (l.name === "ClaimSubmitted") byClaim.set(id, [l]);
    else byClaim.get(id)?.push(l);
  }
  const wanted = [...byClaim.entries()].filter(([, ls]) => {
    const s = ls[0];
    return s.name === "ClaimSubmitted" && blindingOf(s.args.policyId) !== undefined;
  });
  const times = await blockTimes(
    rpc,
    wanted.flatMap(([, ls]) => timedBlocks(ls)),
  );
  return wanted.map(([, ls]) => {
    const s = ls[0] as ContractEvent<ClaimsManager, "ClaimSubmitted">;
    const policy = policies.get(s.args.policyId);
    if (policy === undefined) throw new Error(`No PolicyCreated event for policy ${s.args.policyId}`);
    return foldClaimHistory(s.args.claimId, ls, policy, times, blindingOf(s.args.policyId)!);
  });
}

/** Blocks whose time a history needs: the submission's and the payment's. */
function timedBlocks(logs: readonly ClaimLog[]): number[] {
  return logs.filter((l) => l.name === "ClaimSubmitted" || l.name === "ClaimPaid").map((l) => l.blockNumber);
}

/** Folds one claim's events (chain order, submission first) into its history. Pure. */
function foldClaimHistory(
  claimId: string,
  logs: readonly ClaimLog[],
  policy: Policy,
  times: ReadonlyMap<number, number>,
  blinding: ServiceBlinding,
): ClaimHistory {
  const submitted = logs[0];
  if (submitted.name !== "ClaimSubmitted")
    throw new Error(`Claim ${claimId}'s history does not start with its submission`);
  const s = submitted.args;
  const blindedLines = s.lines.map((l) => ({ category: Number(l.category), amount: l.amount }));
  const lines = unblindLines(blinding, blindedLines);
  const a = s.adjudication;
  const status = Number(a.status) as AdjudicationResult["status"];
  const adjudication: AdjudicationResult = {
    status,
    reason: Number(a.reason),
    year: policyYearOf(policy, s.serviceDate),
    billed: a.billed,
    eligible: a.eligible,
    deductible: a.deductible,
    coinsurance: a.coinsurance,
    benefit: a.benefit,
    memberShare: a.memberShare,
    lines: (status === ClaimStatus.Denied
      ? deniedLines(blindedLines, Number(a.reason))
      : lineAdjudications(policy, blindedLines, a.deductible, a.benefit)
    ).map((line, i) => ({ ...line, category: lines[i].category })),
  };
  const history: ClaimHistory = {
    claimId,
    policyId: s.policyId,
    provider: s.provider,
    insurer: policy.insurer,
    member: policy.member,
    serviceDate: s.serviceDate,
    submittedAt: BigInt(times.get(submitted.blockNumber)!),
    lines,
    blindedLines,
    adjudication,
    status,
    reason: Number(a.reason),
    approved: status === ClaimStatus.Denied ? 0n : a.benefit,
    appealed: false,
    paid: 0n,
  };
  for (const log of logs.slice(1)) {
    switch (log.name) {
      case "ClaimApproved":
        history.status = ClaimStatus.Approved;
        history.reason = 0;
        history.approved = log.args.amount;
        break;
      case "ClaimDenied":
        history.status = log.args.onAppeal ? ClaimStatus.FinalDenied : ClaimStatus.Denied;
        history.reason = Number(log.args.reason);
        break;
      case "ClaimAppealed":
        history.status = ClaimStatus.Appealed;
        history.appealed = true;
        break;
      case "ClaimPaid":
        history.status = ClaimStatus.Paid;
        history.paid = log.args.amount;
        history.paidAt = BigInt(times.get(log.blockNumber)!);
        break;
    }
  }
  return history;
}
