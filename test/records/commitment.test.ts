import { expect } from "chai";
import fc from "fast-check";
import { readFileSync } from "node:fs";
import path from "node:path";
import { AbiCoder, concat, keccak256, toUtf8Bytes } from "ethers";
import {
  COMMITMENT_SCHEME,
  RecordError,
  RecordErasedError,
  RecordInputError,
  RecordNotFoundError,
  RecordTamperedError,
  RecordTypeMismatchError,
  assertResource,
  canonicalJson,
  commit,
  commitmentOf,
  freshSalt,
  parseCommitment,
  parseSalt,
  typeHash,
  verify,
} from "../../src/records";
import type { Consent } from "@medplum/fhirtypes";
import type { CommittableResource } from "../../src/records";
import { RESOURCE_TYPES, applyEdit, edit, reorderKeys, resource, salt } from "./arbitraries";

const SALT = `0x${"11".repeat(32)}`;
const OTHER_SALT = `0x${"22".repeat(32)}`;
const consent: Consent = {
  resourceType: "Consent",
  status: "active",
  scope: { coding: [{ system: "http://terminology.hl7.org/CodeSystem/consentscope", code: "research" }] },
  category: [{ coding: [{ system: "http://loinc.org", code: "59284-0" }] }],
  patient: { reference: "Patient/example" },
};

describe("commit", function () {
  context("with a valid resource and salt", function () {
    it("returns the canonical JSON, the salt, the type and keccak256(abi.encode(typeHash, salt, payloadHash))", function () {
      const c = commit(consent, SALT);
      const canonical = canonicalJson(consent);
      const expected = keccak256(
        AbiCoder.defaultAbiCoder().encode(
          ["bytes32", "bytes32", "bytes32"],
          [keccak256(toUtf8Bytes("health-ledger.record.v1:Consent")), SALT, keccak256(toUtf8Bytes(canonical))],
        ),
      );
      expect(c).to.deep.equal({ commitment: expected, salt: SALT, resourceType: "Consent", canonical });
    });

    it("is abi.encode of three words, i.e. keccak256 over their 96-byte concatenation", function () {
      const c = commit(consent, SALT);
      const words = concat([typeHash("Consent"), SALT, keccak256(toUtf8Bytes(c.canonical))]);
      expect(keccak256(words)).to.equal(c.commitment);
    });

    it("lower-cases an upper-case salt and gives the same commitment", function () {
      expect(commit(consent, SALT.toUpperCase().replace("0X", "0x"))).to.deep.equal(commit(consent, SALT));
    });

    it("draws a fresh 32-byte salt when none is given", function () {
      const a = commit(consent);
      const b = commit(consent);
      expect(a.salt).to.match(/^0x[0-9a-f]{64}$/);
      expect(a.salt).to.not.equal(b.salt);
      expect(a.commitment).to.not.equal(b.commitment);
      expect(freshSalt()).to.match(/^0x[0-9a-f]{64}$/);
    });

    it("accepts any resource type made of ASCII letters, not only the typed ones", function () {
      expect(commit({ resourceType: "Patient", id: "x" }, SALT).resourceType).to.equal("Patient");
    });
  });

  context("with bad input", function () {
    const cases: [string, () => unknown, RegExp][] = [
      [
        "a string",
        () => commit("Consent" as unknown as CommittableResource, SALT),
        /must be a FHIR resource object.*got a string of 7 characters$/,
      ],
      ["null", () => commit(null as unknown as CommittableResource, SALT), /must be a FHIR resource object.*got null$/],
      [
        "an array",
        () => commit([] as unknown as CommittableResource, SALT),
        /must be a FHIR resource object.*got an array/,
      ],
      [
        "no resourceType",
        () => commit({ id: "1" } as unknown as CommittableResource, SALT),
        /needs a FHIR "resourceType".*got undefined/,
      ],
      ["an empty resourceType", () => commit({ resourceType: "" }, SALT), /needs a FHIR "resourceType".*got ""/],
      [
        "a lower-case resourceType",
        () => commit({ resourceType: "consent" }, SALT),
        /such as "Consent"; got "consent"/,
      ],
      [
        "a numeric resourceType",
        () => commit({ resourceType: 7 } as unknown as CommittableResource, SALT),
        /got number 7/,
      ],
      [
        "a long invalid resourceType, without quoting it",
        () => commit({ resourceType: "x".repeat(50) }, SALT),
        /got a string of 50 characters$/,
      ],
      [
        "a symbol resourceType",
        () => commit({ resourceType: Symbol("s") } as unknown as CommittableResource, SALT),
        /got a symbol$/,
      ],
      ["a resourceType with a separator", () => commit({ resourceType: "Consent:v2" }, SALT), /got "Consent:v2"/],
      [
        "NaN inside",
        () => commit({ resourceType: "Observation", valueQuantity: { value: NaN } }, SALT),
        /^\$\.valueQuantity\.value is NaN/,
      ],
      [
        "Infinity inside",
        () => commit({ resourceType: "Observation", value: Infinity }, SALT),
        /^\$\.value is Infinity/,
      ],
      [
        "a Date inside",
        () => commit({ resourceType: "Claim", created: new Date() }, SALT),
        /^\$\.created is a Date object/,
      ],
      [
        "a 31-byte salt",
        () => commit(consent, `0x${"11".repeat(31)}`),
        /32 bytes as 0x followed by 64 hex digits; got 31 bytes \(62 hex digits\)/,
      ],
      ["a 33-byte salt", () => commit(consent, `0x${"11".repeat(33)}`), /got 33 bytes \(66 hex digits\)/],
      [
        "a salt without 0x",
        () => commit(consent, "11".repeat(32)),
        /got a string of 64 characters that is not 0x-prefixed hex/,
      ],
      ["a non-hex salt", () => commit(consent, `0x${"zz".repeat(32)}`), /not 0x-prefixed hex/],
      ["a numeric salt", () => commit(consent, 5 as unknown as string), /got number 5/],
    ];
    for (const [what, call, message] of cases) {
      it(`refuses ${what} with a RecordInputError that says what is wrong`, function () {
        expect(call).to.throw(RecordInputError, message);
      });
    }

    it("never repeats a malformed salt in its message (a salt is a secret)", function () {
      const secret = `0x${"ab".repeat(31)}`;
      expect(() => commit(consent, secret))
        .to.throw(RecordInputError)
        .with.property("message")
        .that.does.not.include("abab");
    });
  });
});

