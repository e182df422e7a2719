import { randomFillSync } from "node:crypto";
import { bytesToHex, hexToBytesInto, keccakEngine, utf8EncodeIntoScratch } from "../crypto";
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

/** A type hash, as hex and as the 8 words copied into a commitment's preimage. */
interface TypeHash {
  hex: Hex32;
  words: Int32Array;
}

/** Type hashes by resource type; a handful in practice, capped so that arbitrary strings cannot grow it. */
const typeHashes = new Map<string, TypeHash>();
const TYPE_HASH_CACHE_LIMIT = 256;

function typeHashOf(resourceType: string): TypeHash {
  let cached = typeHashes.get(resourceType);
  if (cached === undefined) {
    if (typeof resourceType !== "string") {
      throw new RecordInputError(`A resource type is a string such as "Consent"; got ${describe(resourceType, false)}`);
    }
    assertWellFormed(resourceType, "A resource type");
    const bytes = new Uint8Array(32);
    keccakEngine().hashInto(Buffer.from(`${COMMITMENT_SCHEME}:${resourceType}`, "utf8"), bytes, 0);
    cached = { hex: bytesToHex(bytes), words: new Int32Array(bytes.buffer) };
    if (typeHashes.size < TYPE_HASH_CACHE_LIMIT) typeHashes.set(resourceType, cached);
  }
  return cached;
}

/** Domain separator of a resource type: `keccak256(utf8("health-ledger.record.v1:" + resourceType))`. */
export function typeHash(resourceType: string): Hex32 {
  return typeHashOf(resourceType).hex;
}

/**
 * RFC 8785 canonical JSON of a value. Refuses what JSON cannot represent faithfully (NaN, Infinity, undefined,
 * functions, bigint, symbols, class instances such as Date, sparse arrays, cycles, lone UTF-16 surrogates) with a
 * message that names the problem and where it is (`$.a.b[2]`).
 */
export function canonicalJson(value: unknown): string {
  try {
    return canonical(value, 0);
  } catch (e) {
    if (e !== REFUSED) throw e;
  }
  assertJson(value, "$", new Set()); // throws, naming the path, unless the value was only deeper than the fast path goes
  return serialize(value);
}

/** Thrown by the fast path at anything it does not accept; {@link assertJson} then says what is wrong and where. */
const REFUSED = new Error("refused by the canonical JSON fast path");
/** Depth at which the fast path hands over to the checked path (which also detects cycles). */
const FAST_PATH_DEPTH = 200;

/** `String.prototype.isWellFormed` (ES2024, Node 20) or the same test by regular expression. */
const isWellFormed: (text: string) => boolean =
  typeof (String.prototype as { isWellFormed?: unknown }).isWellFormed === "function"
    ? (text) => (text as unknown as { isWellFormed(): boolean }).isWellFormed()
    : (text) => !LONE_SURROGATE.test(text);

/**
 * RFC 8785 text of a value in one pass, checking what {@link assertJson} checks without building paths (it throws
 * {@link REFUSED} instead). Keys are sorted by UTF-16 code units (`Array.prototype.sort`); strings and numbers are
 * written as `JSON.stringify` writes them (ECMAScript's shortest round-trip numbers and minimal escapes, which
 * RFC 8785 adopts). The property tests hold it to the `canonicalize` package, text for text.
 */
function canonical(value: unknown, depth: number): string {
  switch (typeof value) {
    case "string":
      if (!isWellFormed(value)) throw REFUSED;
      return JSON.stringify(value);
    case "number":
      if (!Number.isFinite(value)) throw REFUSED;
      return JSON.stringify(value);
    case "boolean":
      return value ? "true" : "false";
    case "object": {
      if (value === null) return "null";
      if (depth === FAST_PATH_DEPTH) throw REFUSED;
      if (Array.isArray(value)) {
        let text = "[";
        for (let i = 0; i < value.length; i++) {
          if (!(i in value)) throw REFUSED;
          text += (i === 0 ? "" : ",") + canonical(value[i], depth + 1);
        }
        return `${text}]`;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) throw REFUSED;
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record).sort();
      let text = "{";
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i];
        if (!isWellFormed(key)) throw REFUSED;
        text += `${i === 0 ? "" : ","}${JSON.stringify(key)}:${canonical(record[key], depth + 1)}`;
      }
      return `${text}}`;
    }
    default:
      throw REFUSED;
  }
}

