import { hexlify, type ContractTransactionReceipt } from "ethers";
import type { TrialRegistry } from "../../typechain-types";
import type { ITrialRegistry } from "../../typechain-types/contracts/trials/TrialRegistry";
import { buildOutcomeSet, type OutcomeDefinition, type OutcomeSet } from "../trials/outcomes";

/**
 * The WHO Trial Registration Data Set (TRDS, version 1.3.1): the 24 items a trial record must hold to count as
 * fully registered, a completeness check with one message per missing item, structured outcomes (measure, time
 * frame, metric, aggregation, analysis population) and the outcome-switching comparison built on them.
 *
 * Sources: WHO ICTRP, "WHO Trial Registration Data Set (Version 1.3.1)" (https://www.who.int/clinical-trials-
 * registry-platform/network/who-data-set); WHO "International Standards for Clinical Trial Registries", version 3.0
 * (2018), §2.4 and Appendix 1; outcome elements after the SPIRIT 2013 checklist item 12 (measure, metric, method of
 * aggregation, time point) and ClinicalTrials.gov's outcome measure fields; results within 12 months of completion
 * after the WHO Joint Statement on Public Disclosure of Results from Clinical Trials (2017).
 */

/** A contact for queries (items 7 and 8): at least one way to reach them. */
export interface TrdsContact {
  name?: string;
  email?: string;
  phone?: string;
  postalAddress?: string;
  affiliation?: string;
}

/** Date with whether it happened or is planned (items 16, 22). ISO `YYYY-MM-DD`. */
export interface TrdsDate {
  date: string;
  type: "actual" | "anticipated";
}

/** One structured outcome (items 19 and 20). */
export interface StructuredOutcome {
  /** What is measured, e.g. "HbA1c". */
  measure: string;
  /** When, e.g. "week 26" or "26 weeks after randomisation". */
  timeFrame: string;
  /** How each participant's value is expressed, e.g. "change from baseline", "time to event", "end value". */
  metric: string;
  /** How values are summarised per group, e.g. "mean", "median", "proportion". */
  aggregation: string;
  /** Who is analysed, e.g. "intention to treat", "per protocol". */
  analysisPopulation: string;
}

/** Ethics review (item 21). */
export interface TrdsEthicsReview {
  status: "approved" | "not approved" | "pending" | "not required";
  /** ISO date of approval (required when approved). */
  approvalDate?: string;
  committee?: { name: string; contact?: string };
}

/** A trial record in TRDS terms. Field names follow the items; every item is a property. */
export interface TrdsRecord {
  /** 1. Name of the primary registry and the id it assigned (assigned at registration). */
  primaryRegistryId?: { registry: string; id: string };
  /** 2. Date of registration in the primary registry (assigned at registration). */
  registrationDate?: string;
  /** 3. Secondary identifying numbers, each with its issuing authority; `[]` when there are none. */
  secondaryIds?: { issuer: string; id: string }[];
  /** 4. Source(s) of monetary or material support. */
  sourcesOfSupport?: string[];
  /** 5. Primary sponsor. */
  primarySponsor?: string;
  /** 6. Secondary sponsor(s); `[]` when there are none. */
  secondarySponsors?: string[];
  /** 7. Contact for public queries. */
  publicContact?: TrdsContact;
  /** 8. Contact for scientific queries. */
  scientificContact?: TrdsContact;
  /** 9. Public title (lay language). */
  publicTitle?: string;
  /** 10. Scientific title (and acronym). */
  scientificTitle?: string;
  acronym?: string;
  /** 11. Countries of recruitment (ISO 3166-1 alpha-2). */
  countriesOfRecruitment?: string[];
  /** 12. Health condition(s) or problem(s) studied. */
  healthConditions?: { text: string; code?: string }[];
  /** 13. Intervention(s), with comparators. */
  interventions?: { name: string; description: string }[];
  /** 14. Key inclusion and exclusion criteria. */
  eligibility?: {
    inclusion: string;
    exclusion: string;
    sex: "all" | "female" | "male";
    minAge?: string;
    maxAge?: string;
  };
  /** 15. Study type and design. */
  studyType?: {
    type: "interventional" | "observational";
    allocation?: string;
    masking?: string;
    assignment?: string;
    purpose?: string;
    phase?: string;
  };
  /** 16. Date of first enrolment. */
  firstEnrolment?: TrdsDate;
  /** 17. Target sample size (and actual, once known). */
  sampleSize?: { target: number; actual?: number };
  /** 18. Recruitment status. */
  recruitmentStatus?: "pending" | "recruiting" | "suspended" | "complete" | "other";
  /** 19. Primary outcome(s). */
  primaryOutcomes?: StructuredOutcome[];
  /** 20. Key secondary outcomes; `[]` when there are none. */
  secondaryOutcomes?: StructuredOutcome[];
  /** 21. Ethics review. */
  ethicsReview?: TrdsEthicsReview;
  /** 22. Completion date (primary completion: last participant's last visit for the primary outcome). */
  completionDate?: TrdsDate;
  /** 23. Summary results (required once results are posted). */
  summaryResults?: { datePosted: string; url?: string; firstPublication?: string; summary?: string };
  /** 24. Individual participant data (IPD) sharing statement. */
  ipdSharing?: { plan: "yes" | "no" | "undecided"; description: string };
}

