import { expect } from "chai";
import fc from "fast-check";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import {
  GS,
  Gs1Error,
  expiresAtOf,
  gs1Date,
  gs1Year,
  packOfChain,
  parseDigitalLink,
  parseElementString,
  parseScan,
  toDigitalLink,
  toElementString,
  toHumanReadable,
  verifyScannedPack,
  yymmddOfExpiresAt,
  type Gs1Pack,
} from "../../src/interop";
import { UnitStatus } from "../../src/provenance";
import { deployFixture, distributedFixture, GTIN, LOT } from "../provenance/fixture";

const NOW = new Date("2026-11-30T00:00:00Z");

function expectGs1Error(fn: () => unknown, ai: string | undefined, pattern: RegExp) {
  try {
    fn();
  } catch (error) {
    expect(error).to.be.instanceOf(Gs1Error);
    expect((error as Gs1Error).ai).to.equal(ai);
    expect((error as Error).message).to.match(pattern);
    return;
  }
  expect.fail("expected a Gs1Error");
}

describe("interop: GS1 element strings and Digital Link", function () {
  context("published examples", function () {
    it("reads the GS1 Digital Link URI Syntax examples (GTIN, batch, serial, expiry in the query)", function () {
      // bwipp/postscriptbarcode wiki "GS1 Digital Link URIs", quoting the GS1 Digital Link Standard's examples.
      const a = parseDigitalLink("https://id.gs1.org/01/09521234543213/10/ABC123/21/12345", NOW);
      expect(a).to.include({ gtin: "09521234543213", lot: "ABC123", serial: "12345" });
      const b = parseDigitalLink("https://id.gs1.org/01/09521234543213/10/ABC123?17=261231", NOW);
      expect(b).to.include({ gtin: "09521234543213", lot: "ABC123", expiry: "261231" });
      const c = parseDigitalLink("https://example.com/products/01/09521234543213", NOW);
      expect(c.gtin).to.equal("09521234543213");
    });

    it("reads a DataMatrix element string with symbology identifier and GS separators", function () {
      const scan = `]d2010952123454321317261231` + `10ABC123${GS}2112345`;
      const pack = parseElementString(scan, NOW);
      expect(pack).to.include({ gtin: "09521234543213", expiry: "261231", lot: "ABC123", serial: "12345" });
      expect(toDigitalLink(pack)).to.equal("https://id.gs1.org/01/09521234543213/10/ABC123/21/12345?17=261231");
    });

    it("reads the human-readable interpretation and a leading FNC1", function () {
      const a = parseElementString("(01)09506000134352(17)281231(10)AMX-2611-A(21)7A3KX9Q2", NOW);
      const b = parseElementString(`${GS}01095060001343521728123110AMX-2611-A${GS}217A3KX9Q2`, NOW);
      expect(a).to.deep.include({ gtin: b.gtin, lot: b.lot, serial: b.serial, expiry: b.expiry });
      expect(toHumanReadable(a)).to.equal("(01)09506000134352(17)281231(10)AMX-2611-A(21)7A3KX9Q2");
    });

    it("pads a GTIN-13 in a Digital Link to GTIN-14 and percent-decodes qualifiers", function () {
      const pack = parseDigitalLink("https://id.gs1.org/01/9506000134352/10/A%2FB%2D1/21/S%251", NOW);
      expect(pack).to.include({ gtin: "09506000134352", lot: "A/B-1", serial: "S%1" });
      expect(toDigitalLink(pack)).to.equal("https://id.gs1.org/01/09506000134352/10/A%2FB-1/21/S%251");
    });

    it("keeps dot-only lots and serials, which URI libraries would drop as dot-segments", function () {
      const pack = packOfChain(9506000134352n, ".", "..", "281231");
      const uri = toDigitalLink(pack);
      expect(uri).to.equal("https://id.gs1.org/01/09506000134352/10/%2E/21/%2E%2E?17=281231");
      expect(parseDigitalLink(uri, NOW)).to.include({ lot: ".", serial: ".." });
      expect(parseDigitalLink("https://id.gs1.org/01/09506000134352/10/./21/..", NOW)).to.include({
        lot: ".",
        serial: "..",
      });
    });

    it("ignores non-GS1 query parameters and keeps other AIs as data attributes", function () {
      const pack = parseDigitalLink("https://id.gs1.org/01/09506000134352/10/L1?17=281231&710=1234567&utm=x", NOW);
      expect(pack.elements.map((e) => e.ai)).to.deep.equal(["01", "10", "17", "710"]);
    });
  });

  context("dates (YYMMDD, GS1 General Specifications 7.12)", function () {
    it("applies the sliding century window", function () {
      expect(gs1Year(26, NOW)).to.equal(2026);
      expect(gs1Year(76, NOW)).to.equal(2076); // 50 years ahead: current century
      expect(gs1Year(77, NOW)).to.equal(1977); // 51 ahead: previous century
      expect(gs1Year(75, new Date("2080-01-01Z"))).to.equal(2075);
      expect(gs1Year(30, new Date("2080-01-01Z"))).to.equal(2130); // 50 behind: next century
    });

    it("reads day 00 as the month's last day and maps expiry to the contract's expiresAt", function () {
      expect(gs1Date("280200", "17", NOW)).to.equal("2028-02-29");
      expect(expiresAtOf("281231", NOW)).to.equal(Date.UTC(2029, 0, 1) / 1000);
      expect(yymmddOfExpiresAt(BigInt(Date.UTC(2029, 0, 1) / 1000))).to.equal("281231");
    });
  });

  context("bad codes name the bad AI", function () {
    const cases: [string, string | undefined, RegExp][] = [
      ["]d20109506000134353", "01", /check digit 3, expected 2/],
      ["]d2010950600013435217281331", "17", /month 13/],
      ["]d2010950600013435217270230", "17", /day 30, but 2027-02 has 28 days/],
      ["]d20109506000134352172812", "17", /cut short/],
      ["]d2010950600013435221AB€", "21", /not in the GS1 AI 82 character set/],
      ["]d20109506000134352101234567890123456789012", "10", /longer than 20.*GS separator missing/],
      ["]d201095060001343529912", "99", /Unknown Application Identifier at position 16/],
      ["]d21728123110L1", "01", /no GTIN/],
      ["(01)09506000134352(10)A(10)B", "10", /appears twice/],
      ["", undefined, /empty/],
    ];
    for (const [payload, ai, pattern] of cases) {
      it(`refuses ${JSON.stringify(payload)}`, function () {
        expectGs1Error(() => parseElementString(payload, NOW), ai, pattern);
      });
    }

    const links: [string, string | undefined, RegExp][] = [
      ["https://id.gs1.org/01/09506000134352/21/S1/10/L1", "10", /out of order/],
      ["https://id.gs1.org/01/09506000134352/17/281231", "17", /not a key qualifier/],
      ["https://id.gs1.org/01/09506000134352/10", "10", /no value in the path/],
      ["https://id.gs1.org/01/09506000134352?10=L1", "10", /belongs in the path/],
      ["https://id.gs1.org/01/09506000134352?17=281340", "17", /month 13/],
      ["https://id.gs1.org/01/09506000134353", "01", /check digit/],
      ["https://id.gs1.org/00/106141411234567897", "01", /no \/01\/\{gtin\} primary key/],
      ["ftp://id.gs1.org/01/09506000134352", undefined, /http or https/],
      ["https://id.gs1.org/01/09506000134352/10/%E0%A4%A", "10", /percent-encoding/],
      ["not a uri", undefined, /is not a URI/],
    ];
    for (const [uri, ai, pattern] of links) {
      it(`refuses the Digital Link ${uri}`, function () {
        expectGs1Error(() => parseDigitalLink(uri, NOW), ai, pattern);
      });
    }
  });

  context("round trips (property)", function () {
    const ai82 = fc
      .string({ unit: fc.constantFrom(..."!\"%&'()*+,-./0123456789:;<=>?ABCXYZ_abcxyz"), minLength: 1, maxLength: 20 })
      .filter((s) => s.length > 0);
    const gtin = fc
      .stringMatching(/^\d{13}$/)
      .filter((d) => /[1-9]/.test(d))
      .map((d) => {
        let sum = 0;
        for (let i = 0; i < 13; i++) sum += Number(d[12 - i]) * (i % 2 === 0 ? 3 : 1);
        return d + ((10 - (sum % 10)) % 10);
      });
    const expiry = fc
      .date({ min: new Date("2000-01-01Z"), max: new Date("2050-12-31Z"), noInvalidDate: true })
      .map((d) => d.toISOString().slice(2, 10).replace(/-/g, ""));
    const pack = fc
      .record({ gtin, lot: ai82, serial: ai82, expiry })
      .map((p): Gs1Pack => packOfChain(BigInt(p.gtin), p.lot, p.serial, p.expiry));
    const same = (a: Gs1Pack, b: Gs1Pack): void => {
      expect({ ...a, elements: undefined }).to.deep.equal({ ...b, elements: undefined });
    };

    it("element string → pack → element string", function () {
      fc.assert(
        fc.property(pack, (p) => {
          same(parseElementString(toElementString(p), NOW), p);
        }),
      );
    });
    it("Digital Link → pack → Digital Link, and both forms agree", function () {
      fc.assert(
        fc.property(pack, (p) => {
          const uri = toDigitalLink(p);
          same(parseDigitalLink(uri, NOW), p);
          expect(toDigitalLink(parseScan(toElementString(p), NOW))).to.equal(uri);
        }),
      );
    });
  });

  context("verifyScannedPack (one call against the chain)", function () {
    it("answers Authentic for a real pack and checks the printed expiry against the chain", async function () {
      const { provenance, tree, expiresAt } = await loadFixture(deployFixture);
      const serial = tree.unit(7).serial;
      const expiry = yymmddOfExpiresAt(expiresAt);
      const dm = toElementString(packOfChain(BigInt(GTIN), LOT, serial, expiry));
      const result = await verifyScannedPack(provenance, dm, tree);
      expect(result.statusName).to.equal("Authentic");
      expect(result.expiryMatches).to.equal(true);
      expect(result.chainExpiresAt).to.equal(expiresAt);
    });

    it("flags a pack whose printed expiry differs from the committed one", async function () {
      const { provenance, tree } = await loadFixture(deployFixture);
      const serial = tree.unit(3).serial;
      const uri = `https://id.gs1.org/01/${GTIN}/10/${LOT}/21/${serial}?17=491231`;
      const result = await verifyScannedPack(provenance, uri, tree);
      expect(result.status).to.equal(UnitStatus.Authentic);
      expect(result.expiryMatches).to.equal(false);
    });

    it("answers Unknown for a serial not in the tree and Dispensed for a dispensed (cloned) one", async function () {
      const { provenance, tree, pharmacy, batchId } = await loadFixture(distributedFixture);
      const unknown = await verifyScannedPack(provenance, `https://id.gs1.org/01/${GTIN}/10/${LOT}/21/FAKE1`, tree);
      expect(unknown.status).to.equal(UnitStatus.Unknown);
      const u = tree.unit(5);
      await provenance.connect(pharmacy).dispense(batchId, u.position, u.serial, u.proof);
      const clone = await verifyScannedPack(provenance, `https://id.gs1.org/01/${GTIN}/10/${LOT}/21/${u.serial}`, tree);
      expect(clone.statusName).to.equal("Dispensed");
    });

    it("answers Unknown with no expiry check for a batch the chain does not know", async function () {
      const { provenance, tree } = await loadFixture(deployFixture);
      const r = await verifyScannedPack(
        provenance,
        `https://id.gs1.org/01/${GTIN}/10/OTHER/21/${tree.unit(1).serial}?17=301231`,
        tree,
      );
      expect(r.status).to.equal(UnitStatus.Unknown);
      expect(r.expiryMatches).to.equal(null);
    });

    it("answers Expired once the batch's expiry has passed", async function () {
      const { provenance, tree, expiresAt } = await loadFixture(deployFixture);
      await time.increaseTo(expiresAt);
      const r = await verifyScannedPack(
        provenance,
        `https://id.gs1.org/01/${GTIN}/10/${LOT}/21/${tree.unit(2).serial}`,
        tree,
      );
      expect(r.statusName).to.equal("Expired");
    });

    it("refuses a code without serial or lot, naming the AI", async function () {
      const { provenance, tree } = await loadFixture(deployFixture);
      await expectAsyncGs1(verifyScannedPack(provenance, `https://id.gs1.org/01/${GTIN}/10/${LOT}`, tree), "21");
      await expectAsyncGs1(verifyScannedPack(provenance, `https://id.gs1.org/01/${GTIN}/21/S1`, tree), "10");
    });
  });
});

async function expectAsyncGs1(p: Promise<unknown>, ai: string) {
  try {
    await p;
  } catch (error) {
    expect(error).to.be.instanceOf(Gs1Error);
    expect((error as Gs1Error).ai).to.equal(ai);
    return;
  }
  expect.fail("expected a Gs1Error");
}
