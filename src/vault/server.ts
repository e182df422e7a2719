/**
 * The record vault's HTTP service (fastify): stores ciphertext and wrapped keys, answers signed requests after
 * checking the consent registry on chain, and logs every answer and refusal as a FHIR AuditEvent in a hash-chained
 * log whose head it anchors on chain. Pure wiring of `requests`, `store`, `chain` and `audit`; `tasks/vault.ts`
 * starts it. See docs/vault.md.
 */
import Fastify, { type FastifyInstance, type FastifyReply } from "fastify";
import type { BaseWallet } from "ethers";
import { bytesToHex } from "../crypto/hex";
import { isAddressText } from "../crypto/keccak";
import { ALL_CATEGORIES } from "../consent/categories";
import type { SqlExecutor } from "../storage/sql";
import { PURPOSES } from "../consent/purposes";
import { auditEvent, type Disclosure } from "./audit";
import type { ChainView } from "./chain";
import { WRAPPED_KEY_BYTES } from "./crypto";
import { VaultProblem, problemUri } from "./problems";
import {
  ALL_RECORDS,
  SIGNER_FIELD,
  VAULT_TYPES,
  contentHash,
  vaultDomain,
  type RequestFields,
  type RequestKind,
  type VaultDomain,
  type WrappedKeyEntry,
} from "./requests";
import { NonceReplayedError, type StoredRecord, type VaultStore } from "./store";
import { GroupCommitter } from "./commit";
import { SignatureVerifier, domainSeparator, requestDigestBytes } from "./verify";

/** Largest record ciphertext the vault stores: 1 MiB. */
export const MAX_RECORD_BYTES = 1_048_576;
/** Largest request body: 2 MiB (a 1 MiB record in base64 with its keys fits). */
export const MAX_BODY_BYTES = 2_097_152;
/** Most wrapped keys in one request. */
export const MAX_KEYS = 64;
/** The furthest a request's deadline may lie ahead: one day (so that used nonces can be forgotten after it). */
export const MAX_DEADLINE_AHEAD_SECONDS = 86_400;
/** How long after a provider's break-glass it may read the card's records: 24 hours. */
export const EMERGENCY_WINDOW_SECONDS = 86_400;

/** How the vault runs. */
export interface VaultOptions {
  store: VaultStore;
  chain: ChainView;
  chainId: bigint;
  consentRegistry: string;
  /** The account that anchors the log's head (needs ETH for gas); without it the vault does not anchor. */
  operator?: BaseWallet;
  maxRecordBytes?: number;
  maxBodyBytes?: number;
  emergencyWindowSeconds?: number;
  /** Unix milliseconds (tests move it). */
  now?: () => number;
}

/** A built vault: the fastify app and the operations around it. */
export interface Vault {
  app: FastifyInstance;
  domain: VaultDomain;
  /** Anchors the log's head on chain if it grew since the last anchor; gives back what it anchored. */
  anchorLog(): Promise<{ length: number; head: string } | undefined>;
}

