import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSql, SqlUrlError, toPositional, type SqlDatabase } from "../../src/storage/sql";
import { NO_POSTGRES, testPostgresUrl } from "../shared/postgres";

function behavesLikeSqlDatabase(open: () => Promise<SqlDatabase>) {
  let db: SqlDatabase;
  // Each run gets its own table so that concurrent runs against one PostgreSQL never meet.
  const table = `sql_test_${process.pid}_${Date.now()}`;

  before(async function () {
    db = await open();
    await db.exec(`CREATE TABLE ${table} (id TEXT PRIMARY KEY, n BIGINT NOT NULL, body ${db.blobType})`);
  });
  after(async function () {
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
  });

  context("PostgreSQL", function () {
    const url = testPostgresUrl();
    if (!url) {
      it.skip(NO_POSTGRES);
      return;
    }
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