/** The 24 items, numbered and named as in TRDS 1.3.1, with the property that holds each. */
export const TRDS_ITEMS: readonly { item: number; name: string; field: keyof TrdsRecord }[] = [
  { item: 1, name: "Primary Registry and Trial Identifying Number", field: "primaryRegistryId" },
  { item: 2, name: "Date of Registration in Primary Registry", field: "registrationDate" },
  { item: 3, name: "Secondary Identifying Numbers", field: "secondaryIds" },
  { item: 4, name: "Source(s) of Monetary or Material Support", field: "sourcesOfSupport" },
  { item: 5, name: "Primary Sponsor", field: "primarySponsor" },
  { item: 6, name: "Secondary Sponsor(s)", field: "secondarySponsors" },
  { item: 7, name: "Contact for Public Queries", field: "publicContact" },
  { item: 8, name: "Contact for Scientific Queries", field: "scientificContact" },
  { item: 9, name: "Public Title", field: "publicTitle" },
  { item: 10, name: "Scientific Title", field: "scientificTitle" },
  { item: 11, name: "Countries of Recruitment", field: "countriesOfRecruitment" },
  { item: 12, name: "Health Condition(s) or Problem(s) Studied", field: "healthConditions" },
  { item: 13, name: "Intervention(s)", field: "interventions" },
  { item: 14, name: "Key Inclusion and Exclusion Criteria", field: "eligibility" },
  { item: 15, name: "Study Type", field: "studyType" },
  { item: 16, name: "Date of First Enrollment", field: "firstEnrolment" },
  { item: 17, name: "Sample Size", field: "sampleSize" },
  { item: 18, name: "Recruitment Status", field: "recruitmentStatus" },
  { item: 19, name: "Primary Outcome(s)", field: "primaryOutcomes" },
  { item: 20, name: "Key Secondary Outcomes", field: "secondaryOutcomes" },
  { item: 21, name: "Ethics Review", field: "ethicsReview" },
  { item: 22, name: "Completion Date", field: "completionDate" },
  { item: 23, name: "Summary Results", field: "summaryResults" },
  { item: 24, name: "IPD Sharing Statement", field: "ipdSharing" },
];

/** One problem found by {@link checkTrds}. */
export interface TrdsFinding {
  item: number;
  name: string;
  message: string;
}

/**
 * When the record is checked: `registration` (before `register`: items 1 and 2 are assigned by the registry and
 * 23 comes later), `registered` (1 and 2 present too) or `results` (23 too).
 */
export type TrdsStage = "registration" | "registered" | "results";

const text = (v: unknown): v is string => typeof v === "string" && v.trim() !== "";
const isoDate = (v: unknown): boolean =>
  typeof v === "string" &&
  /^\d{4}-\d{2}-\d{2}$/.test(v) &&
  !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) &&
  new Date(`${v}T00:00:00Z`).toISOString().startsWith(v);

