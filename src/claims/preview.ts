import { ClaimReasons } from "../constants";
import {
  adjudicate,
  deductibleDue,
  isCovered,
  NO_CITATION,
  policyYear,
  splitLine,
  type Citation,
  type Rules,
  type Usage,
} from "./adjudication";
import { blindLines, unblindLines, type ServiceBlinding } from "./blinding";
import { assertLines, type ClaimLine } from "./limits";
import { ClaimStatus } from "./reasons";

/**
 * What a provider, a member or an indexer does with the rules off chain: preview a claim before submitting it,
 * split a claim's totals back into lines, and follow a policy year's usage through decisions. Built on the mirror
 * of the contract's library (`adjudication.ts`); nothing here is in the contract.
 */

/** The parts of a policy the rules read (as `ClaimsManager.policy(id)` returns them). */
export type PolicyRules = Rules;

/** One line's adjudication. Amounts of an uncovered (or out-of-period) line are zero except `billed`. */
export interface LineAdjudication {
  category: number;
  billed: bigint;
  /** 0, or SERVICE_NOT_COVERED / OUTSIDE_COVERAGE_PERIOD for a line the insurer does not pay. */
  reason: number;
  eligible: bigint;
  deductible: bigint;
  coinsurance: bigint;
  benefit: bigint;
  /** Deductible + coinsurance + what the annual limit leaves to the member. */
  memberShare: bigint;
}

/** The outcome of adjudicating a claim at submission (the `adjudication` of `ClaimSubmitted`), with its lines. */
export interface AdjudicationResult {
  status: ClaimStatus.Approved | ClaimStatus.Pended | ClaimStatus.Denied;
  reason: number;
  year: bigint;
  billed: bigint;
  eligible: bigint;
  deductible: bigint;
  coinsurance: bigint;
  benefit: bigint;
  memberShare: bigint;
  lines: LineAdjudication[];
}

/**
 * Everything the rules need: the policy, the year's usage, the insurer's free escrow, the claim. Codes are as the
 * contract sees them: the policy's blinded codes (to preview in plain terms, use `previewClaim`).
 */
export interface PreviewInput {
  policy: PolicyRules;
  /** `ClaimsManager.usage(policyId, policyYearOf(policy, serviceDate))`. */
  usage: Usage;
  /** The insurer's escrow balance minus what it owes. */
  escrowAvailable: bigint;
  lines: readonly ClaimLine[];
  serviceDate: bigint;
  /** The cited, approved prior authorisation's category and amount; omit when none is cited. */
  priorAuth?: { category: number; amount: bigint };
}

/** The policy year of a date: `(date - coverageStart) / 365 days`, clamped into the coverage period. */
export function policyYearOf(policy: Pick<PolicyRules, "coverageStart" | "coverageEnd">, date: bigint): bigint {
  return policyYear(policy.coverageStart, policy.coverageEnd, date);
}

/**
 * Previews a claim's adjudication with the contract's rules. It assumes the claim is admissible (policy live,
 * consent given, no duplicate, prior authorisation valid); the contract refuses the others with a named error.
 */
export function previewAdjudication(input: PreviewInput): AdjudicationResult {
  const { policy, usage, lines, serviceDate } = input;
  assertLines(lines);
  const citation: Citation =
    input.priorAuth === undefined
      ? NO_CITATION
      : { category: BigInt(input.priorAuth.category), amount: input.priorAuth.amount };
  const outcome = adjudicate(policy, usage, lines, serviceDate, citation, input.escrowAvailable);
  const status = outcome.status as AdjudicationResult["status"];
  return {
    ...outcome,
    status,
    year: policyYearOf(policy, serviceDate),
    lines:
      status === ClaimStatus.Denied
        ? deniedLines(lines, outcome.reason)
        : lineAdjudications(policy, lines, outcome.deductible, outcome.benefit),
  };
}

/** A claim in plain terms: what a provider or a member previews (`previewClaim`). */
export interface ClaimPreviewInput extends Omit<PreviewInput, "lines" | "priorAuth"> {
  /** The policy's blinding: its key's `PolicyBlinding`, or the provider's `ServiceCodebook`. */
  blinding: ServiceBlinding;
  /** The lines with plain service codes, in any order. */
  lines: readonly ClaimLine[];
  /** The cited, approved prior authorisation's plain service code and amount; omit when none is cited. */
  priorAuth?: { category: number; amount: bigint };
}

/** A preview in plain terms, with the blinded lines to submit. */
export interface ClaimPreview extends AdjudicationResult {
  /** The lines to pass to `submitClaim`: blinded and in canonical order, the order of `lines`. */
  submitLines: ClaimLine[];
}

