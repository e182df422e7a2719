import type {
  Claim,
  ClaimResponse,
  Consent,
  DocumentReference,
  Medication,
  Observation,
  ResearchStudy,
  ResearchSubject,
  SupplyDelivery,
} from "@medplum/fhirtypes";

/** The FHIR resources that Health Ledger contracts reference by commitment, by their `resourceType`. */
export interface CommittableResourceTypes {
  Consent: Consent;
  ResearchStudy: ResearchStudy;
  ResearchSubject: ResearchSubject;
  Claim: Claim;
  ClaimResponse: ClaimResponse;
  SupplyDelivery: SupplyDelivery;
  Medication: Medication;
  Observation: Observation;
  /** A trial's ethics approval letter (`TrialRegistry.recordEthicsApproval`). */
  DocumentReference: DocumentReference;
}

/** A `resourceType` that Health Ledger contracts reference (`"Consent"`, `"Claim"`, ...). */
export type CommittableResourceType = keyof CommittableResourceTypes;

/** Any resource that can be committed to: one of the typed FHIR resources above, or another FHIR-like object. */
export type CommittableResource =
  CommittableResourceTypes[CommittableResourceType] | { resourceType: string; [key: string]: unknown };
