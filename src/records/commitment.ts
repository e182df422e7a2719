import { randomBytes } from "node:crypto";
import canonicalizeJson from "canonicalize";
import { AbiCoder, hexlify, keccak256, toUtf8Bytes } from "ethers";
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
  /** RFC 8785 canonical JSON of the resource: the exact bytes hashed. */
  canonical: string;
}

/** Domain separator of a resource type: `keccak256(utf8("health-ledger.record.v1:" + resourceType))`. */
export function typeHash(resourceType: string): Hex32 {
  return keccak256(toUtf8Bytes(`${COMMITMENT_SCHEME}:${resourceType}`)) as Hex32;
}

/**
 * RFC 8785 canonical JSON of a value. Refuses what JSON cannot represent faithfully (NaN, Infinity, undefined,
 * functions, bigint, symbols, cycles) with a message that names the problem and where it is.
 */
export function canonicalJson(value: unknown): string {
  assertJson(value, "$", new Set());
  const text = canonicalizeJson(value);
  if (text === undefined) throw new Error("The record is not JSON: it serialises to nothing");
  return text;
}

function assertJson(value: unknown, path: string, seen: Set<object>): void {
  switch (typeof value) {
    case "string":
    case "boolean":
      return;
    case "number":
      if (!Number.isFinite(value)) throw new Error(`${path} is ${value}: JSON numbers must be finite`);
      return;
    case "object":
      if (value === null) return;
      if (seen.has(value)) throw new Error(`${path} refers back to itself: JSON cannot hold cycles`);
      seen.add(value);
      if (Array.isArray(value)) value.forEach((v, i) => assertJson(v, `${path}[${i}]`, seen));
      else {
        const proto = Object.getPrototypeOf(value);
        if (proto !== Object.prototype && proto !== null) {
          throw new Error(`${path} is a ${proto?.constructor?.name ?? "non-plain"} object: use plain JSON objects`);
        }
        for (const [k, v] of Object.entries(value)) assertJson(v, `${path}.${k}`, seen);
      }
      seen.delete(value);
      return;
    default:
      throw new Error(`${path} is a ${typeof value}: JSON has no such value`);
  }
}

/** Checks that a value is a FHIR-like resource (a plain object with a non-empty string `resourceType`). */
export function assertResource(resource: unknown): asserts resource is CommittableResource {
  if (typeof resource !== "object" || resource === null || Array.isArray(resource)) {
    throw new Error('A record must be a FHIR resource object, e.g. { resourceType: "Consent", ... }');
  }
  const rt = (resource as { resourceType?: unknown }).resourceType;
  if (typeof rt !== "string" || !/^[A-Z][A-Za-z]+$/.test(rt)) {
    throw new Error(`A record needs a FHIR "resourceType" such as "Consent"; got ${JSON.stringify(rt)}`);
  }
}

/** Parses a salt: exactly 32 bytes as 0x-prefixed hex. */
export function parseSalt(salt: string): Hex32 {
  if (typeof salt !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(salt)) {
    throw new Error(`A salt must be 32 bytes as 0x followed by 64 hex digits; got ${JSON.stringify(salt)}`);
  }
  return salt.toLowerCase() as Hex32;
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

/** Commits to a resource under a fresh random salt (or the given one, for tests and re-derivation). */
export function commit(resource: CommittableResource, salt: string = hexlify(randomBytes(32))): RecordCommitment {
  assertResource(resource);
  const canonical = canonicalJson(resource);
  const parsedSalt = parseSalt(salt);
  return {
    commitment: commitmentOf(resource.resourceType, parsedSalt, canonical),
    salt: parsedSalt,
    resourceType: resource.resourceType,
    canonical,
  };
}

/** True when `resource` under `salt` opens `commitment`. Throws only on malformed input. */
export function verify(resource: CommittableResource, salt: string, commitment: string): boolean {
  if (!/^0x[0-9a-fA-F]{64}$/.test(commitment)) {
    throw new Error(`A commitment must be 32 bytes as 0x followed by 64 hex digits; got ${JSON.stringify(commitment)}`);
  }
  return commit(resource, salt).commitment === commitment.toLowerCase();
}
