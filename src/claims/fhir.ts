import type { Claim, ClaimItem, ClaimResponse, ExplanationOfBenefit, Money, Reference } from "@medplum/fhirtypes";
import { formatUnits } from "ethers";
import { commit, type RecordCommitment } from "../records";
import { blindLines, unblindLines, type ServiceBlinding } from "./blinding";
import type { ClaimLine } from "./limits";
import type { AdjudicationResult } from "./preview";
import { serviceName } from "./categories";
import { ClaimStatus, reasonText } from "./reasons";

/** Code system of Health Ledger service categories (`ServiceCategories.sol`), used on Claim and ClaimResponse. */
export const SERVICE_CATEGORY_SYSTEM = "https://health-ledger.dev/fhir/CodeSystem/service-category";
/** Code system of Health Ledger reason codes (`ClaimReasons.sol`). */
export const REASON_SYSTEM = "https://health-ledger.dev/fhir/CodeSystem/claim-reason";
/** Identifier system of on-chain accounts (EIP-155 chain agnostic: the account's checksummed address). */
export const ACCOUNT_SYSTEM = "urn:ietf:rfc:3986";
const ADJUDICATION_SYSTEM = "http://terminology.hl7.org/CodeSystem/adjudication";
const CARIN_ADJUDICATION_SYSTEM = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBAdjudication";

/** How amounts in the token's smallest unit become FHIR Money. */
export interface Currency {
  /** ISO 4217 code the token stands for, e.g. "USD" for a dollar stablecoin. */
  code: NonNullable<Money["currency"]>;
  /** The token's decimals (6 for USDC-like tokens). */
  decimals: number;
}

/** What a FHIR Claim for Health Ledger is built from. Identities are references the parties resolve off chain. */
export interface ClaimInput {
  /** Reference to the patient, e.g. "Patient/123" (stays off chain). */
  patient: string;
  /** Reference to the provider organisation, e.g. "Organization/st-marys". */
  provider: string;
  /** Reference to the insurer organisation. */
  insurer: string;
  /** The on-chain policy id (FHIR Coverage identifier). */
  policyId: bigint;
  /** Service date, unix seconds. */
  serviceDate: bigint;
  /** Lines with plain service codes, in any order (the FHIR Claim stays off chain; the chain gets `blindLines`). */
  lines: readonly ClaimLine[];
  /**
   * The policy's blinding (`PolicyBlinding` or the provider's `ServiceCodebook`): the Claim's items are put in the
   * order the chain adjudicates the blinded lines, so that the ClaimResponse's item sequences point at them.
   */
  blinding: ServiceBlinding;
  currency: Currency;
  /** "claim" (default) or "preauthorization" for a prior-authorisation request. */
  use?: "claim" | "preauthorization";
  /** Creation time, ISO 8601 (default: now). */
  created?: string;
  /** Claim type (default "institutional"). */
  type?: "institutional" | "professional" | "pharmacy" | "oral" | "vision";
}

/** FHIR Money of an amount in the token's smallest unit. */
export function money(amount: bigint, currency: Currency): Money {
  return { value: Number(formatUnits(amount, currency.decimals)), currency: currency.code };
}

function isoDate(unixSeconds: bigint): string {
  return new Date(Number(unixSeconds) * 1000).toISOString().slice(0, 10);
}

