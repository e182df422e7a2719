import { Adjudication, ClaimReasons } from "../constants";
import type { ClaimLine } from "./limits";
import { ClaimStatus } from "./reasons";

/*
 * The adjudication rules of `ClaimsManager`, mirrored line for line from the pure library
 * `contracts/claims/Adjudication.sol`: the same functions, with the same names, in the same order, each saying where
 * its twin is. Solidity's `uint256` is `bigint` here, a tuple return is an array, and a memory struct that the
 * library updates is an object this code updates. The contract reads and writes storage around the library; the
 * SDK's preview (`preview.ts`) feeds this mirror with what it reads from the chain, and a property test checks that
 * both decide alike on random claims. Change both files together.
 */

/** Basis points in 100% (`Adjudication.BPS`). */
export const BPS = Adjudication.BPS;
/** Length of a policy year in seconds (`Adjudication.POLICY_YEAR`). */
export const POLICY_YEAR = Adjudication.POLICY_YEAR;
/** Length of a service day in seconds (`Adjudication.SERVICE_DAY`). */
export const SERVICE_DAY = Adjudication.SERVICE_DAY;
/** The category of a citation when a claim cites no prior authorisation (`Adjudication.NO_CATEGORY`). */
export const NO_CATEGORY = Adjudication.NO_CATEGORY;

/** What the rules read of a policy (`Adjudication.Rules`); `ClaimsManager.policy(id)` returns a superset. */
export interface Rules {
  coverageStart: bigint;
  coverageEnd: bigint;
  annualLimit: bigint;
  deductible: bigint;
  coinsuranceBps: bigint;
  coveredCategories: bigint;
  reviewThreshold: bigint;
}

/** What a policy year has used (`IClaimsManager.Usage`, as `ClaimsManager.usage(policyId, year)` returns it). */
export interface Usage {
  /** The member's deductible applied so far (by approved, paid and pended claims). */
  deductibleMet: bigint;
  /** Benefit approved, paid or not: the part of the annual limit really used. */
  committed: bigint;
  /** Benefit that pended claims may still be approved for. */
  reserved: bigint;
}

/** The prior authorisation a claim cites (`Adjudication.Citation`): category `NO_CATEGORY`, amount 0 for none. */
export interface Citation {
  category: bigint;
  amount: bigint;
}

/** The outcome of adjudicating a claim (`IClaimsManager.Outcome`, the `adjudication` of `ClaimSubmitted`). */
export interface Outcome {
  status: ClaimStatus;
  reason: number;
  billed: bigint;
  eligible: bigint;
  deductible: bigint;
  coinsurance: bigint;
  benefit: bigint;
  memberShare: bigint;
}

/** No citation. */
export const NO_CITATION: Citation = { category: NO_CATEGORY, amount: 0n };

/** An outcome with every amount zero and no status, as Solidity zero-initialises a memory struct. */
function emptyOutcome(): Outcome {
  return {
    status: ClaimStatus.None,
    reason: ClaimReasons.NONE,
    billed: 0n,
    eligible: 0n,
    deductible: 0n,
    coinsurance: 0n,
    benefit: 0n,
    memberShare: 0n,
  };
}

/** The policy year a date falls into, the date clamped into the coverage period. Twin: `Adjudication.policyYear`. */
export function policyYear(coverageStart: bigint, coverageEnd: bigint, date: bigint): bigint {
  if (date <= coverageStart) return 0n;
  if (date > coverageEnd) date = coverageEnd;
  return (date - coverageStart) / POLICY_YEAR;
}

/** The day of a service date, which the duplicate fingerprint keys on. Twin: `Adjudication.serviceDay`. */
export function serviceDay(serviceDate: bigint): bigint {
  return serviceDate / SERVICE_DAY;
}

/** Adjudicates a claim against a policy and what its year has used. Twin: `Adjudication.adjudicate`. */
export function adjudicate(
  rules: Rules,
  usage: Usage,
  lines: readonly ClaimLine[],
  serviceDate: bigint,
  citation: Citation,
  escrowAvailable: bigint,
): Outcome {
  const [outcome, citedBenefit] = sumLines(rules, usage, lines, citation.category);
  if (serviceDate < rules.coverageStart || serviceDate > rules.coverageEnd) {
    return denied(outcome.billed, ClaimReasons.OUTSIDE_COVERAGE_PERIOD);
  }
  if (outcome.eligible === 0n) return denied(outcome.billed, ClaimReasons.SERVICE_NOT_COVERED);
  outcome.memberShare = outcome.eligible - outcome.benefit;
  [outcome.status, outcome.reason] = classify(
    rules,
    usage,
    outcome.benefit,
    citedBenefit,
    citation.amount,
    escrowAvailable,
  );
  return outcome;
}

/** A denied outcome: only the billed total and the reason. Twin: `Adjudication.denied`. */
export function denied(billed: bigint, reason: number): Outcome {
  const outcome = emptyOutcome();
  outcome.status = ClaimStatus.Denied;
  outcome.reason = reason;
  outcome.billed = billed;
  return outcome;
}

