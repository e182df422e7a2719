import type { ClaimsManager } from "../../typechain-types";
import { unblindLines, type ServiceBlinding } from "./blinding";
import { deniedLines, lineAdjudications, policyYearOf, type AdjudicationResult, type PolicyRules } from "./preview";
import type { ClaimHistory } from "./fhir";
import { ClaimStatus } from "./reasons";

/** A policy's rules read from its `PolicyCreated` event, as on chain (its covered set in blinded codes). */
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
 * A claim's history rebuilt from the contract's events alone, in plain terms: the submission and its adjudication
 * (split back into lines with the policy's rules, in blinded space as the contract split them, then unblinded with
 * `blinding`), every decision, the appeal and the payment. `blinding` is the policy's (the member's and the
 * insurer's `PolicyBlinding`, or a provider's `ServiceCodebook`, which reads the claims it billed). The result
 * feeds `buildClaimResponse`.
 */
export async function claimHistory(
  manager: ClaimsManager,
  claimId: string,
  blinding: ServiceBlinding,
): Promise<ClaimHistory> {
  const [submitted] = await manager.queryFilter(manager.filters.ClaimSubmitted(claimId));
  if (submitted === undefined) throw new Error(`No ClaimSubmitted event for claim ${claimId}: is it submitted?`);
  const s = submitted.args;
  const policy = await policyFromEvents(manager, s.policyId);
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
    submittedAt: BigInt((await submitted.getBlock()).timestamp),
    lines,
    blindedLines,
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
