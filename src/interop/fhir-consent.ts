import type { CodeableConcept, Coding, Consent, ConsentProvision, Reference } from "@medplum/fhirtypes";
import { getAddress } from "ethers";
import { ALL_CATEGORIES, CATEGORIES, type CategoryName } from "../consent/categories";
import { buildConsentDocument, NO_EXPIRY, type ConsentDocumentOptions, type ConsentTerms } from "../consent/fhir";
import { PURPOSES, PURPOSE_OF_USE, type PurposeName } from "../consent/purposes";

/**
 * FHIR R4 `Consent` ⇄ the registry's grant terms. One Consent becomes one grant per (recipient actor, purpose):
 * the registry keys a consent by (patient, grantee, purpose) and holds one category set and one period. Every
 * construct it cannot hold is refused with a {@link ConsentImportError} that names the element (a FHIRPath-like
 * path such as `provision.provision[0]`) and says why; nothing is silently dropped.
 *
 * Sources: HL7 FHIR R4 (4.0.1) Consent resource (http://hl7.org/fhir/R4/consent.html) and its value sets:
 * consent-scope, consent-provision-type, consent-action, v3-PurposeOfUse (v3-ActReason codes), security-role-type
 * (v3-ParticipationType / v3-RoleClass), v3-ActCode sensitivity codes (security-labels), resource-types.
 */

/** Code systems read and written. */
export const FHIR_SYSTEMS = {
  actReason: "http://terminology.hl7.org/CodeSystem/v3-ActReason",
  actCode: "http://terminology.hl7.org/CodeSystem/v3-ActCode",
  participationType: "http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
  consentScope: "http://terminology.hl7.org/CodeSystem/consentscope",
  consentAction: "http://terminology.hl7.org/CodeSystem/consentaction",
  resourceTypes: "http://hl7.org/fhir/resource-types",
  /** Health Ledger's own data categories (`src/consent/fhir.ts` writes them). */
  category: "https://health-ledger.example/fhir/CodeSystem/data-category",
  /** Health Ledger's purpose ids (bytes32), for purposes with no HL7 code (one trial's research). */
  purpose: "https://health-ledger.example/fhir/CodeSystem/purpose",
  /** Identifiers of accounts, `urn:ethereum:0x…` (also read: `eip155:account:0x…`). */
  account: "urn:ietf:rfc:3986",
} as const;

/** v3-ActReason purpose-of-use code → registry purpose (the table of docs/interoperability.md). */
export const PURPOSE_FROM_ACT_REASON: Readonly<Record<string, PurposeName>> = Object.fromEntries(
  (Object.keys(PURPOSE_OF_USE) as PurposeName[]).map((name) => [PURPOSE_OF_USE[name], name]),
);

/** FHIR resource type (provision.class, system resource-types) → data category. */
export const CATEGORY_FROM_RESOURCE_TYPE: Readonly<Record<string, CategoryName>> = {
  Patient: "DEMOGRAPHICS",
  RelatedPerson: "DEMOGRAPHICS",
  Condition: "CONDITIONS",
  MedicationRequest: "MEDICATIONS",
  MedicationStatement: "MEDICATIONS",
  MedicationDispense: "MEDICATIONS",
  MedicationAdministration: "MEDICATIONS",
  AllergyIntolerance: "ALLERGIES",
  DiagnosticReport: "LAB_RESULTS",
  Specimen: "LAB_RESULTS",
  ImagingStudy: "IMAGING",
  MolecularSequence: "GENOMICS",
  Immunization: "IMMUNIZATIONS",
  Procedure: "PROCEDURES",
  DocumentReference: "CLINICAL_NOTES",
  ClinicalImpression: "CLINICAL_NOTES",
  Claim: "BILLING",
  ClaimResponse: "BILLING",
  ExplanationOfBenefit: "BILLING",
  Coverage: "BILLING",
  Device: "DEVICES",
  DeviceUseStatement: "DEVICES",
};

