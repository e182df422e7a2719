import type { ExplanationOfBenefit, ExplanationOfBenefitItemAdjudication } from "@medplum/fhirtypes";
import { formatUnits } from "ethers";
import { ClaimReasons } from "../constants";
import { serviceName } from "../claims/categories";
import { buildExplanationOfBenefit, money, type ClaimHistory, type Currency } from "../claims/fhir";
import { ClaimStatus, reasonText } from "../claims/reasons";
import type { LineAdjudication } from "../claims/preview";

/**
 * X12 835 (Health Care Claim Payment/Advice, 005010X221A1) semantics for adjudicated claims: every amount the
 * insurer does not pay carries a claim adjustment group code (CO, PR, OA, PI), a Claim Adjustment Reason Code
 * (CARC) and, where one applies, a Remittance Advice Remark Code (RARC). One table maps our reasons to them.
 *
 * Sources: ASC X12 835 TR3 005010X221A1 (CLP, CAS, SVC, BPR segments and the balancing rule "charge = payment +
 * adjustments"); X12 Claim Adjustment Group Codes and Claim Adjustment Reason Codes (https://x12.org/codes/
 * claim-adjustment-reason-codes); CMS/X12 Remittance Advice Remark Codes (https://x12.org/codes/
 * remittance-advice-remark-codes); FHIR code system URIs as used by HL7 CARIN Blue Button (terminology.hl7.org
 * X12ClaimAdjustmentReasonCodes).
 */

/** Claim adjustment group codes (X12): who bears the adjusted amount. */
export type GroupCode = "CO" | "PR" | "OA" | "PI";

export const GROUP_CODES: Readonly<Record<GroupCode, string>> = {
  CO: "Contractual Obligations (the provider writes it off)",
  PR: "Patient Responsibility (the member owes it)",
  OA: "Other Adjustments",
  PI: "Payer Initiated Reductions (not the patient's, no contract behind it)",
};

/** One standard adjustment: group, CARC and the remark codes that go with it. */
export interface StandardAdjustment {
  group: GroupCode;
  carc: string;
  rarc: string[];
}

/** What an adjusted amount is, in our terms: an amount of the adjudication, or a reason code. */
export type AdjustmentCause =
  "deductible" | "coinsurance" | "aboveAnnualLimit" | "billedAboveEligible" | "approvedBelowBenefit" | number;

/** One row of the mapping table (rendered in docs/interoperability.md). */
export interface AdjustmentRow extends StandardAdjustment {
  cause: AdjustmentCause;
  /** Our name of the cause. */
  ours: string;
  /** The CARC's meaning (X12 CARC list, abridged). */
  carcText: string;
}

const R = ClaimReasons;

/**
 * The one table: our reason codes and adjudication amounts → group + CARC + RARC. Service dates outside the
 * coverage period use CARC 27 (after coverage ended) or, when the caller says the date was before it started, 26.
 */
