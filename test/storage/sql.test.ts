import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSql, SqlUrlError, toPositional, type SqlDatabase, type SqliteDatabase } from "../../src/storage/sql";
import { requirePostgres } from "../shared/postgres";

function behavesLikeSqlDatabase(open: () => Promise<SqlDatabase>) {
  let db: SqlDatabase;
  // Each run gets its own table so that concurrent runs against one PostgreSQL never meet.
  const table = `sql_test_${process.pid}_${Date.now()}`;

  before(async function () {
    db = await open();
    await db.exec(`CREATE TABLE ${table} (id TEXT PRIMARY KEY, n BIGINT NOT NULL, body ${db.blobType})`);
  });
  after(async function () {
    if (!(db as SqlDatabase | undefined)) return; // the suite was skipped
    await db.exec(`DROP TABLE IF EXISTS ${table}`);
    await db.close();
  });

  it("stores rows and reads them back with reused $n placeholders", async function () {
    expect(
      await db.run(`INSERT INTO ${table} (id, n, body) VALUES ($1, $2, $3)`, ["a", 7, new Uint8Array([1, 2])]),
    ).to.equal(1);
    const rows = await db.query<{ id: string; n: number | string; body: Uint8Array }>(
      `SELECT id, n, body FROM ${table} WHERE id = $1 OR id = $1`,
      ["a"],
    );
    expect(rows).to.have.length(1);
    expect(Number(rows[0].n)).to.equal(7);
    expect([...rows[0].body]).to.deep.equal([1, 2]);
  });

  it("rolls back every statement of a transaction whose work throws", async function () {
    await expect(
      db.transaction(async (tx) => {
        await tx.run(`INSERT INTO ${table} (id, n) VALUES ($1, $2)`, ["b", 1]);
        throw new Error("crash mid-write");
      }),
    ).to.be.rejectedWith("crash mid-write");
    expect(await db.query(`SELECT id FROM ${table} WHERE id = $1`, ["b"])).to.have.length(0);
  });

  it("commits a transaction and keeps concurrent transactions apart", async function () {
    await Promise.all(
      ["c", "d", "e"].map((id) =>
        db.transaction(async (tx) => {
          await tx.run(`INSERT INTO ${table} (id, n) VALUES ($1, $2)`, [id, 0]);
          await tx.run(`UPDATE ${table} SET n = n + 1 WHERE id = $1`, [id]);
        }),
      ),
    );
    const rows = await db.query<{ n: number | string }>(`SELECT n FROM ${table} WHERE id IN ('c', 'd', 'e')`);
    expect(rows.map((r) => Number(r.n))).to.deep.equal([1, 1, 1]);
  });
}

describe("openSql", function () {
  context("the embedded SQLite engine", function () {
    const dir = mkdtempSync(join(tmpdir(), "hl-sql-"));
    after(() => rmSync(dir, { recursive: true, force: true }));
    behavesLikeSqlDatabase(() => openSql(`sqlite:${join(dir, "db.sqlite")}`));

    it("keeps committed rows across a reopen of the file", async function () {
      const file = join(dir, "reopen.sqlite");
      const first = await openSql(file);
      await first.exec("CREATE TABLE t (v TEXT)");
      await first.run("INSERT INTO t (v) VALUES ($1)", ["kept"]);
      await first.close();
      const second = await openSql(file);
      expect(await second.query("SELECT v FROM t")).to.deep.equal([{ v: "kept" }]);
      await second.close();
    });

    it("acknowledges each commit after an fsync of the WAL begun after it, one fsync for commits that arrive together", async function () {
      const db = (await openSql(join(dir, "wal.sqlite"))) as SqliteDatabase;
      try {
        await db.exec("CREATE TABLE t (v INTEGER)");
        const wal = db.wal!;
        const before = wal.syncs;
        let synced = 0;
        const sync = wal.sync.bind(wal);
        wal.sync = () => sync().then(() => void synced++);
        const order: string[] = [];
        await Promise.all(
          Array.from({ length: 40 }, (_, i) =>
            db
              .transaction(async (tx) => tx.run("INSERT INTO t (v) VALUES ($1)", [i]))
              .then(() => {
                order.push(synced > 0 ? "after-sync" : "before-sync");
              }),
          ),
        );
        expect(order).to.have.length(40);
        expect(order.every((o) => o === "after-sync")).to.equal(true);
        expect(wal.syncs - before).to.be.within(1, 39); // shared, not one per commit
        await db.run("INSERT INTO t (v) VALUES ($1)", [99]); // a lone write also waits for its sync
        expect(wal.syncs - before).to.be.at.least(2);
      } finally {
        await db.close();
      }
      const again = await openSql(join(dir, "wal.sqlite"));
      expect((await again.query<{ n: number }>("SELECT COUNT(*) AS n FROM t"))[0].n).to.equal(41);
      await again.close();
    });

    it("makes a lone write that returns rows (INSERT … RETURNING) wait for its sync, and a lone read not", async function () {
      const db = (await openSql(join(dir, "returning.sqlite"))) as SqliteDatabase;
      try {
        await db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
        const wal = db.wal!;
        const before = wal.syncs;
        const rows = await db.query<{ id: number }>("INSERT INTO t (v) VALUES ($1) RETURNING id", ["x"]);
        expect(rows).to.deep.equal([{ id: 1 }]);
        expect(wal.syncs - before).to.equal(1);
        expect(await db.query("SELECT v FROM t WHERE id = $1", [1])).to.deep.equal([{ v: "x" }]);
        expect(wal.syncs - before).to.equal(1);
      } finally {
        await db.close();
      }
    });
  });

  context("PostgreSQL", function () {
    let url = "";
    before(function () {
      url = requirePostgres(this);
    });
    behavesLikeSqlDatabase(() => openSql(url));
  });

  context("a URL that names no engine", function () {
    it("is refused with a message that lists the accepted forms", async function () {
      await expect(openSql("mysql://root@localhost/test")).to.be.rejectedWith(SqlUrlError, /sqlite:<path>/);
      await expect(openSql("sqlite:")).to.be.rejectedWith(SqlUrlError);
    });
  });

  describe("toPositional", function () {
    it("orders parameters by placeholder and refuses a placeholder without a value", function () {
      expect(toPositional("a = $2 AND b = $1 AND c = $2", [1, 2])).to.deep.equal({
        sql: "a = ? AND b = ? AND c = ?",
        params: [2, 1, 2],
      });
      expect(() => toPositional("a = $3", [1])).to.throw(RangeError, /\$3/);
    });
  });
});
