import { randomBytes } from "node:crypto";
import canonicalizeJson from "canonicalize";
import { AbiCoder, hexlify, keccak256, toUtf8Bytes } from "ethers";
import { RecordInputError } from "./errors";
import type { CommittableResource } from "./types";

/** 0x-prefixed 32-byte hex string. */
export type Hex32 = `0x${string}`;

/** Version tag of the commitment scheme; part of every domain separator. */
export const COMMITMENT_SCHEME = "health-ledger.record.v1";

/** A salted commitment to one off-chain record, plus what is needed to open it. */
export interface RecordCommitment {
  /** `keccak256(abi.encode(typeHash, salt, payloadHash))`: the only value that goes on chain. */
  commitment: Hex32;
  /** Fresh 32 random bytes; keep it secret with the payload, delete both to erase the record. */
  salt: Hex32;
  /** The FHIR resource type that domain-separates the commitment. */
  resourceType: string;
  /** RFC 8785 canonical JSON of the resource: the exact bytes hashed (as UTF-8). */
  canonical: string;
}

const HEX32 = /^0x[0-9a-fA-F]{64}$/;
const RESOURCE_TYPE = /^[A-Z][A-Za-z]+$/;
/** A UTF-16 surrogate without its partner: I-JSON (and so RFC 8785) forbids it, and UTF-8 cannot encode it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Domain separator of a resource type: `keccak256(utf8("health-ledger.record.v1:" + resourceType))`. */
export function typeHash(resourceType: string): Hex32 {
  return keccak256(toUtf8Bytes(`${COMMITMENT_SCHEME}:${resourceType}`)) as Hex32;
}

/**
 * RFC 8785 canonical JSON of a value. Refuses what JSON cannot represent faithfully (NaN, Infinity, undefined,
 * functions, bigint, symbols, class instances such as Date, sparse arrays, cycles, lone UTF-16 surrogates) with a
 * message that names the problem and where it is (`$.a.b[2]`).
 */
export function canonicalJson(value: unknown): string {
  assertJson(value, "$", new Set());
  return canonicalizeJson(value) as string;
}

function assertJson(value: unknown, path: string, seen: Set<object>): void {
  switch (typeof value) {
    case "boolean":
      return;
    case "string":
      assertWellFormed(value, `${path} is a string that`);
      return;
    case "number":
      if (!Number.isFinite(value)) {
        throw new RecordInputError(`${path} is ${value}: JSON numbers must be finite (store it as null or a string)`);
      }
      return;
    case "object":
      if (value === null) return;
      if (seen.has(value)) throw new RecordInputError(`${path} refers back to itself: JSON cannot hold cycles`);
      seen.add(value);
      if (Array.isArray(value)) assertJsonArray(value, path, seen);
      else assertJsonObject(value, path, seen);
      seen.delete(value);
      return;
    default:
      throw new RecordInputError(
        `${path} is ${value === undefined ? "undefined" : `a ${typeof value}`}: JSON has no such value ` +
          "(remove it or use null, a string or a number)",
      );
  }
}

function assertJsonArray(value: unknown[], path: string, seen: Set<object>): void {
  for (let i = 0; i < value.length; i++) {
    if (!(i in value)) throw new RecordInputError(`${path}[${i}] is a hole in a sparse array: fill it (e.g. null)`);
    assertJson(value[i], `${path}[${i}]`, seen);
  }
}

function assertJsonObject(value: object, path: string, seen: Set<object>): void {
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    const name = (value as { constructor?: { name?: string } }).constructor?.name ?? "non-plain";
    throw new RecordInputError(`${path} is a ${name} object: use plain JSON objects (e.g. an ISO string for a date)`);
  }
  for (const [k, v] of Object.entries(value)) {
    assertWellFormed(k, `${path} has a key that`);
    assertJson(v, `${path}.${k}`, seen);
  }
}

function assertWellFormed(text: string, what: string): void {
  const lone = LONE_SURROGATE.exec(text);
  if (lone) {
    const unit = lone[0].charCodeAt(0).toString(16);
    throw new RecordInputError(
      `${what} contains a lone UTF-16 surrogate \\u${unit} at index ${lone.index}: ` +
        "RFC 8785 requires well-formed Unicode",
    );
  }
}

