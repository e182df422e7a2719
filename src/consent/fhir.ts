import type { Consent } from "@medplum/fhirtypes";
import { getAddress, isHexString } from "ethers";
import { commit, type RecordCommitment } from "../records";
import { categoryNames } from "./categories";
import { PURPOSE_OF_USE, purposeName } from "./purposes";

/** The fields of a consent from which its off-chain FHIR Consent document is built. */
export interface ConsentTerms {
  /** The patient's account. */
  patient: string;
  /** The grantee's account. */
  grantee: string;
  /** Purpose id (`PURPOSES.*` or `trialResearch(...)`). */
  purpose: string;
  /** Category bit set (`categorySet(...)`). */
  categories: bigint;
  /** First second the consent is in force (unix seconds). */
  startsAt: bigint;
  /** First second it is no longer in force (unix seconds; `NO_EXPIRY` for never). */
  expiresAt: bigint;
}

/** Off-chain references and metadata that go into the document only (never on chain). */
export interface ConsentDocumentOptions {
  /** FHIR reference of the patient in the hospital's record system, e.g. `"Patient/123"`. */
  patientReference?: string;
  /** FHIR reference of the grantee, e.g. `"Organization/st-marys"`. */
  granteeReference?: string;
  /** When the patient agreed (ISO 8601); defaults to `startsAt`. */
  dateTime?: string;
}

/** `type(uint40).max`: the registry's "never expires". */
export const NO_EXPIRY = 2n ** 40n - 1n;

const ETH_ADDRESS_SYSTEM = "urn:ietf:rfc:3986";
const CATEGORY_SYSTEM = "https://health-ledger.example/fhir/CodeSystem/data-category";
const PURPOSE_SYSTEM = "https://health-ledger.example/fhir/CodeSystem/purpose";
const PURPOSE_OF_USE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ActReason";

function isoSeconds(seconds: bigint): string {
  return new Date(Number(seconds) * 1000).toISOString();
}

/** Checks the terms and throws with a message that says what to fix. */
export function assertConsentTerms(terms: ConsentTerms): void {
  for (const field of ["patient", "grantee"] as const) {
    try {
      getAddress(terms[field]);
    } catch {
      throw new Error(`${field} must be an Ethereum address; got ${JSON.stringify(terms[field])}`);
    }
  }
  if (!isHexString(terms.purpose, 32)) {
    throw new Error(`purpose must be a 32-byte id (PURPOSES.* or trialResearch(...)); got ${terms.purpose}`);
  }
  if (terms.categories === 0n) throw new Error("categories must name at least one category: use categorySet(...)");
  categoryNames(terms.categories);
  if (terms.startsAt < 0n || terms.expiresAt > NO_EXPIRY) {
    throw new Error("startsAt and expiresAt must be unix seconds between 0 and NO_EXPIRY (2^40 - 1)");
  }
  if (terms.startsAt >= terms.expiresAt) {
    throw new Error(`startsAt (${terms.startsAt}) must be before expiresAt (${terms.expiresAt})`);
  }
}

/**
 * The FHIR R4 Consent resource of a consent: a `permit` provision for the grantee, over the data categories,
 * for the purpose, during [startsAt, expiresAt). Accounts appear as `urn:ethereum:` identifiers; hospital
 * references only if given. The resource stays off chain; only its salted commitment goes on chain.
 */
export function buildConsentDocument(terms: ConsentTerms, options: ConsentDocumentOptions = {}): Consent {
  assertConsentTerms(terms);
  const name = purposeName(terms.purpose);
  const purpose = [
    { system: PURPOSE_SYSTEM, code: terms.purpose.toLowerCase() },
    ...(name === undefined ? [] : [{ system: PURPOSE_OF_USE_SYSTEM, code: PURPOSE_OF_USE[name] }]),
  ];
  const period =
    terms.expiresAt === NO_EXPIRY
      ? { start: isoSeconds(terms.startsAt) }
      : { start: isoSeconds(terms.startsAt), end: isoSeconds(terms.expiresAt) };
  const ethIdentifier = (address: string) => ({
    system: ETH_ADDRESS_SYSTEM,
    value: `urn:ethereum:${getAddress(address)}`,
  });
  return {
    resourceType: "Consent",
    status: "active",
    scope: {
      coding: [
        {
          system: "http://terminology.hl7.org/CodeSystem/consentscope",
          code: name === "RESEARCH" ? "research" : "patient-privacy",
        },
      ],
    },
    category: [{ coding: [{ system: "http://loinc.org", code: "59284-0" }] }],
    patient: options.patientReference
      ? { reference: options.patientReference, identifier: ethIdentifier(terms.patient) }
      : { identifier: ethIdentifier(terms.patient) },
    dateTime: options.dateTime ?? isoSeconds(terms.startsAt),
    policyRule: { coding: [{ system: "http://terminology.hl7.org/CodeSystem/v3-ActCode", code: "OPTIN" }] },
    provision: {
      type: "permit",
      period,
      actor: [
        {
          role: { coding: [{ system: "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", code: "IRCP" }] },
          reference: options.granteeReference
            ? { reference: options.granteeReference, identifier: ethIdentifier(terms.grantee) }
            : { identifier: ethIdentifier(terms.grantee) },
        },
      ],
      purpose,
      class: categoryNames(terms.categories).map((code) => ({ system: CATEGORY_SYSTEM, code })),
    },
  };
}

/** Builds the FHIR Consent document and commits to it; keep `document` and `commitment.salt` off chain. */
export function commitConsentDocument(
  terms: ConsentTerms,
  options: ConsentDocumentOptions = {},
  salt?: string,
): { document: Consent; commitment: RecordCommitment } {
  const document = buildConsentDocument(terms, options);
  return { document, commitment: salt === undefined ? commit(document) : commit(document, salt) };
}
