/**
 * The auditor's index, in any database `openSql` opens (an embedded SQLite file by default, PostgreSQL by URL):
 * the decoded events, the hashes of the blocks they came from (to notice a reorganisation), the checkpoint (the last
 * block fully indexed, with its hash) and the deployment the index belongs to. Every page of logs lands in one
 * transaction with its checkpoint, so an interrupted run leaves the index at a page boundary, never in between.
 */
import type { SqlDatabase, SqlExecutor, SqlValue } from "../storage/sql";
import type { ArgValue, Domain } from "./abi";

/** An event as stored. */
export interface StoredEvent {
  block: number;
  logIndex: number;
  tx: string;
  domain: Domain;
  name: string;
  args: Record<string, ArgValue>;
}

/** The last block fully indexed. */
export interface Checkpoint {
  block: number;
  hash: string;
}

/** Table names, with a prefix so that several indexes can share one database (and tests can use their own). */
export class AuditStore {
  readonly t: { meta: string; events: string; blocks: string; checkpoint: string };

  constructor(
    readonly db: SqlDatabase,
    prefix: string = "audit_",
  ) {
    if (!/^[a-z_][a-z0-9_]*$/i.test(prefix)) throw new Error(`table prefix "${prefix}" must be letters, digits and _`);
    this.t = {
      meta: `${prefix}meta`,
      events: `${prefix}events`,
      blocks: `${prefix}blocks`,
      checkpoint: `${prefix}checkpoint`,
    };
  }

  /** Creates the tables if missing. */
  async init(): Promise<void> {
    const { meta, events, blocks, checkpoint } = this.t;
    await this.db.exec(`
      CREATE TABLE IF NOT EXISTS ${meta} (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS ${events} (
        block BIGINT NOT NULL, log_index INTEGER NOT NULL, tx TEXT NOT NULL, domain TEXT NOT NULL,
        name TEXT NOT NULL, args TEXT NOT NULL, PRIMARY KEY (block, log_index));
      CREATE TABLE IF NOT EXISTS ${blocks} (number BIGINT PRIMARY KEY, hash TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS ${checkpoint} (id INTEGER PRIMARY KEY, block BIGINT NOT NULL, hash TEXT NOT NULL)`);
  }

  async meta(key: string): Promise<string | undefined> {
    const rows = await this.db.query<{ value: string }>(`SELECT value FROM ${this.t.meta} WHERE key = $1`, [key]);
    return rows[0]?.value;
  }

