import { expect } from "chai";
import {
  compareWithSnapshot,
  formatTable,
  parseSnapshot,
  reportOf,
  snapshotOf,
  toResults,
} from "../../tooling/bench/harness";
import type { GasResult, Measurement } from "../../tooling/bench/types";

/** A floor of exactly 21,000 + 16 = 21,016 (one non-zero calldata byte). */
const FLOOR = { calldata: "0x01", newSlots: 0, changedSlots: 0, logs: [] } as const;

function m(op: string, gas: number | bigint, extra: Partial<Measurement> = {}): Measurement {
  return { op, gas, floor: FLOOR, ...extra };
}

function row(op: string, gas: number, budget: number | null = null): GasResult {
  return { op, gas, floor: 21_016, budget, peerOp: null, peerGas: null };
}

describe("toResults", function () {
  context("with well-formed measurements", function () {
    it("computes each floor, converts bigint gas and defaults budget and peer to null", function () {
      expect(toResults([m("eas.attest", 200_272n)])).to.deep.equal([
        { op: "eas.attest", gas: 200_272, floor: 21_016, budget: null, peerOp: null, peerGas: null },
      ]);
    });

    it("fills peerGas from the peer op measured in the same run, whatever the order", function () {
      const results = toResults([
        m("consent.grant", 90_000, { budget: 120_000, peerOp: "eas.attest" }),
        m("eas.attest", 200_000),
      ]);
      expect(results[0]).to.deep.equal({
        op: "consent.grant",
        gas: 90_000,
        floor: 21_016,
        budget: 120_000,
        peerOp: "eas.attest",
        peerGas: 200_000,
      });
    });
  });

  context("with a peer op nothing measured", function () {
    it("throws naming the op, the missing peer and the ops measured", function () {
      expect(() => toResults([m("consent.grant", 90_000, { peerOp: "eas.atest" }), m("eas.attest", 1)])).to.throw(
        'Op "consent.grant" compares with peer "eas.atest", which no suite measured; measured ops: consent.grant, eas.attest',
      );
    });
  });

  context("with an op that is its own peer", function () {
    it("throws", function () {
      expect(() => toResults([m("eas.attest", 1, { peerOp: "eas.attest" })])).to.throw(/names itself as its peer/);
    });
  });

  context("with a duplicate op", function () {
    it("throws naming it", function () {
      expect(() => toResults([m("eas.attest", 1), m("eas.attest", 2)])).to.throw('Op "eas.attest" is measured twice');
    });
  });

  context("with a malformed op name", function () {
    for (const op of ["attest", "EAS.attest", "eas.", ".attest", "eas attest"]) {
      it(`refuses ${JSON.stringify(op)}`, function () {
        expect(() => toResults([m(op, 1)])).to.throw(/must read "<domain>.<operation>"/);
      });
    }
  });

  context("with bad gas or budget figures", function () {
    it("refuses zero, negative and fractional gas", function () {
      for (const gas of [0, -5, 1.5, 0n]) {
        expect(() => toResults([m("eas.attest", gas)])).to.throw(/positive whole number/);
      }
    });

    it("refuses a zero or fractional budget", function () {
      expect(() => toResults([m("eas.attest", 1, { budget: 0 })])).to.throw(/budget is a positive whole number/);
      expect(() => toResults([m("eas.attest", 1, { budget: 10.5 })])).to.throw(/budget is a positive whole number/);
    });

    it("names the op whose floor spec is malformed", function () {
      const bad = { ...FLOOR, calldata: "0x1" };
      expect(() => toResults([{ op: "eas.attest", gas: 1, floor: bad }])).to.throw(/^Op "eas.attest": Calldata/);
    });
  });
});

