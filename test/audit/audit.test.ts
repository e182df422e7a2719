import { expect } from "chai";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JsonRpcProvider, Wallet, getAddress, keccak256, toUtf8Bytes } from "ethers";
import {
  ClaimsManager__factory,
  ConsentRegistry__factory,
  DrugProvenance__factory,
  HealthLedgerAuthority__factory,
} from "../../typechain-types";
import { adminCall, grantRoles } from "../../src/authority/permissions";
import { ROLES } from "../../src/authority/roles";
import { CLAIM_STATUS } from "../../src/audit/state";
import { claimHistories, claimHistory } from "../../src/claims/events";
import { policyMember } from "../../src/claims";
import { consentHistory } from "../../src/consent/history";
import { PatientIdentity } from "../../src/identity";
import { traceBatch } from "../../src/provenance/trace";
import { httpRpc } from "../../src/chain/rpc";
import {
  AuditInputError,
  AuditStore,
  EventDecoder,
  INTERFACES,
  decodeWithEthers,
  runAudit,
  toCsv,
  type AuditAddresses,
  type AuditRun,
} from "../../src/audit";
import { collectLogs } from "../../src/chain/logs";
import { FileRecordStore } from "../../src/records";
import { PURPOSES } from "../../src/consent/purposes";
import { openSql } from "../../src/storage/sql";
import { deployOnNode, freePort, runOnNode, startHardhatNode, type HardhatNode, type NodeSystem } from "../shared/node";
import { requirePostgres } from "../shared/postgres";
import { startCappingProxy } from "../chain/proxy";

const ACTIVITY = join(__dirname, "..", "..", "tooling", "audit", "activity.ts");
/** The claims member's recovery phrase in tooling/audit/activity.ts. */
const MEMBER_MNEMONIC = "legal winner thank year wave sausage worth useful legal winner thank yellow";
const label = (s: string) => keccak256(toUtf8Bytes(s));
const addressOf = (s: string) => getAddress(`0x${label(s).slice(26)}`);