/** Builds the FHIR Claim (R4) whose salted commitment is submitted on chain. */
export function buildClaim(input: ClaimInput): Claim {
  const lines = unblindLines(input.blinding, blindLines(input.blinding, input.lines));
  if (!/^[A-Za-z]+\/[A-Za-z0-9\-.]+$/.test(input.patient)) {
    throw new Error(`patient must be a FHIR reference such as "Patient/123"; got ${JSON.stringify(input.patient)}`);
  }
  const date = isoDate(input.serviceDate);
  const item: ClaimItem[] = lines.map((line, i) => ({
    sequence: i + 1,
    category: { coding: [{ system: SERVICE_CATEGORY_SYSTEM, code: serviceName(line.category) }] },
    productOrService: { coding: [{ system: SERVICE_CATEGORY_SYSTEM, code: serviceName(line.category) }] },
    servicedDate: date,
    net: money(line.amount, input.currency),
  }));
  const total = lines.reduce((s, l) => s + l.amount, 0n);
  return {
    resourceType: "Claim",
    status: "active",
    type: {
      coding: [{ system: "http://terminology.hl7.org/CodeSystem/claim-type", code: input.type ?? "institutional" }],
    },
    use: input.use ?? "claim",
    patient: { reference: input.patient },
    created: input.created ?? new Date().toISOString(),
    insurer: { reference: input.insurer },
    provider: { reference: input.provider },
    priority: { coding: [{ system: "http://terminology.hl7.org/CodeSystem/processpriority", code: "normal" }] },
    insurance: [
      {
        sequence: 1,
        focal: true,
        coverage: { identifier: { system: "https://health-ledger.dev/policy", value: input.policyId.toString() } },
      },
    ],
    billablePeriod: { start: date, end: date },
    item,
    total: money(total, input.currency),
  };
}

/** Builds a Claim and commits to it under a fresh salt: the commitment is the on-chain claim id. */
export function commitClaim(input: ClaimInput, salt?: string): { claim: Claim; record: RecordCommitment } {
  const claim = buildClaim(input);
  return { claim, record: salt === undefined ? commit(claim) : commit(claim, salt) };
}

/** The state of a claim as rebuilt from its events (see `events.ts`). */
export interface ClaimHistory {
  claimId: string;
  policyId: bigint;
  provider: string;
  insurer: string;
  member: string;
  serviceDate: bigint;
  submittedAt: bigint;
  /** The lines in plain service codes, in the order the rules split them (that of `blindedLines`). */
  lines: ClaimLine[];
  /** The lines as on chain: the policy's blinded codes. */
  blindedLines: ClaimLine[];
  /** The adjudication, its lines in plain service codes. */
  adjudication: AdjudicationResult;
  status: ClaimStatus;
  /** Last pend or denial reason. */
  reason: number;
  /** Approved amount (the computed benefit while pended). */
  approved: bigint;
  appealed: boolean;
  paid: bigint;
  paidAt?: bigint;
}

function adjudication(
  code: string,
  amount: bigint,
  currency: Currency,
  carin = false,
): { category: { coding: { system: string; code: string }[] }; amount: Money } {
  return {
    category: { coding: [{ system: carin ? CARIN_ADJUDICATION_SYSTEM : ADJUDICATION_SYSTEM, code }] },
    amount: money(amount, currency),
  };
}

const OUTCOME: Record<ClaimStatus, ClaimResponse["outcome"]> = {
  [ClaimStatus.None]: "error",
  [ClaimStatus.Pended]: "queued",
  [ClaimStatus.Approved]: "complete",
  [ClaimStatus.Denied]: "error",
  [ClaimStatus.Appealed]: "queued",
  [ClaimStatus.FinalDenied]: "error",
  [ClaimStatus.Paid]: "complete",
};

/**
 * The FHIR ClaimResponse (R4) of a claim rebuilt from its on-chain history: per line submitted / eligible /
 * deductible / coinsurance / benefit amounts, the totals, the decision and the payment.
 */
