import { expect } from "chai";
import { hexlify, toUtf8Bytes } from "ethers";
import { RecordInputError, canonicalJson } from "../../src/records";

/** The value of an IEEE 754 double given as 16 hex digits (RFC 8785 Appendix B writes them so). */
function double(bits: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt(`0x${bits}`));
  return view.getFloat64(0);
}

describe("canonicalJson", function () {
  context("RFC 8785 section 3.2.2.3 and Appendix B: numbers", function () {
    // [IEEE 754 bits, canonical text] from RFC 8785 Appendix B.
    const appendixB: [string, string][] = [
      ["0000000000000000", "0"],
      ["8000000000000000", "0"],
      ["0000000000000001", "5e-324"],
      ["8000000000000001", "-5e-324"],
      ["7fefffffffffffff", "1.7976931348623157e+308"],
      ["ffefffffffffffff", "-1.7976931348623157e+308"],
      ["4340000000000000", "9007199254740992"],
      ["c340000000000000", "-9007199254740992"],
      ["4430000000000000", "295147905179352830000"],
      ["44b52d02c7e14af5", "9.999999999999997e+22"],
      ["44b52d02c7e14af6", "1e+23"],
      ["44b52d02c7e14af7", "1.0000000000000001e+23"],
      ["444b1ae4d6e2ef4e", "999999999999999700000"],
      ["444b1ae4d6e2ef4f", "999999999999999900000"],
      ["444b1ae4d6e2ef50", "1e+21"],
      ["3eb0c6f7a0b5ed8c", "9.999999999999997e-7"],
      ["3eb0c6f7a0b5ed8d", "0.000001"],
      ["41b3de4355555553", "333333333.3333332"],
      ["41b3de4355555554", "333333333.33333325"],
      ["41b3de4355555555", "333333333.3333333"],
      ["41b3de4355555556", "333333333.3333334"],
      ["41b3de4355555557", "333333333.33333343"],
      ["becbf647612f3696", "-0.0000033333333333333333"],
      ["43143ff3c1cb0959", "1424953923781206.2"],
    ];
    for (const [bits, text] of appendixB) {
      it(`writes the double 0x${bits} as ${text}`, function () {
        expect(canonicalJson(double(bits))).to.equal(text);
      });
    }

    // JSON text as a producer may spell it → its one canonical spelling.
    const spellings: [string, string][] = [
      ["1e21", "1e+21"],
      ["1E30", "1e+30"],
      ["1e-7", "1e-7"],
      ["-0", "0"],
      ["-0.0", "0"],
      ["333333333.33333329", "333333333.3333333"],
      ["4.50", "4.5"],
      ["2e-3", "0.002"],
      ["0.000001", "0.000001"],
      ["0.0000001", "1e-7"],
      ["56.0", "56"],
      ["0.000000000000000000000000001", "1e-27"],
      ["100", "100"],
      ["1e20", "100000000000000000000"],
    ];
    for (const [spelling, text] of spellings) {
      it(`writes the JSON number ${spelling} as ${text}`, function () {
        expect(canonicalJson(JSON.parse(spelling))).to.equal(text);
      });
    }
  });

  context("RFC 8785 section 3.2.3: property sorting by UTF-16 code units", function () {
    it("sorts the RFC's example keys as the RFC does", function () {
      const input = JSON.parse(
        '{"\\u20ac":"Euro Sign","\\r":"Carriage Return","\\ufb33":"Hebrew Letter Dalet With Dagesh",' +
          '"1":"One","\\ud83d\\ude00":"Emoji: Grinning Face","\\u0080":"Control",' +
          '"\\u00f6":"Latin Small Letter O With Diaeresis"}',
      );
      expect(canonicalJson(input)).to.equal(
        '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis",' +
          '"\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
      );
    });

    it("orders an astral character (surrogate 0xD83D) before U+FB33, unlike code-point order", function () {
      expect(canonicalJson({ "\ufb33": 1, "\u{1F600}": 2 })).to.equal('{"\ud83d\ude00":2,"\ufb33":1}');
    });

    it("ignores locale: 'peach' < 'péché' < 'pêche' < 'sin'", function () {
      expect(canonicalJson({ sin: 4, pêche: 3, péché: 2, peach: 1 })).to.equal(
        '{"peach":1,"péché":2,"pêche":3,"sin":4}',
      );
    });

    it("sorts nested objects too and keeps array order", function () {
      expect(canonicalJson({ b: [{ z: 1, a: 2 }, 3], a: { d: true, "10": null, "1": [] } })).to.equal(
        '{"a":{"1":[],"10":null,"d":true},"b":[{"a":2,"z":1},3]}',
      );
    });
  });

  context("RFC 8785 section 3.2.2.2: strings", function () {
    it("escapes only what JSON requires, with the short forms and lower-case \\u00XX", function () {
      const input = JSON.parse('"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/"');
      expect(canonicalJson(input)).to.equal('"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"');
    });

    it("uses \\b \\t \\n \\f \\r and \\u00XX for other controls, and leaves DEL and U+0080 raw", function () {
      expect(canonicalJson("\b\t\n\f\r\u0000\u001f\u007f\u0080")).to.equal(
        '"\\b\\t\\n\\f\\r\\u0000\\u001f\u007f\u0080"',
      );
    });

    it("does not escape '/', '<' or non-ASCII", function () {
      expect(canonicalJson({ "</script>": "é/" })).to.equal('{"</script>":"é/"}');
    });
  });

  context("RFC 8785 section 3.2.4: the complete example", function () {
    it("produces the RFC's exact UTF-8 bytes", function () {
      const input = JSON.parse(
        '{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],' +
          '"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals":[null,true,false]}',
      );
      const rfcBytes =
        "7b 22 6c 69 74 65 72 61 6c 73 22 3a 5b 6e 75 6c 6c 2c 74 72 75 65 2c 66 61 6c 73 65 5d 2c 22 6e 75 6d 62 " +
        "65 72 73 22 3a 5b 33 33 33 33 33 33 33 33 33 2e 33 33 33 33 33 33 33 2c 31 65 2b 33 30 2c 34 2e 35 2c 30 " +
        "2e 30 30 32 2c 31 65 2d 32 37 5d 2c 22 73 74 72 69 6e 67 22 3a 22 e2 82 ac 24 5c 75 30 30 30 66 5c 6e 41 " +
        "27 42 5c 22 5c 5c 5c 5c 5c 22 2f 22 7d";
      expect(hexlify(toUtf8Bytes(canonicalJson(input)))).to.equal(`0x${rfcBytes.replace(/ /g, "")}`);
    });
  });

  context("literals and structure", function () {
    it("writes null, true, false, empty containers and no whitespace", function () {
      expect(canonicalJson({ a: [null, true, false, {}, []], b: "" })).to.equal('{"a":[null,true,false,{},[]],"b":""}');
    });

    it("accepts objects without a prototype", function () {
      const bare = Object.assign(Object.create(null) as object, { b: 1, a: 2 });
      expect(canonicalJson(bare)).to.equal('{"a":2,"b":1}');
    });

    it("accepts a value seen twice that is not a cycle", function () {
      const shared = { x: 1 };
      expect(canonicalJson({ a: shared, b: shared })).to.equal('{"a":{"x":1},"b":{"x":1}}');
    });
  });

  context("when the value is not JSON", function () {
    const cases: [string, () => unknown, RegExp][] = [
      ["NaN", () => ({ a: NaN }), /^\$\.a is NaN: JSON numbers must be finite/],
      ["Infinity", () => ({ a: [1, Infinity] }), /^\$\.a\[1\] is Infinity: JSON numbers must be finite/],
      ["-Infinity", () => -Infinity, /^\$ is -Infinity: JSON numbers must be finite/],
      ["undefined", () => ({ a: { b: undefined } }), /^\$\.a\.b is undefined: JSON has no such value/],
      ["a top-level undefined", () => undefined, /^\$ is undefined: JSON has no such value/],
      ["a function", () => ({ f: () => 1 }), /^\$\.f is a function: JSON has no such value/],
      ["a bigint", () => ({ n: 1n }), /^\$\.n is a bigint: JSON has no such value/],
      ["a symbol", () => [Symbol("s")], /^\$\[0\] is a symbol: JSON has no such value/],
      ["a Date", () => ({ when: new Date(0) }), /^\$\.when is a Date object: use plain JSON objects/],
      ["a Map", () => new Map(), /^\$ is a Map object: use plain JSON objects/],
      ["a sparse array", () => ({ a: [1, , 3] }), /^\$\.a\[1\] is a hole in a sparse array/], // eslint-disable-line no-sparse-arrays
      [
        "a lone high surrogate",
        () => ({ s: "ok\ud800" }),
        /^\$\.s is a string that contains a lone UTF-16 surrogate \\ud800 at index 2/,
      ],
      [
        "a lone low surrogate",
        () => "\udc00x",
        /^\$ is a string that contains a lone UTF-16 surrogate \\udc00 at index 0/,
      ],
      ["a key with a lone surrogate", () => ({ "\ud83d": 1 }), /^\$ has a key that contains a lone UTF-16 surrogate/],
    ];
    for (const [what, make, message] of cases) {
      it(`refuses ${what} with a message naming where it is`, function () {
        expect(() => canonicalJson(make())).to.throw(RecordInputError, message);
      });
    }

    it("refuses a cycle", function () {
      const a: { self?: unknown } = {};
      a.self = { back: a };
      expect(() => canonicalJson(a)).to.throw(RecordInputError, /^\$\.self\.back refers back to itself/);
    });
  });
});
