import { expect } from "chai";
import fc from "fast-check";
import canonicalize from "canonicalize";
import { AbiCoder, keccak256, toUtf8Bytes } from "ethers";
import { createJsEngine, createWasmEngine, useKeccakEngine } from "../../src/crypto";
import {
  RecordInputError,
  canonicalJson,
  commit,
  commitmentOf,
  commitmentOfHashes,
  freshSalt,
  typeHash,
  type CommittableResource,
} from "../../src/records";
import { jsonValue, resource, salt } from "./arbitraries";

/** The commitment as the SDK computed it before the byte-level fast path: ethers' AbiCoder over hex hashes. */
function referenceCommitment(r: CommittableResource, s: string): string {
  const canonical = canonicalize(r) as string;
  return keccak256(
    AbiCoder.defaultAbiCoder().encode(
      ["bytes32", "bytes32", "bytes32"],
      [
        keccak256(toUtf8Bytes(`health-ledger.record.v1:${r.resourceType}`)),
        s.toLowerCase(),
        keccak256(toUtf8Bytes(canonical)),
      ],
    ),
  );
}

describe("commit() fast path", function () {
  context("against the previous implementation (ethers AbiCoder, hex keccak, the canonicalize package)", function () {
    for (const engine of ["hash-wasm", "noble"] as const) {
      it(`gives the same canonical text and commitment for any resource and salt with the ${engine} engine`, function () {
        const previous = useKeccakEngine(engine === "hash-wasm" ? createWasmEngine() : createJsEngine());
        try {
          fc.assert(
            fc.property(resource, salt, (r, s) => {
              const c = commit(r, s);
              expect(c.canonical).to.equal(canonicalize(r));
              expect(c.commitment).to.equal(referenceCommitment(r, s));
              expect(commitmentOf(c.resourceType, s, c.canonical)).to.equal(c.commitment);
            }),
            { numRuns: 300 },
          );
        } finally {
          useKeccakEngine(previous);
        }
      });
    }

    it("hashes a canonical payload longer than the engine's 16 KiB buffer the same way", function () {
      const big = {
        resourceType: "Observation",
        note: "é€😀".repeat(3000),
        values: Array.from({ length: 500 }, (_, i) => i / 7),
      };
      const s = `0x${"ab".repeat(32)}`;
      expect(commit(big, s).commitment).to.equal(referenceCommitment(big, s));
    });
  });

  describe("canonicalJson", function () {
    it("writes exactly what the canonicalize package writes, for any JSON value", function () {
      fc.assert(
        fc.property(jsonValue(5), (value) => {
          expect(canonicalJson(value)).to.equal(canonicalize(value));
        }),
        { numRuns: 500 },
      );
    });

    it("hands values deeper than its fast path to the checked path, with the same text", function () {
      let deep: unknown = { leaf: [1.5, "x"] };
      for (let i = 0; i < 400; i++) deep = i % 2 === 0 ? [deep] : { [`k${i}`]: deep };
      expect(canonicalJson(deep)).to.equal(canonicalize(deep));
    });

    it("still names the path of what it refuses", function () {
      expect(() => canonicalJson({ a: [1, { b: Number.NaN }] })).to.throw(RecordInputError, /^\$\.a\[1\]\.b is NaN/);
      expect(() => canonicalJson({ ["\ud800"]: 1 })).to.throw(RecordInputError, /\$ has a key that contains a lone/);
      const cycle: Record<string, unknown> = {};
      cycle.self = cycle;
      expect(() => canonicalJson(cycle)).to.throw(RecordInputError, /\$\.self refers back to itself/);
    });
  });

  describe("typeHash", function () {
    it("is cached and equals keccak256 of the scheme and the type for any well-formed string", function () {
      fc.assert(
        fc.property(fc.string({ unit: "grapheme", maxLength: 40 }), (type) => {
          const expected = keccak256(toUtf8Bytes(`health-ledger.record.v1:${type}`));
          expect(typeHash(type)).to.equal(expected);
          expect(typeHash(type)).to.equal(expected);
        }),
        { numRuns: 400 },
      );
    });

    it("refuses a type that UTF-8 cannot encode or that is not a string", function () {
      expect(() => typeHash("Con\udc00sent")).to.throw(
        RecordInputError,
        /A resource type contains a lone UTF-16 surrogate/,
      );
      expect(() => typeHash(7 as unknown as string)).to.throw(RecordInputError, /got number 7/);
    });
  });

  describe("commitmentOfHashes and commitmentOf", function () {
    it("commitmentOfHashes(typeHash, salt, payloadHash) is the commitment of the record", function () {
      fc.assert(
        fc.property(resource, salt, (r, s) => {
          const c = commit(r, s);
          const payloadHash = keccak256(toUtf8Bytes(c.canonical));
          expect(commitmentOfHashes(typeHash(r.resourceType), s, payloadHash)).to.equal(c.commitment);
        }),
        { numRuns: 100 },
      );
    });

    it("refuses a canonical payload that is not a well-formed string, and malformed hashes", function () {
      const s = `0x${"11".repeat(32)}`;
      expect(() => commitmentOf("Consent", s, '{"a":"\ud800"}')).to.throw(RecordInputError, /lone UTF-16 surrogate/);
      expect(() => commitmentOf("Consent", s, 5 as unknown as string)).to.throw(RecordInputError, /got number 5/);
      expect(() => commitmentOfHashes("0x12", s, s)).to.throw(
        RecordInputError,
        'A type hash must be 32 bytes as 0x followed by 64 hex digits; got "0x12"',
      );
      expect(() => commitmentOfHashes(s, s, "0xzz")).to.throw(RecordInputError, /^A payload hash must be 32 bytes/);
      expect(() => commitmentOfHashes(s, "0x12", s)).to.throw(RecordInputError, /A salt must be 32 bytes.*got 1 bytes/);
    });
  });

  describe("freshSalt", function () {
    it("hands out distinct 32-byte salts across many draws from the CSPRNG pool", function () {
      const salts = new Set(Array.from({ length: 1000 }, () => freshSalt()));
      expect(salts.size).to.equal(1000);
      for (const s of salts) expect(s).to.match(/^0x[0-9a-f]{64}$/);
    });
  });
});
