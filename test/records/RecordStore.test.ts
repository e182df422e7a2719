import { expect } from "chai";
import fc from "fast-check";
import { mkdtemp, readFile, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  COMMITMENT_SCHEME,
  DEFAULT_RECORDS_DIR,
  FileRecordStore,
  MemoryRecordStore,
  RecordErasedError,
  RecordInputError,
  RecordNotFoundError,
  RecordTamperedError,
  RecordTypeMismatchError,
  commit,
  verify,
} from "../../src/records";
import type { Consent } from "@medplum/fhirtypes";
import type { CommittableResource, Hex32, RecordStore, VerifiedRecordStore } from "../../src/records";
import { resource } from "./arbitraries";

const SALT = `0x${"11".repeat(32)}`;
const ERASED_AT = new Date("2026-03-01T12:00:00.000Z");
const consent: Consent = {
  resourceType: "Consent",
  status: "active",
  scope: { coding: [{ code: "patient-privacy" }] },
  category: [{ coding: [{ code: "59284-0" }] }],
  patient: { reference: "Patient/p-0042" },
};
const claim = { resourceType: "Claim", status: "active", total: { value: 120.5, currency: "EUR" } };
const MISSING = `0x${"ab".repeat(32)}` as Hex32;

interface Harness {
  store: VerifiedRecordStore;
  cleanup(): Promise<void>;
}