/** Checks that a value is a FHIR-like resource (a plain object with a `resourceType` such as `"Consent"`). */
export function assertResource(resource: unknown): asserts resource is CommittableResource {
  if (typeof resource !== "object" || resource === null || Array.isArray(resource)) {
    throw new RecordInputError(
      `A record must be a FHIR resource object, e.g. { resourceType: "Consent", ... }; got ${describe(resource, false)}`,
    );
  }
  const rt = (resource as { resourceType?: unknown }).resourceType;
  if (typeof rt !== "string" || !RESOURCE_TYPE.test(rt)) {
    throw new RecordInputError(
      `A record needs a FHIR "resourceType" of ASCII letters starting upper-case, such as "Consent"; ` +
        `got ${describe(rt, true)}`,
    );
  }
}

/**
 * Describes a bad value for an error message. Only a short string that was meant to be a resource type is quoted:
 * anything else may be personal data (a raw record passed by mistake) and is described by its kind alone.
 */
function describe(value: unknown, quoteShortString: boolean): string {
  if (value === undefined || value === null) return String(value);
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") {
    return quoteShortString && value.length <= 40 ? JSON.stringify(value) : `a string of ${value.length} characters`;
  }
  if (typeof value === "object") return "an object";
  if (typeof value === "number" || typeof value === "boolean") return `${typeof value} ${String(value)}`;
  return `a ${typeof value}`;
}

/** Parses a salt: exactly 32 bytes as 0x-prefixed hex. Returns it lower-cased. */
export function parseSalt(salt: string): Hex32 {
  if (typeof salt !== "string" || !HEX32.test(salt)) {
    throw new RecordInputError(`A salt must be 32 bytes as 0x followed by 64 hex digits; got ${saltShape(salt)}`);
  }
  return salt.toLowerCase() as Hex32;
}

/** Parses a commitment: exactly 32 bytes as 0x-prefixed hex. Returns it lower-cased. */
export function parseCommitment(commitment: string): Hex32 {
  if (typeof commitment !== "string" || !HEX32.test(commitment)) {
    throw new RecordInputError(
      `A commitment must be 32 bytes as 0x followed by 64 hex digits; got ${JSON.stringify(commitment) ?? "undefined"}`,
    );
  }
  return commitment.toLowerCase() as Hex32;
}

/** Describes a bad salt by its shape only: a salt is a secret, so an error message never repeats it. */
function saltShape(salt: unknown): string {
  if (typeof salt !== "string") return describe(salt, false);
  if (/^0x[0-9a-fA-F]*$/.test(salt)) return `${(salt.length - 2) / 2} bytes (${salt.length - 2} hex digits)`;
  return `a string of ${salt.length} characters that is not 0x-prefixed hex`;
}

/** The commitment of a canonical payload under a salt (the byte layout of docs/commitments.md). */
export function commitmentOf(resourceType: string, salt: string, canonical: string): Hex32 {
  const payloadHash = keccak256(toUtf8Bytes(canonical));
  const encoded = AbiCoder.defaultAbiCoder().encode(
    ["bytes32", "bytes32", "bytes32"],
    [typeHash(resourceType), parseSalt(salt), payloadHash],
  );
  return keccak256(encoded) as Hex32;
}

/** A fresh 32-byte salt from the operating system's CSPRNG. */
export function freshSalt(): Hex32 {
  return hexlify(randomBytes(32)) as Hex32;
}

/** Commits to a resource under a fresh random salt (or the given one, for tests and re-derivation). */
export function commit(resource: CommittableResource, salt: string = freshSalt()): RecordCommitment {
  assertResource(resource);
  const parsedSalt = parseSalt(salt);
  const canonical = canonicalJson(resource);
  return {
    commitment: commitmentOf(resource.resourceType, parsedSalt, canonical),
    salt: parsedSalt,
    resourceType: resource.resourceType,
    canonical,
  };
}

/** True when `resource` under `salt` opens `commitment`. Throws only on malformed input. */
export function verify(resource: CommittableResource, salt: string, commitment: string): boolean {
  const expected = parseCommitment(commitment);
  return commit(resource, salt).commitment === expected;
}
