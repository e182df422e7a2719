/**
 * `VaultClient`: the SDK side of the record vault. It encrypts before anything leaves the device, signs every
 * request, and checks what it decrypts against the record's commitment on chain (docs/vault.md).
 */
import type { AuditEvent } from "@medplum/fhirtypes";
import { getBytes, keccak256, toUtf8Bytes, type BaseWallet, type Signer } from "ethers";
import type { ConsentRegistry, IVaultAnchor } from "../../typechain-types";
import { relayRevoke } from "../consent/relayer";
import { signRevoke } from "../consent/signing";
import { PURPOSES } from "../consent/purposes";
import { canonicalJson, commit, verify, type CommittableResource } from "../records";
import { newDataKey, openRecord, sealRecord, unwrapKey, wrapKey } from "./crypto";
import { VaultRequestError } from "./problems";
import {
  ALL_RECORDS,
  contentHash,
  signRequest,
  vaultDomain,
  type RequestFields,
  type RequestKind,
  type SignedRequest,
  type VaultDomain,
  type WrappedKeyEntry,
} from "./requests";
import { GENESIS_HASH, entryHash, linkHash, type LogEntry } from "./store";

/** A reader of a record: an account and its secp256k1 public key (`publicKeyFromSignature`, or a wallet's own). */
export interface VaultReader {
  address: string;
  publicKey: string | Uint8Array;
}

/** Raised when what the vault returned does not match what the chain says: a swapped, altered or rewritten item. */
export class VaultIntegrityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "VaultIntegrityError";
  }
}

/** A record as a reader gets it back. */
export interface OpenedRecord {
  recordId: string;
  resource: CommittableResource;
  salt: string;
  categories: bigint;
  writer: string;
}

/** A patient's verified disclosure log. */
export interface VerifiedLog {
  events: AuditEvent[];
  entries: LogEntry[];
  /** The log's length when fetched. */
  length: number;
  /** How many entries the chain anchors (0 when not anchored yet); the patient's entries up to it are fixed. */
  anchoredCount: number;
}

/** How a client reaches a vault. */
export interface VaultClientOptions {
  /** The vault's base URL, e.g. `http://127.0.0.1:8545`. */
  url: string;
  /** The acting key: it signs every request, and its private key unwraps the data keys wrapped for the account. */
  wallet: BaseWallet;
  /**
   * The account the client acts as when it is not `wallet`'s own: a contract wallet (ERC-1271, e.g. a Safe) that
   * accepts `wallet`'s signatures. Consents name this account; data keys are wrapped for `wallet`'s public key.
   */
  account?: string;
  chainId: bigint;
  /** The consent registry the vault enforces (part of the request domain). */
  consentRegistry: string;
  /** The vault anchor, connected to a provider (checks) or a funded signer (also anchors in `put`). */
  vaultAnchor: IVaultAnchor;
}

/** The SDK client of the record vault. */
export class VaultClient {
  readonly domain: VaultDomain;
  constructor(readonly options: VaultClientOptions) {
    this.domain = vaultDomain(options.chainId, options.consentRegistry);
  }

  /** The acting account's address (the contract wallet's, when `account` is set). */
  get address(): string {
    return this.options.account ?? this.options.wallet.address;
  }

  /** The acting account as a reader, with the acting key's public key. */
  get asReader(): VaultReader {
    return { address: this.address, publicKey: this.options.wallet.signingKey.publicKey };
  }

  /**
   * Stores a FHIR resource for `patient`: commits to it with a fresh salt, anchors the commitment (unless
   * `anchor: false`, when the caller anchored it already), encrypts it under a fresh data key, wraps that key for
   * the writer and every reader, and uploads. The record id is the commitment.
   */
  async put(
    resource: CommittableResource,
    to: {
      patient: string;
      categories: bigint;
      readers: readonly VaultReader[];
      purpose?: string;
      anchor?: boolean;
      /** The commitment's salt (default: fresh); give one to anchor commitments in a batch ahead of uploads. */
      salt?: string;
    },
  ): Promise<{ recordId: string; salt: string }> {
    const { commitment, salt } = to.salt === undefined ? commit(resource) : commit(resource, to.salt);
    if (to.anchor !== false) await (await this.options.vaultAnchor.anchorRecords([commitment])).wait();
    const aad = getBytes(commitment);
    const dataKey = newDataKey();
    const plaintext = toUtf8Bytes(canonicalJson({ resource, salt }));
    const ciphertext = sealRecord(plaintext, dataKey, aad);
    const keys = this.wrapFor(dataKey, aad, [this.asReader, ...to.readers]);
    dataKey.fill(0);
    const fields: RequestFields = {
      writer: this.address,
      patient: to.patient,
      recordId: commitment,
      categories: to.categories.toString(),
      purpose: to.purpose ?? PURPOSES.TREATMENT,
      contentHash: contentHash(ciphertext, keys),
    };
    await this.send("/v1/records", "Write", fields, { ciphertext: Buffer.from(ciphertext).toString("base64"), keys });
    return { recordId: commitment, salt };
  }

