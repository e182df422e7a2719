/**
 * The vault's storage: ciphertext, wrapped keys, used nonces and the hash-chained disclosure log, in one schema over
 * `src/storage/sql.ts` (an SQLite file by default, PostgreSQL by URL). Every change is one transaction, so a crash
 * leaves a whole record or none. Table names carry a prefix so that several vaults (or test runs) share a database.
 */
import { bytesToHex, hexToBytesInto } from "../crypto/hex";
import { keccak256, keccak256Utf8 } from "../crypto/keccak";
import type { SqlDatabase, SqlExecutor } from "../storage/sql";
import { canonicalJson } from "../records";

/** A stored record's metadata (no ciphertext). */
export interface StoredRecord {
  recordId: string;
  patient: string;
  categories: bigint;
  writer: string;
  size: number;
  createdAt: number;
}

/** One entry of the disclosure log. */
export interface LogEntry {
  /** Its position, from 1. */
  seq: number;
  /** The patient it is about (lower-case address). */
  patient: string;
  /** The FHIR AuditEvent, as stored (canonical JSON). */
  event: string;
  /** The previous entry's hash (zero for the first). */
  prevHash: string;
  /** keccak256(prevHash ‖ keccak256(event)). */
  entryHash: string;
}

/** The zero hash that precedes the first entry. */
export const GENESIS_HASH = "0x" + "00".repeat(32);

/** The hash of a log entry from its predecessor's hash and its event text. */
export function entryHash(prevHash: string, event: string): string {
  return linkHash(prevHash, bytesToHex(keccak256Utf8(event)));
}

/** keccak256(prevHash ‖ eventHash): one link of the chain. */
export function linkHash(prevHash: string, eventHash: string): string {
  const bytes = new Uint8Array(64);
  hexToBytesInto(prevHash, 32, bytes, 0, "prevHash");
  hexToBytesInto(eventHash, 32, bytes, 32, "eventHash");
  return bytesToHex(keccak256(bytes));
}

/** Raised inside a transaction when a nonce was already used; the transaction rolls back. */
export class NonceReplayedError extends Error {
  constructor() {
    super("this request's nonce was already used");
    this.name = "NonceReplayedError";
  }
}

const lower = (a: string) => a.toLowerCase();

/** The vault's tables in one database. */
export class VaultStore {
  private constructor(
    readonly db: SqlDatabase,
    private readonly p: string,
  ) {}

  /** Opens (and creates if needed) the schema with table prefix `prefix` (letters, digits, `_`). */
  static async open(db: SqlDatabase, prefix = "vault_"): Promise<VaultStore> {
    if (!/^[a-z][a-z0-9_]*$/.test(prefix)) {
      throw new Error(`table prefix "${prefix}" must be lower-case letters, digits and _, starting with a letter`);
    }
    const p = prefix;
    const blob = db.blobType;
    await db.exec(
      [
        `CREATE TABLE IF NOT EXISTS ${p}records (record_id TEXT PRIMARY KEY, patient TEXT NOT NULL,
          categories BIGINT NOT NULL, writer TEXT NOT NULL, ciphertext ${blob} NOT NULL, created_at BIGINT NOT NULL)`,
        `CREATE INDEX IF NOT EXISTS ${p}records_patient ON ${p}records (patient)`,
        `CREATE TABLE IF NOT EXISTS ${p}keys (record_id TEXT NOT NULL, reader TEXT NOT NULL, wrapped ${blob} NOT NULL,
          PRIMARY KEY (record_id, reader))`,
        `CREATE INDEX IF NOT EXISTS ${p}keys_reader ON ${p}keys (reader)`,
        `CREATE TABLE IF NOT EXISTS ${p}nonces (signer TEXT NOT NULL, nonce TEXT NOT NULL, deadline BIGINT NOT NULL,
          PRIMARY KEY (signer, nonce))`,
        `CREATE TABLE IF NOT EXISTS ${p}erased (record_id TEXT PRIMARY KEY, erased_at BIGINT NOT NULL)`,
        `CREATE TABLE IF NOT EXISTS ${p}log (seq BIGINT PRIMARY KEY, patient TEXT NOT NULL, event TEXT NOT NULL,
          prev_hash TEXT NOT NULL, entry_hash TEXT NOT NULL)`,
        `CREATE INDEX IF NOT EXISTS ${p}log_patient ON ${p}log (patient)`,
        `CREATE TABLE IF NOT EXISTS ${p}log_head (id INTEGER PRIMARY KEY, length BIGINT NOT NULL, head TEXT NOT NULL)`,
        `INSERT INTO ${p}log_head (id, length, head) VALUES (1, 0, '${GENESIS_HASH}') ON CONFLICT (id) DO NOTHING`,
      ].join(";\n"),
    );
    return new VaultStore(db, p);
  }

