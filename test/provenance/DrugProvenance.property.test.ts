import { expect } from "chai";
import fc from "fast-check";
import hre, { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import {
  encodeLot,
  inTransit,
  rebuildBatch,
  SerialTree,
  traceBatch,
  UnitStatus,
  type Shipment,
} from "../../src/provenance";
import { deployTestSystem } from "../../tooling/system";

const UNITS = 24;
/** Actors: 0 manufacturer, 1 distributor, 2 pharmacy, 3 second pharmacy; 4 is no trading partner. */
const ACTORS = 5;
const DISPENSERS = new Set([2, 3]);

type Command =
  | { op: "ship"; from: number; to: number; quantity: number }
  | { op: "accept" | "reject" | "cancel"; shipment: number }
  | { op: "dispense"; actor: number; position: number }
  | { op: "destroy"; actor: number; quantity: number }
  | { op: "destroyUnit"; actor: number; position: number }
  | { op: "recall" | "quarantine" | "clearQuarantine" | "confirmIllegitimate" | "expire" };

const actor = fc.integer({ min: 0, max: ACTORS - 1 });
const position = fc.integer({ min: 0, max: UNITS - 1 });
const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant("ship" as const),
      from: actor,
      to: actor,
      quantity: fc.integer({ min: 0, max: 14 }),
    }),
  },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("accept" as const), shipment: fc.nat(12) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("reject" as const), shipment: fc.nat(12) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("cancel" as const), shipment: fc.nat(12) }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant("dispense" as const), actor, position }) },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant("destroy" as const), actor, quantity: fc.integer({ min: 0, max: 5 }) }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("destroyUnit" as const), actor, position }) },
  { weight: 1, arbitrary: fc.constant({ op: "recall" as const }) },
  { weight: 1, arbitrary: fc.constant({ op: "quarantine" as const }) },
  { weight: 1, arbitrary: fc.constant({ op: "clearQuarantine" as const }) },
  { weight: 1, arbitrary: fc.constant({ op: "confirmIllegitimate" as const }) },
  { weight: 1, arbitrary: fc.constant({ op: "expire" as const }) },
);

/** The plain TypeScript model of one batch. */
class Model {
  held = [UNITS, 0, 0, 0, 0];
  dispensed = [0, 0, 0, 0, 0];
  destroyed = [0, 0, 0, 0, 0];
  supplier: (number | null)[] = [0, null, null, null, null];
  shipments: { from: number; to: number; quantity: number; status: "transit" | "done" }[] = [];
  spent = new Map<number, "dispensed" | "destroyed">();
  recalled = false;
  quarantined = false;
  illegitimate = false;
  expired = false;