function outcomeProblems(list: StructuredOutcome[], label: string): string[] {
  const out: string[] = [];
  for (const [i, o] of list.entries()) {
    for (const key of ["measure", "timeFrame", "metric", "aggregation", "analysisPopulation"] as const) {
      if (!text(o?.[key])) out.push(`${label} ${i + 1} has no ${key}`);
    }
  }
  return out;
}

/** What is wrong with one item's value, or undefined when it is complete. */
function itemProblem(field: keyof TrdsRecord, r: TrdsRecord): string | undefined {
  const v = r[field];
  if (v === undefined || v === null) return "is missing";
  switch (field) {
    case "primaryRegistryId":
      return text(r.primaryRegistryId?.registry) && text(r.primaryRegistryId?.id)
        ? undefined
        : "needs the registry's name and the id it assigned";
    case "registrationDate":
      return isoDate(v) ? undefined : `"${String(v)}" is not a date YYYY-MM-DD`;
    case "secondaryIds": {
      const bad = (v as TrdsRecord["secondaryIds"])!.findIndex((s) => !text(s?.issuer) || !text(s?.id));
      return bad === -1
        ? undefined
        : `identifier ${bad + 1} needs both its issuing authority and the number (e.g. NCT, ISRCTN)`;
    }
    case "sourcesOfSupport":
    case "countriesOfRecruitment": {
      const list = v as string[];
      if (!Array.isArray(list) || list.length === 0 || !list.every(text)) return "needs at least one non-empty entry";
      if (field === "countriesOfRecruitment" && !list.every((c) => /^[A-Z]{2}$/.test(c))) {
        return `${JSON.stringify(list)}: use ISO 3166-1 alpha-2 codes such as "KE" or "GB"`;
      }
      return undefined;
    }
    case "secondarySponsors":
      return Array.isArray(v) && (v as string[]).every(text) ? undefined : "must be a list of names ([] when none)";
    case "primarySponsor":
    case "publicTitle":
    case "scientificTitle":
      return text(v) ? undefined : "is empty";
    case "publicContact":
    case "scientificContact": {
      const c = v as TrdsContact;
      if (!text(c.email) && !text(c.phone) && !text(c.postalAddress))
        return "needs an email address, a telephone number or a postal address";
      if (field === "scientificContact" && !text(c.affiliation)) return "needs the contact's affiliation";
      return undefined;
    }
    case "healthConditions":
      return Array.isArray(v) && v.length > 0 && (v as { text: string }[]).every((h) => text(h?.text))
        ? undefined
        : "needs at least one condition";
    case "interventions":
      return Array.isArray(v) &&
        v.length > 0 &&
        (v as { name: string; description: string }[]).every((x) => text(x?.name) && text(x?.description))
        ? undefined
        : "needs at least one intervention with its name and description (dose, duration, comparator)";
    case "eligibility": {
      const e = v as NonNullable<TrdsRecord["eligibility"]>;
      return text(e.inclusion) && text(e.exclusion) && ["all", "female", "male"].includes(e.sex)
        ? undefined
        : "needs inclusion criteria, exclusion criteria and sex";
    }
    case "studyType": {
      const s = v as NonNullable<TrdsRecord["studyType"]>;
      if (s.type !== "interventional" && s.type !== "observational")
        return 'type must be "interventional" or "observational"';
      if (
        s.type === "interventional" &&
        (!text(s.allocation) || !text(s.masking) || !text(s.purpose) || !text(s.phase))
      ) {
        return "an interventional study needs its allocation, masking, primary purpose and phase";
      }
      return undefined;
    }
    case "firstEnrolment":
    case "completionDate": {
      const d = v as TrdsDate;
      return isoDate(d.date) && (d.type === "actual" || d.type === "anticipated")
        ? undefined
        : 'needs a date YYYY-MM-DD and whether it is "actual" or "anticipated"';
    }
    case "sampleSize": {
      const s = v as NonNullable<TrdsRecord["sampleSize"]>;
      return Number.isInteger(s.target) && s.target > 0
        ? undefined
        : "needs the target number of participants (a whole number above 0)";
    }
    case "recruitmentStatus":
      return ["pending", "recruiting", "suspended", "complete", "other"].includes(v as string)
        ? undefined
        : `"${String(v)}" is not a TRDS recruitment status`;
    case "primaryOutcomes": {
      const list = v as StructuredOutcome[];
      if (!Array.isArray(list) || list.length === 0) return "needs at least one primary outcome";
      const p = outcomeProblems(list, "primary outcome");
      return p.length === 0 ? undefined : p.join("; ");
    }
    case "secondaryOutcomes": {
      const p = Array.isArray(v)
        ? outcomeProblems(v as StructuredOutcome[], "secondary outcome")
        : ["must be a list ([] when none)"];
      return p.length === 0 ? undefined : p.join("; ");
    }
    case "ethicsReview": {
      const e = v as TrdsEthicsReview;
      if (!["approved", "not approved", "pending", "not required"].includes(e.status))
        return `status "${e.status}" is not a TRDS ethics status`;
      if (e.status === "approved" && (!isoDate(e.approvalDate) || !text(e.committee?.name))) {
        return "an approval needs its date (YYYY-MM-DD) and the committee's name";
      }
      return undefined;
    }
    case "summaryResults": {
      const s = v as NonNullable<TrdsRecord["summaryResults"]>;
      return isoDate(s.datePosted) ? undefined : "needs the date the results were posted";
    }
    case "ipdSharing": {
      const s = v as NonNullable<TrdsRecord["ipdSharing"]>;
      return ["yes", "no", "undecided"].includes(s.plan) && text(s.description)
        ? undefined
        : 'needs a plan ("yes", "no" or "undecided") and a description';
    }
    case "acronym":
      return undefined;
  }
  return undefined;
}