/** v3-ActCode sensitivity labels (provision.securityLabel) → data category. */
export const CATEGORY_FROM_SENSITIVITY: Readonly<Record<string, CategoryName>> = {
  ETH: "SUBSTANCE_USE", // substance abuse information sensitivity
  ETHUD: "SUBSTANCE_USE", // alcohol or drug use (narrower)
  PSY: "MENTAL_HEALTH", // psychiatry disorder information sensitivity
  PSYTHPN: "MENTAL_HEALTH", // psychotherapy note
  BH: "MENTAL_HEALTH", // behavioral health information sensitivity
  SEX: "SEXUAL_REPRODUCTIVE_HEALTH", // sexuality and reproductive health information sensitivity
  GDIS: "GENOMICS", // genetic disease information sensitivity
};

/** Participation types that name who receives data: the grantee. */
const RECIPIENT_ROLES = new Set(["IRCP", "PRCP", "RCV"]);
/** Actions a grant covers (the registry answers "may this grantee use this data"). */
const READ_ACTIONS = new Set(["access", "use", "disclose"]);

/** A FHIR Consent the registry cannot represent, or a malformed one; `path` names the element. */
export class ConsentImportError extends Error {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`${path}: ${reason}`);
    this.name = "ConsentImportError";
  }
}

/** How to turn FHIR references into accounts, and what to assume when the Consent is silent. */
export interface ConsentImportOptions {
  /**
   * The account of a FHIR reference that has no `urn:ethereum:` identifier (e.g. "Organization/st-marys" → the
   * hospital's account for this patient). Return undefined when unknown: the import is refused for that element.
   */
  resolveAccount?: (reference: Reference, path: string) => string | undefined;
  /** Start when `provision.period.start` is absent (unix seconds); default: `dateTime`, else now. */
  now?: bigint;
}

/** One Consent imported: the grants to make and the document to commit as their `documentCommitment`. */
export interface ImportedConsent {
  grants: ConsentTerms[];
  document: Consent;
}

function codes(cc: CodeableConcept | undefined): Coding[] {
  return cc?.coding ?? [];
}

function accountOf(ref: Reference | undefined, path: string, options: ConsentImportOptions): string {
  if (ref === undefined) throw new ConsentImportError(path, "is missing: the registry needs an account here");
  const value = ref.identifier?.value ?? "";
  const m = /^(?:urn:ethereum:|eip155:account:)(0x[0-9a-fA-F]{40})$/.exec(value);
  if (m !== null) return getAddress(m[1]);
  const resolved = options.resolveAccount?.(ref, path);
  if (resolved !== undefined) {
    try {
      return getAddress(resolved);
    } catch {
      throw new ConsentImportError(path, `resolveAccount returned ${JSON.stringify(resolved)}, not an address`);
    }
  }
  throw new ConsentImportError(
    path,
    `${JSON.stringify(ref.reference ?? ref.identifier?.value ?? ref.display ?? "")} has no urn:ethereum: identifier ` +
      "and resolveAccount did not map it: add the account identifier or pass resolveAccount",
  );
}

function seconds(iso: string, path: string): bigint {
  // FHIR dateTime: a date alone means the start of that day (UTC when no zone is given).
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(iso) ? `${iso}T00:00:00Z` : iso);
  if (Number.isNaN(ms)) throw new ConsentImportError(path, `"${iso}" is not a FHIR dateTime`);
  if (ms % 1000 !== 0)
    throw new ConsentImportError(path, `"${iso}" has fractions of a second: the registry keeps seconds`);
  return BigInt(ms / 1000);
}

function purposeOf(coding: Coding, path: string): string {
  if (coding.system === FHIR_SYSTEMS.actReason || coding.system === undefined) {
    const name = PURPOSE_FROM_ACT_REASON[coding.code ?? ""];
    if (name !== undefined) return PURPOSES[name];
    throw new ConsentImportError(
      path,
      `purpose of use "${coding.code}" has no registry purpose: supported v3-ActReason codes are ${Object.keys(PURPOSE_FROM_ACT_REASON).join(", ")}`,
    );
  }
  if (coding.system === FHIR_SYSTEMS.purpose && /^0x[0-9a-f]{64}$/.test(coding.code ?? "")) return coding.code!;
  throw new ConsentImportError(path, `purpose code system ${coding.system} is not supported (use v3-ActReason)`);
}

