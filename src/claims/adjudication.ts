import { assertServiceCategory } from "./categories";
import { ClaimStatus, REASON } from "./reasons";

/**
 * The adjudication rules of `ClaimsManager`, in TypeScript, so that a provider can preview a claim's outcome before
 * submitting and an indexer can split the claim-level totals of a `ClaimSubmitted` event back into lines. A test
 * submits random claims and checks that the preview equals what the contract decided.
 */

/** Largest amount the contract accepts (amounts are stored in 96 bits). */
export const MAX_AMOUNT = 2n ** 96n - 1n;
/** Most lines per claim. */
export const MAX_LINES = 16;
/** Basis points in 100%. */
export const BPS = 10_000n;
/** Length of a policy year in seconds. */
export const POLICY_YEAR = 365n * 24n * 60n * 60n;
/** Claims are accepted until this long after coverage ends (seconds). */
export const FILING_WINDOW = 180n * 24n * 60n * 60n;
/** A denial may be appealed until this long after it (seconds). */
export const APPEAL_WINDOW = 180n * 24n * 60n * 60n;

/** One line of a claim: a service-category code and the billed amount in the token's smallest unit. */
export interface ClaimLine {
  category: number;
  amount: bigint;
}

/** The parts of a policy the rules read (as returned by `ClaimsManager.policy`). */
export interface PolicyRules {
  coverageStart: bigint;
  coverageEnd: bigint;
  annualLimit: bigint;
  deductible: bigint;
  coinsuranceBps: bigint;
  coveredCategories: bigint;
  reviewThreshold: bigint;
}

/** What the policy year has used so far (`ClaimsManager.usage`). */
export interface YearUsage {
  deductibleMet: bigint;
  benefit: bigint;
}

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

/** The outcome of adjudicating a claim at submission (the `Adjudication` of `ClaimSubmitted`, plus lines). */
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

/** Everything the rules need: the policy, the year's usage, the insurer's free escrow, the claim. */
export interface PreviewInput {
  policy: PolicyRules;
  usage: YearUsage;
  /** The insurer's escrow balance minus what it owes. */
  escrowAvailable: bigint;
  lines: readonly ClaimLine[];
  serviceDate: bigint;
  /** Amount of a cited, approved prior authorisation; omit when none is cited. */
  priorAuthAmount?: bigint;
}

/** Sorts lines into the canonical order the contract requires (by category, then amount). */
export function sortLines(lines: readonly ClaimLine[]): ClaimLine[] {
  return [...lines].sort((a, b) =>
    a.category !== b.category ? a.category - b.category : a.amount < b.amount ? -1 : a.amount > b.amount ? 1 : 0,
  );
}

/** Checks lines as the contract does, throwing a message that says what to fix. */
export function assertLines(lines: readonly ClaimLine[]): void {
  if (lines.length === 0 || lines.length > MAX_LINES) {
    throw new Error(`A claim needs 1 to ${MAX_LINES} lines; got ${lines.length}. Split a larger bill into claims.`);
  }
  let total = 0n;
  lines.forEach((line, i) => {
    assertServiceCategory(line.category);
    if (line.amount <= 0n) throw new Error(`Line ${i} bills ${line.amount}: amounts must be positive`);
    if (line.amount > MAX_AMOUNT) throw new Error(`Line ${i} bills ${line.amount}: at most ${MAX_AMOUNT} (96 bits)`);
    if (i > 0) {
      const prev = lines[i - 1];
      if (prev.category > line.category || (prev.category === line.category && prev.amount > line.amount)) {
        throw new Error(`Line ${i} is out of order: sort the lines with sortLines() (by category, then amount)`);
      }
    }
    total += line.amount;
  });
  if (total > MAX_AMOUNT) throw new Error(`The claim bills ${total} in total: at most ${MAX_AMOUNT} (96 bits)`);
}

/** The policy year of a date: `(date - coverageStart) / 365 days`, clamped into the coverage period. */
export function policyYearOf(policy: Pick<PolicyRules, "coverageStart" | "coverageEnd">, date: bigint): bigint {
  if (date <= policy.coverageStart) return 0n;
  const clamped = date > policy.coverageEnd ? policy.coverageEnd : date;
  return (clamped - policy.coverageStart) / POLICY_YEAR;
}

function isCovered(policy: Pick<PolicyRules, "coveredCategories">, category: number): boolean {
  return ((policy.coveredCategories >> BigInt(category)) & 1n) === 1n;
}

