/**
 * The record vault end to end: a real vault server on loopback, a real `hardhat node` process, SQLite (a file) and,
 * when configured, PostgreSQL. Alice's records written by St. Mary's; a second hospital reads them only under her
 * consent; every attack named in issue 12 is refused or detected.
 */
import { expect } from "chai";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Wallet, id, getBytes, toUtf8Bytes, type BaseWallet, type JsonRpcProvider } from "ethers";
import { PURPOSES } from "../../src/consent/purposes";
import { relayDelegateAppointment } from "../../src/consent/relayer";
import { DelegateKind, signDelegateAppointment } from "../../src/consent/signing";
import { canonicalJson, commit } from "../../src/records";
import { openSql, type SqlDatabase } from "../../src/storage/sql";
import {
  ChainView,
  VaultClient,
  VaultDecryptionError,
  VaultIntegrityError,
  VaultStore,
  buildVault,
  contentHash,
  newDataKey,
  postSigned,
  sealRecord,
  serverProvider,
  signRequest,
  vaultDomain,
  wrapKey,
  MAX_BODY_BYTES,
  type Vault,
} from "../../src/vault";
import { requirePostgres } from "../shared/postgres";
import { LABS, grantConsent, labResult, nodeAccount, refused, startVaultWorld, type VaultWorld } from "./setup";

/** Anchors a fresh commitment of `resource` (paid by the relayer) and gives back its salt. */
let anchorWorld: VaultWorld | undefined;
async function anchored(resource: ReturnType<typeof labResult>): Promise<string> {
  const { commitment, salt } = commit(resource);
  await (await anchorWorld!.anchor.connect(anchorWorld!.relayer).anchorRecords([commitment])).wait();
  return salt;
}

const backends: { name: string; url: (hook: Mocha.Context) => string }[] = [
  { name: "SQLite file", url: () => join(mkdtempSync(join(tmpdir(), "vault-")), "vault.sqlite") },
  { name: "PostgreSQL", url: (hook) => requirePostgres(hook) },
];