  /**
   * Reads one record, decrypts it and checks it against its commitment (the record id), which must be anchored on
   * chain. Throws {@link VaultIntegrityError} for a swapped or altered record.
   */
  async get(recordId: string, as: { patient: string; purpose?: string }): Promise<OpenedRecord> {
    const [record] = await this.read({ patient: as.patient, recordId, purpose: as.purpose });
    if (record === undefined || record.recordId !== recordId.toLowerCase()) {
      throw new VaultIntegrityError(`the vault answered with a record other than ${recordId}`);
    }
    return record;
  }

  /** Reads every record of `patient` within `categories` that is wrapped for this account, each checked. */
  async list(as: { patient: string; categories: bigint; purpose?: string }): Promise<OpenedRecord[]> {
    return this.read({ patient: as.patient, categories: as.categories, purpose: as.purpose });
  }

  private async read(q: { patient: string; recordId?: string; categories?: bigint; purpose?: string }) {
    const body = (await this.send("/v1/records/read", "Read", {
      reader: this.address,
      patient: q.patient,
      recordId: q.recordId ?? ALL_RECORDS,
      categories: (q.categories ?? 0n).toString(),
      purpose: q.purpose ?? PURPOSES.TREATMENT,
    })) as {
      records: { recordId: string; categories: string; writer: string; ciphertext: string; wrappedKey: string }[];
    };
    const out: OpenedRecord[] = [];
    for (const r of body.records) {
      out.push(await this.open(r.recordId, r.ciphertext, r.wrappedKey, BigInt(r.categories), r.writer));
    }
    return out;
  }

  /** Opens a record returned by the vault with a wrapped key of this account (or `cardKey` for break-glass). */
  async open(
    recordId: string,
    ciphertextB64: string,
    wrappedB64: string,
    categories: bigint,
    writer: string,
    privateKey: string = this.options.wallet.privateKey,
  ): Promise<OpenedRecord> {
    const aad = getBytes(recordId);
    const dataKey = unwrapKey(new Uint8Array(Buffer.from(wrappedB64, "base64")), privateKey, aad);
    const plaintext = openRecord(new Uint8Array(Buffer.from(ciphertextB64, "base64")), dataKey, aad);
    dataKey.fill(0);
    let envelope: { resource: CommittableResource; salt: string };
    try {
      envelope = JSON.parse(new TextDecoder().decode(plaintext));
    } catch {
      throw new VaultIntegrityError(`record ${recordId} decrypted to something that is not a vault envelope`);
    }
    if (!verify(envelope.resource, envelope.salt, recordId)) {
      throw new VaultIntegrityError(
        `record ${recordId} does not match its commitment: the vault swapped or altered it`,
      );
    }
    if ((await this.options.vaultAnchor.recordAnchoredAt(recordId)) === 0n) {
      throw new VaultIntegrityError(`record ${recordId}'s commitment is not anchored on chain`);
    }
    return { recordId: recordId.toLowerCase(), resource: envelope.resource, salt: envelope.salt, categories, writer };
  }

  /**
   * Lets `readers` decrypt a record this account can read: unwraps its own copy of the data key and wraps it for
   * each reader. The consent on chain is granted separately (src/consent); both are needed to read.
   */
  async grantAccess(recordId: string, to: { patient: string; readers: readonly VaultReader[] }): Promise<void> {
    const body = (await this.send("/v1/records/read", "Read", {
      reader: this.address,
      patient: to.patient,
      recordId,
      categories: "0",
      purpose: PURPOSES.TREATMENT,
    })) as { records: { wrappedKey: string }[] };
    const aad = getBytes(recordId);
    const dataKey = unwrapKey(
      new Uint8Array(Buffer.from(body.records[0].wrappedKey, "base64")),
      this.options.wallet.privateKey,
      aad,
    );
    const keys = this.wrapFor(dataKey, aad, to.readers);
    dataKey.fill(0);
    await this.send(
      "/v1/records/readers",
      "AddReaders",
      { signer: this.address, patient: to.patient, recordId, contentHash: contentHash(undefined, keys) },
      { keys },
    );
  }