describe("auditor (src/audit) against a hardhat node process", function () {
  this.timeout(300_000);
  let node: HardhatNode;
  let system: NodeSystem;
  let addresses: AuditAddresses;
  let dir: string;
  let first: AuditRun;

  before(async function () {
    node = await startHardhatNode();
    system = await deployOnNode(node.url);
    addresses = { ...system };
    await runOnNode(node.url, ACTIVITY, { AUDIT_ADDRESSES: JSON.stringify(system), AUDIT_SCALE: "1" });
    dir = await mkdtemp(join(tmpdir(), "audit-test-"));
    first = await runAudit({
      rpc: httpRpc(node.url),
      addresses,
      db: join(dir, "index.sqlite"),
      outDir: join(dir, "report"),
    });
  });

  after(async () => node?.stop());

  async function send(fn: (provider: JsonRpcProvider) => Promise<unknown>) {
    const provider = new JsonRpcProvider(node.url, undefined, { staticNetwork: true });
    try {
      return await fn(provider);
    } finally {
      provider.destroy();
    }
  }

  /** Node account `index` grants `grantee` TREATMENT consent over `categories`, committed to `document`. */
  async function grantFrom(
    p: JsonRpcProvider,
    index: number,
    grantee: string,
    categories: number,
    document: string,
  ): Promise<string> {
    const signer = await p.getSigner(index);
    const registry = ConsentRegistry__factory.connect(system.consentRegistry, signer);
    await (
      await registry.grant(signer.address, grantee, PURPOSES.TREATMENT, categories, 0, 2n ** 40n - 1n, document)
    ).wait();
    return signer.address;
  }

  describe("runAudit", function () {
    it("rebuilds every domain from events and finds the contracts' views equal to it", async function () {
      const s = first.report.summary;
      expect(s.entities.batches).to.equal(3);
      expect(s.entities.claims).to.equal(8);
      expect(s.entities.trials).to.equal(1);
      expect(s.entities.consents).to.be.greaterThan(100);
      expect(s.entities.roleMembers).to.be.greaterThan(6);
      for (const [kind, v] of Object.entries(s.views)) {
        expect(v.mismatched, `${kind} views`).to.equal(0);
      }
      expect(s.views.consents.compared).to.equal(s.entities.consents);
      expect(s.views.holdings.compared).to.be.greaterThan(3);
      expect(s.views.claims.compared).to.equal(8);
      expect(s.views.participants.compared).to.equal(6);
      expect(s.findings.error, JSON.stringify(first.report.findings.filter((f) => f.severity === "error"))).to.equal(0);
    });

    it("reports every break-glass access, the outcome switch after enrolment, each with its evidence", async function () {
      const breakGlass = first.report.findings.filter((f) => f.check === "break-glass");
      expect(breakGlass).to.have.length(2);
      const switched = first.report.findings.filter((f) => f.check === "outcome-switching");
      expect(switched.map((f) => f.message).join("\n")).to.match(/replaced the outcome set after 6 participant/);
      for (const f of [...breakGlass, ...switched]) {
        expect(f.evidence!.block).to.be.greaterThan(0);
        expect(f.evidence!.tx).to.match(/^0x[0-9a-f]{64}$/);
      }
      expect(first.report.pictures.outcomes[0].versions.map((v) => v.afterEnrolment)).to.deep.equal([false, true]);
    });

    it("writes the JSON, one CSV per table and the HTML report", async function () {
      const json = JSON.parse(await readFile(join(dir, "report", "audit.json"), "utf8")) as AuditRun["report"];
      expect(json.summary.events).to.equal(first.report.summary.events);
      const csv = await readFile(join(dir, "report", "claims.csv"), "utf8");
      expect(csv.trim().split("\n")).to.have.length(9);
      // The node takes state overrides: the views went a few hundred to an eth_call, and the report says so.
      expect(json.scan.viewTransport).to.equal("override");
      const html = await readFile(join(dir, "report", "audit.html"), "utf8");
      expect(html).to.include(`Views read at block ${json.scan.checkpoint} a few hundred per eth_call`);
      expect(toCsv([{ a: 'x,"y"', b: null }])).to.equal('a,b\n"x,""y""",\n');
    });

    it("reads only new blocks on a second run, and waits for confirmations", async function () {
      const db = join(dir, "index.sqlite");
      const again = await runAudit({ rpc: httpRpc(node.url), addresses, db });
      expect(again.index.newEvents).to.equal(0);
      expect(again.index.fromBlock).to.equal(first.index.toBlock + 1);
      const patient = await send(async (p) => {
        const account = await grantFrom(p, 9, addressOf("later grantee"), 2, label("later"));
        await p.send("hardhat_mine", ["0x3"]);
        return account;
      });
      const waiting = await runAudit({ rpc: httpRpc(node.url), addresses, db, confirmations: 10 });
      expect(waiting.index.newEvents).to.equal(0);
      const third = await runAudit({ rpc: httpRpc(node.url), addresses, db, confirmations: 2 });
      expect(third.index.newEvents).to.equal(1);
      expect(third.report.summary.events).to.equal(first.report.summary.events + 1);
      expect(
        third.report.tables.consents.some(
          (c) => c.patient === String(patient).toLowerCase() && c.documentCommitment === label("later"),
        ),
      ).to.equal(true);
    });

    it("finds the same events behind a provider that caps ranges at 40 blocks", async function () {
      const proxy = await startCappingProxy(node.url, { maxRange: 40 });
      try {
        const capped = await runAudit({
          rpc: httpRpc(proxy.url),
          addresses,
          db: ":memory:",
          fetch: { initialRange: 5000 },
        });
        expect(proxy.logQueries.some(([, , refused]) => refused)).to.equal(true);
        expect(capped.report.summary.eventsByName).to.deep.equal(
          (await runAudit({ rpc: httpRpc(node.url), addresses, db: ":memory:" })).report.summary.eventsByName,
        );
      } finally {
        await proxy.close();
      }
    });

    it("rewinds reorganised blocks and indexes the chain that replaced them", async function () {
      const db = join(dir, "reorg.sqlite");
      await runAudit({ rpc: httpRpc(node.url), addresses, db });
      const grant = (tag: string) => send((p) => grantFrom(p, 10, addressOf(`reorg grantee ${tag}`), 4, label(tag)));
      const snapshot = (await send((p) => p.send("evm_snapshot", []))) as string;
      await grant("reorged away");
      const before = await runAudit({ rpc: httpRpc(node.url), addresses, db });
      expect(before.index.newEvents).to.equal(1);
      await send((p) => p.send("evm_revert", [snapshot]));
      await grant("canonical");
      await send((p) => p.send("hardhat_mine", ["0x2"]));
      const after = await runAudit({ rpc: httpRpc(node.url), addresses, db });
      expect(after.index.rewoundTo).to.be.lessThan(before.index.checkpoint!.block);
      const commitments = after.report.tables.consents.map((c) => c.documentCommitment);
      expect(commitments).to.include(label("canonical"));
      expect(commitments).not.to.include(label("reorged away"));
      expect(after.report.summary.findings.error).to.equal(0);
    });

    it("decodes every log of the activity exactly as ethers' ABI coder does", async function () {
      const decoder = new EventDecoder(addresses);
      const rpc = httpRpc(node.url);
      const head = Number(await rpc.send("eth_blockNumber", []));
      const logs = await collectLogs(rpc, { address: decoder.addresses, fromBlock: system.fromBlock, toBlock: head });
      const names = new Set<string>();
      for (const log of logs) {
        const decoded = decoder.decode(log)!;
        const fragment = INTERFACES[decoded.domain].getEvent(log.topics[0])!;
        expect(decoded.args, `${decoded.domain}.${decoded.name}`).to.deep.equal(
          decodeWithEthers(decoded.domain, fragment, log),
        );
        names.add(`${decoded.domain}.${decoded.name}`);
      }
      // Structs, arrays of structs, strings, bytes, addresses, integers and booleans all appear among them.
      expect(names.size).to.be.greaterThan(25);
    });

    it("lists a scheduled admin operation with who could cancel it, then the same operation cancelled", async function () {
      const operationFinding = async (operationId: string) => {
        const run = await runAudit({ rpc: httpRpc(node.url), addresses, db: ":memory:" });
        expect(run.report.summary.views.pendingOperations.mismatched).to.equal(0);
        return { run, finding: run.report.findings.find((f) => f.subject === `operation ${operationId}`) };
      };
      const { operationId, admin, delayed, grantee } = (await send(async (provider) => {
        const admin = await provider.getSigner(0);
        const delayed = Wallet.createRandom(provider);
        await provider.send("hardhat_setBalance", [delayed.address, "0xde0b6b3a7640000"]);
        // A second admin whose operations wait an hour: they must be scheduled, and can be cancelled meanwhile.
        await grantRoles(HealthLedgerAuthority__factory.connect(addresses.authority, admin), [
          { role: "ADMIN", account: delayed.address, executionDelay: 3600 },
        ]);
        const authority = HealthLedgerAuthority__factory.connect(addresses.authority, delayed);
        const grantee = addressOf("provider granted by a delayed admin");
        const result = await adminCall(
          authority,
          authority.interface.encodeFunctionData("grantRole", [ROLES.PROVIDER, grantee, 0]),
        );
        expect(result.status).to.equal("scheduled");
        return { operationId: (result as { operationId: string }).operationId, admin, delayed, grantee };
      })) as { operationId: string; admin: { address: string }; delayed: { address: string }; grantee: string };

      const scheduled = await operationFinding(operationId);
      expect(scheduled.run.report.summary.views.pendingOperations.compared).to.be.at.least(1);
      expect(scheduled.finding, "the operation is among the findings").to.not.equal(undefined);
      const f = scheduled.finding!;
      expect(f.check).to.equal("admin-operation");
      expect(f.severity).to.equal("warning");
      const grantRole = HealthLedgerAuthority__factory.createInterface().getFunction("grantRole")!.selector;
      expect(f.message.toLowerCase()).to.include(`${delayed.address.toLowerCase()} scheduled ${grantRole} on`);
      expect(f.message).to.match(/: scheduled; could cancel: /);
      // The caller, every ADMIN member (the deployer among them) and the guardians of the function's role.
      const cancellers = f.message.toLowerCase().split("could cancel: ")[1].split(" (")[0].split(", ");
      expect(cancellers).to.include(delayed.address.toLowerCase());
      expect(cancellers).to.include(admin.address.toLowerCase());
      expect(f.evidence!.event).to.equal("OperationScheduled");

      // One of them does cancel it: the finding stays, as information, with the new status.
      await send(async (provider) => {
        const authority = HealthLedgerAuthority__factory.connect(addresses.authority, await provider.getSigner(0));
        const data = authority.interface.encodeFunctionData("grantRole", [ROLES.PROVIDER, grantee, 0]);
        await (await authority.cancel(delayed.address, addresses.authority, data)).wait();
      });
      const cancelled = await operationFinding(operationId);
      expect(cancelled.finding!.severity).to.equal("info");
      expect(cancelled.finding!.message).to.include(": canceled; could cancel: ");
    });

    it("checks commitments against a record store: verified, missing, tampered, erased", async function () {
      const records = new FileRecordStore({ directory: join(dir, "records") });
      const resource = (n: number) => ({ resourceType: "Consent" as const, status: "active" as const, id: `c${n}` });
      const stored = await Promise.all([0, 1, 2].map((n) => records.put(resource(n) as never)));
      await records.erase(stored[1].commitment);
      await mkdir(join(records.directory, stored[2].commitment.slice(2, 4)), { recursive: true });
      await writeFile(records.backend.pathOf(stored[2].commitment, "record"), "not json");
      await send(async (p) => {
        for (const [i, s] of stored.entries())
          await grantFrom(p, 11, addressOf(`record grantee ${i}`), 2, s.commitment);
      });
      const run = await runAudit({ rpc: httpRpc(node.url), addresses, db: ":memory:", records: records.directory });
      const status = (c: string) => run.report.tables.commitments.find((r) => r.commitment === c)?.status;
      expect(status(stored[0].commitment)).to.equal("verified");
      expect(status(stored[1].commitment)).to.equal("erased");
      expect(status(stored[2].commitment)).to.equal("tampered");
      expect(run.report.summary.commitments.missing).to.be.greaterThan(100);
      expect(run.report.findings.some((f) => f.check === "commitments" && f.severity === "error")).to.equal(true);
    });
  });

  describe("SDK history readers behind a provider that caps ranges at 40 blocks", function () {
    it("read whole histories through the paged fetch, and claimHistories makes no round trip per claim", async function () {
      const proxy = await startCappingProxy(node.url, { maxRange: 40 });
      const provider = new JsonRpcProvider(proxy.url, undefined, { staticNetwork: true, batchMaxCount: 1 });
      try {
        const registry = ConsentRegistry__factory.connect(system.consentRegistry, provider);
        // The patient with the most consents (the activity's patients grant in batches of 50).
        const counts = new Map<string, number>();
        for (const c of first.report.tables.consents)
          counts.set(String(c.patient), (counts.get(String(c.patient)) ?? 0) + 1);
        const patient = [...counts].sort((a, b) => b[1] - a[1])[0][0];
        const history = await consentHistory(registry, patient);
        const grants = first.report.summary.eventsByName["consent.ConsentGranted"];
        expect(history.filter((e) => e.kind === "granted").length)
          .to.be.greaterThan(10)
          .and.lessThan(grants);
        expect(proxy.logQueries.some(([, , refused]) => refused)).to.equal(true);

        const batchId = String(first.report.tables.batches[0].batchId);
        const trace = await traceBatch(DrugProvenance__factory.connect(system.drugProvenance, provider), batchId);
        expect(trace.map((e) => e.kind).slice(0, 4)).to.deep.equal([
          "commissioned",
          "shipped",
          "accepted",
          "dispensed",
        ]);

        const manager = ClaimsManager__factory.connect(system.claimsManager, provider);
        const insurer = String(first.report.tables.policies[0].insurer);
        const { blinding } = policyMember(
          PatientIdentity.fromMnemonic(MEMBER_MNEMONIC, 31337n),
          getAddress(insurer),
          0,
        );
        const before = new Map(proxy.calls);
        const histories = await claimHistories(manager, () => blinding);
        expect(histories).to.have.length(8);
        const byId = new Map(first.report.tables.claims.map((c) => [c.claimId, c.status]));
        for (const h of histories) expect(CLAIM_STATUS[h.status]).to.equal(byId.get(h.claimId.toLowerCase()));
        const used = (m: string) => (proxy.calls.get(m) ?? 0) - (before.get(m) ?? 0);
        // Block reads: one per block with a submission or payment, shared by the claims in it; log queries: pages.
        const blocks = new Set(first.report.tables.claims.map((c) => c.block)).size;
        expect(used("eth_getBlockByNumber")).to.be.at.most(8 + blocks);
        expect(used("eth_call")).to.equal(0);
        const single = await claimHistory(manager, histories[0].claimId, blinding);
        expect(single.status).to.equal(histories[0].status);
        expect(single.paid).to.equal(histories[0].paid);
      } finally {
        provider.destroy();
        await proxy.close();
      }
    });
  });

  describe("npx hardhat audit", function () {
    const HARDHAT = join(__dirname, "..", "..", "node_modules", "hardhat", "internal", "cli", "cli.js");
    async function hardhat(args: string[]) {
      const { spawn } = await import("node:child_process");
      const child = spawn(process.execPath, [HARDHAT, "audit", "--network", "localhost", ...args], {
        cwd: join(__dirname, "..", ".."),
        env: { ...process.env, HEALTH_LEDGER_NODE_URL: node.url },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (c) => (stdout += c));
      child.stderr.on("data", (c) => (stderr += c));
      const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
      return { code, stdout, stderr };
    }

    it("audits the deployment named by an addresses file, with plain progress lines off a terminal", async function () {
      const file = join(dir, "addresses.json");
      await writeFile(file, JSON.stringify(system));
      const { code, stdout, stderr } = await hardhat([
        "--addresses",
        file,
        "--db",
        join(dir, "cli.sqlite"),
        "--out",
        join(dir, "cli-report"),
      ]);
      expect(stdout).to.match(/^audit: chain 31337, blocks \d+-\d+: \d+ events \(\d+ new\), 0 errors/m);
      expect(stdout).to.match(
        /^audit: \d+ views compared with the contracts at block \d+, read a few hundred per eth_call/m,
      );
      expect(stderr).to.match(/^audit: block \d+ of \d+ \(100%\)/m);
      expect(code).to.equal(0);
      expect(existsSync(join(dir, "cli-report", "audit.html"))).to.equal(true);
    });

    it("says what is wrong in one line and exits non-zero", async function () {
      const file = join(dir, "addresses.json");
      const { code, stdout, stderr } = await hardhat(["--addresses", file, "--db", ":memory:", "--chain-id", "5"]);
      expect(code).to.equal(1);
      expect(stdout).to.equal("");
      expect(stderr.trim().split("\n")).to.deep.equal([
        "audit: the node is chain 31337, not 5: point --rpc at the deployment's network or fix --chain-id",
      ]);
      const missing = await hardhat(["--addresses", join(dir, "nope.json"), "--db", ":memory:"]);
      expect(missing.code).to.equal(1);
      expect(missing.stderr.trim()).to.match(/^audit: cannot read the addresses file .*nope.json: check the path$/);
    });
  });

  describe("the HTML report in headless Chromium", function () {
    const CHROMIUM = "/usr/bin/chromium";
    const absent = !existsSync(CHROMIUM) && process.env.CI !== "true";
    (absent ? it.skip : it)(
      absent
        ? "skipped: /usr/bin/chromium is missing (apt-get install -y chromium; CI always runs it)"
        : "renders without a console error, with the JSON's numbers, and leaves a screenshot",
      async function () {
        const { chromium } = await import("playwright-core");
        const browser = await chromium.launch({
          executablePath: CHROMIUM,
          args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        });
        try {
          const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
          const problems: string[] = [];
          page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
          page.on("pageerror", (e) => problems.push(e.message));
          page.on("request", (r) => !r.url().startsWith("file:") && problems.push(`network request ${r.url()}`));
          await page.goto(`file://${join(dir, "report", "audit.html")}`);
          const metrics = await page.$$eval("[data-metric]", (els) =>
            els.map((e) => [e.getAttribute("data-metric")!, Number(e.textContent)] as const),
          );
          const s = first.report.summary;
          const expected: Record<string, number> = {
            events: s.events,
            ...Object.fromEntries(Object.entries(s.findings).map(([k, v]) => [`findings.${k}`, v])),
            ...Object.fromEntries(Object.entries(s.entities).map(([k, v]) => [`entities.${k}`, v])),
            ...Object.fromEntries(Object.entries(s.commitments).map(([k, v]) => [`commitments.${k}`, v])),
            ...Object.fromEntries(
              Object.entries(s.views).flatMap(([k, v]) => [
                [`views.${k}.compared`, v.compared],
                [`views.${k}.mismatched`, v.mismatched],
              ]),
            ),
          };
          expect(Object.fromEntries(metrics)).to.deep.equal(expected);
          expect(await page.locator("svg[aria-label^='custody graph']").count()).to.equal(3);
          expect(await page.locator("svg[aria-label^='consent timeline']").count()).to.be.greaterThan(0);
          expect(await page.locator("svg[aria-label^='outcome history']").count()).to.equal(1);
          expect(
            await page.locator("svg[aria-label='claims lifecycle'] text[data-transition]").count(),
          ).to.be.greaterThan(2);
          await mkdir(join(__dirname, "..", "..", "reports"), { recursive: true });
          await page.screenshot({ path: join(__dirname, "..", "..", "reports", "audit-report.png"), fullPage: false });
          expect(problems).to.deep.equal([]);
        } finally {
          await browser.close();
        }
      },
    );
  });

  describe("bad input: one clear error, the index left as it was", function () {
    async function expectInputError(kind: AuditInputError["kind"], run: () => Promise<unknown>, pattern: RegExp) {
      const error = await run().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, `expected AuditInputError ${kind}`).to.be.instanceOf(AuditInputError);
      expect((error as AuditInputError).kind).to.equal(kind);
      expect((error as Error).message).to.match(pattern);
      expect((error as Error).message).not.to.include("\n");
    }
    let db: string;
    let checkpoint: number;
    before(async function () {
      db = join(dir, "bad.sqlite");
      checkpoint = (await runAudit({ rpc: httpRpc(node.url), addresses, db })).index.checkpoint!.block;
    });
    afterEach(async function () {
      // The checkpoint is where the index says, and nothing is stored above it.
      const sql = await openSql(db);
      try {
        const store = new AuditStore(sql);
        expect((await store.checkpoint())!.block).to.equal(checkpoint);
        const above = await sql.query<{ n: number }>("SELECT COUNT(*) AS n FROM audit_events WHERE block > $1", [
          checkpoint,
        ]);
        expect(Number(above[0].n)).to.equal(0);
      } finally {
        await sql.close();
      }
    });

    it("an unreachable RPC", async function () {
      const url = `http://127.0.0.1:${await freePort()}`;
      await expectInputError(
        "unreachable",
        () => runAudit({ rpc: httpRpc(url), addresses, db }),
        /does not answer.*check --rpc/,
      );
    });
    it("a wrong chain id", async function () {
      await expectInputError(
        "wrong-chain",
        () => runAudit({ rpc: httpRpc(node.url), addresses, db, chainId: 1 }),
        /chain 31337, not 1/,
      );
    });
    it("an address that is not a Health Ledger contract", async function () {
      const wrong = { ...addresses, consentRegistry: system.paymentToken };
      await expectInputError(
        "not-health-ledger",
        () => runAudit({ rpc: httpRpc(node.url), addresses: wrong, db }),
        /consentRegistry .* is not a Health Ledger consent contract/,
      );
      const empty = { ...addresses, claimsManager: "0x000000000000000000000000000000000000dEaD" };
      await expectInputError(
        "not-health-ledger",
        () => runAudit({ rpc: httpRpc(node.url), addresses: empty, db }),
        /holds no contract/,
      );
    });
    it("an empty deployment", async function () {
      await expectInputError(
        "empty-deployment",
        () => runAudit({ rpc: httpRpc(node.url), addresses: {} as AuditAddresses, db }),
        /names no contracts/,
      );
      await expectInputError(
        "empty-deployment",
        () => runAudit({ rpc: httpRpc(node.url), addresses: { ...addresses, fromBlock: 10 ** 6 }, db: ":memory:" }),
        /no Health Ledger events/,
      );
    });
    it("a provider whose cap no split satisfies", async function () {
      const proxy = await startCappingProxy(node.url, { maxResults: 0 });
      try {
        await send(async (p) => {
          await p.send("hardhat_mine", ["0x5"]);
          await grantFrom(p, 12, addressOf("capped"), 2, label("capped"));
        });
        const error = await runAudit({ rpc: httpRpc(proxy.url), addresses, db }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).to.be.instanceOf(AuditInputError);
        expect((error as AuditInputError).kind).to.equal("range-capped");
        const message = (error as Error).message;
        expect(message).to.match(/refuses logs even for block \d+ alone .*index is kept up to block \d+$/);
        // Pages before the refused block were kept: the index moved up to just below it, consistently.
        checkpoint = Number(/kept up to block (\d+)/.exec(message)![1]);
        expect(checkpoint).to.equal(Number(/even for block (\d+)/.exec(message)![1]) - 1);
      } finally {
        await proxy.close();
      }
    });
  });

  describe("trials: ethics approvals and the results deadline", function () {
    // Last, since it moves the node's clock a year on.
    it("rebuilds finishedAt from the finishing block, lists approvals, and flags results a year overdue", async function () {
      const before = first.report.findings.filter((f) => f.check === "results-deadline");
      expect(before).to.deep.equal([]);
      const trial = first.report.tables.trials[0];
      expect([trial.ethicsApproved, trial.ethicsApprovals, trial.status]).to.deep.equal([true, 1, "Terminated"]);
      expect(trial.finishedBlock).to.be.a("number");
      await send(async (p) => {
        await p.send("evm_increaseTime", [366 * 86_400]);
        await p.send("evm_mine", []);
      });
      // In the checks, the node drops the first finishing-block read and the first resultsOverdue call, as a kept-alive
      // connection the node closed fails: the checks ask again.
      const rpc = httpRpc(node.url);
      const overdue = INTERFACES.trials.getFunction("resultsOverdue")!.selector;
      let checking = false;
      const dropped = new Set<string>();
      const flaky = {
        send(method: string, params: readonly unknown[]) {
          const what =
            method === "eth_getBlockByNumber" && params[0] !== "latest"
              ? "finishing block"
              : method === "eth_call" && String((params[0] as { data: string }).data).startsWith(overdue)
                ? "resultsOverdue"
                : undefined;
          if (checking && what !== undefined && !dropped.has(what)) {
            dropped.add(what);
            return Promise.reject(new Error("other side closed"));
          }
          return rpc.send(method, params);
        },
      };
      const run = await runAudit({
        rpc: flaky,
        addresses,
        db: ":memory:",
        onPhase: (phase) => (checking = phase === "checks"),
      });
      expect([...dropped]).to.deep.equal(["finishing block", "resultsOverdue"]);
      expect(run.report.summary.views.trials.mismatched).to.equal(0);
      const late = run.report.findings.filter((f) => f.check === "results-deadline");
      expect(late.map((f) => [f.severity, f.subject])).to.deep.equal([["warning", "trial 1"]]);
      expect(late[0].message).to.match(/^results overdue: due \d{4}-\d{2}-\d{2}, 12 months after the trial finished/);
    });
  });

  describe("PostgreSQL index", function () {
    let url = "";
    before(function () {
      url = requirePostgres(this);
    });
    it("indexes into PostgreSQL and reads only new blocks the second time", async function () {
      const prefix = `audit_${process.pid}_${Date.now()}_`;
      const run = await runAudit({ rpc: httpRpc(node.url), addresses, db: url, tablePrefix: prefix });
      expect(run.report.summary.entities.claims).to.equal(8);
      expect(Object.values(run.report.summary.views).every((v) => v.mismatched === 0)).to.equal(true);
      const again = await runAudit({ rpc: httpRpc(node.url), addresses, db: url, tablePrefix: prefix });
      expect(again.index.newEvents).to.equal(0);
      expect(again.report.summary.events).to.equal(run.report.summary.events);
      const sql = await openSql(url);
      try {
        for (const t of ["meta", "events", "blocks", "checkpoint"]) await sql.exec(`DROP TABLE ${prefix}${t}`);
      } finally {
        await sql.close();
      }
    });
  });
});
