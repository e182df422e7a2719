/**
 * Fault test: the vault runs as its own process (`npx hardhat vault`), is killed with SIGKILL while uploads and
 * reads are in flight, and restarted on the same database file. Every upload it acknowledged is there and opens;
 * every stored record is whole (its ciphertext, all its wrapped keys, its log entry); the log's chain still verifies.
 */
import { expect } from "chai";
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Wallet } from "ethers";
import { commit, freshSalt } from "../../src/records";
import { openSql } from "../../src/storage/sql";
import { VaultClient, VaultStore } from "../../src/vault";
import { HARDHAT_CLI, ROOT } from "../shared/node";
import {
  LABS,
  grantConsent,
  labResult,
  startVaultProcess,
  startVaultWorld,
  type VaultProcess,
  type VaultWorld,
} from "./setup";

function kill(p: VaultProcess): Promise<void> {
  return new Promise((resolve) => {
    if (p.child.exitCode !== null || p.child.signalCode !== null) return resolve();
    p.child.once("exit", () => resolve());
    process.kill(p.child.pid!, "SIGKILL");
  });
}

describe("Record vault: killed during uploads and reads", function () {
  this.timeout(300_000);
  let world: VaultWorld;
  let running: VaultProcess | undefined;

  before(async function () {
    world = await startVaultWorld();
  });
  after(async function () {
    if (running !== undefined) await kill(running);
    await world?.stop();
  });

  it("loses no acknowledged record and leaves none half-written", async function () {
    const db = join(mkdtempSync(join(tmpdir(), "vault-fault-")), "vault.sqlite");
    const alice = new Wallet(Wallet.createRandom().privateKey);
    await grantConsent(world, world.stMarys.address, LABS, undefined, alice);
    const items = Array.from({ length: 120 }, (_, i) => ({ resource: labResult(i), salt: freshSalt() }));
    const commitments = items.map((it) => commit(it.resource, it.salt).commitment);
    for (let i = 0; i < commitments.length; i += 100) {
      await (await world.anchor.connect(world.stMarys).anchorRecords(commitments.slice(i, i + 100))).wait();
    }
    const clients = (url: string) => ({
      stMarys: new VaultClient({
        url,
        wallet: world.stMarys,
        chainId: world.chainId,
        consentRegistry: world.system.consentRegistry,
        vaultAnchor: world.anchor.connect(world.provider),
      }),
      alice: new VaultClient({
        url,
        wallet: alice,
        chainId: world.chainId,
        consentRegistry: world.system.consentRegistry,
        vaultAnchor: world.anchor.connect(world.provider),
      }),
    });

    running = await startVaultProcess(world, db);
    const first = clients(running.url);
    const acknowledged: string[] = [];
    let next = 0;
    const uploader = async () => {
      while (next < items.length) {
        const item = items[next++];
        try {
          const { recordId } = await first.stMarys.put(item.resource, {
            patient: alice.address,
            categories: LABS,
            readers: [first.alice.asReader],
            anchor: false,
            salt: item.salt,
          });
          acknowledged.push(recordId);
        } catch {
          return; // the vault died under this upload
        }
      }
    };
    const reader = async () => {
      for (;;) {
        const id = acknowledged[acknowledged.length - 1];
        if (id === undefined) {
          await new Promise((r) => setTimeout(r, 5));
          if (next >= items.length) return;
          continue;
        }
        try {
          await first.alice.get(id, { patient: alice.address });
        } catch {
          return;
        }
      }
    };
    const work = Promise.all([uploader(), uploader(), uploader(), reader(), reader()]);
    while (acknowledged.length < 20) await new Promise((r) => setTimeout(r, 10));
    await kill(running);
    running = undefined;
    await work;
    expect(acknowledged.length, "some uploads were acknowledged before the kill").to.be.at.least(20);
    expect(acknowledged.length, "the kill interrupted the uploads").to.be.below(items.length);

    running = await startVaultProcess(world, db);
    const second = clients(running.url);
    for (const id of acknowledged) {
      const opened = await second.alice.get(id, { patient: alice.address });
      expect(opened.recordId).to.equal(id.toLowerCase());
    }
    // The disclosure log's chain is intact across the crash.
    const log = await second.alice.auditLog(alice.address);
    expect(log.events.filter((e) => e.subtype?.[0].code === "Write" && e.outcome === "0").length).to.be.at.least(
      acknowledged.length,
    );
    await kill(running);
    running = undefined;

    // Nothing half-written: every stored record has both wrapped keys and a logged write.
    const sql = await openSql(db);
    try {
      const store = await VaultStore.open(sql);
      const rows = await sql.query<{ record_id: string; keys: number }>(
        `SELECT r.record_id, (SELECT COUNT(*) FROM vault_keys k WHERE k.record_id = r.record_id) AS keys
         FROM vault_records r`,
      );
      expect(rows.length).to.be.at.least(acknowledged.length);
      for (const row of rows) expect(Number(row.keys), row.record_id).to.equal(2);
      const orphanKeys = await sql.query(
        `SELECT COUNT(*) AS n FROM vault_keys k WHERE NOT EXISTS (SELECT 1 FROM vault_records r WHERE r.record_id = k.record_id)`,
      );
      expect(Number(orphanKeys[0].n)).to.equal(0);
      const writes = (await store.logOf(alice.address)).filter((e) => JSON.parse(e.event).outcome === "0");
      expect(writes.length).to.be.at.least(rows.length);
    } finally {
      await sql.close();
    }
  });

  it("refuses bad settings with one line and a non-zero exit, and listens on nothing", async function () {
    const child = spawn(
      process.execPath,
      [HARDHAT_CLI, "vault", "--registry", "0x1234", "--anchor", world.anchorAddress, "--rpc", world.node.url],
      { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stderr = "";
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code).to.equal(1);
    expect(stderr.trim()).to.equal('vault: the consent registry address "0x1234" is not an address');

    const noContract = spawn(
      process.execPath,
      [
        HARDHAT_CLI,
        "vault",
        "--registry",
        Wallet.createRandom().address,
        "--anchor",
        world.anchorAddress,
        "--rpc",
        world.node.url,
      ],
      { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stderr2 = "";
    noContract.stderr!.on("data", (chunk: Buffer) => (stderr2 += chunk.toString()));
    expect(await new Promise((resolve) => noContract.once("exit", resolve))).to.equal(1);
    expect(stderr2.trim().split("\n")).to.have.length(1);
    expect(stderr2).to.match(/no contract at the consent registry address/);
  });
});