const HEX32 = /^0x[0-9a-fA-F]{64}$/;
const UINT = /^(0|[1-9][0-9]{0,77})$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Builds the vault's fastify app (not yet listening). */
export function buildVault(options: VaultOptions): Vault {
  const { store, chain, chainId } = options;
  const now = options.now ?? Date.now;
  const maxRecord = options.maxRecordBytes ?? MAX_RECORD_BYTES;
  const maxBody = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const window = options.emergencyWindowSeconds ?? EMERGENCY_WINDOW_SECONDS;
  const domain = vaultDomain(chainId, options.consentRegistry);
  const app = Fastify({ bodyLimit: maxBody, logger: false });
  const separator = domainSeparator(domain);
  const verifier = new SignatureVerifier();
  const committer = new GroupCommitter(store.db);
  app.addHook("onClose", () => committer.drain());

  app.setErrorHandler((error: Error & { code?: string; statusCode?: number }, _request, reply) => {
    if (error instanceof VaultProblem) return sendProblem(reply, error);
    if (error.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
      return sendProblem(
        reply,
        new VaultProblem("payload-too-large", `request bodies are limited to ${maxBody} bytes`),
      );
    }
    if (error.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") {
      return sendProblem(reply, new VaultProblem("unsupported-media-type", "send the request as application/json"));
    }
    if (error.code === "FST_ERR_CTP_EMPTY_JSON_BODY" || error instanceof SyntaxError || error.statusCode === 400) {
      return sendProblem(reply, new VaultProblem("malformed-request", `the body is not valid JSON: ${error.message}`));
    }
    if (isChainError(error)) {
      return sendProblem(reply, new VaultProblem("chain-unavailable", "the vault cannot reach its chain node; retry"));
    }
    return sendProblem(reply, new VaultProblem("internal-error", "the vault failed; nothing was stored"));
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, new VaultProblem("malformed-request", `no route ${request.method} ${request.url}`)),
  );

  /** Parses and authenticates a signed request; refusals after parsing are logged for the named patient. */
  async function authenticate(kind: RequestKind, body: unknown) {
    const parsed = parseSigned(kind, body);
    const { request, signature } = parsed;
    const claimed = request[SIGNER_FIELD[kind]];
    const base = {
      kind,
      patient: request.patient,
      agent: claimed,
      recordId: request.recordId,
      purpose: request.purpose,
    };
    try {
      if (parsed.chainId !== chainId.toString()) {
        throw new VaultProblem(
          "wrong-chain",
          `this vault serves chain ${chainId}; the request was signed for chain ${parsed.chainId}`,
        );
      }
      if (Number(request.deadline) * 1000 < now()) {
        throw new VaultProblem(
          "request-expired",
          `the request's deadline ${request.deadline} has passed: sign it again`,
        );
      }
      if (Number(request.deadline) * 1000 > now() + MAX_DEADLINE_AHEAD_SECONDS * 1000) {
        throw new VaultProblem(
          "malformed-request",
          `the request's deadline is more than ${MAX_DEADLINE_AHEAD_SECONDS} s ahead: sign it with a nearer deadline`,
        );
      }
      const digest = requestDigestBytes(separator, kind, request);
      if (
        !verifier.verify(digest, signature, claimed) &&
        !(await chain.isValidSignature(await chain.head(), claimed, bytesToHex(digest), signature))
      ) {
        throw new VaultProblem(
          "bad-signature",
          `the signature is not ${claimed}'s over this request on chain ${chainId}: sign it again with that account`,
        );
      }
      const signer = claimed;
      if (await store.nonceUsed(signer, request.nonce)) {
        throw new VaultProblem("replayed-request", "this request was already answered: sign a new one (fresh nonce)");
      }
      return { request, signer, digest: bytesToHex(digest), base };
    } catch (error) {
      if (error instanceof VaultProblem) await logRefusal(base, error);
      throw error;
    }
  }

  async function logRefusal(base: Omit<Disclosure, "at" | "chainId">, problem: VaultProblem): Promise<void> {
    if (typeof base.patient !== "string" || !isAddressText(base.patient)) return;
    await committer.run((tx) =>
      store.appendLog(
        tx,
        base.patient,
        auditEvent({ ...base, at: now(), chainId, refusal: { type: problem.type, detail: problem.detail } }),
      ),
    );
  }

  /** Runs `check`; a VaultProblem it throws is logged as a refusal for the request's patient. */
  async function refusing<T>(base: Omit<Disclosure, "at" | "chainId">, check: () => Promise<T>): Promise<T> {
    try {
      return await check();
    } catch (error) {
      if (error instanceof VaultProblem) await logRefusal(base, error);
      throw error;
    }
  }

  /** Commits `work` with the nonce used and the disclosure logged, in one transaction. */
  async function commit<T>(
    signer: string,
    request: RequestFields,
    events: Omit<Disclosure, "at" | "chainId">[],
    work: (tx: SqlExecutor) => Promise<T>,
  ): Promise<T> {
    try {
      return await committer.run(async (tx) => {
        await store.useNonce(tx, signer, request.nonce, Number(request.deadline));
        const value = await work(tx);
        for (const e of events) await store.appendLog(tx, e.patient, auditEvent({ ...e, at: now(), chainId }));
        return value;
      });
    } catch (error) {
      if (error instanceof NonceReplayedError) {
        throw new VaultProblem("replayed-request", "this request was already answered: sign a new one (fresh nonce)");
      }
      throw error;
    }
  }

  app.get("/v1/info", async () => ({
    chainId: chainId.toString(),
    consentRegistry: options.consentRegistry,
    vaultAnchor: await chain.anchor.getAddress(),
    operator: options.operator?.address ?? null,
    limits: { maxRecordBytes: maxRecord, maxBodyBytes: maxBody, maxKeys: MAX_KEYS, emergencyWindowSeconds: window },
  }));

  app.post("/v1/records", async (req, reply) => {
    const body = req.body as Record<string, unknown>;
    const { request, signer, digest, base } = await authenticate("Write", body);
    const event = { ...base, agent: signer, requestId: digest };
    const { ciphertext, keys } = await refusing(event, async () => {
      const ciphertext = parseBase64(body.ciphertext, "ciphertext");
      if (ciphertext.length > maxRecord) {
        throw new VaultProblem(
          "payload-too-large",
          `a record's ciphertext is limited to ${maxRecord} bytes, not ${ciphertext.length}`,
        );
      }
      const keys = parseKeys(body.keys);
      if (contentHash(ciphertext, keys.entries) !== request.contentHash.toLowerCase()) {
        throw new VaultProblem(
          "content-mismatch",
          "contentHash does not match the ciphertext and keys sent: sign what you send",
        );
      }
      const categories = BigInt(request.categories);
      if (categories === 0n || (categories & ~ALL_CATEGORIES) !== 0n) {
        throw new VaultProblem("malformed-request", "categories must be a non-empty set of known data categories");
      }
      if (await store.wasErased(request.recordId)) {
        throw new VaultProblem("record-erased", "this record was erased; store a new record (fresh salt) instead");
      }
      if ((await store.record(request.recordId)) !== undefined) {
        throw new VaultProblem("record-exists", "a record with this id is stored already; records are immutable");
      }
      const block = await chain.head();
      const [anchored, mayWrite] = await Promise.all([
        chain.anchoredAt(block, request.recordId),
        mayActFor(block, request.patient, signer).then(
          (yes) => yes || chain.isAuthorized(block, request.patient, signer, request.purpose, categories),
        ),
      ]);
      if (anchored === 0n) {
        throw new VaultProblem(
          "commitment-not-anchored",
          `the record's commitment ${request.recordId} is not anchored on chain (VaultAnchor.anchorRecords) at block ${block}`,
        );
      }
      if (!mayWrite) {
        throw new VaultProblem(
          "writer-not-authorized",
          `${signer} is not the patient, her delegate, or a grantee of her consent for these categories and this purpose`,
        );
      }
      return { ciphertext, keys };
    });
    await commit(signer, request, [event], (tx) =>
      store.insertRecord(
        tx,
        {
          recordId: request.recordId,
          patient: request.patient,
          categories: BigInt(request.categories),
          writer: signer,
          createdAt: now(),
        },
        ciphertext,
        keys.bytes,
      ),
    );
    return reply.code(201).send({ recordId: request.recordId.toLowerCase() });
  });

  app.post("/v1/records/read", async (req) => {
    const { request, signer, digest, base } = await authenticate("Read", req.body);
    const event = { ...base, agent: signer, requestId: digest };
    const one = request.recordId.toLowerCase() !== ALL_RECORDS;
    const served = await refusing(event, async () => {
      const block = await chain.head();
      let records: StoredRecord[];
      let keyHolder = signer;
      if (request.purpose.toLowerCase() === PURPOSES.EMERGENCY) {
        // Break-glass: the patient is an emergency card account; its records are those wrapped for the card.
        if (!(await chain.emergencyAccess(block, request.patient, signer, window))) {
          throw new VaultProblem(
            "break-glass-missing",
            `${signer} recorded no breakGlass for ${request.patient} in the last ${window} s (ConsentRegistry.breakGlass)`,
          );
        }
        keyHolder = request.patient;
        const all = await store.recordsWrappedFor(request.patient);
        records = one ? all.filter((r) => r.recordId === request.recordId.toLowerCase()) : all;
        if (one && records.length === 0) throw unknownRecord(request.recordId);
      } else {
        let categories = BigInt(request.categories);
        if (one) {
          const record = await store.record(request.recordId);
          if (record === undefined || record.patient !== request.patient.toLowerCase())
            throw unknownRecord(request.recordId);
          records = [record];
          categories = record.categories;
        } else {
          if (categories === 0n)
            throw new VaultProblem("malformed-request", "a read of all records must name categories");
          records = await store.recordsOf(request.patient, categories);
        }
        const allowed =
          (await mayActFor(block, request.patient, signer)) ||
          (await chain.isAuthorized(block, request.patient, signer, request.purpose, categories));
        if (!allowed) {
          throw new VaultProblem(
            "consent-missing",
            `${request.patient} has no consent in force at block ${block} letting ${signer} use these categories for this purpose`,
          );
        }
      }
      return { records, keyHolder };
    });
    const results = await commit(
      signer,
      request,
      served.records.map((r) => ({ ...event, recordId: r.recordId })),
      async (tx) => {
        const out = [];
        for (const record of served.records) {
          const payload = await store.payload(record.recordId, served.keyHolder, tx);
          if (payload.ciphertext === undefined) continue; // erased meanwhile
          if (payload.wrapped === undefined) {
            if (one)
              throw new VaultProblem(
                "no-wrapped-key",
                `no data key is wrapped for ${served.keyHolder}: ask the patient to grant access`,
              );
            continue;
          }
          out.push({
            recordId: record.recordId,
            categories: record.categories.toString(),
            writer: record.writer,
            ciphertext: Buffer.from(payload.ciphertext).toString("base64"),
            wrappedKey: Buffer.from(payload.wrapped).toString("base64"),
          });
        }
        return out;
      },
    ).catch(async (error) => {
      if (error instanceof VaultProblem) await logRefusal(event, error);
      throw error;
    });
    return { records: results };
  });

  app.post("/v1/records/readers", async (req) => {
    const body = req.body as Record<string, unknown>;
    const { request, signer, digest, base } = await authenticate("AddReaders", body);
    const event = { ...base, agent: signer, requestId: digest };
    const keys = await refusing(event, async () => {
      const keys = parseKeys(body.keys);
      if (contentHash(undefined, keys.entries) !== request.contentHash.toLowerCase()) {
        throw new VaultProblem("content-mismatch", "contentHash does not match the keys sent: sign what you send");
      }
      const record = await store.record(request.recordId);
      if (record === undefined || record.patient !== request.patient.toLowerCase())
        throw unknownRecord(request.recordId);
      const block = await chain.head();
      if (record.writer !== signer.toLowerCase() && !(await mayActFor(block, request.patient, signer))) {
        throw new VaultProblem("not-patient", `${signer} is neither the patient, her delegate nor the record's writer`);
      }
      return keys;
    });
    await commit(signer, request, [event], (tx) => store.putKeys(tx, request.recordId, keys.bytes));
    return { recordId: request.recordId.toLowerCase(), readers: keys.entries.map((k) => k.reader.toLowerCase()) };
  });

  app.post("/v1/records/erase", async (req) => {
    const { request, signer, digest, base } = await authenticate("Erase", req.body);
    const event = { ...base, agent: signer, requestId: digest };
    await refusing(event, async () => {
      const record = await store.record(request.recordId);
      if (record === undefined || record.patient !== request.patient.toLowerCase())
        throw unknownRecord(request.recordId);
      if (!(await mayActFor(await chain.head(), request.patient, signer))) {
        throw new VaultProblem("not-patient", `only the patient or her delegate erases a record, not ${signer}`);
      }
    });
    await commit(signer, request, [event], (tx) => store.erase(tx, request.recordId, now()));
    return { recordId: request.recordId.toLowerCase(), erased: true };
  });

  app.post("/v1/audit", async (req) => {
    const { request, signer, digest, base } = await authenticate("AuditLog", req.body);
    const event = { ...base, agent: signer, requestId: digest };
    await refusing(event, async () => {
      if (!(await mayActFor(await chain.head(), request.patient, signer))) {
        throw new VaultProblem("not-patient", `only the patient or her delegate fetches her log, not ${signer}`);
      }
    });
    await commit(signer, request, [event], async () => undefined);
    const entries = await store.logOf(request.patient);
    const head = await store.logHead();
    const first = entries.length === 0 ? head.length + 1 : entries[0].seq;
    return {
      entries,
      head,
      firstPrevHash: entries.length === 0 ? head.head : entries[0].prevHash,
      eventHashes: await store.eventHashes(first, head.length),
      operator: options.operator?.address ?? null,
    };
  });

  async function mayActFor(block: number, patient: string, account: string): Promise<boolean> {
    return chain.canActFor(block, patient, account);
  }

  let lastAnchored = 0;
  async function anchorLog() {
    await store.pruneNonces(Math.floor(now() / 1000));
    if (options.operator === undefined) return undefined;
    const head = await store.logHead();
    if (head.length <= lastAnchored) return undefined;
    const onChain = await chain.anchor.logHead(options.operator.address);
    if (BigInt(head.length) <= onChain.count) {
      lastAnchored = Number(onChain.count);
      return undefined;
    }
    const anchor = chain.anchor.connect(options.operator.connect(chain.provider));
    await (await anchor.anchorLog(head.length, head.head)).wait();
    lastAnchored = head.length;
    return head;
  }

  return { app, domain, anchorLog };
}

