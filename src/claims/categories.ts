import { DataCategories, ServiceCategories } from "../constants";

/**
 * The service-category codes of claim lines and the consent data categories that billing each one reveals, from
 * `contracts/claims/ServiceCategories.sol` through the generated src/constants.ts.
 */

/** Consent data-category bits as numbers (all fit in 16 bits; same values as `DataCategories.sol`). */
export const DATA = Object.fromEntries(Object.entries(DataCategories).map(([name, bit]) => [name, Number(bit)])) as {
  readonly [name in keyof typeof DataCategories]: number;
};

const { COUNT, ALL, DATA_CATEGORY_TABLE, ...codes } = ServiceCategories;

/** Service-category codes (bit `c` of a policy's covered set covers code `c`). */
export const SERVICE = codes;

export type ServiceName = keyof typeof SERVICE;

/** Number of service-category codes. */
export const SERVICE_COUNT = Number(COUNT);

/** Every service category: a covered set of all of them. */
export const ALL_SERVICES = Number(ALL);

/** Data categories revealed by billing each service category, by code (without BILLING, which every claim adds). */
export const SERVICE_DATA: readonly number[] = Array.from({ length: SERVICE_COUNT }, (_, c) =>
  Number((DATA_CATEGORY_TABLE >> BigInt(16 * c)) & 0xffffn),
);

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