/** The behaviour every RecordStore must have, run against each implementation. */
function shouldBehaveLikeARecordStore(make: () => Promise<Harness>): void {
  let h: Harness;
  let store: RecordStore;
  beforeEach(async function () {
    h = await make();
    store = h.store;
  });
  afterEach(async function () {
    await h.cleanup();
  });

  describe("put", function () {
    context("with a valid resource", function () {
      it("returns the commitment under a fresh salt, and get opens it with the same resource and salt", async function () {
        const receipt = await store.put(consent);
        expect(verify(consent, receipt.salt, receipt.commitment)).to.equal(true);
        const opened = await store.get(receipt.commitment);
        expect(opened).to.deep.equal({
          commitment: receipt.commitment,
          resource: consent,
          salt: receipt.salt,
          resourceType: "Consent",
          canonical: receipt.canonical,
        });
      });

      it("uses the given salt and is idempotent for the same resource and salt", async function () {
        const a = await store.put(consent, { salt: SALT });
        const b = await store.put(consent, { salt: SALT });
        expect(a).to.deep.equal(commit(consent, SALT));
        expect(b).to.deep.equal(a);
        expect(await store.list()).to.deep.equal([a.commitment]);
      });

      it("stores the same resource twice under two salts as two unlinkable records", async function () {
        const a = await store.put(consent);
        const b = await store.put(consent);
        expect(a.commitment).to.not.equal(b.commitment);
        expect(await store.list()).to.have.members([a.commitment, b.commitment]);
      });
    });

    context("with bad input", function () {
      it("refuses a resource without resourceType and stores nothing", async function () {
        await expectRejection(
          store.put({ id: "x" } as unknown as CommittableResource),
          RecordInputError,
          /resourceType/,
        );
        expect(await store.list()).to.deep.equal([]);
      });

      it("refuses NaN and a wrong salt length", async function () {
        await expectRejection(
          store.put({ resourceType: "Observation", value: NaN }),
          RecordInputError,
          /\$\.value is NaN/,
        );
        await expectRejection(store.put(consent, { salt: "0x11" }), RecordInputError, /got 1 bytes/);
      });
    });

    context("when that commitment was erased", function () {
      it("refuses to store it again: erasure is final", async function () {
        const { commitment } = await store.put(consent, { salt: SALT });
        await store.erase(commitment);
        await expectRejection(store.put(consent, { salt: SALT }), RecordErasedError, new RegExp(commitment));
      });
    });
  });

  describe("get", function () {
    context("with an expected resource type", function () {
      it("returns the record typed when the type matches", async function () {
        const { commitment } = await store.put(consent);
        const opened = await store.get(commitment, "Consent");
        expect(opened.resource.patient?.reference).to.equal("Patient/p-0042");
      });

      it("throws RecordTypeMismatchError naming both types otherwise", async function () {
        const { commitment } = await store.put(claim);
        const err = await expectRejection(
          store.get(commitment, "Consent"),
          RecordTypeMismatchError,
          new RegExp(`Record ${commitment} is a Claim, not a Consent`),
        );
        expect(err).to.include({ commitment, expected: "Consent", actual: "Claim" });
      });
    });

    context("when nothing was stored", function () {
      it("throws RecordNotFoundError naming the commitment and the store", async function () {
        const err = await expectRejection(
          store.get(MISSING),
          RecordNotFoundError,
          new RegExp(`No record ${MISSING} in ${escape(store.location)}`),
        );
        expect(err).to.include({ commitment: MISSING, location: store.location });
      });
    });

    context("with a malformed commitment", function () {
      it("throws RecordInputError", async function () {
        await expectRejection(store.get("0x1234"), RecordInputError, /A commitment must be 32 bytes/);
      });
    });

    context("when the stored record was tampered with", function () {
      const tamperings: [string, (envelope: Record<string, unknown>) => unknown, RegExp][] = [
        [
          "a payload field changed",
          (e) => ({ ...e, resource: { ...(e.resource as object), status: "inactive" } }),
          /the payload or salt was changed \(they now commit to 0x[0-9a-f]{64}\)/,
        ],
        [
          "the resource type changed",
          (e) => ({ ...e, resource: { ...(e.resource as object), resourceType: "Claim" } }),
          /the payload or salt was changed/,
        ],
        ["the salt changed", (e) => ({ ...e, salt: `0x${"22".repeat(32)}` }), /the payload or salt was changed/],
        [
          "the salt truncated",
          (e) => ({ ...e, salt: "0x22" }),
          /the stored record is invalid: A salt must be 32 bytes/,
        ],
        [
          "the resource removed",
          (e) => ({ ...e, resource: undefined }),
          /the stored record is invalid: A record must be a FHIR/,
        ],
        ["the scheme changed", (e) => ({ ...e, scheme: "v0" }), /has scheme "v0", expected "health-ledger.record.v1"/],
        ["the file replaced by an array", () => [], /is not a JSON object/],
      ];
      for (const [what, change, reason] of tamperings) {
        it(`throws RecordTamperedError when ${what}`, async function () {
          const { commitment } = await store.put(consent, { salt: SALT });
          const text = (await h.store.backend.read(commitment, "record")) as string;
          await h.store.backend.write(commitment, "record", JSON.stringify(change(JSON.parse(text))));
          const err = await expectRejection(store.get(commitment), RecordTamperedError, reason);
          expect(err.message).to.match(new RegExp(`^Record ${commitment} failed its integrity check: .*Restore it`));
          expect(err).to.have.property("commitment", commitment);
        });
      }

      it("throws RecordTamperedError when the file is not JSON", async function () {
        const { commitment } = await store.put(consent);
        await h.store.backend.write(commitment, "record", "{ truncated");
        await expectRejection(store.get(commitment), RecordTamperedError, /its record file is not valid JSON/);
      });

      it("throws RecordTamperedError when a record is stored under another record's commitment", async function () {
        const a = await store.put(consent);
        const b = await store.put(claim);
        await h.store.backend.write(
          a.commitment,
          "record",
          (await h.store.backend.read(b.commitment, "record")) as string,
        );
        await expectRejection(
          store.get(a.commitment),
          RecordTamperedError,
          new RegExp(`now commit to ${b.commitment}`),
        );
      });

      it("accepts whitespace and key-order changes, which do not change the canonical form", async function () {
        const { commitment } = await store.put(consent, { salt: SALT });
        const envelope = JSON.parse((await h.store.backend.read(commitment, "record")) as string);
        const reordered = {
          salt: envelope.salt,
          resource: {
            patient: consent.patient,
            category: consent.category,
            status: "active",
            scope: consent.scope,
            resourceType: "Consent",
          },
          scheme: envelope.scheme,
        };
        await h.store.backend.write(commitment, "record", JSON.stringify(reordered));
        expect((await store.get(commitment)).resource).to.deep.equal(consent);
      });
    });
  });

  describe("has and list", function () {
    it("report held records only, sorted, and not erased ones", async function () {
      expect(await store.list()).to.deep.equal([]);
      const a = await store.put(consent);
      const b = await store.put(claim);
      const c = await store.put({ resourceType: "Medication", code: { text: "amoxicillin" } });
      expect(await store.has(a.commitment)).to.equal(true);
      expect(await store.has(MISSING)).to.equal(false);
      await store.erase(b.commitment);
      expect(await store.has(b.commitment)).to.equal(false);
      expect(await store.list()).to.deep.equal([a.commitment, c.commitment].sort());
    });

    it("has refuses a malformed commitment", async function () {
      await expectRejection(store.has("nope"), RecordInputError, /A commitment must be 32 bytes/);
    });
  });

  describe("erase", function () {
    context("when the record is held", function () {
      it("deletes payload and salt, keeps a tombstone without personal data, and get reports the erasure", async function () {
        const { commitment, salt } = await store.put(consent);
        const receipt = await store.erase(commitment);
        expect(receipt).to.deep.equal({ commitment, erasedAt: ERASED_AT.toISOString(), erasedNow: true });
        expect(await h.store.backend.read(commitment, "record")).to.equal(undefined);
        const tombstone = (await h.store.backend.read(commitment, "tombstone")) as string;
        expect(JSON.parse(tombstone)).to.deep.equal({ scheme: COMMITMENT_SCHEME, erasedAt: ERASED_AT.toISOString() });
        expect(tombstone).to.not.include(salt.slice(2)).and.not.include("p-0042").and.not.include("Consent");
        const err = await expectRejection(
          store.get(commitment),
          RecordErasedError,
          new RegExp(`Record ${commitment} was erased at ${ERASED_AT.toISOString()}`),
        );
        expect(err).to.include({ commitment, erasedAt: ERASED_AT.toISOString() });
      });

      it("leaves other records untouched", async function () {
        const a = await store.put(consent);
        const b = await store.put(consent);
        await store.erase(a.commitment);
        expect((await store.get(b.commitment)).resource).to.deep.equal(consent);
      });
    });

    context("when the record was already erased", function () {
      it("is idempotent and returns the first erasure's time", async function () {
        const { commitment } = await store.put(consent);
        await store.erase(commitment);
        expect(await store.erase(commitment)).to.deep.equal({
          commitment,
          erasedAt: ERASED_AT.toISOString(),
          erasedNow: false,
        });
      });

      it("finishes an erasure interrupted after its tombstone was written", async function () {
        const { commitment } = await store.put(consent);
        const recordText = (await h.store.backend.read(commitment, "record")) as string;
        await store.erase(commitment);
        await h.store.backend.write(commitment, "record", recordText); // as if the delete had not happened
        await expectRejection(store.get(commitment), RecordErasedError, /was erased/);
        expect(await store.has(commitment)).to.equal(false);
        await store.erase(commitment);
        expect(await h.store.backend.read(commitment, "record")).to.equal(undefined);
      });

      it("wins over a put that was writing while it ran", async function () {
        const { commitment } = await store.put(consent, { salt: SALT });
        const backend = h.store.backend;
        const write = backend.write.bind(backend);
        // The erasure lands between put's tombstone check and its write.
        backend.write = async (c, kind, text) => {
          if (kind === "record") {
            backend.write = write;
            await store.erase(c);
          }
          await write(c, kind, text);
        };
        await expectRejection(store.put(consent, { salt: SALT }), RecordErasedError, /was erased/);
        expect(await backend.read(commitment, "record")).to.equal(undefined);
      });

      it("reports a tombstone without erasedAt as tampering", async function () {
        const { commitment } = await store.put(consent);
        await store.erase(commitment);
        await h.store.backend.write(commitment, "tombstone", JSON.stringify({ scheme: COMMITMENT_SCHEME }));
        await expectRejection(store.get(commitment), RecordTamperedError, /its tombstone has no erasedAt time/);
      });
    });

    context("when nothing was stored", function () {
      it("throws RecordNotFoundError", async function () {
        await expectRejection(store.erase(MISSING), RecordNotFoundError, new RegExp(MISSING));
      });
    });
  });

  describe("round trip (fast-check)", function () {
    it("stores and reads back any resource exactly, and a store model agrees on list", async function () {
      const model = new Set<string>();
      await fc.assert(
        fc.asyncProperty(resource, fc.boolean(), async (r, eraseIt) => {
          const receipt = await store.put(r);
          const opened = await store.get(receipt.commitment);
          expect(opened.canonical).to.equal(receipt.canonical);
          expect(opened.salt).to.equal(receipt.salt);
          model.add(receipt.commitment);
          if (eraseIt) {
            await store.erase(receipt.commitment);
            model.delete(receipt.commitment);
          }
          expect(await store.list()).to.deep.equal([...model].sort());
        }),
        { numRuns: 40 },
      );
    });
  });
}