/** Items not required at a stage. */
function notRequired(item: number, stage: TrdsStage): boolean {
  if (stage === "registration") return item === 1 || item === 2 || item === 23;
  if (stage === "registered") return item === 23;
  return false;
}

/** Checks a record against the 24 items: one finding per missing or incomplete item, in item order. */
export function checkTrds(record: TrdsRecord, stage: TrdsStage = "registration"): TrdsFinding[] {
  const findings: TrdsFinding[] = [];
  for (const { item, name, field } of TRDS_ITEMS) {
    if (notRequired(item, stage) && (record[field] === undefined || record[field] === null)) continue;
    const problem = itemProblem(field, record);
    if (problem !== undefined) findings.push({ item, name, message: `TRDS item ${item} (${name}) ${problem}` });
  }
  return findings;
}

/** Throws one error listing every finding (one line each) unless the record is complete for the stage. */
export function assertTrdsComplete(record: TrdsRecord, stage: TrdsStage = "registration"): void {
  const findings = checkTrds(record, stage);
  if (findings.length > 0) {
    throw new Error(
      `The trial record is not complete for ${stage} (WHO TRDS 1.3.1): ${findings.length} item(s) to fix\n` +
        findings.map((f) => `- ${f.message}`).join("\n"),
    );
  }
}

/** A time frame read as a number of a unit, when it can be ("week 26", "26 weeks", "6 months"). */
export function parseTimeFrame(
  timeFrame: string,
): { value: number; unit: "day" | "week" | "month" | "year" } | undefined {
  const t = timeFrame.toLowerCase();
  const m =
    /(\d+(?:\.\d+)?)\s*(day|week|month|year)s?\b/.exec(t) ?? /\b(day|week|month|year)\s*(\d+(?:\.\d+)?)/.exec(t);
  if (m === null) return undefined;
  const [value, unit] = /^\d/.test(m[1]) ? [m[1], m[2]] : [m[2], m[1]];
  return { value: Number(value), unit: unit as "day" | "week" | "month" | "year" };
}

const norm = (s: string) => s.trim().toLowerCase().replace(/\s+/g, " ");

function sameTimeFrame(a: string, b: string): boolean {
  const pa = parseTimeFrame(a);
  const pb = parseTimeFrame(b);
  if (pa !== undefined && pb !== undefined) return pa.value === pb.value && pa.unit === pb.unit;
  return norm(a) === norm(b);
}