describe("compareWithSnapshot", function () {
  context("when every op is within 1% of its snapshot and its budget", function () {
    it("finds no problem, up to exactly +1% and exactly the budget", function () {
      const results = [row("a.x", 202_000), row("a.y", 100_000, 100_000)];
      expect(compareWithSnapshot(results, { "a.x": 200_000, "a.y": 99_500 })).to.deep.equal({
        problems: [],
        notes: [],
      });
    });
  });

  context("when an op costs more than 1% above its snapshot", function () {
    it("reports it with both figures and the increase", function () {
      const { problems } = compareWithSnapshot([row("a.x", 202_001)], { "a.x": 200_000 });
      expect(problems).to.deep.equal([
        {
          op: "a.x",
          kind: "over-snapshot",
          message: "a.x: 202,001 gas is 1.00% above its snapshot of 200,000 (limit +1%)",
        },
      ]);
    });
  });

  context("when an op costs more than its budget", function () {
    it("reports it even when the snapshot agrees", function () {
      const { problems } = compareWithSnapshot([row("a.x", 120_001, 120_000)], { "a.x": 120_001 });
      expect(problems.map((p) => p.kind)).to.deep.equal(["over-budget"]);
      expect(problems[0].message).to.equal("a.x: 120,001 gas is 1 over its budget of 120,000");
    });
  });

  context("when an op is missing from the snapshot", function () {
    it("reports it and says how to add it", function () {
      const { problems } = compareWithSnapshot([row("a.new", 50_000)], {});
      expect(problems).to.have.length(1);
      expect(problems[0].kind).to.equal("not-in-snapshot");
      expect(problems[0].message).to.contain("npm run bench:gas -- --update");
    });

    it("does not take an inherited property for a snapshot entry", function () {
      const { problems } = compareWithSnapshot([row("a.toString", 50_000)], {});
      expect(problems.map((p) => p.kind)).to.deep.equal(["not-in-snapshot"]);
    });
  });

  context("when several ops fail", function () {
    it("lists each of them", function () {
      const results = [row("a.x", 300_000, 250_000), row("a.y", 10), row("a.z", 10)];
      const { problems } = compareWithSnapshot(results, { "a.x": 200_000, "a.y": 10 });
      expect(problems.map((p) => `${p.op}:${p.kind}`)).to.deep.equal([
        "a.x:over-budget",
        "a.x:over-snapshot",
        "a.z:not-in-snapshot",
      ]);
    });
  });

  context("when an op got cheaper or a snapshot entry is no longer measured", function () {
    it("notes both without failing", function () {
      const { problems, notes } = compareWithSnapshot([row("a.x", 90_000)], { "a.x": 100_000, "a.gone": 5 });
      expect(problems).to.deep.equal([]);
      expect(notes).to.deep.equal([
        "a.x: 90,000 gas is 11.11% below its snapshot of 100,000: update it",
        "a.gone: in gas-snapshot.json but not measured any more: update the snapshot",
      ]);
    });
  });

  context("when an op costs less than its floor", function () {
    it("notes that its FloorSpec needs recounting, without failing", function () {
      const { problems, notes } = compareWithSnapshot([row("a.x", 21_000)], { "a.x": 21_000 });
      expect(problems).to.deep.equal([]);
      expect(notes).to.deep.equal(["a.x: 21,000 gas is below its floor of 21,016: recount its FloorSpec"]);
    });
  });

  context("with another tolerance", function () {
    it("uses it", function () {
      expect(compareWithSnapshot([row("a.x", 105)], { "a.x": 100 }, 0.05).problems).to.deep.equal([]);
      expect(compareWithSnapshot([row("a.x", 106)], { "a.x": 100 }, 0.05).problems).to.have.length(1);
    });
  });
});

describe("snapshotOf", function () {
  it("maps op to gas with keys sorted", function () {
    const snapshot = snapshotOf([row("b.y", 2), row("a.z", 3), row("a.x", 1)]);
    expect(Object.keys(snapshot)).to.deep.equal(["a.x", "a.z", "b.y"]);
    expect(snapshot).to.deep.equal({ "a.x": 1, "a.z": 3, "b.y": 2 });
  });
});

describe("parseSnapshot", function () {
  it("reads an object of op to gas", function () {
    expect(parseSnapshot('{ "eas.attest": 200272 }')).to.deep.equal({ "eas.attest": 200_272 });
  });

  it("refuses text that is not JSON", function () {
    expect(() => parseSnapshot("{ oops")).to.throw(/gas-snapshot.json is not JSON .*--update/);
  });

  it("refuses an array or a non-object", function () {
    expect(() => parseSnapshot("[]")).to.throw(/must be an object of op → gas/);
    expect(() => parseSnapshot("null")).to.throw(/must be an object of op → gas/);
  });

  it("refuses a gas that is not a positive whole number", function () {
    expect(() => parseSnapshot('{ "eas.attest": "200272" }')).to.throw(/"eas.attest" has "200272"/);
    expect(() => parseSnapshot('{ "eas.attest": 1.5 }')).to.throw(/positive whole gas/);
  });
});

describe("formatTable", function () {
  it("prints op, gas, floor, gas/floor, budget, peer op, peer gas and gas/peer, aligned", function () {
    const table = formatTable([
      { op: "consent.grant", gas: 90_000, floor: 45_000, budget: 120_000, peerOp: "eas.attest", peerGas: 200_000 },
      { op: "eas.attest", gas: 200_000, floor: 180_000, budget: null, peerOp: null, peerGas: null },
    ]);
    const lines = table.split("\n");
    expect(lines[0].split(/\s{2,}/)).to.deep.equal([
      "op",
      "gas",
      "floor",
      "gas/floor",
      "budget",
      "peer op",
      "peer gas",
      "gas/peer",
    ]);
    expect(lines[2].split(/\s{2,}/)).to.deep.equal([
      "consent.grant",
      "90,000",
      "45,000",
      "2.00x",
      "120,000",
      "eas.attest",
      "200,000",
      "0.45x",
    ]);
    expect(lines[3].split(/\s{2,}/)).to.deep.equal(["eas.attest", "200,000", "180,000", "1.11x", "-", "-", "-", "-"]);
    expect(new Set(lines.slice(0, 2).map((l) => l.length)).size).to.equal(1);
  });
});

describe("reportOf", function () {
  it("writes exactly op, gas, floor, budget, peerOp, peerGas, in that order", function () {
    const extra = { ...row("a.x", 1), note: "dropped" } as GasResult;
    expect(Object.keys(reportOf([extra])[0])).to.deep.equal(["op", "gas", "floor", "budget", "peerOp", "peerGas"]);
  });
});