export const ADJUSTMENT_TABLE: readonly AdjustmentRow[] = [
  { cause: "deductible", ours: "deductible applied", group: "PR", carc: "1", rarc: [], carcText: "Deductible Amount" },
  { cause: "coinsurance", ours: "coinsurance", group: "PR", carc: "2", rarc: [], carcText: "Coinsurance Amount" },
  {
    cause: "aboveAnnualLimit",
    ours: "member share above the annual limit",
    group: "PR",
    carc: "119",
    rarc: ["N130"],
    carcText: "Benefit maximum for this time period or occurrence has been reached",
  },
  {
    cause: "billedAboveEligible",
    ours: "billed above the eligible amount",
    group: "CO",
    carc: "45",
    rarc: [],
    carcText: "Charge exceeds fee schedule/maximum allowable or contracted/legislated fee arrangement",
  },
  {
    cause: "approvedBelowBenefit",
    ours: "insurer approved less than the computed benefit (claim level)",
    group: "PI",
    carc: "45",
    rarc: [],
    carcText: "Charge exceeds fee schedule/maximum allowable or contracted/legislated fee arrangement",
  },
  {
    cause: R.OUTSIDE_COVERAGE_PERIOD,
    ours: "OUTSIDE_COVERAGE_PERIOD (1)",
    group: "PR",
    carc: "27",
    rarc: [],
    carcText: "Expenses incurred after coverage terminated (26: expenses incurred prior to coverage)",
  },
  {
    cause: R.SERVICE_NOT_COVERED,
    ours: "SERVICE_NOT_COVERED (2)",
    group: "PR",
    carc: "96",
    rarc: ["N130"],
    carcText: "Non-covered charge(s)",
  },
  {
    cause: R.NOT_MEDICALLY_NECESSARY,
    ours: "NOT_MEDICALLY_NECESSARY (16)",
    group: "CO",
    carc: "50",
    rarc: [],
    carcText: "These are non-covered services because this is not deemed a 'medical necessity' by the payer",
  },
  {
    cause: R.INSUFFICIENT_DOCUMENTATION,
    ours: "INSUFFICIENT_DOCUMENTATION (17)",
    group: "CO",
    carc: "16",
    rarc: ["M127"],
    carcText: "Claim/service lacks information or has submission/billing error(s)",
  },
  {
    cause: R.PROVIDER_NOT_ELIGIBLE,
    ours: "PROVIDER_NOT_ELIGIBLE (18)",
    group: "CO",
    carc: "242",
    rarc: [],
    carcText: "Services not provided by network/primary care providers",
  },
  {
    cause: R.SUSPECTED_FRAUD,
    ours: "SUSPECTED_FRAUD (19)",
    group: "CO",
    carc: "18",
    rarc: [],
    carcText: "Exact duplicate claim/service",
  },
];

/** Pend reasons: no adjustment yet; an 835 does not carry pended claims (a 277 claim status does). */
export const PEND_REASONS: readonly number[] = [R.PENDED_FOR_REVIEW, R.PENDED_ESCROW_SHORT, R.PENDED_LIMIT_RESERVED];

/** An X12 mapping that cannot be made. */
export class X12MappingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "X12MappingError";
  }
}

/** Options of the exports. */
export interface RemittanceOptions {
  /** Mappings of insurer reason codes beyond the suggested ones (an insurer may publish more). */
  insurerReasons?: Readonly<Record<number, StandardAdjustment>>;
  /** For OUTSIDE_COVERAGE_PERIOD: the policy's coverage start (unix seconds), to tell CARC 26 from 27. */
  coverageStart?: bigint;
}

/** The standard adjustment of a cause; throws an {@link X12MappingError} naming an unmapped reason code. */
export function standardAdjustment(cause: AdjustmentCause, options: RemittanceOptions = {}): StandardAdjustment {
  const extra = typeof cause === "number" ? options.insurerReasons?.[cause] : undefined;
  if (extra !== undefined) return extra;
  const row = ADJUSTMENT_TABLE.find((r) => r.cause === cause);
  if (row === undefined) {
    throw new X12MappingError(
      typeof cause === "number" && PEND_REASONS.includes(cause)
        ? `Reason ${cause} (${reasonText(cause)}) is a pend, not an adjustment: the claim is not decided yet`
        : `Reason ${String(cause)} (${typeof cause === "number" ? reasonText(cause) : cause}) has no X12 mapping: ` +
            "pass it in options.insurerReasons as { group, carc, rarc }",
    );
  }
  return { group: row.group, carc: row.carc, rarc: [...row.rarc] };
}

/** One CAS adjustment with its amount (in the token's smallest unit). */
export interface Adjustment extends StandardAdjustment {
  amount: bigint;
}

/** One service line of a remittance. */
export interface RemittanceLine {
  /** Line number (1-based), the ClaimResponse/EOB item sequence. */
  sequence: number;
  /** Service category name (the plain code, not the blinded one). */
  service: string;
  charge: bigint;
  paid: bigint;
  adjustments: Adjustment[];
}

/** A claim's remittance, our amounts with their standard adjustments; every line balances. */
export interface Remittance {
  claimId: string;
  status: ClaimStatus;
  charge: bigint;
  paid: bigint;
  patientResponsibility: bigint;
  /** Claim-level adjustments (CAS at the CLP level). */
  adjustments: Adjustment[];
  lines: RemittanceLine[];
}

