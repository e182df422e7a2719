import { COMMITMENT_SCHEME, commit, parseCommitment } from "./commitment";
import type { Hex32, RecordCommitment } from "./commitment";
import {
  RecordErasedError,
  RecordInputError,
  RecordNotFoundError,
  RecordTamperedError,
  RecordTypeMismatchError,
} from "./errors";
import type { CommittableResource, CommittableResourceType, CommittableResourceTypes } from "./types";

/** A record read back from a store, already checked against its commitment. */
export interface OpenedRecord<R extends CommittableResource = CommittableResource> {
  /** The commitment it was stored (and found) under. */
  commitment: Hex32;
  /** The resource, exactly as committed. */
  resource: R;
  /** The salt that, with the resource, opens the commitment. */
  salt: Hex32;
  /** The resource's `resourceType` (the commitment's domain separator). */
  resourceType: string;
  /** The RFC 8785 canonical JSON that was hashed. */
  canonical: string;
}

/** What erasing a record left behind. */
export interface ErasureReceipt {
  /** The commitment whose payload and salt were deleted. It stays on chain but can no longer be opened. */
  commitment: Hex32;
  /** When the record was erased (ISO 8601); the first erasure's time if it had already been erased. */
  erasedAt: string;
  /** True when this call deleted the record, false when it had already been erased. */
  erasedNow: boolean;
}

/** Options of {@link RecordStore.put}. */
export interface PutOptions {
  /** Salt to use instead of a fresh random one (only to re-store a record whose salt you already hold). */
  salt?: string;
}

/**
 * A content-addressed store of off-chain records, keyed by their salted commitment. Callers depend on this
 * interface only; the folder store is the embedded default and other backends (S3, IPFS, a database) implement
 * the same five operations. Every implementation must check integrity on every read.
 */
export interface RecordStore {
  /** Where the records live, for messages (e.g. `folder /srv/health-ledger/records`). */
  readonly location: string;
  /**
   * Commits to the resource under a fresh salt and stores payload and salt under the commitment.
   * Storing the same resource with the same salt again is a no-op that returns the same commitment.
   * @throws RecordInputError when the resource is not a JSON FHIR resource or the salt is malformed.
   * @throws RecordErasedError when that exact commitment was erased: erasure is final.
   */
  put(resource: CommittableResource, options?: PutOptions): Promise<RecordCommitment>;
  /**
   * Reads a record and checks that it opens its commitment; with `resourceType`, also that it is of that type.
   * @throws RecordNotFoundError, RecordErasedError, RecordTamperedError, RecordTypeMismatchError, RecordInputError.
   */
  get(commitment: string): Promise<OpenedRecord>;
  get<K extends CommittableResourceType>(
    commitment: string,
    resourceType: K,
  ): Promise<OpenedRecord<CommittableResourceTypes[K]>>;
  /** Whether the store holds a (not erased) record under the commitment. Does not check its integrity. */
  has(commitment: string): Promise<boolean>;
  /**
   * Deletes a record's payload and salt, keeping only a tombstone without personal data, so that the on-chain
   * commitment can never be opened again. Idempotent for an erased record.
   * @throws RecordNotFoundError when nothing was ever stored under the commitment.
   */
  erase(commitment: string): Promise<ErasureReceipt>;
  /** Commitments of all records held (not erased), sorted. */
  list(): Promise<Hex32[]>;
}

/** The two kinds of entry a backend keeps per commitment. */
export type EntryKind = "record" | "tombstone";

/**
 * Dumb storage of small UTF-8 documents keyed by (commitment, kind): what a new backend (S3 bucket, IPFS node,
 * database table) implements. {@link VerifiedRecordStore} adds hashing, integrity checks and erasure on top, so a
 * backend never needs to be trusted with integrity.
 */
export interface RecordBackend {
  /** Where the entries live, for messages. */
  readonly location: string;
  /** The entry's text, or undefined when there is none. */
  read(commitment: Hex32, kind: EntryKind): Promise<string | undefined>;
  /** Creates or replaces the entry atomically: a reader sees the old text or the new one, never a mix. */
  write(commitment: Hex32, kind: EntryKind, text: string): Promise<void>;
  /** Deletes the entry; no error when there is none. */
  delete(commitment: Hex32, kind: EntryKind): Promise<void>;
  /** Commitments having an entry of that kind. */
  list(kind: EntryKind): Promise<Hex32[]>;
}

/** The stored form of a record: everything needed to open its commitment, nothing else. */
interface RecordEnvelope {
  scheme: typeof COMMITMENT_SCHEME;
  salt: string;
  resource: unknown;
}

/** What is left of an erased record: no payload, no salt, no personal data. */
interface TombstoneEnvelope {
  scheme: typeof COMMITMENT_SCHEME;
  erasedAt: string;
}

/**
 * A {@link RecordStore} over any {@link RecordBackend}: commits on put, and on every get re-canonicalises the stored
 * resource and recomputes the commitment from it and the stored salt, so a changed payload, salt or file name is
 * caught. Erasure writes a tombstone first (from then on the record is never served), then deletes the payload.
 */