/** One difference between the registered outcomes and a later set (an amendment, or the reported results). */
export interface OutcomeChange {
  kind:
    | "timeFrameChanged"
    | "metricChanged"
    | "aggregationChanged"
    | "analysisPopulationChanged"
    | "promoted"
    | "demoted"
    | "added"
    | "removed";
  measure: string;
  from?: string;
  to?: string;
  /** A change to a primary outcome, or a promotion/demotion: what outcome-switching studies count. */
  primary: boolean;
  message: string;
}

/** A set of outcomes with their rank. */
export interface RankedOutcomes {
  primary: StructuredOutcome[];
  secondary: StructuredOutcome[];
}

/**
 * Compares registered outcomes with a later set, matched by measure (case and spacing ignored): a changed time
 * point, metric, aggregation or analysis population, a promotion or demotion, an added or a removed outcome.
 * Time frames are compared as numbers of a unit when both can be read ("week 26" equals "26 weeks").
 */
export function compareOutcomes(registered: RankedOutcomes, later: RankedOutcomes): OutcomeChange[] {
  const index = (set: RankedOutcomes) => {
    const map = new Map<string, { outcome: StructuredOutcome; primary: boolean }>();
    for (const o of set.primary) map.set(norm(o.measure), { outcome: o, primary: true });
    for (const o of set.secondary)
      if (!map.has(norm(o.measure))) map.set(norm(o.measure), { outcome: o, primary: false });
    return map;
  };
  const before = index(registered);
  const after = index(later);
  const changes: OutcomeChange[] = [];
  const rank = (p: boolean) => (p ? "primary" : "secondary");
  for (const [key, b] of before) {
    const a = after.get(key);
    const m = b.outcome.measure;
    if (a === undefined) {
      changes.push({
        kind: "removed",
        measure: m,
        primary: b.primary,
        message: `${rank(b.primary)} outcome "${m}" was dropped`,
      });
      continue;
    }
    if (b.primary !== a.primary) {
      changes.push({
        kind: a.primary ? "promoted" : "demoted",
        measure: m,
        from: rank(b.primary),
        to: rank(a.primary),
        primary: true,
        message: `outcome "${m}" was ${a.primary ? "promoted to primary" : "demoted to secondary"}`,
      });
    }
    const primary = b.primary || a.primary;
    if (!sameTimeFrame(b.outcome.timeFrame, a.outcome.timeFrame)) {
      changes.push({
        kind: "timeFrameChanged",
        measure: m,
        from: b.outcome.timeFrame,
        to: a.outcome.timeFrame,
        primary,
        message: `outcome switching: the time point of ${rank(primary)} outcome "${m}" changed from "${b.outcome.timeFrame}" to "${a.outcome.timeFrame}"`,
      });
    }
    for (const [key2, kind] of [
      ["metric", "metricChanged"],
      ["aggregation", "aggregationChanged"],
      ["analysisPopulation", "analysisPopulationChanged"],
    ] as const) {
      if (norm(b.outcome[key2]) !== norm(a.outcome[key2])) {
        changes.push({
          kind,
          measure: m,
          from: b.outcome[key2],
          to: a.outcome[key2],
          primary,
          message: `outcome switching: the ${key2 === "analysisPopulation" ? "analysis population" : key2} of ${rank(primary)} outcome "${m}" changed from "${b.outcome[key2]}" to "${a.outcome[key2]}"`,
        });
      }
    }
  }
  for (const [key, a] of after) {
    if (!before.has(key)) {
      changes.push({
        kind: "added",
        measure: a.outcome.measure,
        primary: a.primary,
        message: `${rank(a.primary)} outcome "${a.outcome.measure}" was not pre-specified`,
      });
    }
  }
  return changes;
}

/** Months after completion that results are due by default (WHO joint statement: 12 months). */
export const RESULTS_DEADLINE_MONTHS = 12;