function categoryOf(coding: Coding, path: string): bigint {
  const code = coding.code ?? "";
  if (coding.system === FHIR_SYSTEMS.category && code in CATEGORIES) return CATEGORIES[code as CategoryName];
  if (coding.system === FHIR_SYSTEMS.resourceTypes) {
    const name = CATEGORY_FROM_RESOURCE_TYPE[code];
    if (name !== undefined) return CATEGORIES[name];
    throw new ConsentImportError(
      path,
      `resource type "${code}" maps to no single data category (Observation, for one, holds labs and vital signs ` +
        "alike): name the category with the Health Ledger data-category system instead",
    );
  }
  throw new ConsentImportError(path, `class ${coding.system}|${code} is not a supported data class`);
}

/**
 * Imports a FHIR R4 Consent as the grants it stands for. Supported: status `active`; scope `patient-privacy`,
 * `research` or `treatment`; policyRule absent or OPTIN; a root provision of type `permit` (or absent type) with
 * a period, recipient actors (IRCP, PRCP), purposes (v3-ActReason TREAT, HPAYMT, HRESCH, PUBHLTH, ETREAT or a
 * Health Ledger purpose id), data classes (Health Ledger categories or resource types), sensitivity security labels
 * (ETH, PSY, SEX, GDIS, …) and read actions (access, use, disclose). No class and no label means all data.
 * Everything else is refused with a {@link ConsentImportError} naming the element and why.
 */
