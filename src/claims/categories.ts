/**
 * TypeScript mirror of `contracts/claims/ServiceCategories.sol`: the service-category codes of claim lines and the
 * consent data categories (`contracts/consent/DataCategories.sol`) that billing each one reveals. A test compares
 * every entry with the contract's consent requests.
 */

/** Consent data-category bits used here (same values as `DataCategories.sol`). */
export const DATA = {
  DEMOGRAPHICS: 1 << 0,
  CONDITIONS: 1 << 1,
  MEDICATIONS: 1 << 2,
  ALLERGIES: 1 << 3,
  LAB_RESULTS: 1 << 4,
  IMAGING: 1 << 5,
  GENOMICS: 1 << 6,
  MENTAL_HEALTH: 1 << 7,
  SUBSTANCE_USE: 1 << 8,
  SEXUAL_REPRODUCTIVE_HEALTH: 1 << 9,
  IMMUNIZATIONS: 1 << 10,
  PROCEDURES: 1 << 11,
  VITAL_SIGNS: 1 << 12,
  CLINICAL_NOTES: 1 << 13,
  BILLING: 1 << 14,
  DEVICES: 1 << 15,
} as const;

/** Service-category codes (bit `c` of a policy's covered set covers code `c`). */
export const SERVICE = {
  CONSULTATION: 0,
  EMERGENCY: 1,
  INPATIENT: 2,
  SURGERY: 3,
  LABORATORY: 4,
  IMAGING: 5,
  PHARMACY: 6,
  MENTAL_HEALTH: 7,
  SUBSTANCE_USE: 8,
  MATERNITY: 9,
  PREVENTIVE: 10,
  GENETIC_TESTING: 11,
  MEDICAL_DEVICES: 12,
  REHABILITATION: 13,
  DENTAL: 14,
  VISION: 15,
} as const;

export type ServiceName = keyof typeof SERVICE;

/** Number of service-category codes. */
export const SERVICE_COUNT = 16;

/** Every service category: a covered set of all of them. */
export const ALL_SERVICES = (1 << SERVICE_COUNT) - 1;

/** Data categories revealed by billing each service category, by code (without BILLING, which every claim adds). */
export const SERVICE_DATA: readonly number[] = [
  DATA.CONDITIONS,
  DATA.CONDITIONS | DATA.PROCEDURES | DATA.VITAL_SIGNS,
  DATA.CONDITIONS | DATA.PROCEDURES | DATA.MEDICATIONS,
  DATA.CONDITIONS | DATA.PROCEDURES,
  DATA.LAB_RESULTS,
  DATA.IMAGING,
  DATA.MEDICATIONS,
  DATA.MENTAL_HEALTH,
  DATA.SUBSTANCE_USE,
  DATA.SEXUAL_REPRODUCTIVE_HEALTH | DATA.PROCEDURES,
  DATA.IMMUNIZATIONS | DATA.VITAL_SIGNS,
  DATA.GENOMICS,
  DATA.DEVICES,
  DATA.PROCEDURES,
  DATA.PROCEDURES,
  DATA.PROCEDURES,
];

/** Checks a service-category code, with a message listing the valid ones. */
export function assertServiceCategory(category: number): void {
  if (!Number.isInteger(category) || category < 0 || category >= SERVICE_COUNT) {
    const names = Object.entries(SERVICE)
      .map(([n, c]) => `${c}=${n}`)
      .join(", ");
    throw new Error(`Unknown service category ${category}: use one of ${names}`);
  }
}

/** The consent data categories a claim over these service categories reveals (BILLING included). */
export function revealedDataCategories(categories: Iterable<number>): number {
  let revealed: number = DATA.BILLING;
  for (const c of categories) {
    assertServiceCategory(c);
    revealed |= SERVICE_DATA[c];
  }
  return revealed;
}

/** A covered-category set from service names, e.g. `coveredSet("CONSULTATION", "LABORATORY")`. */
export function coveredSet(...names: ServiceName[]): number {
  return names.reduce((set, n) => set | (1 << SERVICE[n]), 0);
}

/** Name of a service-category code. */
export function serviceName(category: number): ServiceName {
  assertServiceCategory(category);
  return (Object.keys(SERVICE) as ServiceName[]).find((n) => SERVICE[n] === category)!;
}