export class VerifiedRecordStore implements RecordStore {
  constructor(
    /** The storage underneath; exposed so operators and tests can inspect it. */
    readonly backend: RecordBackend,
    /** Clock for tombstones (injectable for tests). */
    private readonly now: () => Date = () => new Date(),
  ) {}

  get location(): string {
    return this.backend.location;
  }

  async put(resource: CommittableResource, options: PutOptions = {}): Promise<RecordCommitment> {
    const committed = commit(resource, options.salt);
    await this.assertNotErased(committed.commitment);
    const envelope: RecordEnvelope = {
      scheme: COMMITMENT_SCHEME,
      salt: committed.salt,
      resource: JSON.parse(committed.canonical) as unknown,
    };
    await this.backend.write(committed.commitment, "record", `${JSON.stringify(envelope, null, 2)}\n`);
    // An erase() that ran while this put was writing wins: its tombstone exists, so the record must not stay.
    if ((await this.backend.read(committed.commitment, "tombstone")) !== undefined) {
      await this.backend.delete(committed.commitment, "record");
      await this.assertNotErased(committed.commitment);
    }
    return committed;
  }

  get(commitment: string): Promise<OpenedRecord>;
  get<K extends CommittableResourceType>(
    commitment: string,
    resourceType: K,
  ): Promise<OpenedRecord<CommittableResourceTypes[K]>>;
  async get(commitment: string, resourceType?: string): Promise<OpenedRecord> {
    const id = parseCommitment(commitment);
    await this.assertNotErased(id);
    const text = await this.backend.read(id, "record");
    if (text === undefined) throw new RecordNotFoundError(id, this.location);
    const opened = this.open(id, text);
    if (resourceType !== undefined && opened.resourceType !== resourceType) {
      throw new RecordTypeMismatchError(id, resourceType, opened.resourceType);
    }
    return opened;
  }

  async has(commitment: string): Promise<boolean> {
    const id = parseCommitment(commitment);
    if ((await this.backend.read(id, "tombstone")) !== undefined) return false;
    return (await this.backend.read(id, "record")) !== undefined;
  }

  async erase(commitment: string): Promise<ErasureReceipt> {
    const id = parseCommitment(commitment);
    const previous = await this.tombstone(id);
    if (previous !== undefined) {
      await this.backend.delete(id, "record"); // finishes an erasure interrupted between its two steps
      return { commitment: id, erasedAt: previous.erasedAt, erasedNow: false };
    }
    if ((await this.backend.read(id, "record")) === undefined) throw new RecordNotFoundError(id, this.location);
    const tombstone: TombstoneEnvelope = { scheme: COMMITMENT_SCHEME, erasedAt: this.now().toISOString() };
    await this.backend.write(id, "tombstone", `${JSON.stringify(tombstone, null, 2)}\n`);
    await this.backend.delete(id, "record");
    return { commitment: id, erasedAt: tombstone.erasedAt, erasedNow: true };
  }

  async list(): Promise<Hex32[]> {
    const [records, tombstones] = await Promise.all([this.backend.list("record"), this.backend.list("tombstone")]);
    const erased = new Set(tombstones);
    return records.filter((c) => !erased.has(c)).sort();
  }

  private async assertNotErased(id: Hex32): Promise<void> {
    const tombstone = await this.tombstone(id);
    if (tombstone !== undefined) throw new RecordErasedError(id, tombstone.erasedAt);
  }

  private async tombstone(id: Hex32): Promise<TombstoneEnvelope | undefined> {
    const text = await this.backend.read(id, "tombstone");
    if (text === undefined) return undefined;
    const parsed = parseEnvelope(id, text, "tombstone");
    if (typeof parsed.erasedAt !== "string") throw new RecordTamperedError(id, "its tombstone has no erasedAt time");
    return { scheme: COMMITMENT_SCHEME, erasedAt: parsed.erasedAt };
  }

  /** Parses a stored record and proves it opens `id`; anything else is tampering. */
  private open(id: Hex32, text: string): OpenedRecord {
    const envelope = parseEnvelope(id, text, "record");
    let reopened: RecordCommitment;
    try {
      reopened = commit(envelope.resource as CommittableResource, envelope.salt as string);
    } catch (e) {
      if (e instanceof RecordInputError)
        throw new RecordTamperedError(id, `the stored record is invalid: ${e.message}`);
      throw e;
    }
    const { salt, resourceType, canonical } = reopened;
    if (reopened.commitment !== id) {
      throw new RecordTamperedError(id, `the payload or salt was changed (they now commit to ${reopened.commitment})`);
    }
    return { commitment: id, resource: JSON.parse(canonical) as CommittableResource, salt, resourceType, canonical };
  }
}

function parseEnvelope(id: Hex32, text: string, kind: EntryKind): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new RecordTamperedError(id, `its ${kind} file is not valid JSON`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new RecordTamperedError(id, `its ${kind} file is not a JSON object`);
  }
  const envelope = parsed as Record<string, unknown>;
  if (envelope.scheme !== COMMITMENT_SCHEME) {
    throw new RecordTamperedError(
      id,
      `its ${kind} file has scheme ${JSON.stringify(envelope.scheme)}, expected "${COMMITMENT_SCHEME}"`,
    );
  }
  return envelope;
}