/** The results deadline of a completion date: the same day `months` later (clamped to the month's end). */
export function resultsDeadline(completionDate: string, months: number = RESULTS_DEADLINE_MONTHS): string {
  if (!isoDate(completionDate)) throw new Error(`Completion date "${completionDate}" must be YYYY-MM-DD`);
  const [y, m, d] = completionDate.split("-").map(Number);
  const target = new Date(Date.UTC(y, m - 1 + months, 1));
  const last = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d, last));
  return target.toISOString().slice(0, 10);
}

/** The outcome-switching report in TRDS terms: the changes, and whether results are overdue. */
export interface TrdsSwitchingReport {
  changes: OutcomeChange[];
  /** Changes that touch a primary outcome (including promotions and demotions). */
  primaryChanges: number;
  resultsDue?: string;
  /** "posted", "posted late", "due" (not yet posted, deadline ahead), "overdue", or "not completed". */
  results: "posted" | "posted late" | "due" | "overdue" | "not completed";
  findings: string[];
}

/**
 * Compares a registered record with its current state (or with what its results report), flags every outcome
 * change, and flags the results as overdue when the trial completed more than the deadline ago without them.
 * `today` is ISO `YYYY-MM-DD`.
 */
export function trdsSwitchingReport(
  registered: TrdsRecord,
  current: TrdsRecord,
  today: string,
  deadlineMonths: number = RESULTS_DEADLINE_MONTHS,
): TrdsSwitchingReport {
  const ranked = (r: TrdsRecord): RankedOutcomes => ({
    primary: r.primaryOutcomes ?? [],
    secondary: r.secondaryOutcomes ?? [],
  });
  const changes = compareOutcomes(ranked(registered), ranked(current));
  const completion = current.completionDate;
  let results: TrdsSwitchingReport["results"] = "not completed";
  let resultsDue: string | undefined;
  if (completion !== undefined && completion.type === "actual") {
    resultsDue = resultsDeadline(completion.date, deadlineMonths);
    const posted = current.summaryResults?.datePosted;
    if (posted !== undefined) results = posted > resultsDue ? "posted late" : "posted";
    else results = today > resultsDue ? "overdue" : "due";
  }
  const findings = changes.map((c) => c.message);
  if (results === "overdue")
    findings.push(
      `results are overdue: due ${resultsDue}, ${deadlineMonths} months after completion on ${completion!.date}, and not posted`,
    );
  if (results === "posted late")
    findings.push(`results were posted late: on ${current.summaryResults!.datePosted}, due ${resultsDue}`);
  return {
    changes,
    primaryChanges: changes.filter((c) => c.primary).length,
    ...(resultsDue ? { resultsDue } : {}),
    results,
    findings,
  };
}

/**
 * The existing registry's outcome definition of a structured outcome (what `buildOutcomeSet` commits): the
 * structured fields go into the committed description in a fixed order, so the commitment covers each of them.
 */
export function outcomeDefinitionOf(outcome: StructuredOutcome, primary: boolean): OutcomeDefinition {
  for (const key of ["measure", "timeFrame", "metric", "aggregation", "analysisPopulation"] as const) {
    if (!text(outcome[key])) throw new Error(`A structured outcome needs a non-empty ${key}`);
  }
  return {
    title: outcome.measure,
    // JSON-quoted, so that any text in a field reads back unambiguously.
    description: `metric: ${JSON.stringify(outcome.metric)}; aggregation: ${JSON.stringify(outcome.aggregation)}; analysis population: ${JSON.stringify(outcome.analysisPopulation)}`,
    timeFrame: outcome.timeFrame,
    primary,
  };
}

/** Reads a structured outcome back from an outcome definition written by {@link outcomeDefinitionOf}. */
export function structuredOutcomeOf(def: OutcomeDefinition): StructuredOutcome {
  const q = String.raw`("(?:[^"\\]|\\.)*")`;
  const m = new RegExp(`^metric: ${q}; aggregation: ${q}; analysis population: ${q}$`, "s").exec(def.description);
  if (m === null) {
    throw new Error(
      `Outcome "${def.title}" was not registered in structured form: its description has no metric, aggregation and analysis population`,
    );
  }
  const [metric, aggregation, analysisPopulation] = [m[1], m[2], m[3]].map((v) => JSON.parse(v) as string);
  return { measure: def.title, timeFrame: def.timeFrame, metric, aggregation, analysisPopulation };
}