/** Approved, paid, denied or finally denied: a claim an 835 can report. */
function isDecided(status: ClaimStatus): boolean {
  return status !== ClaimStatus.None && status !== ClaimStatus.Pended && status !== ClaimStatus.Appealed;
}

function withAmount(a: StandardAdjustment, amount: bigint): Adjustment[] {
  return amount > 0n ? [{ ...a, amount }] : [];
}

function reasonAdjustment(reason: number, options: RemittanceOptions, serviceDate: bigint): StandardAdjustment {
  const a = standardAdjustment(reason, options);
  if (
    reason === R.OUTSIDE_COVERAGE_PERIOD &&
    options.coverageStart !== undefined &&
    serviceDate < options.coverageStart
  ) {
    return { ...a, carc: "26" };
  }
  return a;
}

/**
 * The remittance of a decided claim: per line the paid amount and the adjustments that take the charge down to
 * it (deductible PR-1, coinsurance PR-2, above the annual limit PR-119, uncovered line PR-96, …), the whole charge
 * under the claim's reason for a denied claim, and a claim-level PI-45 when the insurer approved less than the
 * computed benefit. Throws an {@link X12MappingError} for a claim not decided yet (pended or under appeal).
 */
export function remittanceOf(history: ClaimHistory, options: RemittanceOptions = {}): Remittance {
  const { status } = history;
  if (!isDecided(status)) {
    throw new X12MappingError(
      `Claim ${history.claimId} is ${ClaimStatus[status]}: an 835 reports decided claims only (report it with a 277 ` +
        "claim status, or export its ExplanationOfBenefit, which shows it as queued)",
    );
  }
  const denied = status === ClaimStatus.Denied || status === ClaimStatus.FinalDenied;
  const adj = history.adjudication;
  const lines: RemittanceLine[] = adj.lines.map((line: LineAdjudication, i): RemittanceLine => {
    const base = { sequence: i + 1, service: serviceName(line.category), charge: line.billed };
    if (denied) {
      return {
        ...base,
        paid: 0n,
        adjustments: withAmount(reasonAdjustment(history.reason, options, history.serviceDate), line.billed),
      };
    }
    if (line.reason !== 0) {
      return {
        ...base,
        paid: 0n,
        adjustments: withAmount(reasonAdjustment(line.reason, options, history.serviceDate), line.billed),
      };
    }
    const limitPart = line.memberShare - line.deductible - line.coinsurance;
    return {
      ...base,
      paid: line.benefit,
      adjustments: [
        ...withAmount(standardAdjustment("billedAboveEligible"), line.billed - line.eligible),
        ...withAmount(standardAdjustment("deductible"), line.deductible),
        ...withAmount(standardAdjustment("coinsurance"), line.coinsurance),
        ...withAmount(standardAdjustment("aboveAnnualLimit"), limitPart),
      ],
    };
  });
  for (const l of lines) {
    const total = l.paid + l.adjustments.reduce((s, a) => s + a.amount, 0n);
    if (total !== l.charge || l.adjustments.some((a) => a.amount < 0n)) {
      throw new X12MappingError(
        `Line ${l.sequence} of claim ${history.claimId} does not balance (charge ${l.charge}, paid + adjustments ${total}): ` +
          "the adjudication amounts are inconsistent",
      );
    }
  }
  const lineTotal = lines.reduce((s, l) => s + l.paid, 0n);
  const paid = denied ? 0n : history.approved;
  if (paid > lineTotal) {
    throw new X12MappingError(
      `Claim ${history.claimId} is approved for ${paid}, above its lines' benefit ${lineTotal}`,
    );
  }
  const adjustments = withAmount(standardAdjustment("approvedBelowBenefit"), lineTotal - paid);
  const all = [...adjustments, ...lines.flatMap((l) => l.adjustments)];
  return {
    claimId: history.claimId,
    status,
    charge: lines.reduce((s, l) => s + l.charge, 0n),
    paid,
    patientResponsibility: all.filter((a) => a.group === "PR").reduce((s, a) => s + a.amount, 0n),
    adjustments,
    lines,
  };
}

