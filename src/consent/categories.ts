import { DataCategories } from "../constants";

const { ALL, ...named } = DataCategories;

/**
 * The consent data categories by name (from `contracts/consent/DataCategories.sol`, through the generated
 * src/constants.ts). A consent covers a request when every requested bit is set.
 */
export const CATEGORIES = named;

export type CategoryName = keyof typeof CATEGORIES;

export const CATEGORY_NAMES = Object.keys(CATEGORIES) as CategoryName[];

/** Every defined category; a set with any other bit is invalid (`DataCategories.ALL`). */
export const ALL_CATEGORIES: bigint = ALL;

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