/**
 * The registry's outcome set of a record's structured outcomes (items 19 and 20): primary outcomes first, then the
 * key secondary ones, each committed with every structured field (see {@link outcomeDefinitionOf}).
 */
export function trdsOutcomeSet(record: TrdsRecord, salts?: readonly string[]): OutcomeSet {
  const defs = [
    ...(record.primaryOutcomes ?? []).map((o) => outcomeDefinitionOf(o, true)),
    ...(record.secondaryOutcomes ?? []).map((o) => outcomeDefinitionOf(o, false)),
  ];
  return buildOutcomeSet(defs, salts);
}

/** The registry's `Registration` (as its `register` takes it). */
export type TrialRegistration = ITrialRegistry.RegistrationStruct;

/** What {@link registerTrdsTrial} returns: the trial id, the receipt, the outcome openings, the completed record. */
export interface RegisteredTrdsTrial {
  trialId: bigint;
  receipt: ContractTransactionReceipt;
  /** Keep the openings (salts and canonical JSON) off chain: they prove each registered outcome's fields. */
  outcomeSet: OutcomeSet;
  /** The record with items 1 and 2 filled in from the chain (`registry` address and trial id, block date). */
  record: TrdsRecord;
}

/**
 * Registers a trial only when its TRDS record is complete: checks the 24 items for the registration stage (one
 * line per missing item), checks that the registration's target enrolment is the record's sample size (item 17),
 * builds the outcome set from the record's structured outcomes (items 19, 20) and calls `register`. Item 21 and the
 * registration's `ethicsApprovalCommitment` must agree: an approved record registers the approval letter's
 * commitment (`commitEthicsApproval`), any other status registers none (record it later with
 * `recordEthicsApproval`: recruitment waits for it). Returns the record with items 1 and 2 assigned.
 */
export async function registerTrdsTrial(
  registry: TrialRegistry,
  registration: Omit<TrialRegistration, "outcomes">,
  record: TrdsRecord,
  salts?: readonly string[],
): Promise<RegisteredTrdsTrial> {
  assertTrdsComplete(record, "registration");
  const target = BigInt(registration.targetEnrolment);
  if (target !== BigInt(record.sampleSize!.target)) {
    throw new Error(
      `TRDS item 17 (Sample Size) says ${record.sampleSize!.target}, the registration's targetEnrolment ${target}: make them agree`,
    );
  }
  const approved = record.ethicsReview!.status === "approved";
  const hasApproval = BigInt(hexlify(registration.ethicsApprovalCommitment)) !== 0n;
  if (approved !== hasApproval) {
    throw new Error(
      approved
        ? "TRDS item 21 (Ethics Review) says approved, but the registration's ethicsApprovalCommitment is zero: pass the approval letter's commitment (commitEthicsApproval)"
        : `TRDS item 21 (Ethics Review) says "${record.ethicsReview!.status}", but the registration carries an ethicsApprovalCommitment: register without one and record the approval once given`,
    );
  }
  const outcomeSet = trdsOutcomeSet(record, salts);
  const receipt = await (await registry.register({ ...registration, outcomes: outcomeSet.outcomes })).wait();
  if (receipt === null) throw new Error("The register transaction has no receipt: was it mined?");
  let trialId: bigint | undefined;
  let registeredAt: bigint | undefined;
  for (const log of receipt.logs) {
    const parsed = registry.interface.parseLog(log);
    if (parsed?.name === "TrialRegistered") {
      trialId = parsed.args.trialId as bigint;
      registeredAt = parsed.args.registeredAt as bigint;
    }
  }
  if (trialId === undefined || registeredAt === undefined)
    throw new Error("The register transaction emitted no TrialRegistered");
  return {
    trialId,
    receipt,
    outcomeSet,
    record: {
      ...record,
      primaryRegistryId: {
        registry: `Health Ledger TrialRegistry ${await registry.getAddress()}`,
        id: trialId.toString(),
      },
      registrationDate: new Date(Number(registeredAt) * 1000).toISOString().slice(0, 10),
    },
  };
}