/**
 * Previews a claim given in plain service codes under a policy as it is on chain (blinded covered set): blinds the
 * lines (and the cited authorisation's code), sorts them canonically, adjudicates in blinded space as the contract
 * does, and unblinds the lines of the result. `lines[i]` of the result is line `i` of `submitLines`, in plain codes.
 * The rules only compare codes, so this equals adjudicating the plain lines, in that order, against the plain
 * policy (a property test checks it).
 */
export function previewClaim(input: ClaimPreviewInput): ClaimPreview {
  const { blinding, lines, priorAuth, ...rest } = input;
  const submitLines = blindLines(blinding, lines);
  const result = previewAdjudication({
    ...rest,
    lines: submitLines,
    ...(priorAuth === undefined
      ? {}
      : { priorAuth: { category: blinding.blind(priorAuth.category), amount: priorAuth.amount } }),
  });
  const plain = unblindLines(blinding, submitLines);
  return { ...result, lines: result.lines.map((l, i) => ({ ...l, category: plain[i].category })), submitLines };
}

/** The lines of a claim denied as a whole: nothing eligible, each with the claim's reason. */
export function deniedLines(lines: readonly ClaimLine[], reason: number): LineAdjudication[] {
  return lines.map((l) => ({
    category: l.category,
    billed: l.amount,
    reason,
    eligible: 0n,
    deductible: 0n,
    coinsurance: 0n,
    benefit: 0n,
    memberShare: 0n,
  }));
}

/**
 * Splits covered lines in order with `splitLine`, from a deductible and a limit that the lines share. Called with
 * a claim's deductible and benefit totals (from `ClaimSubmitted`), it rebuilds the per-line split the contract
 * made: the split is greedy in line order, so the totals reproduce it exactly.
 */
export function lineAdjudications(
  policy: Pick<PolicyRules, "coveredCategories" | "coinsuranceBps">,
  lines: readonly ClaimLine[],
  deductibleLeft: bigint,
  limitLeft: bigint,
): LineAdjudication[] {
  let dLeft = deductibleLeft;
  let lLeft = limitLeft;
  return lines.map((line) => {
    if (!isCovered(policy.coveredCategories, BigInt(line.category))) {
      return deniedLines([line], ClaimReasons.SERVICE_NOT_COVERED)[0];
    }
    const [deductible, coinsurance, benefit] = splitLine(line.amount, dLeft, lLeft, policy.coinsuranceBps);
    dLeft -= deductible;
    lLeft -= benefit;
    return {
      category: line.category,
      billed: line.amount,
      reason: ClaimReasons.NONE,
      eligible: line.amount,
      deductible,
      coinsurance,
      benefit,
      memberShare: line.amount - benefit,
    };
  });
}

/**
 * How a policy year's usage moves, as `ClaimsManager` records it: a submission (an approved claim commits its
 * benefit, a pended one reserves it, both apply their deductible), a review (approval commits the approved amount
 * and frees the reservation; denial frees it and gives the deductible back), an appeal's approval (commits the
 * amount and applies again what is still due of the deductible the denial gave back).
 */
export const usageAfter = {
  /** After a claim with this outcome was submitted. */
  submission(usage: Usage, outcome: Pick<AdjudicationResult, "status" | "deductible" | "benefit">): Usage {
    if (outcome.status === ClaimStatus.Denied) return { ...usage };
    const pended = outcome.status === ClaimStatus.Pended;
    return {
      deductibleMet: usage.deductibleMet + outcome.deductible,
      committed: usage.committed + (pended ? 0n : outcome.benefit),
      reserved: usage.reserved + (pended ? outcome.benefit : 0n),
    };
  },
  /** After a pended claim that reserved `reserved` was approved for `amount`. */
  approval(usage: Usage, reserved: bigint, amount: bigint): Usage {
    return { ...usage, committed: usage.committed + amount, reserved: usage.reserved - reserved };
  },
  /** After a pended claim that reserved `reserved` and applied `deductible` was denied. */
  denial(usage: Usage, reserved: bigint, deductible: bigint): Usage {
    return { ...usage, deductibleMet: usage.deductibleMet - deductible, reserved: usage.reserved - reserved };
  },
  /**
   * After an appeal was approved for `amount`, for a claim that had applied `deductible` before its denial (0 for
   * one denied at submission); `applied` is what the approval applies again.
   */
  appealApproval(
    policy: Pick<PolicyRules, "deductible">,
    usage: Usage,
    amount: bigint,
    deductible: bigint,
  ): { usage: Usage; applied: bigint } {
    const applied = deductibleDue(policy.deductible, usage.deductibleMet, deductible);
    return {
      usage: { ...usage, deductibleMet: usage.deductibleMet + applied, committed: usage.committed + amount },
      applied,
    };
  },
};
