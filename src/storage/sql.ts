/**
 * One small SQL interface over the two engines Health Ledger's services run on: an embedded SQLite file
 * (`better-sqlite3`, nothing to install, the default) and PostgreSQL (several processes sharing one database).
 * The record vault and the auditor's index write the same schema to either; a URL chooses the engine.
 *
 * Statements are written once, in PostgreSQL's dialect for placeholders (`$1`, `$2`, …, reusable); for SQLite they
 * are rewritten to positional `?`. Keep the SQL itself to the common subset: `TEXT`, `INTEGER`/`BIGINT`, `BLOB`/
 * `BYTEA` through {@link SqlDatabase.blobType}, `INSERT … ON CONFLICT … DO …`, no `RETURNING` on SQLite older
 * than 3.35 (ours is newer).
 */
import { open, type FileHandle } from "node:fs/promises";
import type BetterSqlite3 from "better-sqlite3";
import { SharedAfterCall } from "../util/after";
import type { Pool, PoolClient } from "pg";

/** A value a statement takes or a row holds. Integers beyond 2^53 go as decimal strings or `bigint`. */
export type SqlValue = string | number | bigint | boolean | null | Uint8Array;

/** A row, keyed by column name. */
export type SqlRow = Record<string, unknown>;

/** What both engines offer. Every method is async so that callers do not care which engine is under them. */
export interface SqlExecutor {
  /** Runs a statement that returns rows and gives them back. */
  query<T extends SqlRow = SqlRow>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** Runs a statement and gives back how many rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
}

/** An open database. */
export interface SqlDatabase extends SqlExecutor {
  /** `"sqlite"` or `"postgres"`. */
  readonly engine: "sqlite" | "postgres";
  /** The column type that holds bytes on this engine (`BLOB` or `BYTEA`). */
  readonly blobType: string;
  /** Runs several statements separated by `;` (schema creation). No parameters. */
  exec(sql: string): Promise<void>;
  /**
   * Runs `work` in one transaction: all of its statements land, or none do (a thrown error rolls back).
   * On PostgreSQL the work gets its own connection; on SQLite statements are serialised.
   */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** Closes the database (the pool on PostgreSQL). */
  close(): Promise<void>;
}

/** Raised for a URL that names no engine this module knows. */
export class SqlUrlError extends Error {
  constructor(url: string) {
    super(
      `unknown database URL "${url}": give a file path or sqlite:<path> for the embedded database, ` +
        `or postgres://user@host:port/db for PostgreSQL`,
    );
    this.name = "SqlUrlError";
  }
}

/**
 * Opens a database from a URL: `postgres://…` or `postgresql://…` for PostgreSQL; `sqlite:<path>`, a plain file path
 * or `:memory:` for the embedded engine (the file is created if missing, in WAL mode so that a crash loses no committed
 * transaction).
 */