function sendProblem(reply: FastifyReply, problem: VaultProblem) {
  return reply
    .code(problem.status)
    .header("content-type", "application/problem+json; charset=utf-8")
    .send(problem.body());
}

function unknownRecord(recordId: string): VaultProblem {
  return new VaultProblem("unknown-record", `no record ${recordId} of this patient is stored here`);
}

function isChainError(error: Error & { code?: string }): boolean {
  return ["NETWORK_ERROR", "SERVER_ERROR", "TIMEOUT", "ECONNREFUSED", "CALL_EXCEPTION"].includes(error.code ?? "");
}

function parseSigned(kind: RequestKind, body: unknown): { chainId: string; request: RequestFields; signature: string } {
  if (typeof body !== "object" || body === null) {
    throw new VaultProblem("malformed-request", "the body must be a JSON object { chainId, request, signature }");
  }
  const { chainId, request, signature } = body as Record<string, unknown>;
  if (typeof chainId !== "string" || !UINT.test(chainId)) {
    throw new VaultProblem("malformed-request", "chainId must be the chain id as a decimal string");
  }
  if (typeof signature !== "string" || !/^0x[0-9a-fA-F]+$/.test(signature)) {
    throw new VaultProblem("malformed-request", "signature must be 0x-prefixed hex");
  }
  if (typeof request !== "object" || request === null) {
    throw new VaultProblem("malformed-request", `request must be a ${kind} request object`);
  }
  const fields: RequestFields = {};
  for (const { name, type } of VAULT_TYPES[kind]) {
    const value = (request as Record<string, unknown>)[name];
    const ok =
      typeof value === "string" &&
      (type === "address" ? isAddressText(value) : type === "bytes32" ? HEX32.test(value) : UINT.test(value));
    if (!ok) {
      throw new VaultProblem(
        "malformed-request",
        `request.${name} must be ${type === "address" ? "an address" : type === "bytes32" ? "0x + 64 hex digits" : "a decimal string"}`,
      );
    }
    fields[name] = value as string;
  }
  if (BigInt(fields.deadline) >= 2n ** 40n)
    throw new VaultProblem("malformed-request", "request.deadline must fit in uint40");
  return { chainId, request: fields, signature };
}