/**
 * Splits covered lines in order: the deductible takes what it still needs (`deductibleLeft`), the member's
 * coinsurance is `rest * bps / 10000` rounded down (in the member's favour), the insurer's share is capped by
 * `limitLeft`. Called with the year's remaining deductible and limit it adjudicates; called with a claim's
 * deductible and benefit totals it rebuilds the same per-line split (both are greedy in line order).
 */
export function splitLines(
  policy: Pick<PolicyRules, "coveredCategories" | "coinsuranceBps">,
  lines: readonly ClaimLine[],
  deductibleLeft: bigint,
  limitLeft: bigint,
): LineAdjudication[] {
  let dLeft = deductibleLeft;
  let lLeft = limitLeft;
  return lines.map((line) => {
    if (!isCovered(policy, line.category)) {
      return {
        category: line.category,
        billed: line.amount,
        reason: REASON.SERVICE_NOT_COVERED,
        eligible: 0n,
        deductible: 0n,
        coinsurance: 0n,
        benefit: 0n,
        memberShare: 0n,
      };
    }
    const deductible = line.amount < dLeft ? line.amount : dLeft;
    dLeft -= deductible;
    const rest = line.amount - deductible;
    const coinsurance = (rest * policy.coinsuranceBps) / BPS;
    let benefit = rest - coinsurance;
    if (benefit > lLeft) benefit = lLeft;
    lLeft -= benefit;
    return {
      category: line.category,
      billed: line.amount,
      reason: REASON.NONE,
      eligible: line.amount,
      deductible,
      coinsurance,
      benefit,
      memberShare: line.amount - benefit,
    };
  });
}

/**
 * Previews a claim's adjudication with the contract's rules. It assumes the claim is admissible (policy live,
 * consent given, no duplicate, prior authorisation valid); the contract refuses the others with a named error.
 */
export function previewAdjudication(input: PreviewInput): AdjudicationResult {
  const { policy, usage, lines, serviceDate } = input;
  assertLines(lines);
  const billed = lines.reduce((s, l) => s + l.amount, 0n);
  const year = policyYearOf(policy, serviceDate);
  const denied = (reason: number, perLine: number): AdjudicationResult => ({
    status: ClaimStatus.Denied,
    reason,
    year,
    billed,
    eligible: 0n,
    deductible: 0n,
    coinsurance: 0n,
    benefit: 0n,
    memberShare: 0n,
    lines: lines.map((l) => ({
      category: l.category,
      billed: l.amount,
      reason: perLine,
      eligible: 0n,
      deductible: 0n,
      coinsurance: 0n,
      benefit: 0n,
      memberShare: 0n,
    })),
  });
  if (serviceDate < policy.coverageStart || serviceDate > policy.coverageEnd) {
    return denied(REASON.OUTSIDE_COVERAGE_PERIOD, REASON.OUTSIDE_COVERAGE_PERIOD);
  }
  const split = splitLines(policy, lines, policy.deductible - usage.deductibleMet, policy.annualLimit - usage.benefit);
  const sum = (f: (l: LineAdjudication) => bigint) => split.reduce((s, l) => s + f(l), 0n);
  const eligible = sum((l) => l.eligible);
  if (eligible === 0n) return denied(REASON.SERVICE_NOT_COVERED, REASON.SERVICE_NOT_COVERED);
  const benefit = sum((l) => l.benefit);
  let threshold = policy.reviewThreshold;
  if (input.priorAuthAmount !== undefined && input.priorAuthAmount > threshold) threshold = input.priorAuthAmount;
  let status: AdjudicationResult["status"] = ClaimStatus.Approved;
  let reason: number = REASON.NONE;
  if (benefit > threshold) {
    status = ClaimStatus.Pended;
    reason = REASON.PENDED_FOR_REVIEW;
  } else if (benefit > 0n && input.escrowAvailable < benefit) {
    status = ClaimStatus.Pended;
    reason = REASON.PENDED_ESCROW_SHORT;
  }
  return {
    status,
    reason,
    year,
    billed,
    eligible,
    deductible: sum((l) => l.deductible),
    coinsurance: sum((l) => l.coinsurance),
    benefit,
    memberShare: eligible - benefit,
    lines: split,
  };
}

/** The year's usage after a claim with this result was submitted (pended claims reserve their benefit). */
export function usageAfter(usage: YearUsage, result: AdjudicationResult): YearUsage {
  return {
    deductibleMet: usage.deductibleMet + result.deductible,
    benefit: usage.benefit + result.benefit,
  };
}