/** Adds the lines up in order, each covered line through `addLine`. Twin: `Adjudication.sumLines`. */
export function sumLines(
  rules: Rules,
  usage: Usage,
  lines: readonly ClaimLine[],
  citedCategory: bigint,
): [outcome: Outcome, citedBenefit: bigint] {
  const outcome = emptyOutcome();
  let citedBenefit = 0n;
  for (let i = 0; i < lines.length; ++i) {
    const category = BigInt(lines[i].category);
    const amount = lines[i].amount;
    outcome.billed += amount;
    if (!isCovered(rules.coveredCategories, category)) continue;
    const benefit = addLine(rules, usage, outcome, amount);
    if (category === citedCategory) citedBenefit += benefit;
  }
  return [outcome, citedBenefit];
}

/**
 * Adds one covered line to the totals of `outcome` (updated), split by `splitLine` against the deductible still due
 * and what approved claims left of the annual limit, after the lines before it. Twin: `Adjudication.addLine`.
 */
export function addLine(rules: Rules, usage: Usage, outcome: Outcome, amount: bigint): bigint {
  const deductibleLeft = rules.deductible - usage.deductibleMet - outcome.deductible;
  const left = limitLeft(rules.annualLimit, usage.committed) - outcome.benefit;
  const [deductible, coinsurance, benefit] = splitLine(amount, deductibleLeft, left, rules.coinsuranceBps);
  outcome.eligible += amount;
  outcome.deductible += deductible;
  outcome.coinsurance += coinsurance;
  outcome.benefit += benefit;
  return benefit;
}

/**
 * One covered line: the deductible takes what it still needs; the member's coinsurance is `rest * bps / BPS`
 * rounded down (in the member's favour); the insurer's benefit is the remainder, capped by what is left of the
 * limit. Twin: `Adjudication.splitLine`.
 */
export function splitLine(
  amount: bigint,
  deductibleLeft: bigint,
  limitLeft_: bigint,
  coinsuranceBps: bigint,
): [deductible: bigint, coinsurance: bigint, benefit: bigint] {
  const deductible = amount < deductibleLeft ? amount : deductibleLeft;
  const rest = amount - deductible;
  const coinsurance = (rest * coinsuranceBps) / BPS;
  let benefit = rest - coinsurance;
  if (benefit > limitLeft_) benefit = limitLeft_;
  return [deductible, coinsurance, benefit];
}

/**
 * Where an in-period claim with covered lines goes: Pended for review, else Pended when other claims' reservations
 * would cut its benefit, else Pended when the insurer's free escrow is short, else Approved. Twin:
 * `Adjudication.classify`.
 */
export function classify(
  rules: Rules,
  usage: Usage,
  benefit: bigint,
  citedBenefit: bigint,
  citedAmount: bigint,
  escrowAvailable: bigint,
): [status: ClaimStatus, reason: number] {
  if (needsReview(rules.reviewThreshold, benefit, citedBenefit, citedAmount)) {
    return [ClaimStatus.Pended, ClaimReasons.PENDED_FOR_REVIEW];
  }
  if (benefit > freeLimit(rules.annualLimit, usage)) {
    return [ClaimStatus.Pended, ClaimReasons.PENDED_LIMIT_RESERVED];
  }
  if (benefit > escrowAvailable) return [ClaimStatus.Pended, ClaimReasons.PENDED_ESCROW_SHORT];
  return [ClaimStatus.Approved, ClaimReasons.NONE];
}

/**
 * Whether a claim needs the insurer's review: its benefit is above the threshold, and a cited authorisation does
 * not cover the excess (its category's lines pay more than its amount, or the other lines alone pay more than the
 * threshold). Twin: `Adjudication.needsReview`.
 */
export function needsReview(
  reviewThreshold: bigint,
  benefit: bigint,
  citedBenefit: bigint,
  citedAmount: bigint,
): boolean {
  if (benefit <= reviewThreshold) return false;
  return citedBenefit > citedAmount || benefit - citedBenefit > reviewThreshold;
}

/** What approved claims left of the annual limit. Twin: `Adjudication.limitLeft`. */
export function limitLeft(annualLimit: bigint, committed: bigint): bigint {
  return annualLimit - committed;
}

/** What is left of the annual limit once pended claims' reservations are set aside. Twin: `Adjudication.freeLimit`. */
export function freeLimit(annualLimit: bigint, usage: Usage): bigint {
  const left = limitLeft(annualLimit, usage.committed);
  const reserved = usage.reserved;
  return reserved < left ? left - reserved : 0n;
}

/** The part of a claim's deductible still due when its appeal is approved. Twin: `Adjudication.deductibleDue`. */
export function deductibleDue(deductible: bigint, deductibleMet: bigint, applied: bigint): bigint {
  const due = deductible - deductibleMet;
  return applied < due ? applied : due;
}

/** Whether a policy covers a service category. Twin: `Adjudication.isCovered`. */
export function isCovered(coveredCategories: bigint, category: bigint): boolean {
  return ((coveredCategories >> category) & 1n) === 1n;
}