function parseBase64(value: unknown, name: string): Uint8Array {
  if (typeof value !== "string" || value.length % 4 !== 0 || !BASE64.test(value)) {
    throw new VaultProblem("malformed-request", `${name} must be base64`);
  }
  return new Uint8Array(Buffer.from(value, "base64"));
}

function parseKeys(value: unknown): { entries: WrappedKeyEntry[]; bytes: { reader: string; wrapped: Uint8Array }[] } {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_KEYS) {
    throw new VaultProblem("malformed-request", `keys must be a list of 1 to ${MAX_KEYS} { reader, wrapped } entries`);
  }
  const entries: WrappedKeyEntry[] = [];
  const bytes = [];
  const seen = new Set<string>();
  for (const [i, entry] of value.entries()) {
    const { reader, wrapped } = (entry ?? {}) as Record<string, unknown>;
    if (typeof reader !== "string" || !isAddressText(reader) || seen.has(reader.toLowerCase())) {
      throw new VaultProblem("malformed-request", `keys[${i}].reader must be an address, once`);
    }
    seen.add(reader.toLowerCase());
    const raw = parseBase64(wrapped, `keys[${i}].wrapped`);
    if (raw.length !== WRAPPED_KEY_BYTES) {
      throw new VaultProblem("malformed-request", `keys[${i}].wrapped must be ${WRAPPED_KEY_BYTES} bytes (wrapKey())`);
    }
    entries.push({ reader, wrapped: wrapped as string });
    bytes.push({ reader, wrapped: raw });
  }
  return { entries, bytes };
}

export { problemUri };
