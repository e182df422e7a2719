import type {
  Claim,
  ClaimResponse,
  Consent,
  Medication,
  Observation,
  ResearchStudy,
  ResearchSubject,
  SupplyDelivery,
} from "@medplum/fhirtypes";

/** The FHIR resource types that Health Ledger contracts reference by commitment. */
export type CommittableResource =
  | Consent
  | ResearchStudy
  | ResearchSubject
  | Claim
  | ClaimResponse
  | SupplyDelivery
  | Medication
  | Observation
  | { resourceType: string; [key: string]: unknown };