export async function openSql(url: string): Promise<SqlDatabase> {
  if (/^postgres(ql)?:\/\//.test(url)) return openPostgres(url);
  const path = url.startsWith("sqlite:") ? url.slice("sqlite:".length) : url;
  if (path.length === 0 || /^[a-z][a-z0-9+.-]*:\/\//i.test(path)) throw new SqlUrlError(url);
  return openSqlite(path);
}

const plans = new Map<string, { sql: string; order: number[] }>();

/** Rewrites `$n` placeholders to positional `?` and orders the parameters to match (a `$n` may repeat). */
export function toPositional(sql: string, params: readonly SqlValue[] = []): { sql: string; params: SqlValue[] } {
  let plan = plans.get(sql);
  if (plan === undefined) {
    const order: number[] = [];
    plan = { sql: sql.replace(/\$(\d+)/g, (_, n: string) => (order.push(Number(n) - 1), "?")), order };
    if (plans.size < 1000) plans.set(sql, plan); // statements are a fixed set; the bound guards against misuse
  }
  const ordered = new Array<SqlValue>(plan.order.length);
  for (let i = 0; i < plan.order.length; i++) {
    const index = plan.order[i];
    if (index < 0 || index >= params.length) {
      throw new RangeError(`statement uses $${index + 1} but only ${params.length} parameters were given`);
    }
    ordered[i] = params[index];
  }
  return { sql: plan.sql, params: ordered };
}

function sqliteValue(value: SqlValue): unknown {
  if (typeof value === "boolean") return value ? 1 : 0;
  if (value instanceof Uint8Array && !Buffer.isBuffer(value)) return Buffer.from(value);
  return value;
}

/**
 * Makes committed WAL frames durable without blocking the event loop. SQLite runs with `synchronous = NORMAL`, so
 * COMMIT writes its frames to the WAL without an fsync; a commit is acknowledged only after an `fdatasync` of the WAL
 * that started after it, on libuv's thread pool, and one fsync serves every commit that arrived while the previous
 * one ran. The guarantee is `synchronous = FULL`'s (an acknowledged transaction survives a power cut; SQLite's WAL
 * recovery keeps whole transactions only), while other requests are served during the ~3 ms of each fsync.
 */
export class WalSync {
  private handle: Promise<FileHandle> | undefined;
  private readonly fsyncs = new SharedAfterCall<void>(() => {
    this.syncs++;
    this.handle ??= open(this.file, "r");
    return this.handle.then((h) => h.datasync());
  });
  /** How many fsyncs were started (tests, benchmarks). */
  syncs = 0;

  constructor(private readonly file: string) {}

  /** Resolves once everything written to the WAL before this call is on disk. */
  sync(): Promise<void> {
    return this.fsyncs.get();
  }

  /** Waits for syncs in flight and closes the file. */
  async close(): Promise<void> {
    await this.fsyncs.idle();
    if (this.handle !== undefined) await (await this.handle).close();
    this.handle = undefined;
  }
}

/** The embedded engine's database, with its WAL syncer (absent for `:memory:`). */
export interface SqliteDatabase extends SqlDatabase {
  readonly engine: "sqlite";
  readonly wal: WalSync | undefined;
}

async function openSqlite(path: string): Promise<SqliteDatabase> {
  const Database = (await import("better-sqlite3")).default;
  const db: BetterSqlite3.Database = new Database(path);
  const walMode = path !== ":memory:" && db.pragma("journal_mode = WAL", { simple: true }) === "wal";
  // With a WAL, COMMIT does not fsync and WalSync does it off the event loop; without one, COMMIT fsyncs itself.
  db.pragma(walMode ? "synchronous = NORMAL" : "synchronous = FULL");
  db.pragma("foreign_keys = ON");
  db.defaultSafeIntegers(false);
  const wal = walMode ? new WalSync(`${path}-wal`) : undefined;
  const durable = () => (wal === undefined ? Promise.resolve() : wal.sync());

  /** A prepared statement, whether it yields rows, and whether it writes (an `INSERT … RETURNING` does both). */
  const cache = new Map<string, { statement: BetterSqlite3.Statement; reader: boolean; writes: boolean }>();
  const prepare = (sql: string) => {
    let entry = cache.get(sql);
    if (!entry) {
      const statement = db.prepare(sql);
      entry = { statement, reader: statement.reader, writes: !statement.readonly };
      cache.set(sql, entry);
    }
    return entry;
  };
  /** Runs one statement; says whether it wrote, so that a statement on its own knows to wait for the WAL sync. */
  const execute = <T extends SqlRow>(sql: string, params?: readonly SqlValue[]) => {
    const positional = toPositional(sql, params);
    const { statement, reader, writes } = prepare(positional.sql);
    const values = positional.params.map(sqliteValue);
    if (reader) return { rows: statement.all(...values) as T[], writes };
    statement.run(...values);
    return { rows: [] as T[], writes };
  };
  /** Statements inside a transaction: made durable by its commit. */
  const inside: SqlExecutor = {
    async query<T extends SqlRow>(sql: string, params?: readonly SqlValue[]) {
      return execute<T>(sql, params).rows;
    },
    async run(sql: string, params?: readonly SqlValue[]) {
      const positional = toPositional(sql, params);
      return prepare(positional.sql).statement.run(...positional.params.map(sqliteValue)).changes;
    },
  };
  /** Statements on their own: a write outside a transaction commits by itself, so it waits for the WAL sync. */
  const alone: SqlExecutor = {
    async query<T extends SqlRow>(sql: string, params?: readonly SqlValue[]) {
      const { rows, writes } = execute<T>(sql, params);
      if (writes && !db.inTransaction) await durable();
      return rows;
    },
    async run(sql: string, params?: readonly SqlValue[]) {
      const changed = await inside.run(sql, params);
      if (!db.inTransaction) await durable();
      return changed;
    },
  };

  // SQLite has one writer; transactions from concurrent callers queue here so that their statements never interleave.
  // The queue moves on at COMMIT: the next transaction runs while this one's fsync is in flight.
  let queue: Promise<unknown> = Promise.resolve();
  return {
    engine: "sqlite",
    blobType: "BLOB",
    wal,
    ...alone,
    async exec(sql) {
      db.exec(sql);
      await durable();
    },
    transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      const committed = queue.then(async () => {
        db.exec("BEGIN IMMEDIATE");
        try {
          const value = await work(inside);
          db.exec("COMMIT");
          return value;
        } catch (error) {
          if (db.inTransaction) db.exec("ROLLBACK");
          throw error;
        }
      });
      queue = committed.catch(() => undefined);
      return committed.then(async (value) => {
        await durable();
        return value;
      });
    },
    async close() {
      await queue;
      await wal?.close();
      db.close();
    },
  };
}

async function openPostgres(url: string): Promise<SqlDatabase> {
  const pg = await import("pg");
  // BIGINT comes back as a string by default; keep it a string (callers convert) but parse counts in JS.
  const pool: Pool = new pg.Pool({ connectionString: url, max: 10 });
  // Fail now, with the server's reason, rather than at the first query.
  const probe = await pool.connect();
  probe.release();
  const on = (client: Pool | PoolClient): SqlExecutor => ({
    async query<T extends SqlRow>(sql: string, params: readonly SqlValue[] = []) {
      return (await client.query(sql, params as unknown[])).rows as T[];
    },
    async run(sql: string, params: readonly SqlValue[] = []) {
      return (await client.query(sql, params as unknown[])).rowCount ?? 0;
    },
  });
  return {
    engine: "postgres",
    blobType: "BYTEA",
    ...on(pool),
    async exec(sql) {
      await pool.query(sql);
    },
    async transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        const value = await work(on(client));
        await client.query("COMMIT");
        return value;
      } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    async close() {
      await pool.end();
    },
  };
}
