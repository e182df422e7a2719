import type { ClaimsManager } from "../../typechain-types";
import { deniedLines, lineAdjudications, policyYearOf, type AdjudicationResult, type PolicyRules } from "./preview";
import type { ClaimHistory } from "./fhir";
import { ClaimStatus } from "./reasons";

/** A policy's rules read from its `PolicyCreated` event. */
export async function policyFromEvents(
  manager: ClaimsManager,
  policyId: bigint,
): Promise<PolicyRules & { insurer: string; member: string }> {
  const [log] = await manager.queryFilter(manager.filters.PolicyCreated(policyId));
  if (log === undefined) throw new Error(`No PolicyCreated event for policy ${policyId}: is the id right?`);
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

/**
 * A claim's history rebuilt from the contract's events alone: the submission and its adjudication (split back into
 * lines with the policy's rules), every decision, the appeal and the payment. The result feeds
 * `buildClaimResponse`.
 */
export async function claimHistory(manager: ClaimsManager, claimId: string): Promise<ClaimHistory> {
  const [submitted] = await manager.queryFilter(manager.filters.ClaimSubmitted(claimId));
  if (submitted === undefined) throw new Error(`No ClaimSubmitted event for claim ${claimId}: is it submitted?`);
  const s = submitted.args;
  const policy = await policyFromEvents(manager, s.policyId);
  const lines = s.lines.map((l) => ({ category: Number(l.category), amount: l.amount }));
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
    lines:
      status === ClaimStatus.Denied
        ? deniedLines(lines, Number(a.reason))
        : lineAdjudications(policy, lines, a.deductible, a.benefit),
  };
  const history: ClaimHistory = {
    claimId,
    policyId: s.policyId,
    provider: s.provider,
    insurer: policy.insurer,
    member: policy.member,
    serviceDate: s.serviceDate,
    submittedAt: BigInt((await submitted.getBlock()).timestamp),
    lines,
    adjudication,
    status,
    reason: Number(a.reason),
    approved: status === ClaimStatus.Denied ? 0n : a.benefit,
    appealed: false,
    paid: 0n,
  };

  const logs = [
    ...(await manager.queryFilter(manager.filters.ClaimApproved(claimId))),
    ...(await manager.queryFilter(manager.filters.ClaimDenied(claimId))),
    ...(await manager.queryFilter(manager.filters.ClaimAppealed(claimId))),
    ...(await manager.queryFilter(manager.filters.ClaimPaid(claimId))),
  ].sort((x, y) => x.blockNumber - y.blockNumber || x.index - y.index);
  for (const log of logs) {
    switch (log.eventName) {
      case "ClaimApproved": {
        const args = log.args as unknown as { amount: bigint };
        history.status = ClaimStatus.Approved;
        history.reason = 0;
        history.approved = args.amount;
        break;
      }
      case "ClaimDenied": {
        const args = log.args as unknown as { reason: bigint; onAppeal: boolean };
        history.status = args.onAppeal ? ClaimStatus.FinalDenied : ClaimStatus.Denied;
        history.reason = Number(args.reason);
        break;
      }
      case "ClaimAppealed":
        history.status = ClaimStatus.Appealed;
        history.appealed = true;
        break;
      case "ClaimPaid": {
        const args = log.args as unknown as { amount: bigint };
        history.status = ClaimStatus.Paid;
        history.paid = args.amount;
        history.paidAt = BigInt((await log.getBlock()).timestamp);
        break;
      }
    }
  }
  return history;
}