  /** Applies a command; returns the custom error the contract must revert with, or null on success. */
  apply(c: Command): string | null {
    switch (c.op) {
      case "ship": {
        if (c.quantity === 0) return "ProvenanceQuantityZero";
        if (c.from === c.to) return "ProvenanceShipToSelf";
        if (this.held[c.from] < c.quantity) return "ProvenanceInsufficientHolding";
        if (this.illegitimate) return "ProvenanceBatchIllegitimate";
        if (this.quarantined) return "ProvenanceBatchQuarantined";
        const upstream = c.to === 0 || c.to === this.supplier[c.from];
        if (this.recalled && !upstream) return "ProvenanceBatchRecalled";
        if (this.expired && !upstream) return "ProvenanceBatchExpired";
        if (c.from === 4 || c.to === 4) return "ProvenanceNotTradingPartner";
        this.held[c.from] -= c.quantity;
        this.shipments.push({ from: c.from, to: c.to, quantity: c.quantity, status: "transit" });
        return null;
      }
      case "accept":
      case "reject":
      case "cancel": {
        const s = this.shipments[c.shipment];
        if (s.status !== "transit") return "ProvenanceShipmentNotInTransit";
        s.status = "done";
        if (c.op === "accept") {
          this.held[s.to] += s.quantity;
          if (this.supplier[s.to] === null) this.supplier[s.to] = s.from;
        } else {
          this.held[s.from] += s.quantity;
        }
        return null;
      }
      case "dispense": {
        if (!DISPENSERS.has(c.actor)) return "ProvenanceNotDispenser";
        if (this.illegitimate) return "ProvenanceBatchIllegitimate";
        if (this.recalled) return "ProvenanceBatchRecalled";
        if (this.quarantined) return "ProvenanceBatchQuarantined";
        if (this.expired) return "ProvenanceBatchExpired";
        if (this.held[c.actor] === 0) return "ProvenanceInsufficientHolding";
        const spent = this.spent.get(c.position);
        if (spent !== undefined) {
          return spent === "destroyed" ? "ProvenanceUnitDestroyed" : "ProvenanceUnitAlreadyDispensed";
        }
        this.spent.set(c.position, "dispensed");
        this.held[c.actor] -= 1;
        this.dispensed[c.actor] += 1;
        return null;
      }
      case "destroy": {
        if (c.quantity === 0) return "ProvenanceQuantityZero";
        if (this.held[c.actor] < c.quantity) return "ProvenanceInsufficientHolding";
        this.held[c.actor] -= c.quantity;
        this.destroyed[c.actor] += c.quantity;
        return null;
      }
      case "destroyUnit": {
        if (this.held[c.actor] < 1) return "ProvenanceInsufficientHolding";
        const spent = this.spent.get(c.position);
        if (spent !== undefined) {
          return spent === "destroyed" ? "ProvenanceUnitDestroyed" : "ProvenanceUnitAlreadyDispensed";
        }
        this.spent.set(c.position, "destroyed");
        this.held[c.actor] -= 1;
        this.destroyed[c.actor] += 1;
        return null;
      }
      case "recall":
        if (this.recalled) return "ProvenanceBatchAlreadyRecalled";
        this.recalled = true;
        return null;
      case "quarantine":
        if (this.illegitimate) return "ProvenanceBatchIllegitimate";
        if (this.quarantined) return "ProvenanceBatchAlreadyQuarantined";
        this.quarantined = true;
        return null;
      case "clearQuarantine":
      case "confirmIllegitimate":
        if (!this.quarantined) return "ProvenanceBatchNotQuarantined";
        this.quarantined = false;
        if (c.op === "confirmIllegitimate") this.illegitimate = true;
        return null;
      case "expire":
        this.expired = true;
        return null;
    }
  }

  statusOf(position: number): UnitStatus {
    const spent = this.spent.get(position);
    if (spent === "destroyed") return UnitStatus.Destroyed;
    if (spent === "dispensed") return UnitStatus.Dispensed;
    if (this.illegitimate) return UnitStatus.Illegitimate;
    if (this.recalled) return UnitStatus.Recalled;
    if (this.quarantined) return UnitStatus.Quarantined;
    return this.expired ? UnitStatus.Expired : UnitStatus.Authentic;
  }
}

async function propertyFixture() {
  const signers = await ethers.getSigners();
  const actors = signers.slice(1, 1 + ACTORS) as HardhatEthersSigner[];
  const regulator = signers[1 + ACTORS];
  const { drugProvenance: provenance } = await deployTestSystem(hre, {
    grants: [
      { role: "MANUFACTURER", account: actors[0].address },
      { role: "DISTRIBUTOR", account: actors[1].address },
      { role: "DISPENSER", account: actors[2].address },
      { role: "DISPENSER", account: actors[3].address },
      { role: "REGULATOR", account: regulator.address },
    ],
  });
  const tree = SerialTree.build(Array.from({ length: UNITS }, (_, i) => `PROP${i}`));
  const expiresAt = BigInt(await time.latest()) + 10n * 365n * 86_400n;
  const tx = await provenance
    .connect(actors[0])
    .commission(9506000134352n, encodeLot("PROP-LOT"), expiresAt, UNITS, tree.root, ethers.id("medication"));
  const batchId = (await tx.wait())!.logs[0].topics[1];
  return { provenance, actors, regulator, tree, batchId, expiresAt };
}