  /** A record's metadata, or undefined. */
  async record(recordId: string, on: SqlExecutor = this.db): Promise<StoredRecord | undefined> {
    const [row] = await on.query(
      `SELECT record_id, patient, categories, writer, length(ciphertext) AS size, created_at FROM ${this.p}records
       WHERE record_id = $1`,
      [lower(recordId)],
    );
    return row === undefined ? undefined : toRecord(row);
  }

  /** Whether a record id was erased (an erased id is never stored again). */
  async wasErased(recordId: string): Promise<boolean> {
    return (await this.db.query(`SELECT 1 FROM ${this.p}erased WHERE record_id = $1`, [lower(recordId)])).length > 0;
  }

  /** The records of a patient whose categories lie within `categories`. */
  async recordsOf(patient: string, categories: bigint): Promise<StoredRecord[]> {
    const rows = await this.db.query(
      `SELECT record_id, patient, categories, writer, length(ciphertext) AS size, created_at FROM ${this.p}records
       WHERE patient = $1 ORDER BY created_at, record_id`,
      [lower(patient)],
    );
    return rows.map(toRecord).filter((r) => (r.categories & ~categories) === 0n);
  }

  /** The records that have a key wrapped for `reader` (an emergency card's records). */
  async recordsWrappedFor(reader: string): Promise<StoredRecord[]> {
    const rows = await this.db.query(
      `SELECT r.record_id, r.patient, r.categories, r.writer, length(r.ciphertext) AS size, r.created_at
       FROM ${this.p}records r JOIN ${this.p}keys k ON k.record_id = r.record_id
       WHERE k.reader = $1 ORDER BY r.created_at, r.record_id`,
      [lower(reader)],
    );
    return rows.map(toRecord);
  }

  /** The ciphertext and `reader`'s wrapped key of a record (either undefined when absent). */
  async payload(
    recordId: string,
    reader: string,
    on: SqlExecutor = this.db,
  ): Promise<{ ciphertext?: Uint8Array; wrapped?: Uint8Array }> {
    const [r] = await on.query(
      `SELECT r.ciphertext, k.wrapped FROM ${this.p}records r
       LEFT JOIN ${this.p}keys k ON k.record_id = r.record_id AND k.reader = $2 WHERE r.record_id = $1`,
      [lower(recordId), lower(reader)],
    );
    return {
      ciphertext: r === undefined ? undefined : new Uint8Array(r.ciphertext as Buffer),
      wrapped: r?.wrapped === undefined || r.wrapped === null ? undefined : new Uint8Array(r.wrapped as Buffer),
    };
  }

  /** Uses a nonce inside a transaction; throws {@link NonceReplayedError} if it was used before. */
  async useNonce(tx: SqlExecutor, signer: string, nonce: string, deadline: number): Promise<void> {
    const changed = await tx.run(
      `INSERT INTO ${this.p}nonces (signer, nonce, deadline) VALUES ($1, $2, $3) ON CONFLICT (signer, nonce) DO NOTHING`,
      [lower(signer), nonce, deadline],
    );
    if (changed === 0) throw new NonceReplayedError();
  }

  /** Whether a nonce was used (checked before the chain is asked, so a replay costs no RPC). */
  async nonceUsed(signer: string, nonce: string): Promise<boolean> {
    const rows = await this.db.query(`SELECT 1 FROM ${this.p}nonces WHERE signer = $1 AND nonce = $2`, [
      lower(signer),
      nonce,
    ]);
    return rows.length > 0;
  }

  /** Forgets nonces whose requests expired before `nowSeconds` (they are refused as expired anyway). */
  async pruneNonces(nowSeconds: number): Promise<number> {
    return this.db.run(`DELETE FROM ${this.p}nonces WHERE deadline < $1`, [nowSeconds]);
  }

