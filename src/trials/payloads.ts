import type { ResearchStudy, ResearchSubject } from "@medplum/fhirtypes";
import { commit, type RecordCommitment } from "../records";
import type { OutcomeDefinition } from "./outcomes";

/**
 * The fields of a trial's FHIR ResearchStudy record, covering the WHO Trial Registration Data Set items that are
 * known at registration. The record stays off chain; only its salted commitment is registered.
 */
export interface ResearchStudyInput {
  /** Scientific title (WHO TRDS item 10). */
  title: string;
  /** Public title (WHO TRDS item 9). */
  publicTitle?: string;
  /** Registry and secondary identifiers, e.g. `{ system: "https://clinicaltrials.gov", value: "NCT01234567" }`. */
  identifiers?: { system: string; value: string }[];
  /** Primary sponsor's name (WHO TRDS item 5). */
  sponsorName: string;
  /** Health conditions studied (WHO TRDS item 12). */
  conditions: string[];
  /** Phase, e.g. "phase-3" (http://terminology.hl7.org/CodeSystem/research-study-phase). */
  phase?: string;
  /** Countries of recruitment (WHO TRDS item 11), ISO 3166 codes. */
  countries?: string[];
  /** Target sample size (WHO TRDS item 19). */
  targetEnrolment: number;
  /** Pre-specified outcomes (WHO TRDS items 22 and 23), in registration order. */
  outcomes: readonly OutcomeDefinition[];
  /** Plain-language summary. */
  description?: string;
}

/** Builds the ResearchStudy record of a trial. Throws, naming the field, on missing required input. */
export function buildResearchStudy(input: ResearchStudyInput): ResearchStudy {
  if (input.title.trim() === "") throw new Error("A ResearchStudy needs a scientific title");
  if (input.sponsorName.trim() === "") throw new Error("A ResearchStudy needs the primary sponsor's name");
  if (input.conditions.length === 0) throw new Error("A ResearchStudy needs at least one health condition");
  if (!Number.isInteger(input.targetEnrolment) || input.targetEnrolment <= 0) {
    throw new Error(`targetEnrolment must be a positive whole number; got ${input.targetEnrolment}`);
  }
  if (input.outcomes.length === 0) throw new Error("A ResearchStudy needs its pre-specified outcomes");
  const study: ResearchStudy = {
    resourceType: "ResearchStudy",
    status: "active",
    title: input.title,
    identifier: (input.identifiers ?? []).map((i) => ({ system: i.system, value: i.value })),
    sponsor: { display: input.sponsorName },
    condition: input.conditions.map((text) => ({ text })),
    recruitment: { targetNumber: input.targetEnrolment },
    outcomeMeasure: input.outcomes.map((o) => ({
      name: o.title,
      description: `${o.description} (time frame: ${o.timeFrame})`,
      type: [{ text: o.primary ? "primary" : "secondary" }],
    })),
  };
  if (input.publicTitle !== undefined) study.label = [{ value: input.publicTitle, type: { text: "public title" } }];
  if (input.phase !== undefined) {
    study.phase = {
      coding: [{ system: "http://terminology.hl7.org/CodeSystem/research-study-phase", code: input.phase }],
    };
  }
  if (input.countries !== undefined) study.region = input.countries.map((code) => ({ coding: [{ code }] }));
  if (input.description !== undefined) study.description = input.description;
  return study;
}

/** Builds and commits the ResearchStudy record (keep the returned salt and canonical JSON off chain). */
export function commitResearchStudy(input: ResearchStudyInput, salt?: string): RecordCommitment {
  return commit(buildResearchStudy(input), salt);
}

/** The fields of a participant's FHIR ResearchSubject record. */
export interface ResearchSubjectInput {
  /** Reference to the study, e.g. `"ResearchStudy/health-ledger-7"` (see {@link studyReference}). */
  study: string;
  /** Site-local pseudonymous reference to the patient, e.g. `"Patient/site-3-0042"`; never a name. */
  individual: string;
  /** Subject status; `on-study` at enrolment. */
  status?: ResearchSubject["status"];
  /** Reference to the consent record, e.g. `"Consent/<consent id>"`. */
  consent?: string;
  /** Assigned arm, if randomised at enrolment. */
  assignedArm?: string;
}

/** Builds the ResearchSubject record of an enrolment. */
export function buildResearchSubject(input: ResearchSubjectInput): ResearchSubject {
  if (!/^ResearchStudy\/\S+$/.test(input.study)) {
    throw new Error(`study must be a reference such as "ResearchStudy/health-ledger-7"; got "${input.study}"`);
  }
  if (!/^Patient\/\S+$/.test(input.individual)) {
    throw new Error(
      `individual must be a pseudonymous reference such as "Patient/site-3-0042"; got "${input.individual}"`,
    );
  }
  const subject: ResearchSubject = {
    resourceType: "ResearchSubject",
    status: input.status ?? "on-study",
    study: { reference: input.study },
    individual: { reference: input.individual },
  };
  if (input.consent !== undefined) subject.consent = { reference: input.consent };
  if (input.assignedArm !== undefined) subject.assignedArm = input.assignedArm;
  return subject;
}

/** Builds and commits the ResearchSubject record. */
export function commitResearchSubject(input: ResearchSubjectInput, salt?: string): RecordCommitment {
  return commit(buildResearchSubject(input), salt);
}

/** The FHIR reference of a registered trial: `ResearchStudy/health-ledger-<trialId>`. */
export function studyReference(trialId: bigint | number): string {
  return `ResearchStudy/health-ledger-${trialId}`;
}