describe("DrugProvenance (property)", function () {
  it("conserves quantities and answers unit statuses like a plain model, for random custody sequences", async function () {
    this.timeout(600_000);
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 22 }), async (commands) => {
        const { provenance, actors, regulator, tree, batchId, expiresAt } = await loadFixture(propertyFixture);
        const model = new Model();
        const sent: Shipment[] = [];
        for (const [step, c] of commands.entries()) {
          // Settling commands pick an existing shipment, if any.
          if ((c.op === "accept" || c.op === "reject" || c.op === "cancel") && sent.length === 0) continue;
          const cmd = "shipment" in c ? { ...c, shipment: c.shipment % sent.length } : c;
          const expected = model.apply(cmd);
          let call: Promise<unknown>;
          switch (cmd.op) {
            case "ship": {
              const docs = ethers.id(`docs-${step}`);
              call = provenance.connect(actors[cmd.from]).ship(batchId, actors[cmd.to].address, cmd.quantity, docs);
              if (expected === null) {
                sent.push({
                  batchId,
                  from: actors[cmd.from].address,
                  to: actors[cmd.to].address,
                  quantity: BigInt(cmd.quantity),
                  documentsCommitment: docs,
                });
              }
              break;
            }
            case "accept":
            case "reject": {
              const s = sent[cmd.shipment];
              const receiver = actors.find((a) => a.address === s.to)!;
              call = provenance.connect(receiver)[cmd.op](s);
              break;
            }
            case "cancel": {
              const s = sent[cmd.shipment];
              call = provenance.connect(actors.find((a) => a.address === s.from)!).cancel(s);
              break;
            }
            case "dispense": {
              const u = tree.unit(cmd.position);
              call = provenance.connect(actors[cmd.actor]).dispense(batchId, u.position, u.serial, u.proof);
              break;
            }
            case "destroy":
              call = provenance.connect(actors[cmd.actor]).destroy(batchId, cmd.quantity, ethers.id(`ev-${step}`));
              break;
            case "destroyUnit":
              call = provenance
                .connect(actors[cmd.actor])
                .destroyUnits(batchId, [tree.unit(cmd.position)], ethers.id(`ev-${step}`));
              break;
            case "recall":
              call = provenance.connect(actors[0]).recall(batchId, ethers.id(`recall-${step}`));
              break;
            case "quarantine":
            case "clearQuarantine":
            case "confirmIllegitimate":
              call = provenance.connect(regulator)[cmd.op](batchId, ethers.id(`${cmd.op}-${step}`));
              break;
            case "expire":
              if (BigInt(await time.latest()) < expiresAt) await time.increaseTo(expiresAt);
              call = Promise.resolve();
              break;
          }
          if (expected === null) await expect(call).not.to.be.reverted;
          else await expect(call).to.be.revertedWithCustomError(provenance, expected);
        }
        // Holdings match the model; quantities are conserved; every unit answers like the model.
        let total = 0n;
        for (let i = 0; i < ACTORS; i++) {
          const h = await provenance.holdingOf(batchId, actors[i].address);
          expect([h.quantity, h.dispensed, h.destroyed]).to.deep.equal([
            BigInt(model.held[i]),
            BigInt(model.dispensed[i]),
            BigInt(model.destroyed[i]),
          ]);
          total += h.quantity + h.dispensed + h.destroyed;
        }
        const inFlight = model.shipments.filter((s) => s.status === "transit").reduce((n, s) => n + s.quantity, 0);
        expect(total + BigInt(inFlight)).to.equal(BigInt(UNITS));
        for (let p = 0; p < UNITS; p++) {
          const u = tree.unit(p);
          expect(Number(await provenance.verifyUnit(batchId, u.position, u.serial, u.proof))).to.equal(
            model.statusOf(p),
            `unit ${p}`,
          );
        }
        // The events alone rebuild the same state.
        const state = rebuildBatch(batchId, await traceBatch(provenance, batchId));
        expect(inTransit(state)).to.equal(BigInt(inFlight));
        for (let i = 0; i < ACTORS; i++) {
          const h = state.holdings.get(actors[i].address);
          expect(h?.quantity ?? 0n).to.equal(BigInt(model.held[i]));
        }
      }),
      { numRuns: 50 },
    );
  });
});
