import { expect } from "chai";
import fc from "fast-check";
import { AbiCoder, getAddress, hexlify, isAddress, keccak256 as ethersKeccak, toUtf8Bytes } from "ethers";
import {
  SCRATCH_BYTES,
  WordWriter,
  bytesToHex,
  compare32,
  createJsEngine,
  createWasmEngine,
  hashWasmKeccakBinary,
  hexToBytes,
  hexToBytesInto,
  isAddressText,
  keccak256,
  keccak256Concat,
  keccak256Pair,
  keccak256SortedPairInto,
  keccak256Utf8,
  keccakEngine,
  keccakInfo,
  selectKeccakEngine,
  useKeccakEngine,
  type KeccakEngine,
} from "../../src/crypto";

/** Runs `body` once with each engine installed as the process's engine, then puts the original back. */
function withEachEngine(body: (engine: KeccakEngine) => void): void {
  for (const engine of [createWasmEngine(), createJsEngine()]) {
    const previous = useKeccakEngine(engine);
    try {
      body(engine);
    } finally {
      useKeccakEngine(previous);
    }
  }
}

const bytes = (max: number) => fc.uint8Array({ maxLength: max });
const word = fc.uint8Array({ minLength: 32, maxLength: 32 });

describe("keccak256 (src/crypto)", function () {
  describe("engine choice", function () {
    it("runs hash-wasm's WebAssembly keccak here, unless HEALTH_LEDGER_KECCAK=js forces the fallback", function () {
      if (process.env.HEALTH_LEDGER_KECCAK === "js") {
        expect(keccakInfo()).to.deep.equal({
          backend: "noble",
          fallbackReason: "HEALTH_LEDGER_KECCAK=js forces the pure-JS engine",
        });
      } else {
        expect(keccakInfo()).to.deep.equal({ backend: "hash-wasm" });
      }
    });

    it("falls back to @noble/hashes, saying why, when the WebAssembly module cannot be loaded", function () {
      const chosen = selectKeccakEngine(false, () => {
        throw new Error("this runtime has no WebAssembly");
      });
      expect(chosen.engine.backend).to.equal("noble");
      expect(chosen.fallbackReason).to.equal("hash-wasm's keccak could not be used: this runtime has no WebAssembly");
      expect(selectKeccakEngine(true).engine.backend).to.equal("noble");
      expect(selectKeccakEngine(false).engine.backend).to.equal("hash-wasm");
    });

    it("refuses a corrupt or foreign WebAssembly module instead of hashing wrongly", function () {
      const binary = hashWasmKeccakBinary();
      expect(() => createWasmEngine(binary.subarray(0, 100))).to.throw();
      // A valid module without the hash exports: the 8-byte empty module.
      expect(() => createWasmEngine(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]))).to.throw(/does not export/);
      expect(selectKeccakEngine(false, () => createWasmEngine(binary.subarray(0, 100))).engine.backend).to.equal(
        "noble",
      );
    });

    it("puts back the previous engine with useKeccakEngine, and says when the fallback was installed", function () {
      const before = keccakInfo();
      const js = createJsEngine();
      const previous = useKeccakEngine(js);
      try {
        expect(keccakEngine()).to.equal(js);
        expect(keccakInfo()).to.deep.equal({
          backend: "noble",
          fallbackReason: "useKeccakEngine() installed the pure-JS engine",
        });
      } finally {
        useKeccakEngine(previous);
      }
      expect(keccakEngine()).to.equal(previous);
      expect(keccakInfo()).to.deep.equal(before);
    });
  });

  describe("byte-level functions, with each engine", function () {
    it("keccak256 equals ethers' keccak256 on any bytes, across the rate and the scratch size", function () {
      withEachEngine(() => {
        fc.assert(
          fc.property(fc.oneof(bytes(300), bytes(SCRATCH_BYTES + 300)), (data) => {
            expect(bytesToHex(keccak256(data))).to.equal(ethersKeccak(data));
          }),
          { numRuns: 60 },
        );
      });
    });

    it("keccak256Concat, keccak256Pair and keccak256Utf8 hash the concatenation and the UTF-8 bytes", function () {
      withEachEngine(() => {
        fc.assert(
          fc.property(
            fc.array(bytes(80), { maxLength: 5 }),
            word,
            word,
            fc.string({ unit: "grapheme" }),
            (parts, a, b, text) => {
              const joined = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
              parts.reduce((at, p) => (joined.set(p, at), at + p.length), 0);
              expect(bytesToHex(keccak256Concat(parts))).to.equal(ethersKeccak(joined));
              expect(bytesToHex(keccak256Pair(a, b))).to.equal(ethersKeccak(new Uint8Array([...a, ...b])));
              expect(bytesToHex(keccak256Utf8(text))).to.equal(ethersKeccak(toUtf8Bytes(text)));
            },
          ),
          { numRuns: 100 },
        );
        const long = "é".repeat(SCRATCH_BYTES);
        expect(bytesToHex(keccak256Utf8(long))).to.equal(ethersKeccak(toUtf8Bytes(long)));
        const many = Array.from({ length: 600 }, (_, i) => new Uint8Array(32).fill(i));
        expect(bytesToHex(keccak256Concat(many))).to.equal(ethersKeccak(new Uint8Array(many.flatMap((w) => [...w]))));
      });
    });

    it("keccak256SortedPairInto is OpenZeppelin's node hash: the pair in ascending order", function () {
      withEachEngine(() => {
        fc.assert(
          fc.property(word, word, (a, b) => {
            const out = new Uint8Array(32);
            keccak256SortedPairInto(a, 0, b, 0, out, 0);
            const [lo, hi] = hexlify(a) <= hexlify(b) ? [a, b] : [b, a];
            expect(bytesToHex(out)).to.equal(ethersKeccak(new Uint8Array([...lo, ...hi])));
            expect(Math.sign(compare32(a, 0, b, 0))).to.equal(
              hexlify(a) < hexlify(b) ? -1 : hexlify(a) > hexlify(b) ? 1 : 0,
            );
          }),
        );
      });
    });

    it("digest leaves every scratch byte from 32 on as it was (the serial tree reuses its leaf template)", function () {
      withEachEngine((engine) => {
        for (let i = 0; i < 256; i++) engine.scratch[i] = i;
        engine.digest(128);
        for (let i = 32; i < 256; i++) expect(engine.scratch[i]).to.equal(i);
        expect(bytesToHex(engine.scratch, 0, 32)).to.not.equal(bytesToHex(new Uint8Array(32)));
      });
    });

    it("keccak256Pair refuses anything but two 32-byte words", function () {
      expect(() => keccak256Pair(new Uint8Array(31), new Uint8Array(32))).to.throw(
        "keccak256Pair hashes two 32-byte words; got 31 and 32 bytes",
      );
    });
  });

  describe("hex", function () {
    it("bytesToHex equals ethers' hexlify, short or long, and hexToBytes reverses it", function () {
      fc.assert(
        fc.property(bytes(400), (data) => {
          expect(bytesToHex(data)).to.equal(hexlify(data));
          expect(hexToBytes(bytesToHex(data), "data", data.length)).to.deep.equal(data);
        }),
      );
      expect(hexToBytes(`0x${"AB".repeat(32)}`, "upper")).to.deep.equal(new Uint8Array(32).fill(0xab));
    });

    it("refuses malformed hex with a one-line message, quoting the text only when allowed", function () {
      expect(() => hexToBytes("0x12", "A root")).to.throw(
        'A root must be 32 bytes as 0x followed by 64 hex digits; got "0x12"',
      );
      expect(() => hexToBytes(`0x${"g".repeat(64)}`, "A root")).to.throw(/A root has a non-hex character at index 2/);
      expect(() => hexToBytes(`0x${"\u0130".repeat(64)}`, "A root")).to.throw(/non-hex character/);
      expect(() => hexToBytes(5 as unknown as string, "A root")).to.throw(/got a number$/);
      const secret = `0x${"1".repeat(63)}z`;
      expect(() => new WordWriter().bytes32(secret)).to.throw(`non-hex character at index 65; got "${secret}"`);
      expect(() => hexToBytesInto(secret, 32, new Uint8Array(32), 0, "A salt", false)).to.throw(
        "A salt has a non-hex character at index 65; got a string of 66 characters",
      );
    });
  });

  describe("WordWriter", function () {
    const address = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((a) => getAddress(hexlify(a)));

    it("hashes the same bytes as abi.encode of static words (a claims fingerprint's layout)", function () {
      fc.assert(
        fc.property(
          word,
          address,
          address,
          fc.bigInt({ min: 0n, max: 2n ** 40n - 1n }),
          fc.boolean(),
          (tag, m, p, date, flag) => {
            const writer = new WordWriter().bytes32(tag).address(m).address(p).uint(date, 40).bool(flag);
            const encoded = AbiCoder.defaultAbiCoder().encode(
              ["bytes32", "address", "address", "uint40", "bool"],
              [tag, m, p, date, flag],
            );
            expect(hexlify(writer.toBytes())).to.equal(encoded);
            expect(writer.keccak256Hex()).to.equal(ethersKeccak(encoded));
            expect(bytesToHex(writer.keccak256())).to.equal(ethersKeccak(encoded));
            expect(writer.wordCount).to.equal(5);
          },
        ),
      );
    });

    it("lays out a dynamic array by hand as abi.encode does (a trial outcome set's layout)", function () {
      fc.assert(
        fc.property(fc.array(fc.tuple(word, fc.boolean()), { maxLength: 300 }), (outcomes) => {
          const writer = new WordWriter().uint(32).uint(outcomes.length);
          for (const [commitment, primary] of outcomes) writer.bytes32(hexlify(commitment)).bool(primary);
          const encoded = AbiCoder.defaultAbiCoder().encode(
            ["tuple(bytes32 commitment, bool primary)[]"],
            [outcomes.map(([c, p]) => [c, p])],
          );
          expect(writer.keccak256Hex()).to.equal(ethersKeccak(encoded));
        }),
        { numRuns: 30 },
      );
    });

    it("refuses values that do not fit their word, saying what is wrong", function () {
      const w = new WordWriter();
      expect(() => w.uint(-1)).to.throw("uint256 must be a whole number from 0 to 2^256 - 1; got -1");
      expect(() => w.uint(256, 8)).to.throw("uint8 must be a whole number from 0 to 2^8 - 1; got 256");
      expect(() => w.uint(1.5)).to.throw(/got 1.5/);
      expect(() => w.uint(1, 12)).to.throw("uint width 12 must be a multiple of 8 from 8 to 256");
      expect(() => w.bytes32(new Uint8Array(31))).to.throw("A bytes32 word is 32 bytes; got 31 (hash or pad it first)");
      expect(() => w.address("0x1234")).to.throw(/An address must be 20 bytes/);
      expect(() => w.bool(1 as unknown as boolean)).to.throw("A bool word takes true or false; got number");
      expect(w.wordCount).to.equal(0);
    });
  });

  describe("isAddressText", function () {
    it("answers as ethers' isAddress on 0x-prefixed text: checksummed, one-case, with one letter's case flipped", function () {
      fc.assert(
        fc.property(fc.uint8Array({ minLength: 20, maxLength: 20 }), fc.nat(39), (bytes, at) => {
          const checksummed = getAddress(hexlify(bytes));
          const flip = (c: string) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase());
          const flipped = checksummed.slice(0, 2 + at) + flip(checksummed[2 + at]) + checksummed.slice(3 + at);
          for (const text of [
            checksummed,
            checksummed.toLowerCase(),
            "0x" + checksummed.slice(2).toUpperCase(),
            flipped,
          ]) {
            expect(isAddressText(text), text).to.equal(isAddress(text));
          }
        }),
        { numRuns: 300 },
      );
    });

    it("refuses text that is not 0x and 40 hex digits", function () {
      for (const text of [
        "",
        "0x",
        "0x1234",
        "1234567890123456789012345678901234567890",
        "0x" + "g".repeat(40),
        "0x" + "a".repeat(41),
      ]) {
        expect(isAddressText(text), text).to.equal(false);
      }
    });
  });
});
