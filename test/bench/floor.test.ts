import { expect } from "chai";
import fc from "fast-check";
import { calldataGas, evmFloor, logGas } from "../../tooling/bench/floor";

/** An address with no zero byte, so its 20 bytes cost 16 each. */
const ADDRESS_WORD = `${"00".repeat(12)}${"11".repeat(20)}`;

describe("evmFloor", function () {
  context("with no calldata, storage or logs", function () {
    it("is the 21,000 transaction base", function () {
      expect(evmFloor({ calldata: "0x", newSlots: 0, changedSlots: 0, logs: [] })).to.equal(21_000);
    });

    it("is 0 when the transaction base is excluded", function () {
      expect(evmFloor({ calldata: "0x", newSlots: 0, changedSlots: 0, logs: [], includeTxBase: false })).to.equal(0);
    });
  });

  context("with calldata only", function () {
    it("charges 4 per zero byte and 16 per non-zero byte", function () {
      // 00 ff 00 00 ab: 3 zero bytes (12) + 2 non-zero bytes (32) = 44.
      expect(evmFloor({ calldata: "0x00ff0000ab", newSlots: 0, changedSlots: 0, logs: [] })).to.equal(21_044);
    });
  });

  context("with storage and logs", function () {
    it("adds 22,100 per new slot, 5,000 per changed slot and 375 + 375/topic + 8/byte per log", function () {
      // An ERC-20 transfer(to, 1) to a fresh holder:
      //   calldata: selector a9059cbb (4 × 16 = 64) + address word (12 × 4 + 20 × 16 = 368)
      //             + amount word 0x…01 (31 × 4 + 16 = 140) = 572
      //   storage:  receiver balance new (22,100) + sender balance changed (5,000) = 27,100
      //   log:      Transfer, 3 topics, 32 data bytes: 375 + 1,125 + 256 = 1,756
      //   total:    21,000 + 572 + 27,100 + 1,756 = 50,428
      const calldata = `0xa9059cbb${ADDRESS_WORD}${"00".repeat(31)}01`;
      expect(evmFloor({ calldata, newSlots: 1, changedSlots: 1, logs: [{ topics: 3, dataBytes: 32 }] })).to.equal(
        50_428,
      );
    });

    it("sums every log", function () {
      // {1 topic, 0 bytes} = 750; {0 topics, 10 bytes} = 375 + 80 = 455.
      const logs = [
        { topics: 1, dataBytes: 0 },
        { topics: 0, dataBytes: 10 },
      ];
      expect(evmFloor({ calldata: "0x", newSlots: 0, changedSlots: 0, logs, includeTxBase: false })).to.equal(1_205);
    });

    it("counts seven new slots and a 4-topic log like an EAS attestation", function () {
      // 7 × 22,100 = 154,700; log 375 + 1,500 + 256 = 2,131; calldata 0x01 = 16; base 21,000.
      const spec = { calldata: "0x01", newSlots: 7, changedSlots: 0, logs: [{ topics: 4, dataBytes: 32 }] };
      expect(evmFloor(spec)).to.equal(177_847);
    });
  });

  context("with cold reads (a view called from a contract)", function () {
    it("adds 2,600 per cold account and 2,100 per cold slot read", function () {
      const spec = { calldata: "0x", newSlots: 0, changedSlots: 0, logs: [], includeTxBase: false };
      expect(evmFloor({ ...spec, coldAccounts: 1, coldSlotReads: 1 })).to.equal(4_700);
      expect(() => evmFloor({ ...spec, coldAccounts: -1 })).to.throw(/coldAccounts/);
    });
  });

  context("with a malformed spec", function () {
    const base = { calldata: "0x", newSlots: 0, changedSlots: 0, logs: [] };

    it("refuses calldata without 0x or with half a byte", function () {
      expect(() => evmFloor({ ...base, calldata: "abcd" })).to.throw(/0x-prefixed hex/);
      expect(() => evmFloor({ ...base, calldata: "0xabc" })).to.throw(/whole bytes/);
      expect(() => evmFloor({ ...base, calldata: "0xzz" })).to.throw(/0x-prefixed hex/);
    });

    it("refuses negative or fractional slot counts", function () {
      expect(() => evmFloor({ ...base, newSlots: -1 })).to.throw(/newSlots must be a whole number >= 0; got -1/);
      expect(() => evmFloor({ ...base, changedSlots: 1.5 })).to.throw(/changedSlots must be a whole number/);
    });

    it("refuses a log with more than 4 topics or negative data", function () {
      expect(() => evmFloor({ ...base, logs: [{ topics: 5, dataBytes: 0 }] })).to.throw(/topics must be .* 0 to 4/);
      expect(() => evmFloor({ ...base, logs: [{ topics: 1, dataBytes: -32 }] })).to.throw(/dataBytes/);
    });
  });
});

describe("calldataGas", function () {
  it("is 4 per byte plus 12 per non-zero byte, for any bytes", function () {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const hex = `0x${Buffer.from(bytes).toString("hex")}`;
        const nonZero = bytes.filter((b) => b !== 0).length;
        expect(calldataGas(hex)).to.equal(4 * bytes.length + 12 * nonZero);
      }),
    );
  });

  it("accepts upper-case hex", function () {
    expect(calldataGas("0xAB00")).to.equal(20);
  });
});

describe("logGas", function () {
  it("is 375 + 375 per topic + 8 per data byte", function () {
    expect(logGas({ topics: 4, dataBytes: 64 })).to.equal(375 + 1_500 + 512);
  });
});

describe("evmFloor (linearity)", function () {
  it("grows by exactly the price of each added slot, log and calldata byte", function () {
    const spec = fc.record({
      bytes: fc.uint8Array({ maxLength: 64 }),
      newSlots: fc.nat(20),
      changedSlots: fc.nat(20),
      logs: fc.array(fc.record({ topics: fc.nat(4), dataBytes: fc.nat(256) }), { maxLength: 4 }),
      includeTxBase: fc.boolean(),
    });
    fc.assert(
      fc.property(spec, ({ bytes, newSlots, changedSlots, logs, includeTxBase }) => {
        const calldata = `0x${Buffer.from(bytes).toString("hex")}`;
        const floor = evmFloor({ calldata, newSlots, changedSlots, logs, includeTxBase });
        const model =
          (includeTxBase ? 21_000 : 0) +
          bytes.reduce((sum, b) => sum + (b === 0 ? 4 : 16), 0) +
          22_100 * newSlots +
          5_000 * changedSlots +
          logs.reduce((sum, l) => sum + 375 + 375 * l.topics + 8 * l.dataBytes, 0);
        expect(floor).to.equal(model);
      }),
    );
  });
});