  async setMeta(key: string, value: string, tx: SqlExecutor = this.db): Promise<void> {
    await tx.run(
      `INSERT INTO ${this.t.meta} (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      [key, value],
    );
  }

  async checkpoint(): Promise<Checkpoint | undefined> {
    const rows = await this.db.query<{ block: unknown; hash: string }>(
      `SELECT block, hash FROM ${this.t.checkpoint} WHERE id = 1`,
    );
    return rows[0] && { block: Number(rows[0].block), hash: rows[0].hash };
  }

  /** Stores one page: its events, the hashes of their blocks and of the page's last block, and the new checkpoint. */
  async commitPage(events: readonly (StoredEvent & { blockHash: string })[], last: Checkpoint): Promise<void> {
    await this.db.transaction(async (tx) => {
      const hashes = new Map<number, string>(events.map((e) => [e.block, e.blockHash]));
      hashes.set(last.block, last.hash);
      for (let i = 0; i < events.length; i += 200) {
        const chunk = events.slice(i, i + 200);
        const params: SqlValue[] = [];
        const rows = chunk.map((e) => {
          const n = params.length;
          params.push(e.block, e.logIndex, e.tx, e.domain, e.name, JSON.stringify(e.args));
          return `($${n + 1}, $${n + 2}, $${n + 3}, $${n + 4}, $${n + 5}, $${n + 6})`;
        });
        await tx.run(
          `INSERT INTO ${this.t.events} (block, log_index, tx, domain, name, args) VALUES ${rows.join(", ")}`,
          params,
        );
      }
      const blocks = [...hashes];
      for (let i = 0; i < blocks.length; i += 400) {
        const chunk = blocks.slice(i, i + 400);
        const params: SqlValue[] = chunk.flat();
        const rows = chunk.map((_, j) => `($${2 * j + 1}, $${2 * j + 2})`);
        await tx.run(
          `INSERT INTO ${this.t.blocks} (number, hash) VALUES ${rows.join(", ")} ` +
            `ON CONFLICT (number) DO UPDATE SET hash = excluded.hash`,
          params,
        );
      }
      await tx.run(
        `INSERT INTO ${this.t.checkpoint} (id, block, hash) VALUES (1, $1, $2) ` +
          `ON CONFLICT (id) DO UPDATE SET block = excluded.block, hash = excluded.hash`,
        [last.block, last.hash],
      );
    });
  }

  /** Stored block hashes at or below `block`, newest first, `limit` at a time (for finding a reorg's fork point). */
  async blocksBelow(block: number, limit: number): Promise<{ number: number; hash: string }[]> {
    const rows = await this.db.query<{ number: unknown; hash: string }>(
      `SELECT number, hash FROM ${this.t.blocks} WHERE number <= $1 ORDER BY number DESC LIMIT ${Math.floor(limit)}`,
      [block],
    );
    return rows.map((r) => ({ number: Number(r.number), hash: r.hash }));
  }

  /** Forgets everything after `block` (a reorganisation replaced it); `undefined` empties the index. */
  async rewind(to: Checkpoint | undefined): Promise<void> {
    await this.db.transaction(async (tx) => {
      const after = to?.block ?? -1;
      await tx.run(`DELETE FROM ${this.t.events} WHERE block > $1`, [after]);
      await tx.run(`DELETE FROM ${this.t.blocks} WHERE number > $1`, [after]);
      if (to === undefined) await tx.run(`DELETE FROM ${this.t.checkpoint}`);
      else {
        await tx.run(
          `INSERT INTO ${this.t.checkpoint} (id, block, hash) VALUES (1, $1, $2) ` +
            `ON CONFLICT (id) DO UPDATE SET block = excluded.block, hash = excluded.hash`,
          [to.block, to.hash],
        );
      }
    });
  }

  /** Number of events stored. */
  async count(): Promise<number> {
    const rows = await this.db.query<{ n: unknown }>(`SELECT COUNT(*) AS n FROM ${this.t.events}`);
    return Number(rows[0].n);
  }

  /**
   * Every stored event (below `beforeBlock`) in chain order, read `pageSize` rows at a time (keyset pagination):
   * memory holds one page.
   */
  async *events(pageSize: number = 5_000, beforeBlock: number = Number.MAX_SAFE_INTEGER): AsyncGenerator<StoredEvent> {
    let after: [number, number] = [-1, -1];
    for (;;) {
      const rows = await this.db.query<{
        block: unknown;
        log_index: unknown;
        tx: string;
        domain: string;
        name: string;
        args: string;
      }>(
        `SELECT block, log_index, tx, domain, name, args FROM ${this.t.events} ` +
          `WHERE (block > $1 OR (block = $1 AND log_index > $2)) AND block < $3 ORDER BY block, log_index ` +
          `LIMIT ${Math.floor(pageSize)}`,
        [after[0], after[1], beforeBlock],
      );
      for (const r of rows) {
        yield {
          block: Number(r.block),
          logIndex: Number(r.log_index),
          tx: r.tx,
          domain: r.domain as Domain,
          name: r.name,
          args: JSON.parse(r.args) as Record<string, ArgValue>,
        };
      }
      if (rows.length < pageSize) return;
      const last = rows[rows.length - 1];
      after = [Number(last.block), Number(last.log_index)];
    }
  }
}