describe("verify", function () {
  context("with well-formed input", function () {
    it("is true for the resource and salt that made the commitment", function () {
      expect(verify(consent, SALT, commit(consent, SALT).commitment)).to.equal(true);
    });

    it("accepts an upper-case commitment", function () {
      expect(verify(consent, SALT, commit(consent, SALT).commitment.toUpperCase().replace("0X", "0x"))).to.equal(true);
    });

    it("is false for another salt, another resource or another commitment", function () {
      const { commitment } = commit(consent, SALT);
      expect(verify(consent, OTHER_SALT, commitment)).to.equal(false);
      expect(verify({ ...consent, status: "inactive" }, SALT, commitment)).to.equal(false);
      expect(verify(consent, SALT, `0x${"00".repeat(32)}`)).to.equal(false);
    });
  });

  context("with a malformed commitment", function () {
    for (const bad of ["0x1234", "", `0x${"g".repeat(64)}`, `${"a".repeat(64)}`]) {
      it(`refuses ${JSON.stringify(bad)} with a message`, function () {
        expect(() => verify(consent, SALT, bad)).to.throw(
          RecordInputError,
          /A commitment must be 32 bytes as 0x followed by 64 hex digits; got "/,
        );
      });
    }

    it("refuses a non-string commitment", function () {
      expect(() => parseCommitment(undefined as unknown as string)).to.throw(RecordInputError, /got undefined$/);
    });
  });
});

describe("errors", function () {
  it("are all RecordErrors with their own name, and carry what they are about", function () {
    const id = `0x${"ab".repeat(32)}`;
    const errors = [
      new RecordInputError("bad"),
      new RecordNotFoundError(id, "memory"),
      new RecordTamperedError(id, "changed"),
      new RecordErasedError(id, "2026-01-01T00:00:00.000Z"),
      new RecordTypeMismatchError(id, "Consent", "Claim"),
    ];
    expect(errors.map((e) => e.name)).to.deep.equal([
      "RecordInputError",
      "RecordNotFoundError",
      "RecordTamperedError",
      "RecordErasedError",
      "RecordTypeMismatchError",
    ]);
    for (const e of errors) expect(e).to.be.instanceOf(RecordError).and.instanceOf(Error);
    expect(new RecordError("x").name).to.equal("RecordError");
    expect(errors.slice(1).every((e) => (e as RecordNotFoundError).commitment === id)).to.equal(true);
  });
});