describe("Record vault (real server, real hardhat node)", function () {
  this.timeout(300_000);
  let world: VaultWorld;

  before(async function () {
    world = await startVaultWorld();
    anchorWorld = world;
  });
  after(async function () {
    await world?.stop();
  });

  for (const backend of backends) {
    describe(`on ${backend.name}`, function () {
      let db: SqlDatabase;
      let store: VaultStore;
      let vault: Vault;
      let url: string;
      let chain: ChainView;
      let alice: Wallet;
      let card: Wallet;
      let operator: BaseWallet;
      const client = (wallet: BaseWallet, funded = wallet) =>
        new VaultClient({
          url,
          wallet,
          chainId: world.chainId,
          consentRegistry: world.system.consentRegistry,
          vaultAnchor: world.anchor.connect(funded),
        });

      before(async function () {
        const dbUrl = backend.url(this);
        alice = new Wallet(Wallet.createRandom().privateKey);
        card = new Wallet(Wallet.createRandom().privateKey);
        operator = nodeAccount(6 + backends.indexOf(backend), world.provider);
        db = await openSql(dbUrl);
        store = await VaultStore.open(db, `vault_t${process.pid}_${Date.now()}_`);
        chain = new ChainView(serverProvider(world.node.url, world.chainId), {
          rpcUrl: world.node.url,
          consentRegistry: world.system.consentRegistry,
          vaultAnchor: world.anchorAddress,
          chainId: world.chainId,
        });
        vault = buildVault({
          store,
          chain,
          chainId: world.chainId,
          consentRegistry: world.system.consentRegistry,
          operator,
        });
        url = await vault.app.listen({ host: "127.0.0.1", port: 0 });
      });
      after(async function () {
        await vault?.app.close();
        await db?.close();
        (chain?.provider as JsonRpcProvider | undefined)?.destroy();
      });

      it("stores St. Mary's record for Alice; Alice and St. Mary's read it back and verify it", async function () {
        await grantConsent(world, world.stMarys.address, LABS, undefined, alice);
        const stMarys = client(world.stMarys);
        const { recordId, salt } = await stMarys.put(labResult(5.4), {
          patient: alice.address,
          categories: LABS,
          readers: [{ address: alice.address, publicKey: alice.signingKey.publicKey }],
        });
        const mine_ = await client(alice, world.relayer).get(recordId, { patient: alice.address });
        expect(mine_.resource).to.deep.equal(labResult(5.4));
        expect(mine_.salt).to.equal(salt);
        expect((await stMarys.get(recordId, { patient: alice.address })).resource).to.deep.equal(labResult(5.4));
      });

      it("refuses a reader without consent, then serves it once Alice consents and wraps the key for it", async function () {
        const aliceClient = client(alice, world.relayer);
        const hospital2 = client(world.hospital2);
        const { recordId } = await client(world.stMarys).put(labResult(6.1), {
          patient: alice.address,
          categories: LABS,
          readers: [aliceClient.asReader],
        });
        await refused(hospital2.get(recordId, { patient: alice.address }), "consent-missing");
        await grantConsent(world, world.hospital2.address, LABS, undefined, alice);
        // Consent alone is not enough: no data key is wrapped for the second hospital yet.
        await refused(hospital2.get(recordId, { patient: alice.address }), "no-wrapped-key");
        await aliceClient.grantAccess(recordId, { patient: alice.address, readers: [hospital2.asReader] });
        const opened = await hospital2.get(recordId, { patient: alice.address });
        expect(opened.resource).to.deep.equal(labResult(6.1));
        // A list read returns every record wrapped for it, each verified.
        const all = await hospital2.list({ patient: alice.address, categories: LABS });
        expect(all.map((r) => r.recordId)).to.include(recordId.toLowerCase());
      });

      it("stops serving in the block that mines a revocation (the cache never outlives a block)", async function () {
        const aliceClient = client(alice, world.relayer);
        const hospital2 = client(world.hospital2);
        const { recordId } = await client(world.stMarys).put(labResult(7.2), {
          patient: alice.address,
          categories: LABS,
          readers: [aliceClient.asReader, hospital2.asReader],
        });
        await hospital2.get(recordId, { patient: alice.address }); // cached: authorised at this block
        await hospital2.get(recordId, { patient: alice.address });
        await aliceClient.revoke(world.registry, world.hospital2.address);
        await refused(hospital2.get(recordId, { patient: alice.address }), "consent-missing");
        await grantConsent(world, world.hospital2.address, LABS, undefined, alice); // restore for the next tests
      });

      it("in polled head mode, stops serving once the vault has seen the revocation's block (bound: one block)", async function () {
        const polled = new ChainView(
          serverProvider(world.node.url, world.chainId),
          {
            rpcUrl: world.node.url,
            consentRegistry: world.system.consentRegistry,
            vaultAnchor: world.anchorAddress,
            chainId: world.chainId,
          },
          "polled",
        );
        const second = buildVault({
          store,
          chain: polled,
          chainId: world.chainId,
          consentRegistry: world.system.consentRegistry,
        });
        const secondUrl = await second.app.listen({ host: "127.0.0.1", port: 0 });
        try {
          const aliceClient = client(alice, world.relayer);
          const hospital2 = client(world.hospital2);
          const viaPolled = new VaultClient({ ...hospital2.options, url: secondUrl });
          const { recordId } = await client(world.stMarys).put(labResult(7.5), {
            patient: alice.address,
            categories: LABS,
            readers: [aliceClient.asReader, hospital2.asReader],
          });
          await viaPolled.get(recordId, { patient: alice.address });
          await aliceClient.revoke(world.registry, world.hospital2.address);
          await polled.seen(await world.provider.getBlockNumber());
          await refused(viaPolled.get(recordId, { patient: alice.address }), "consent-missing");
          await grantConsent(world, world.hospital2.address, LABS, undefined, alice);
        } finally {
          polled.stop();
          await second.app.close();
          (polled.provider as JsonRpcProvider).destroy();
        }
      });

      it("stops serving once a consent expires on chain", async function () {
        const bob = new Wallet(Wallet.createRandom().privateKey);
        const latest = await world.provider.getBlock("latest");
        await grantConsent(world, world.stMarys.address, LABS, undefined, bob);
        await grantConsent(world, world.hospital2.address, LABS, BigInt(latest!.timestamp) + 3600n, bob);
        const hospital2 = client(world.hospital2);
        const { recordId } = await client(world.stMarys).put(labResult(1), {
          patient: bob.address,
          categories: LABS,
          readers: [hospital2.asReader],
        });
        await hospital2.get(recordId, { patient: bob.address });
        await world.provider.send("evm_increaseTime", [3601]);
        await world.provider.send("evm_mine", []);
        await refused(hospital2.get(recordId, { patient: bob.address }), "consent-missing");
      });

      it("accepts writes by the patient herself and by her guardian (delegate), checked on chain", async function () {
        const aliceClient = client(alice, world.relayer);
        const own = await aliceClient.put(labResult(8), {
          patient: alice.address,
          categories: LABS,
          readers: [],
          anchor: false,
          salt: await anchored(labResult(8)),
        });
        expect((await aliceClient.get(own.recordId, { patient: alice.address })).resource).to.deep.equal(labResult(8));

        const guardian = new Wallet(Wallet.createRandom().privateKey);
        const guardianClient = client(guardian, world.relayer);
        const body = {
          resource: labResult(8.5),
          to: { patient: alice.address, categories: LABS, readers: [aliceClient.asReader], anchor: false },
        };
        await refused(
          guardianClient.put(body.resource, { ...body.to, salt: await anchored(body.resource) }),
          "writer-not-authorized",
        );
        const latest = await world.provider.getBlock("latest");
        await relayDelegateAppointment(
          world.registry,
          await signDelegateAppointment(alice, world.registry, {
            delegate: guardian.address,
            kind: DelegateKind.Guardian,
            expiresAt: BigInt(latest!.timestamp) + 86_400n,
          }),
        );
        const byGuardian = await guardianClient.put(body.resource, { ...body.to, salt: await anchored(body.resource) });
        expect((await aliceClient.get(byGuardian.recordId, { patient: alice.address })).writer).to.equal(
          guardian.address.toLowerCase(),
        );
      });

      it("refuses a writer that is neither the patient, her delegate nor a consented provider; stores nothing", async function () {
        const before = await store.counts();
        const stranger = client(world.emergencyRoom);
        await refused(
          stranger.put(labResult(2), { patient: alice.address, categories: LABS, readers: [] }),
          "writer-not-authorized",
        );
        const after = await store.counts();
        expect([after.records, after.keys]).to.deep.equal([before.records, before.keys]);
      });

      it("refuses a record whose commitment is not anchored on chain, storing nothing", async function () {
        const before = await store.counts();
        await refused(
          client(world.stMarys).put(labResult(3), {
            patient: alice.address,
            categories: LABS,
            readers: [],
            anchor: false,
          }),
          "commitment-not-anchored",
        );
        const after = await store.counts();
        expect([after.records, after.keys]).to.deep.equal([before.records, before.keys]);
      });

      it("refuses a replayed request, a request signed for another chain, an expired one and a forged one", async function () {
        const reader = world.hospital2;
        const domain = vaultDomain(world.chainId, world.system.consentRegistry);
        const { recordId } = await client(world.stMarys).put(labResult(4), {
          patient: alice.address,
          categories: LABS,
          readers: [client(reader).asReader],
        });
        const fields = {
          reader: reader.address,
          patient: alice.address,
          recordId,
          categories: "0",
          purpose: PURPOSES.TREATMENT,
        };
        const signed = await signRequest(reader, domain, "Read", fields);
        await postSigned(url, "/v1/records/read", signed);
        await refused(postSigned(url, "/v1/records/read", signed), "replayed-request");

        const otherChain = await signRequest(reader, vaultDomain(1n, world.system.consentRegistry), "Read", fields);
        await refused(postSigned(url, "/v1/records/read", otherChain), "wrong-chain");
        // Claiming this chain while having signed for another: the signature does not recover the reader.
        await refused(postSigned(url, "/v1/records/read", { ...otherChain, chainId: "31337" }), "bad-signature");

        const expired = await signRequest(reader, domain, "Read", fields, { now: Math.floor(Date.now() / 1000) - 600 });
        await refused(postSigned(url, "/v1/records/read", expired), "request-expired");
        const tooFar = await signRequest(reader, domain, "Read", fields, { ttlSeconds: 2 * 86_400 });
        const far = await refused(postSigned(url, "/v1/records/read", tooFar), "malformed-request");
        expect(far.detail).to.match(/more than 86400 s ahead/);

        const forged = await signRequest(world.emergencyRoom, domain, "Read", fields); // names hospital2, signed by ER
        await refused(postSigned(url, "/v1/records/read", forged), "bad-signature");
      });

      it("answers malformed JSON, oversized payloads and unknown records with problem+json", async function () {
        const malformed = await fetch(`${url}/v1/records/read`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: "{not json",
        });
        expect(malformed.status).to.equal(400);
        expect(malformed.headers.get("content-type")).to.match(/^application\/problem\+json/);
        expect(((await malformed.json()) as { type: string }).type).to.match(/malformed-request$/);

        const big = await fetch(`${url}/v1/records`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ pad: "x".repeat(MAX_BODY_BYTES) }),
        });
        expect(big.status).to.equal(413);
        expect(((await big.json()) as { detail: string }).detail).to.contain(String(MAX_BODY_BYTES));

        const missingFields = await fetch(`${url}/v1/records/read`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ chainId: "31337", request: { reader: "0x1" }, signature: "0x00" }),
        });
        expect(missingFields.status).to.equal(400);
        expect(((await missingFields.json()) as { detail: string }).detail).to.match(
          /request\.reader must be an address/,
        );

        await refused(client(world.hospital2).get(id("no such record"), { patient: alice.address }), "unknown-record");
      });

      it("refuses a ciphertext larger than the record limit, storing nothing", async function () {
        const writer = world.stMarys;
        const resource = labResult(9);
        const { commitment } = commit(resource);
        await (await world.anchor.connect(writer).anchorRecords([commitment])).wait();
        const ciphertext = new Uint8Array(1_048_577);
        const keys = [
          {
            reader: writer.address,
            wrapped: Buffer.from(wrapKey(newDataKey(), writer.signingKey.publicKey, getBytes(commitment))).toString(
              "base64",
            ),
          },
        ];
        const signed = await signRequest(writer, vaultDomain(world.chainId, world.system.consentRegistry), "Write", {
          writer: writer.address,
          patient: alice.address,
          recordId: commitment,
          categories: LABS.toString(),
          purpose: PURPOSES.TREATMENT,
          contentHash: contentHash(ciphertext, keys),
        });
        const error = await refused(
          postSigned(url, "/v1/records", signed, { ciphertext: Buffer.from(ciphertext).toString("base64"), keys }),
          "payload-too-large",
        );
        expect(error.detail).to.contain("1048576 bytes");
        expect(await store.record(commitment)).to.equal(undefined);
      });

      it("lets a reader detect a tampered ciphertext and an operator's swap of records", async function () {
        const hospital2 = client(world.hospital2);
        const stMarys = client(world.stMarys);
        const a = await stMarys.put(labResult(10), {
          patient: alice.address,
          categories: LABS,
          readers: [hospital2.asReader],
        });
        const b = await stMarys.put(labResult(20), {
          patient: alice.address,
          categories: LABS,
          readers: [hospital2.asReader],
        });
        const table = (t: string) => `${(store as unknown as { p: string }).p}${t}`;

        // Tampering: the operator flips a byte of A's ciphertext. Authentication fails.
        const [row] = await db.query(`SELECT ciphertext FROM ${table("records")} WHERE record_id = $1`, [a.recordId]);
        const tampered = new Uint8Array(row.ciphertext as Buffer);
        tampered[40] ^= 1;
        await db.run(`UPDATE ${table("records")} SET ciphertext = $1 WHERE record_id = $2`, [tampered, a.recordId]);
        let error: unknown;
        await hospital2.get(a.recordId, { patient: alice.address }).catch((e: unknown) => (error = e));
        expect(error).to.be.instanceOf(VaultDecryptionError);

        // Swap: the operator serves B's bytes and keys as A. They do not even open under A's id.
        const [rb] = await db.query(`SELECT ciphertext FROM ${table("records")} WHERE record_id = $1`, [b.recordId]);
        const [kb] = await db.query(`SELECT wrapped FROM ${table("keys")} WHERE record_id = $1 AND reader = $2`, [
          b.recordId,
          world.hospital2.address.toLowerCase(),
        ]);
        await db.run(`UPDATE ${table("records")} SET ciphertext = $1 WHERE record_id = $2`, [
          rb.ciphertext as Buffer,
          a.recordId,
        ]);
        await db.run(`UPDATE ${table("keys")} SET wrapped = $1 WHERE record_id = $2 AND reader = $3`, [
          kb.wrapped as Buffer,
          a.recordId,
          world.hospital2.address.toLowerCase(),
        ]);
        error = undefined;
        await hospital2.get(a.recordId, { patient: alice.address }).catch((e: unknown) => (error = e));
        expect(error).to.be.instanceOf(VaultDecryptionError);

        // Swap by an insider who holds a data key (the writer re-encrypts B's content under A's id): it opens, and
        // the commitment on chain catches it.
        const dataKey = newDataKey();
        const aad = getBytes(a.recordId);
        const forgedPlain = toUtf8Bytes(canonicalJson({ resource: labResult(20), salt: commit(labResult(20)).salt }));
        const forged = sealRecord(forgedPlain, dataKey, aad);
        error = undefined;
        await hospital2
          .open(
            a.recordId,
            Buffer.from(forged).toString("base64"),
            Buffer.from(wrapKey(dataKey, hospital2.asReader.publicKey, aad)).toString("base64"),
            LABS,
            world.stMarys.address,
          )
          .catch((e: unknown) => (error = e));
        expect(error).to.be.instanceOf(VaultIntegrityError);
        expect(String(error)).to.match(/does not match its commitment/);
      });

      it("crypto-shreds an erased record: ciphertext and every wrapped key are gone; the id is never reused", async function () {
        const aliceClient = client(alice, world.relayer);
        const hospital2 = client(world.hospital2);
        const { recordId } = await client(world.stMarys).put(labResult(30), {
          patient: alice.address,
          categories: LABS,
          readers: [aliceClient.asReader, hospital2.asReader],
        });
        await refused(hospital2.erase(recordId, { patient: alice.address }), "not-patient");
        await aliceClient.erase(recordId, { patient: alice.address });
        expect(await store.record(recordId)).to.equal(undefined);
        expect(await store.payload(recordId, world.hospital2.address)).to.deep.equal({
          ciphertext: undefined,
          wrapped: undefined,
        });
        await refused(hospital2.get(recordId, { patient: alice.address }), "unknown-record");
        expect(await world.anchor.recordAnchoredAt(recordId)).to.not.equal(0n); // the commitment stays, unlinkable
      });

      it("serves break-glass: an emergency room with breakGlass on chain reads the records wrapped for Alice's card", async function () {
        const aliceClient = client(alice, world.relayer);
        const er = client(world.emergencyRoom);
        const { recordId } = await client(world.stMarys).put(labResult(40), {
          patient: alice.address,
          categories: LABS,
          readers: [aliceClient.asReader],
        });
        await aliceClient.grantAccess(recordId, {
          patient: alice.address,
          readers: [{ address: card.address, publicKey: card.signingKey.publicKey }],
        });
        await refused(
          er.list({ patient: card.address, categories: LABS, purpose: PURPOSES.EMERGENCY }),
          "break-glass-missing",
        );
        await (await world.registry.connect(world.emergencyRoom).breakGlass(card.address, id("reason"))).wait();
        const body = (await er.send("/v1/records/read", "Read", {
          reader: world.emergencyRoom.address,
          patient: card.address,
          recordId,
          categories: "0",
          purpose: PURPOSES.EMERGENCY,
        })) as { records: { recordId: string; ciphertext: string; wrappedKey: string; writer: string }[] };
        const r = body.records[0];
        // The hospital opens it with the card's key (scanned from the card), never with anything the vault holds.
        const opened = await er.open(r.recordId, r.ciphertext, r.wrappedKey, LABS, r.writer, card.privateKey);
        expect(opened.resource).to.deep.equal(labResult(40));
        await world.provider.send("evm_increaseTime", [86_401]);
        await world.provider.send("evm_mine", []);
        await refused(er.get(recordId, { patient: card.address, purpose: PURPOSES.EMERGENCY }), "break-glass-missing");
      });

      it("logs every read and refusal as an AuditEvent; Alice fetches and verifies her log against the anchored head", async function () {
        const aliceClient = client(alice, world.relayer);
        await refused(client(world.hospital2).auditLog(alice.address), "not-patient");
        const anchored = await vault.anchorLog();
        expect(anchored?.length).to.be.greaterThan(0);
        const log = await aliceClient.auditLog(alice.address);
        expect(log.anchoredCount).to.equal(anchored!.length);
        const reads = log.events.filter((e) => e.subtype?.[0].code === "Read");
        const hospital2 = `eip155:31337:${world.hospital2.address.toLowerCase()}`;
        const byHospital2 = reads.filter((e) => e.agent[0].who?.identifier?.value === hospital2);
        expect(byHospital2.some((e) => e.outcome === "0")).to.equal(true);
        expect(byHospital2.some((e) => e.outcome === "4" && /consent-missing/.test(e.outcomeDesc ?? ""))).to.equal(
          true,
        );
        expect(log.events.every((e) => e.resourceType === "AuditEvent")).to.equal(true);

        // The operator rewrites an anchored entry: Alice's client notices.
        const table = `${(store as unknown as { p: string }).p}log`;
        const first = log.entries[0];
        await db.run(`UPDATE ${table} SET event = $1 WHERE seq = $2`, [first.event.replace('"0"', '"4"'), first.seq]);
        let error: unknown;
        await aliceClient.auditLog(alice.address).catch((e: unknown) => (error = e));
        expect(error).to.be.instanceOf(VaultIntegrityError);
        await db.run(`UPDATE ${table} SET event = $1 WHERE seq = $2`, [first.event, first.seq]);
      });
    });
  }
});