describe("MemoryRecordStore", function () {
  shouldBehaveLikeARecordStore(async () => ({
    store: new MemoryRecordStore({ now: () => ERASED_AT }),
    cleanup: async () => {},
  }));
});

describe("FileRecordStore", function () {
  shouldBehaveLikeARecordStore(async () => {
    const directory = await mkdtemp(path.join(tmpdir(), "health-ledger-records-"));
    return {
      store: new FileRecordStore({ directory, now: () => ERASED_AT }),
      cleanup: () => rm(directory, { recursive: true, force: true }),
    };
  });

  context("on disk", function () {
    let directory: string;
    let store: FileRecordStore;
    beforeEach(async function () {
      directory = await mkdtemp(path.join(tmpdir(), "health-ledger-records-"));
      store = new FileRecordStore({ directory: path.join(directory, "records"), now: () => ERASED_AT });
    });
    afterEach(async function () {
      await rm(directory, { recursive: true, force: true });
    });

    it("defaults to .health-ledger/records under the working directory", function () {
      expect(DEFAULT_RECORDS_DIR).to.equal(path.join(".health-ledger", "records"));
      expect(new FileRecordStore().directory).to.equal(path.resolve(".health-ledger", "records"));
      expect(new FileRecordStore().location).to.equal(`folder ${path.resolve(".health-ledger", "records")}`);
    });

    it("keeps payload and salt in <dir>/<first byte>/<commitment>.json, owner-only, with no temporary file left", async function () {
      const { commitment, salt } = await store.put(consent);
      const hex = commitment.slice(2);
      const file = path.join(directory, "records", hex.slice(0, 2), `${hex}.json`);
      expect(store.backend.pathOf(commitment, "record")).to.equal(file);
      expect(JSON.parse(await readFile(file, "utf8"))).to.deep.equal({
        scheme: COMMITMENT_SCHEME,
        salt,
        resource: consent,
      });
      expect(await readdir(path.dirname(file))).to.deep.equal([`${hex}.json`]);
      if (process.platform !== "win32") {
        expect((await stat(file)).mode & 0o777).to.equal(0o600);
        expect((await stat(path.dirname(file))).mode & 0o777).to.equal(0o700);
      }
    });

    it("detects a record edited on disk", async function () {
      const { commitment } = await store.put(consent);
      const file = store.backend.pathOf(commitment, "record");
      await writeFile(file, (await readFile(file, "utf8")).replace("p-0042", "p-0043"));
      await expectRejection(store.get(commitment), RecordTamperedError, /the payload or salt was changed/);
    });

    it("detects a record file renamed to another commitment", async function () {
      const { commitment } = await store.put(consent);
      await store.backend.write(MISSING, "record", "{}"); // create the shard folder
      await rename(store.backend.pathOf(commitment, "record"), store.backend.pathOf(MISSING, "record"));
      await expectRejection(store.get(MISSING), RecordTamperedError, new RegExp(`now commit to ${commitment}`));
      await expectRejection(store.get(commitment), RecordNotFoundError, /never stored here/);
    });

    it("on erasure replaces the record file by a tombstone file", async function () {
      const { commitment } = await store.put(consent);
      await store.erase(commitment);
      const hex = commitment.slice(2);
      expect(await readdir(path.join(directory, "records", hex.slice(0, 2)))).to.deep.equal([`${hex}.erased.json`]);
    });

    it("on erasure also deletes temporary files a crashed write of that record left behind", async function () {
      const { commitment } = await store.put(consent);
      const file = store.backend.pathOf(commitment, "record");
      const leftover = path.join(path.dirname(file), `.${path.basename(file)}.0123456789ab.tmp`);
      await writeFile(leftover, await readFile(file, "utf8"));
      await store.erase(commitment);
      expect(await readdir(path.dirname(file))).to.deep.equal([
        path.basename(store.backend.pathOf(commitment, "tombstone")),
      ]);
    });

    it("list ignores temporary and foreign files, and files in the wrong shard", async function () {
      const { commitment } = await store.put(consent);
      const shard = path.dirname(store.backend.pathOf(commitment, "record"));
      await writeFile(path.join(shard, `.${commitment.slice(2)}.json.abc.tmp`), "x");
      await writeFile(path.join(shard, "README"), "x");
      await writeFile(path.join(directory, "records", "notes.txt"), "x");
      const otherShard = commitment.startsWith("0x00") ? "11" : "00";
      await writeFile(path.join(shard, `${otherShard.repeat(32)}.json`), "x");
      expect(await store.list()).to.deep.equal([commitment]);
    });

    it("lists nothing and finds nothing in a folder that does not exist yet", async function () {
      const empty = new FileRecordStore({ directory: path.join(directory, "never-created") });
      expect(await empty.list()).to.deep.equal([]);
      expect(await empty.has(MISSING)).to.equal(false);
      await expectRejection(empty.get(MISSING), RecordNotFoundError, /never-created/);
    });

    it("reports filesystem errors other than a missing file as they are", async function () {
      const { commitment } = await store.put(consent);
      const file = store.backend.pathOf(commitment, "record");
      await rm(file);
      await import("node:fs/promises").then((fs) => fs.mkdir(file)); // a folder where the file should be
      await expectRejection(store.get(commitment), Error, /EISDIR/);
    });

    it("survives concurrent puts of many records", async function () {
      const receipts = await Promise.all(
        Array.from({ length: 25 }, (_, i) => store.put({ resourceType: "Observation", valueInteger: i })),
      );
      expect(await store.list()).to.deep.equal(receipts.map((r) => r.commitment).sort());
    });
  });
});

async function expectRejection<E extends Error>(
  promise: Promise<unknown>,
  type: new (...args: never[]) => E,
  message: RegExp,
): Promise<E> {
  try {
    await promise;
  } catch (e) {
    expect(e).to.be.instanceOf(type);
    expect((e as Error).message).to.match(message);
    return e as E;
  }
  expect.fail(`expected a ${type.name} matching ${message}`);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