describe("helpers", function () {
  it("typeHash is keccak256 of the scheme, a colon and the resource type", function () {
    expect(COMMITMENT_SCHEME).to.equal("health-ledger.record.v1");
    expect(typeHash("Claim")).to.equal(keccak256(toUtf8Bytes("health-ledger.record.v1:Claim")));
  });

  it("gives every committable resource type its own domain separator", function () {
    expect(new Set(RESOURCE_TYPES.map(typeHash)).size).to.equal(RESOURCE_TYPES.length);
  });

  it("commitmentOf agrees with commit", function () {
    const c = commit(consent, SALT);
    expect(commitmentOf("Consent", SALT, c.canonical)).to.equal(c.commitment);
  });

  it("parseSalt and parseCommitment lower-case their input", function () {
    expect(parseSalt(`0x${"AB".repeat(32)}`)).to.equal(`0x${"ab".repeat(32)}`);
    expect(parseCommitment(`0x${"CD".repeat(32)}`)).to.equal(`0x${"cd".repeat(32)}`);
  });

  it("assertResource accepts a typed FHIR resource", function () {
    expect(() => assertResource(consent)).to.not.throw();
  });
});

describe("commitment properties (fast-check)", function () {
  it("any change to a resource changes its commitment", function () {
    fc.assert(
      fc.property(resource, salt, edit, (r, s, e) => {
        const changed = applyEdit(r as Record<string, unknown>, e);
        fc.pre(changed !== undefined && canonicalJson(changed) !== canonicalJson(r));
        expect(commit(changed as CommittableResource, s).commitment).to.not.equal(commit(r, s).commitment);
      }),
      { numRuns: 300 },
    );
  });

  it("changing only the resource type changes the commitment", function () {
    fc.assert(
      fc.property(resource, salt, fc.constantFrom(...RESOURCE_TYPES), (r, s, other) => {
        fc.pre(other !== r.resourceType);
        expect(commit({ ...r, resourceType: other }, s).commitment).to.not.equal(commit(r, s).commitment);
      }),
    );
  });

  it("key order never changes the canonical form or the commitment", function () {
    fc.assert(
      fc.property(resource, salt, fc.integer(), (r, s, seed) => {
        const shuffled = reorderKeys(r, seed);
        expect(canonicalJson(shuffled)).to.equal(canonicalJson(r));
        expect(commit(shuffled, s).commitment).to.equal(commit(r, s).commitment);
      }),
      { numRuns: 300 },
    );
  });

  it("different salts give different commitments", function () {
    fc.assert(
      fc.property(resource, salt, salt, (r, s1, s2) => {
        fc.pre(s1 !== s2);
        expect(commit(r, s1).commitment).to.not.equal(commit(r, s2).commitment);
      }),
    );
  });

  it("the canonical form parses back to an equal value and is a fixed point", function () {
    fc.assert(
      fc.property(resource, (r) => {
        const canonical = canonicalJson(r);
        expect(canonicalJson(JSON.parse(canonical))).to.equal(canonical);
      }),
    );
  });

  it("verify opens exactly its own commitment", function () {
    fc.assert(
      fc.property(resource, salt, (r, s) => {
        const c = commit(r, s);
        expect(verify(r, s, c.commitment)).to.equal(true);
        expect(verify(JSON.parse(c.canonical) as CommittableResource, c.salt, c.commitment)).to.equal(true);
      }),
    );
  });
});

describe("docs/commitments.md worked example", function () {
  it("shows the values the code computes", function () {
    const doc = readFileSync(path.join(__dirname, "..", "..", "docs", "commitments.md"), "utf8");
    const example = JSON.parse(/## Worked example[\s\S]*?```json\n([\s\S]*?)```/.exec(doc)?.[1] ?? "null");
    const exampleSalt = `0x${Array.from({ length: 32 }, (_, i) => i.toString(16).padStart(2, "0")).join("")}`;
    const c = commit(example as CommittableResource, exampleSalt);
    const payloadHash = keccak256(toUtf8Bytes(c.canonical));
    expect(doc).to.include(`canonical JSON (${toUtf8Bytes(c.canonical).length} bytes)`);
    for (const value of [c.canonical, payloadHash, typeHash("Consent"), c.salt, c.commitment]) {
      expect(doc).to.include(`\`${value}\``);
    }
    expect(doc).to.include(`\`${typeHash("Consent")}\` \`${c.salt.slice(2)}\` \`${payloadHash.slice(2)}\``);
  });
});