/** {@link canonical} without the checks, for a value {@link assertJson} accepted that is too deep for the fast path. */
function serialize(value: unknown): string {
  if (typeof value !== "object" || value === null) return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(serialize).join(",")}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${serialize(record[k])}`).join(",")}}`;
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
  if (typeof canonical !== "string") {
    throw new RecordInputError(`A canonical payload is a string of JSON; got ${describe(canonical, false)}`);
  }
  assertWellFormed(canonical, "The canonical payload is a string that");
  return commitmentOfCanonical(typeHashOf(resourceType), parseSalt(salt), canonical);
}

/**
 * The commitment from its three hashes, `keccak256(typeHash ‖ salt ‖ payloadHash)` (Solidity's
 * `RecordCommitments.commitment(bytes32, bytes32, bytes32)`), each `0x` and 64 hex digits.
 */
export function commitmentOfHashes(typeHashHex: string, salt: string, payloadHash: string): Hex32 {
  const parsedSalt = parseSalt(salt);
  const { scratch, digest } = keccakEngine();
  for (const [value, at, what] of [
    [typeHashHex, 0, "A type hash"],
    [parsedSalt, 32, "A salt"],
    [payloadHash, 64, "A payload hash"],
  ] as const) {
    try {
      hexToBytesInto(value, 32, scratch, at, what);
    } catch (e) {
      throw new RecordInputError((e as Error).message, { cause: e });
    }
  }
  digest(96);
  return bytesToHex(scratch, 0, 32);
}

/**
 * The commitment by direct byte concatenation in the keccak engine's buffer: the canonical JSON's UTF-8 bytes are
 * encoded into it and hashed; the payload hash moves to bytes 64..95, the cached type hash and the salt fill
 * bytes 0..63, and the 96 bytes are hashed. `canonical` is well-formed Unicode and `salt` valid (checked by callers).
 */
function commitmentOfCanonical(type: TypeHash, salt: string, canonical: string): Hex32 {
  const engine = keccakEngine();
  const { scratch, words } = engine;
  const length = utf8EncodeIntoScratch(engine, canonical);
  if (length >= 0) engine.digest(length);
  else engine.hashInto(Buffer.from(canonical, "utf8"), scratch, 0);
  words.copyWithin(16, 0, 8);
  words.set(type.words, 0);
  hexToBytesInto(salt, 32, scratch, 32, "A salt", false);
  engine.digest(96);
  return bytesToHex(scratch, 0, 32);
}

/** Salts are drawn from the CSPRNG in blocks of this many, then handed out once each and wiped. */
const SALTS_PER_DRAW = 128;
const saltPool = new Uint8Array(32 * SALTS_PER_DRAW);
let saltsLeft = 0;

/**
 * A fresh 32-byte salt from the operating system's CSPRNG (`crypto.randomFillSync`, drawn 4 KiB at a time as
 * Node's own `randomUUID` does; each salt's bytes are wiped from the pool once handed out).
 */
export function freshSalt(): Hex32 {
  if (saltsLeft === 0) {
    randomFillSync(saltPool);
    saltsLeft = SALTS_PER_DRAW;
  }
  const at = 32 * --saltsLeft;
  const salt = bytesToHex(saltPool, at, 32);
  saltPool.fill(0, at, at + 32);
  return salt;
}

/** Commits to a resource under a fresh random salt (or the given one, for tests and re-derivation). */
export function commit(resource: CommittableResource, salt: string = freshSalt()): RecordCommitment {
  assertResource(resource);
  const parsedSalt = parseSalt(salt);
  const canonical = canonicalJson(resource);
  return {
    commitment: commitmentOfCanonical(typeHashOf(resource.resourceType), parsedSalt, canonical),
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
