/**
 * TypeScript mirror of `contracts/consent/DataCategories.sol` (a test compares every bit with the Solidity
 * library). A consent covers a request when every requested bit is set.
 */
export const CATEGORIES = {
  DEMOGRAPHICS: 1n << 0n,
  CONDITIONS: 1n << 1n,
  MEDICATIONS: 1n << 2n,
  ALLERGIES: 1n << 3n,
  LAB_RESULTS: 1n << 4n,
  IMAGING: 1n << 5n,
  GENOMICS: 1n << 6n,
  MENTAL_HEALTH: 1n << 7n,
  SUBSTANCE_USE: 1n << 8n,
  SEXUAL_REPRODUCTIVE_HEALTH: 1n << 9n,
  IMMUNIZATIONS: 1n << 10n,
  PROCEDURES: 1n << 11n,
  VITAL_SIGNS: 1n << 12n,
  CLINICAL_NOTES: 1n << 13n,
  BILLING: 1n << 14n,
  DEVICES: 1n << 15n,
} as const;

export type CategoryName = keyof typeof CATEGORIES;

export const CATEGORY_NAMES = Object.keys(CATEGORIES) as CategoryName[];

/** Every defined category; a set with any other bit is invalid (`DataCategories.ALL`). */
export const ALL_CATEGORIES = (1n << BigInt(CATEGORY_NAMES.length)) - 1n;

/** The bit set of the named categories, e.g. `categorySet("MEDICATIONS", "ALLERGIES") === 12n`. */
export function categorySet(...names: readonly string[]): bigint {
  if (names.length === 0) throw new Error("A category set needs at least one category name");
  let bits = 0n;
  for (const name of names) {
    if (!(name in CATEGORIES)) {
      throw new Error(`Unknown data category "${name}": expected one of ${CATEGORY_NAMES.join(", ")}`);
    }
    bits |= CATEGORIES[name as CategoryName];
  }
  return bits;
}

/** The names of the categories in a bit set, in bit order; throws on undefined bits. */
export function categoryNames(bits: bigint): CategoryName[] {
  if (bits < 0n || (bits & ~ALL_CATEGORIES) !== 0n) {
    throw new Error(`Category set 0x${bits.toString(16)} has undefined bits: use categorySet(...) to build it`);
  }
  return CATEGORY_NAMES.filter((n) => (bits & CATEGORIES[n]) !== 0n);
}

/** True when `granted` covers every bit of `required` (the registry's rule). */
export function covers(granted: bigint, required: bigint): boolean {
  return (required & ~granted) === 0n;
}
