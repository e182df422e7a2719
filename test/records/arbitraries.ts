import fc from "fast-check";
import { hexlify } from "ethers";
import type { CommittableResource, CommittableResourceType, Hex32 } from "../../src/records";

/** Every resource type Health Ledger contracts commit to. */
export const RESOURCE_TYPES: readonly CommittableResourceType[] = [
  "Consent",
  "ResearchStudy",
  "ResearchSubject",
  "Claim",
  "ClaimResponse",
  "SupplyDelivery",
  "Medication",
  "Observation",
];

/** Any JSON value, with full Unicode strings (astral characters, combining marks) and any double. */
export const jsonValue = (maxDepth = 3): fc.Arbitrary<unknown> => fc.jsonValue({ maxDepth, stringUnit: "grapheme" });

/** A FHIR-like resource: a committable resource type plus arbitrary JSON fields (including "__proto__"-like keys). */
export const resource: fc.Arbitrary<CommittableResource> = fc
  .tuple(
    fc.constantFrom(...RESOURCE_TYPES),
    fc.dictionary(fc.string({ unit: "grapheme", maxLength: 8 }), jsonValue(), { maxKeys: 6 }),
  )
  .map(([resourceType, fields]) => ({ ...fields, resourceType }) as CommittableResource);

/** A 32-byte salt. */
export const salt: fc.Arbitrary<Hex32> = fc
  .uint8Array({ minLength: 32, maxLength: 32 })
  .map((bytes) => hexlify(bytes) as Hex32);

/** A copy of `value` whose objects list their keys in another order (driven by `seed`); values are unchanged. */
export function reorderKeys<T>(value: T, seed: number): T {
  let state = seed >>> 0 || 1;
  const next = (): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v !== "object" || v === null) return v;
    const entries = Object.entries(v);
    for (let i = entries.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [entries[i], entries[j]] = [entries[j], entries[i]];
    }
    // fromEntries defines own properties, so a "__proto__" key stays data, not a prototype change.
    return Object.fromEntries(entries.map(([k, x]) => [k, walk(x)]));
  };
  return walk(value) as T;
}

/** One edit somewhere inside a JSON value, addressed by a path of child choices. */
export interface Edit {
  /** Child choices: at each container, the child at index `choice % size` is entered. */
  path: number[];
  /** What to do where the path ends. */
  action: { kind: "replace"; value: unknown } | { kind: "insert"; key: string; value: unknown } | { kind: "remove" };
}

export const edit: fc.Arbitrary<Edit> = fc.record({
  path: fc.array(fc.nat(), { maxLength: 4 }),
  action: fc.oneof(
    fc.record({ kind: fc.constant("replace" as const), value: jsonValue(2) }),
    fc.record({
      kind: fc.constant("insert" as const),
      key: fc.string({ unit: "grapheme", maxLength: 6 }),
      value: jsonValue(2),
    }),
    fc.record({ kind: fc.constant("remove" as const) }),
  ),
});

/**
 * Applies an edit to a deep copy of `root`; returns undefined when the edit does nothing (e.g. remove at the root).
 * The edit never touches `resourceType` (a type change is tested on its own).
 */
export function applyEdit(root: Record<string, unknown>, e: Edit): Record<string, unknown> | undefined {
  const copy = structuredClone(root);
  let parent: unknown = undefined;
  let keyInParent: string | number | undefined;
  let node: unknown = copy;
  for (const choice of e.path) {
    const children = childKeys(node, node === copy);
    if (children.length === 0) break;
    keyInParent = children[choice % children.length];
    parent = node;
    node = (node as Record<string | number, unknown>)[keyInParent];
  }
  const { action } = e;
  if (action.kind === "replace") {
    if (parent === undefined) return undefined;
    setChild(parent, keyInParent as string | number, action.value);
  } else if (action.kind === "insert") {
    if (Array.isArray(node)) node.push(action.value);
    else if (typeof node === "object" && node !== null) {
      if (Object.prototype.hasOwnProperty.call(node, action.key) || (node === copy && action.key === "resourceType")) {
        return undefined;
      }
      setChild(node, action.key, action.value);
    } else return undefined;
  } else {
    if (parent === undefined) return undefined;
    if (Array.isArray(parent)) parent.splice(keyInParent as number, 1);
    else delete (parent as Record<string, unknown>)[keyInParent as string];
  }
  return copy;
}

function childKeys(node: unknown, isRoot: boolean): (string | number)[] {
  if (Array.isArray(node)) return node.map((_, i) => i);
  if (typeof node !== "object" || node === null) return [];
  return Object.keys(node).filter((k) => !(isRoot && k === "resourceType"));
}

function setChild(parent: unknown, key: string | number, value: unknown): void {
  Object.defineProperty(parent, key, { value, enumerable: true, writable: true, configurable: true });
}