/** FHIR code systems of the X12 codes in an ExplanationOfBenefit. */
export const X12_SYSTEMS = {
  carc: "https://x12.org/codes/claim-adjustment-reason-codes",
  rarc: "https://x12.org/codes/remittance-advice-remark-codes",
  /** The group code rides in `adjudication.category` (no HL7 code system carries X12 group codes). */
  group: "https://health-ledger.dev/fhir/CodeSystem/x12-claim-adjustment-group",
} as const;

function fhirAdjudications(
  adjustments: readonly Adjustment[],
  currency: Currency,
): ExplanationOfBenefitItemAdjudication[] {
  return adjustments.map((a) => ({
    category: { coding: [{ system: X12_SYSTEMS.group, code: a.group, display: GROUP_CODES[a.group] }] },
    reason: {
      coding: [
        { system: X12_SYSTEMS.carc, code: a.carc },
        ...a.rarc.map((code) => ({ system: X12_SYSTEMS.rarc, code })),
      ],
      text: `${a.group}-${a.carc}${a.rarc.length > 0 ? ` (${a.rarc.join(", ")})` : ""}`,
    },
    amount: money(a.amount, currency),
  }));
}

/**
 * The member's FHIR R4 ExplanationOfBenefit (as `src/claims` builds it) with each line's X12 adjustments added to
 * its adjudication (category: group code; reason: CARC, then RARCs) and claim-level ones to the header. A claim not
 * decided yet has none (its outcome is `queued`).
 */
export function explanationOfBenefitWithAdjustments(
  history: ClaimHistory,
  currency: Currency,
  options: RemittanceOptions = {},
): ExplanationOfBenefit {
  const eob = buildExplanationOfBenefit(history, currency);
  if (!isDecided(history.status)) return eob;
  const remittance = remittanceOf(history, options);
  eob.item = (eob.item ?? []).map((item, i) => ({
    ...item,
    adjudication: [...(item.adjudication ?? []), ...fhirAdjudications(remittance.lines[i].adjustments, currency)],
  }));
  if (remittance.adjustments.length > 0) {
    eob.adjudication = [...(eob.adjudication ?? []), ...fhirAdjudications(remittance.adjustments, currency)];
  }
  return eob;
}

/** An amount as X12 writes it: a decimal string with no trailing zeros ("123.4", "80"). */
function x12Amount(amount: bigint, decimals: number): string {
  const s = formatUnits(amount, decimals);
  return s.endsWith(".0") ? s.slice(0, -2) : s;
}

/** The 835's structure as JSON: one claim payment (CLP) with its adjustments (CAS) and service lines (SVC). */
export interface Remittance835 {
  transactionSet: "835";
  implementationGuide: "005010X221A1";
  /** BPR: the payment. BPR02 amount, BPR16 date (absent until paid). */
  payment: { amount: string; currency: string; date?: string; method: "NON" | "ACH" };
  /** TRN02: the trace number (the claim id). */
  traceNumber: string;
  payer: { account: string };
  payee: { account: string };
  claims: {
    /** CLP01 patient control number: the claim id (a commitment, no personal data). */
    patientControlNumber: string;
    /** CLP02: 1 processed as primary, 4 denied. */
    statusCode: "1" | "4";
    /** CLP03, CLP04, CLP05. */
    chargeAmount: string;
    paymentAmount: string;
    patientResponsibility: string;
    /** CAS at claim level. */
    adjustments: { group: GroupCode; reason: string; amount: string }[];
    /** MOA / LQ remark codes. */
    remarks: string[];
    /** DTM*232: service date. */
    serviceDate: string;
    serviceLines: {
      /** SVC01: our service category, qualifier "HL" (Health Ledger category; not a CPT/HCPCS code). */
      procedure: { qualifier: "HL"; code: string };
      chargeAmount: string;
      paymentAmount: string;
      /** REF*6R: line item control number. */
      lineItemControlNumber: string;
      adjustments: { group: GroupCode; reason: string; amount: string }[];
      /** LQ*HE remark codes. */
      remarks: string[];
    }[];
  }[];
}