  /** Inserts a record and its wrapped keys. */
  async insertRecord(
    tx: SqlExecutor,
    record: Omit<StoredRecord, "size">,
    ciphertext: Uint8Array,
    keys: readonly { reader: string; wrapped: Uint8Array }[],
  ): Promise<void> {
    await tx.run(
      `INSERT INTO ${this.p}records (record_id, patient, categories, writer, ciphertext, created_at)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        lower(record.recordId),
        lower(record.patient),
        record.categories.toString(),
        lower(record.writer),
        ciphertext,
        record.createdAt,
      ],
    );
    await this.putKeys(tx, record.recordId, keys);
  }

  /** Adds or replaces wrapped keys of a record. */
  async putKeys(
    tx: SqlExecutor,
    recordId: string,
    keys: readonly { reader: string; wrapped: Uint8Array }[],
  ): Promise<void> {
    for (const key of keys) {
      await tx.run(
        `INSERT INTO ${this.p}keys (record_id, reader, wrapped) VALUES ($1, $2, $3)
         ON CONFLICT (record_id, reader) DO UPDATE SET wrapped = excluded.wrapped`,
        [lower(recordId), lower(key.reader), key.wrapped],
      );
    }
  }

  /** Crypto-shredding: deletes the ciphertext and every wrapped key, and remembers the id as erased. */
  async erase(tx: SqlExecutor, recordId: string, at: number): Promise<void> {
    await tx.run(`DELETE FROM ${this.p}keys WHERE record_id = $1`, [lower(recordId)]);
    await tx.run(`DELETE FROM ${this.p}records WHERE record_id = $1`, [lower(recordId)]);
    await tx.run(
      `INSERT INTO ${this.p}erased (record_id, erased_at) VALUES ($1, $2) ON CONFLICT (record_id) DO NOTHING`,
      [lower(recordId), at],
    );
  }

  /** Appends an event to the disclosure log inside a transaction and gives back the new entry. */
  async appendLog(tx: SqlExecutor, patient: string, event: object): Promise<LogEntry> {
    // The UPDATE first: on PostgreSQL it locks the head row, so concurrent vault processes append one at a time.
    const [head] = await tx.query(
      `UPDATE ${this.p}log_head SET length = length + 1 WHERE id = 1 RETURNING length, head`,
    );
    const seq = Number(head.length);
    const prevHash = head.head as string;
    const text = canonicalJson(event);
    const hash = entryHash(prevHash, text);
    await tx.run(`INSERT INTO ${this.p}log (seq, patient, event, prev_hash, entry_hash) VALUES ($1, $2, $3, $4, $5)`, [
      seq,
      lower(patient),
      text,
      prevHash,
      hash,
    ]);
    await tx.run(`UPDATE ${this.p}log_head SET head = $1 WHERE id = 1`, [hash]);
    return { seq, patient: lower(patient), event: text, prevHash, entryHash: hash };
  }

  /** The log's current length and head. */
  async logHead(): Promise<{ length: number; head: string }> {
    const [row] = await this.db.query(`SELECT length, head FROM ${this.p}log_head WHERE id = 1`);
    return { length: Number(row.length), head: row.head as string };
  }

  /** A patient's log entries, in order. */
  async logOf(patient: string): Promise<LogEntry[]> {
    const rows = await this.db.query(
      `SELECT seq, patient, event, prev_hash, entry_hash FROM ${this.p}log WHERE patient = $1 ORDER BY seq`,
      [lower(patient)],
    );
    return rows.map((r) => ({
      seq: Number(r.seq),
      patient: r.patient as string,
      event: r.event as string,
      prevHash: r.prev_hash as string,
      entryHash: r.entry_hash as string,
    }));
  }

  /**
   * keccak256 of each event from `fromSeq` to `toSeq` inclusive: with them a patient recomputes the chain from her
   * own entries up to an anchored head without seeing anyone else's events.
   */
  async eventHashes(fromSeq: number, toSeq: number): Promise<string[]> {
    const rows = await this.db.query(`SELECT event FROM ${this.p}log WHERE seq >= $1 AND seq <= $2 ORDER BY seq`, [
      fromSeq,
      toSeq,
    ]);
    return rows.map((r) => bytesToHex(keccak256Utf8(r.event as string)));
  }

  /** Counts (for tests and the fault test): records, keys, log entries. */
  async counts(): Promise<{ records: number; keys: number; log: number }> {
    const one = async (t: string) => Number((await this.db.query(`SELECT COUNT(*) AS n FROM ${this.p}${t}`))[0].n);
    return { records: await one("records"), keys: await one("keys"), log: await one("log") };
  }
}

function toRecord(row: Record<string, unknown>): StoredRecord {
  return {
    recordId: row.record_id as string,
    patient: row.patient as string,
    categories: BigInt(row.categories as string | number),
    writer: row.writer as string,
    size: Number(row.size),
    createdAt: Number(row.created_at),
  };
}