export function buildClaimResponse(history: ClaimHistory, currency: Currency, claim?: Reference<Claim>): ClaimResponse {
  const adj = history.adjudication;
  const anyLineDenied = adj.lines.some((l) => l.reason !== 0);
  const approved = history.status === ClaimStatus.Approved || history.status === ClaimStatus.Paid;
  const outcome = approved && anyLineDenied ? "partial" : OUTCOME[history.status];
  const response: ClaimResponse = {
    resourceType: "ClaimResponse",
    status: "active",
    type: { coding: [{ system: "http://terminology.hl7.org/CodeSystem/claim-type", code: "institutional" }] },
    use: "claim",
    patient: { identifier: { system: ACCOUNT_SYSTEM, value: `eip155:account:${history.member}` } },
    created: new Date(Number(history.submittedAt) * 1000).toISOString(),
    insurer: { identifier: { system: ACCOUNT_SYSTEM, value: `eip155:account:${history.insurer}` } },
    requestor: { identifier: { system: ACCOUNT_SYSTEM, value: `eip155:account:${history.provider}` } },
    request: claim ?? { identifier: { system: "https://health-ledger.dev/claim", value: history.claimId } },
    outcome,
    disposition: `${ClaimStatus[history.status]}${history.reason !== 0 ? `: ${reasonText(history.reason)}` : ""}${
      history.appealed ? " (after appeal)" : ""
    }`,
    item: adj.lines.map((line, i) => ({
      itemSequence: i + 1,
      ...(line.reason !== 0 ? { noteNumber: [i + 1] } : {}),
      adjudication: [
        adjudication("submitted", line.billed, currency),
        adjudication("eligible", line.eligible, currency),
        adjudication("deductible", line.deductible, currency),
        adjudication("coinsurance", line.coinsurance, currency, true),
        adjudication("benefit", line.benefit, currency),
        adjudication("memberliability", line.memberShare, currency, true),
      ],
    })),
    total: [
      adjudication("submitted", adj.billed, currency),
      adjudication("eligible", adj.eligible, currency),
      adjudication("deductible", adj.deductible, currency),
      adjudication("coinsurance", adj.coinsurance, currency, true),
      adjudication("benefit", approved ? history.approved : 0n, currency),
      adjudication("memberliability", adj.memberShare, currency, true),
    ],
  };
  const notes = adj.lines
    .map((line, i) => ({ line, i }))
    .filter(({ line }) => line.reason !== 0)
    .map(({ line, i }) => ({ number: i + 1, type: "display" as const, text: reasonText(line.reason) }));
  if (notes.length > 0) response.processNote = notes;
  if (history.reason !== 0 && !approved) {
    response.error = [{ code: { coding: [{ system: REASON_SYSTEM, code: String(history.reason) }] } }];
  }
  if (approved) {
    response.payment = {
      type: {
        coding: [
          {
            system: "http://terminology.hl7.org/CodeSystem/ex-paymenttype",
            code: history.status === ClaimStatus.Paid ? "complete" : "partial",
          },
        ],
      },
      amount: money(history.paid > 0n ? history.paid : history.approved, currency),
      ...(history.paidAt !== undefined ? { date: isoDate(history.paidAt) } : {}),
    };
  }
  return response;
}

/**
 * The FHIR ExplanationOfBenefit (R4) the member receives, rebuilt from the same history: the ClaimResponse's
 * adjudication per line and in total, with the policy as the focal insurance.
 */
export function buildExplanationOfBenefit(history: ClaimHistory, currency: Currency): ExplanationOfBenefit {
  const response = buildClaimResponse(history, currency);
  const account = (address: string) => ({ identifier: { system: ACCOUNT_SYSTEM, value: `eip155:account:${address}` } });
  return {
    resourceType: "ExplanationOfBenefit",
    status: "active",
    type: response.type,
    use: "claim",
    patient: account(history.member),
    created: response.created,
    insurer: account(history.insurer),
    provider: account(history.provider),
    claim: { identifier: { system: "https://health-ledger.dev/claim", value: history.claimId } },
    outcome: response.outcome,
    disposition: response.disposition,
    insurance: [
      {
        focal: true,
        coverage: { identifier: { system: "https://health-ledger.dev/policy", value: history.policyId.toString() } },
      },
    ],
    billablePeriod: { start: isoDate(history.serviceDate), end: isoDate(history.serviceDate) },
    item: (response.item ?? []).map((item, i) => ({
      sequence: item.itemSequence,
      productOrService: {
        coding: [{ system: SERVICE_CATEGORY_SYSTEM, code: serviceName(history.lines[i].category) }],
      },
      servicedDate: isoDate(history.serviceDate),
      net: money(history.lines[i].amount, currency),
      adjudication: item.adjudication,
    })),
    total: response.total,
    ...(response.payment !== undefined ? { payment: response.payment } : {}),
    ...(response.processNote !== undefined ? { processNote: response.processNote } : {}),
  };
}