/** The 835-shaped JSON of a decided claim's remittance (amounts as decimal strings in the currency). */
export function remittance835(
  history: ClaimHistory,
  currency: Currency,
  options: RemittanceOptions = {},
): Remittance835 {
  const r = remittanceOf(history, options);
  const amount = (v: bigint) => x12Amount(v, currency.decimals);
  const cas = (list: readonly Adjustment[]) =>
    list.map((a) => ({ group: a.group, reason: a.carc, amount: amount(a.amount) }));
  const remarks = (list: readonly Adjustment[]) => [...new Set(list.flatMap((a) => a.rarc))];
  const paidDate =
    history.paidAt !== undefined ? new Date(Number(history.paidAt) * 1000).toISOString().slice(0, 10) : undefined;
  return {
    transactionSet: "835",
    implementationGuide: "005010X221A1",
    payment: {
      amount: amount(history.status === ClaimStatus.Paid ? history.paid : r.paid),
      currency: currency.code as string,
      ...(paidDate !== undefined ? { date: paidDate } : {}),
      method: r.paid > 0n ? "ACH" : "NON",
    },
    traceNumber: history.claimId,
    payer: { account: history.insurer },
    payee: { account: history.provider },
    claims: [
      {
        patientControlNumber: history.claimId,
        statusCode:
          r.paid === 0n && (history.status === ClaimStatus.Denied || history.status === ClaimStatus.FinalDenied)
            ? "4"
            : "1",
        chargeAmount: amount(r.charge),
        paymentAmount: amount(r.paid),
        patientResponsibility: amount(r.patientResponsibility),
        adjustments: cas(r.adjustments),
        remarks: remarks(r.adjustments),
        serviceDate: new Date(Number(history.serviceDate) * 1000).toISOString().slice(0, 10),
        serviceLines: r.lines.map((l) => ({
          procedure: { qualifier: "HL" as const, code: l.service },
          chargeAmount: amount(l.charge),
          paymentAmount: amount(l.paid),
          lineItemControlNumber: String(l.sequence),
          adjustments: cas(l.adjustments),
          remarks: remarks(l.adjustments),
        })),
      },
    ],
  };
}

/**
 * The CLP loop of the 835 as X12 segments (`*` elements, `~` terminators): CLP, claim-level CAS, then per line
 * SVC, DTM*472, CAS (up to 6 adjustments of one group per segment), REF*6R and LQ*HE. The envelope (ISA/GS/ST,
 * BPR, TRN, N1 loops) is the clearinghouse's.
 */
export function clpSegments(r835: Remittance835): string[] {
  const casSegments = (list: readonly { group: GroupCode; reason: string; amount: string }[]) => {
    const out: string[] = [];
    for (const group of ["CO", "PR", "OA", "PI"] as GroupCode[]) {
      const of = list.filter((a) => a.group === group);
      for (let i = 0; i < of.length; i += 6) {
        out.push(
          ["CAS", group, ...of.slice(i, i + 6).flatMap((a) => [a.reason, a.amount, ""])].join("*").replace(/\*+$/, "") +
            "~",
        );
      }
    }
    return out;
  };
  const segments: string[] = [];
  for (const c of r835.claims) {
    segments.push(
      `CLP*${c.patientControlNumber}*${c.statusCode}*${c.chargeAmount}*${c.paymentAmount}*${c.patientResponsibility}~`,
    );
    segments.push(...casSegments(c.adjustments));
    for (const l of c.serviceLines) {
      segments.push(`SVC*${l.procedure.qualifier}:${l.procedure.code}*${l.chargeAmount}*${l.paymentAmount}~`);
      segments.push(`DTM*472*${c.serviceDate.replace(/-/g, "")}~`);
      segments.push(...casSegments(l.adjustments));
      segments.push(`REF*6R*${l.lineItemControlNumber}~`);
      segments.push(...l.remarks.map((code) => `LQ*HE*${code}~`));
    }
  }
  return segments;
}