  /**
   * Revokes a grantee's consent on chain (signed by this account as the patient, relayed by `relayer`'s registry
   * connection). The vault refuses the grantee from the block that mines it; what it already downloaded is its own.
   */
  async revoke(registry: ConsentRegistry, grantee: string, purpose: string = PURPOSES.TREATMENT): Promise<void> {
    const signed = await signRevoke(this.options.wallet, registry, { patient: this.address, grantee, purpose });
    await relayRevoke(registry, signed);
  }

  /** Crypto-shreds a record: the vault destroys its ciphertext and every wrapped key. */
  async erase(recordId: string, as: { patient: string }): Promise<void> {
    await this.send("/v1/records/erase", "Erase", { signer: this.address, patient: as.patient, recordId });
  }

  /**
   * Fetches a patient's disclosure log and checks it: each entry's hash, the chain from her first entry to the
   * log's head, and that head against the one the operator anchored on chain. Throws {@link VaultIntegrityError}
   * if the operator rewrote or dropped anything.
   */
  async auditLog(patient: string): Promise<VerifiedLog> {
    const body = (await this.send("/v1/audit", "AuditLog", { signer: this.address, patient })) as {
      entries: LogEntry[];
      head: { length: number; head: string };
      firstPrevHash: string;
      eventHashes: string[];
      operator: string | null;
    };
    const entries = body.entries;
    const first = entries.length === 0 ? body.head.length + 1 : entries[0].seq;
    const mine = new Map(entries.map((e) => [e.seq, e]));
    let anchored = { count: 0n, head: GENESIS_HASH };
    if (body.operator !== null) anchored = await this.options.vaultAnchor.logHead(body.operator);
    let hash = body.firstPrevHash;
    let anchoredChecked = anchored.count === 0n;
    for (let seq = first, i = 0; seq <= body.head.length; seq++, i++) {
      const eventHash = body.eventHashes[i];
      if (eventHash === undefined) throw new VaultIntegrityError(`the vault left out event hash ${seq}`);
      hash = linkHash(hash, eventHash);
      const entry = mine.get(seq);
      if (entry !== undefined) {
        if (keccak256(toUtf8Bytes(entry.event)) !== eventHash || entryHash(entry.prevHash, entry.event) !== hash) {
          throw new VaultIntegrityError(`log entry ${seq} does not link into the log: the operator altered it`);
        }
      }
      if (BigInt(seq) === anchored.count) {
        if (hash !== anchored.head) throw new VaultIntegrityError(`the log differs from the head anchored at ${seq}`);
        anchoredChecked = true;
      }
    }
    if (hash !== body.head.head) throw new VaultIntegrityError("the log's entries do not lead to its head");
    if (!anchoredChecked && anchored.count >= BigInt(first)) {
      throw new VaultIntegrityError(`the vault's log is shorter than the ${anchored.count} entries it anchored`);
    }
    return {
      events: entries.map((e) => JSON.parse(e.event) as AuditEvent),
      entries,
      length: body.head.length,
      anchoredCount: Number(anchored.count),
    };
  }

  private wrapFor(dataKey: Uint8Array, aad: Uint8Array, readers: readonly VaultReader[]): WrappedKeyEntry[] {
    const seen = new Set<string>();
    const keys: WrappedKeyEntry[] = [];
    for (const r of readers) {
      if (seen.has(r.address.toLowerCase())) continue;
      seen.add(r.address.toLowerCase());
      keys.push({ reader: r.address, wrapped: Buffer.from(wrapKey(dataKey, r.publicKey, aad)).toString("base64") });
    }
    return keys;
  }

  /** Signs and posts a request; a problem+json answer becomes a {@link VaultRequestError}. */
  async send(path: string, kind: RequestKind, fields: RequestFields, extra: object = {}): Promise<unknown> {
    const signed = await signRequest(this.options.wallet as Signer, this.domain, kind, fields);
    return postSigned(this.options.url, path, signed, extra);
  }
}

/** Posts a signed request (with extra body fields) and parses the answer. */
export async function postSigned(
  url: string,
  path: string,
  signed: SignedRequest,
  extra: object = {},
): Promise<unknown> {
  const response = await fetch(url + path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ ...signed, ...extra }),
  });
  const body = (await response.json()) as Record<string, unknown>;
  if (!response.ok) {
    throw new VaultRequestError(response.status, String(body.type ?? "unknown"), String(body.detail ?? ""));
  }
  return body;
}