export function importConsent(consent: Consent, options: ConsentImportOptions = {}): ImportedConsent {
  if (consent?.resourceType !== "Consent") {
    throw new ConsentImportError("resourceType", `is ${JSON.stringify(consent?.resourceType)}, expected "Consent"`);
  }
  if (consent.status !== "active") {
    throw new ConsentImportError(
      "status",
      `is "${consent.status}": only an active Consent is a grant (revoke on chain to end one)`,
    );
  }
  const scope = codes(consent.scope).find((c) => c.system === FHIR_SYSTEMS.consentScope)?.code;
  if (scope === undefined || !["patient-privacy", "research", "treatment"].includes(scope)) {
    throw new ConsentImportError(
      "scope",
      `"${scope ?? "(none)"}" is not a data-sharing consent: the registry holds patient-privacy, research and treatment consents`,
    );
  }
  const rule = codes(consent.policyRule).map((c) => c.code);
  if (rule.length > 0 && !rule.includes("OPTIN")) {
    throw new ConsentImportError(
      "policyRule",
      `"${rule.join(", ")}": only OPTIN can be represented (the registry permits what is granted and denies the rest)`,
    );
  }
  if ((consent.policy ?? []).length > 0) {
    throw new ConsentImportError("policy[0]", "an external policy's terms cannot be enforced by the registry");
  }
  const patient = accountOf(consent.patient, "patient", options);
  const p: ConsentProvision | undefined = consent.provision;
  if (p === undefined) throw new ConsentImportError("provision", "is missing: the registry needs actors and purposes");
  if (p.type === "deny") {
    throw new ConsentImportError(
      "provision.type",
      "a root deny cannot be recorded: the registry holds permissions; a missing or revoked consent is the deny",
    );
  }
  if (p.provision !== undefined && p.provision.length > 0) {
    const nested = p.provision[0];
    const what = nested.type === "deny" ? "a deny nested in the permit" : "a nested permit";
    const scopeOf = [
      nested.class ? `class ${(nested.class ?? []).map((c) => c.code).join(",")}` : "",
      nested.actor ? "actor" : "",
      nested.securityLabel ? "security label" : "",
      nested.period ? "period" : "",
      nested.data ? "data" : "",
    ]
      .filter((s) => s !== "")
      .join(", ");
    throw new ConsentImportError(
      "provision.provision[0]",
      `${what}${scopeOf ? ` (by ${scopeOf})` : ""} cannot be represented: a registry consent is one category set for one ` +
        "grantee, purpose and period, with no exceptions; express it as separate permits without the excluded data",
    );
  }
  for (const key of ["data", "dataPeriod", "code"] as const) {
    if (p[key] !== undefined) {
      throw new ConsentImportError(
        `provision.${key}`,
        key === "data"
          ? "consent to individual resources cannot be represented: the registry grants whole data categories"
          : key === "dataPeriod"
            ? "a limit on when the data was recorded cannot be represented: the registry grants all data of a category"
            : "a limit by clinical code cannot be represented: name data categories in provision.class",
      );
    }
  }
  for (const [i, action] of (p.action ?? []).entries()) {
    const bad = codes(action).find((c) => !READ_ACTIONS.has(c.code ?? ""));
    if (bad !== undefined) {
      throw new ConsentImportError(
        `provision.action[${i}]`,
        `"${bad.code}" cannot be represented: a grant covers access, use and disclosure only`,
      );
    }
  }
  const startsAt =
    p.period?.start !== undefined
      ? seconds(p.period.start, "provision.period.start")
      : consent.dateTime !== undefined
        ? seconds(consent.dateTime, "dateTime")
        : (options.now ?? BigInt(Math.floor(Date.now() / 1000)));
  const expiresAt = p.period?.end !== undefined ? seconds(p.period.end, "provision.period.end") : NO_EXPIRY;
  if (expiresAt <= startsAt) {
    throw new ConsentImportError("provision.period", "ends before it starts");
  }
  if (expiresAt > NO_EXPIRY) throw new ConsentImportError("provision.period.end", "is beyond the registry's last time");

  const actors = p.actor ?? [];
  if (actors.length === 0) {
    throw new ConsentImportError("provision.actor", "is missing: a registry consent is given to a named grantee");
  }
  const grantees: string[] = [];
  for (const [i, actor] of actors.entries()) {
    const role = codes(actor.role).find((c) => c.system === FHIR_SYSTEMS.participationType)?.code;
    if (role === undefined || !RECIPIENT_ROLES.has(role)) {
      throw new ConsentImportError(
        `provision.actor[${i}].role`,
        `"${codes(actor.role)[0]?.code ?? "(none)"}" is not a recipient role: the registry records who may receive ` +
          "data (IRCP or PRCP), not custodians or other parties",
      );
    }
    const grantee = accountOf(actor.reference, `provision.actor[${i}].reference`, options);
    if (grantee === patient) {
      throw new ConsentImportError(`provision.actor[${i}].reference`, "is the patient: a patient needs no consent");
    }
    if (!grantees.includes(grantee)) grantees.push(grantee);
  }

  const purposes: string[] = [];
  for (const [i, coding] of (p.purpose ?? []).entries()) {
    const id = purposeOf(coding, `provision.purpose[${i}]`);
    if (!purposes.includes(id)) purposes.push(id);
  }
  if (purposes.length === 0) {
    throw new ConsentImportError("provision.purpose", "is missing: a registry consent is for one named purpose");
  }

  let categories = 0n;
  for (const [i, coding] of (p.class ?? []).entries()) categories |= categoryOf(coding, `provision.class[${i}]`);
  for (const [i, label] of (p.securityLabel ?? []).entries()) {
    const name = label.system === FHIR_SYSTEMS.actCode ? CATEGORY_FROM_SENSITIVITY[label.code ?? ""] : undefined;
    if (name === undefined) {
      throw new ConsentImportError(
        `provision.securityLabel[${i}]`,
        `${label.system}|${label.code} cannot be represented: the registry has no confidentiality levels; supported ` +
          `sensitivity labels are ${Object.keys(CATEGORY_FROM_SENSITIVITY).join(", ")}`,
      );
    }
    categories |= CATEGORIES[name];
  }
  if (categories === 0n) categories = ALL_CATEGORIES; // FHIR: a provision without class or label covers all data

  const grants: ConsentTerms[] = [];
  for (const grantee of grantees) {
    for (const purpose of purposes) grants.push({ patient, grantee, purpose, categories, startsAt, expiresAt });
  }
  return { grants, document: consent };
}

/**
 * The FHIR R4 Consent of one on-chain grant (the document `src/consent` commits), with the purpose as a
 * v3-ActReason code when it has one. {@link importConsent} of the result gives the same terms back.
 */
export function exportConsent(terms: ConsentTerms, options: ConsentDocumentOptions = {}): Consent {
  return buildConsentDocument(terms, options);
}
