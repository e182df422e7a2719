import { expect } from "chai";
import fc from "fast-check";
import hre, { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { ROLES } from "../../src/authority/roles";
import {
  BatchFlags,
  batchFlagsOf,
  encodeLot,
  inTransit,
  rebuildBatch,
  SerialTree,
  shipUnits,
  traceBatch,
  UnitStatus,
  type Shipment,
} from "../../src/provenance";
import { deployTestSystem } from "../../tooling/system";

const UNITS = 24;
/** Actors: 0 manufacturer, 1 distributor, 2 pharmacy, 3 second pharmacy; 4 is no trading partner; 5 regulator. */
const ACTORS = 5;
const REGULATOR = 5;
const DISPENSERS = new Set([2, 3]);
/** The trading role each of actors 0..3 holds (and may lose and get back). */
const TRADING_ROLES = ["MANUFACTURER", "DISTRIBUTOR", "DISPENSER", "DISPENSER"] as const;

type Command =
  | { op: "ship"; from: number; to: number; quantity: number }
  | { op: "accept" | "reject" | "cancel"; shipment: number }
  | { op: "dispense"; actor: number; position: number }
  | { op: "destroy"; actor: number; quantity: number }
  | { op: "destroyUnit"; actor: number; holder: number; position: number }
  | { op: "recall" | "quarantine"; by: number }
  | { op: "revoke" | "restore"; actor: number }
  | { op: "clearQuarantine" | "confirmIllegitimate" | "expire" };

const actor = fc.integer({ min: 0, max: ACTORS - 1 });
/** Any actor or the regulator. */
const anyone = fc.integer({ min: 0, max: REGULATOR });
const trader = fc.integer({ min: 0, max: TRADING_ROLES.length - 1 });
const position = fc.integer({ min: 0, max: UNITS - 1 });
/** Final or blocking events (recall, illegitimate, expiry) are rare, so that sequences go on trading after them. */
const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.record({
      op: fc.constant("ship" as const),
      // Half the shipments leave the manufacturer, which holds the stock at first.
      from: fc.oneof(fc.constant(0), actor),
      to: actor,
      quantity: fc.integer({ min: 0, max: 14 }),
    }),
  },
  { weight: 6, arbitrary: fc.record({ op: fc.constant("accept" as const), shipment: fc.nat(12) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("reject" as const), shipment: fc.nat(12) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("cancel" as const), shipment: fc.nat(12) }) },
  {
    weight: 8,
    arbitrary: fc.record({
      op: fc.constant("dispense" as const),
      actor: fc.oneof(fc.constantFrom(2, 3), actor),
      position,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant("destroy" as const), actor, quantity: fc.integer({ min: 0, max: 5 }) }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant("destroyUnit" as const),
      // Mostly the accountable parties (the manufacturer for itself, a regulator for anyone), sometimes others.
      actor: fc.oneof(fc.constantFrom(0, REGULATOR), anyone),
      holder: fc.oneof(fc.constant(0), actor),
      position,
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("recall" as const), by: anyone }) },
  { weight: 5, arbitrary: fc.record({ op: fc.constant("quarantine" as const), by: anyone }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("revoke" as const), actor: trader }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("restore" as const), actor: trader }) },
  { weight: 3, arbitrary: fc.constant({ op: "clearQuarantine" as const }) },
  { weight: 1, arbitrary: fc.constant({ op: "confirmIllegitimate" as const }) },
  { weight: 1, arbitrary: fc.constant({ op: "expire" as const }) },
);

/** Shipments the fixture makes and accepts before each sequence, as [from, to, quantity]. */
const OPENING: readonly (readonly [number, number, number])[] = [
  [0, 1, 8],
  [1, 2, 4],
  [0, 3, 4],
];

/** The plain TypeScript model of one batch and of the actors' trading roles. */
class Model {
  /** The fixture's stock: the distributor and both pharmacies already hold units (see {@link OPENING}). */
  held = [UNITS - 12, 4, 4, 4, 0];
  dispensed = [0, 0, 0, 0, 0];
  destroyed = [0, 0, 0, 0, 0];
  supplier: (number | null)[] = [0, 0, 1, 0, null];
  shipments: { from: number; to: number; quantity: number; status: "transit" | "done" }[] = [];
  spent = new Map<number, "dispensed" | "destroyed">();
  /** Whether actors 0..3 hold their trading role now. */
  live = [true, true, true, true];
  recalled = false;
  quarantined = false;
  illegitimate = false;
  cleared = false;
  expired = false;

  partner(i: number): boolean {
    return i < TRADING_ROLES.length && this.live[i];
  }

  /** The batch's manufacturer with its role, or a regulator: who answers for the batch. */
  accountable(i: number): boolean {
    return (i === 0 && this.live[0]) || i === REGULATOR;
  }

  flags(): number {
    return (
      (this.recalled ? BatchFlags.RECALLED : 0) |
      (this.quarantined ? BatchFlags.QUARANTINED : 0) |
      (this.illegitimate ? BatchFlags.ILLEGITIMATE : 0) |
      (this.cleared ? BatchFlags.CLEARED : 0)
    );
  }

  /** Applies a command; returns the custom error the contract must revert with, or null on success. */
  apply(c: Command): string | null {
    switch (c.op) {
      case "ship": {
        if (c.quantity === 0) return "ProvenanceQuantityZero";
        if (c.from === c.to) return "ProvenanceReceiverIsSender";
        if (this.held[c.from] < c.quantity) return "ProvenanceHoldingInsufficient";
        if (this.illegitimate) return "ProvenanceBatchIllegitimate";
        if (this.quarantined) return "ProvenanceBatchQuarantined";
        const upstream = c.to === 0 || c.to === this.supplier[c.from];
        if (this.recalled && !upstream) return "ProvenanceBatchRecalled";
        if (this.expired && !upstream) return "ProvenanceBatchExpired";
        if (!this.partner(c.from) || !this.partner(c.to)) return "ProvenanceAccountNotTradingPartner";
        this.held[c.from] -= c.quantity;
        this.shipments.push({ from: c.from, to: c.to, quantity: c.quantity, status: "transit" });
        return null;
      }
      case "accept":
      case "reject":
      case "cancel": {
        const s = this.shipments[c.shipment];
        if (s.status !== "transit") return "ProvenanceShipmentNotInTransit";
        if (c.op === "accept") {
          // Only a trading partner takes custody; rejecting and cancelling are open to a revoked party.
          if (!this.partner(s.to)) return "ProvenanceAccountNotTradingPartner";
          this.held[s.to] += s.quantity;
          if (this.supplier[s.to] === null) this.supplier[s.to] = s.from;
        } else {
          this.held[s.from] += s.quantity;
        }
        s.status = "done";
        return null;
      }
      case "dispense": {
        if (!DISPENSERS.has(c.actor) || !this.live[c.actor]) return "HealthLedgerRoleMissing";
        if (this.illegitimate) return "ProvenanceBatchIllegitimate";
        if (this.recalled) return "ProvenanceBatchRecalled";
        if (this.quarantined) return "ProvenanceBatchQuarantined";
        if (this.expired) return "ProvenanceBatchExpired";
        if (this.held[c.actor] === 0) return "ProvenanceHoldingInsufficient";
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
        if (!this.partner(c.actor)) return "ProvenanceAccountNotTradingPartner";
        if (this.held[c.actor] < c.quantity) return "ProvenanceHoldingInsufficient";
        this.held[c.actor] -= c.quantity;
        this.destroyed[c.actor] += c.quantity;
        return null;
      }
      case "destroyUnit": {
        // By serial: the manufacturer from its own stock, a regulator from anyone's.
        const byManufacturer = c.actor === 0 && c.holder === 0 && this.live[0];
        if (!byManufacturer && c.actor !== REGULATOR) return "ProvenanceDestructionUnauthorized";
        if (this.held[c.holder] < 1) return "ProvenanceHoldingInsufficient";
        const spent = this.spent.get(c.position);
        if (spent !== undefined) {
          return spent === "destroyed" ? "ProvenanceUnitDestroyed" : "ProvenanceUnitAlreadyDispensed";
        }
        this.spent.set(c.position, "destroyed");
        this.held[c.holder] -= 1;
        this.destroyed[c.holder] += 1;
        return null;
      }
      case "recall":
        if (!this.accountable(c.by)) return "ProvenanceRecallUnauthorized";
        if (this.recalled) return "ProvenanceBatchAlreadyRecalled";
        this.recalled = true;
        return null;
      case "quarantine":
        if (!this.accountable(c.by)) {
          // A holder that is a trading partner, until a regulator first cleared the batch.
          if (c.by === REGULATOR || this.held[c.by] === 0 || !this.partner(c.by)) {
            return "ProvenanceQuarantineUnauthorized";
          }
          if (this.cleared) return "ProvenanceBatchCleared";
        }
        if (this.illegitimate) return "ProvenanceBatchIllegitimate";
        if (this.quarantined) return "ProvenanceBatchAlreadyQuarantined";
        this.quarantined = true;
        return null;
      case "clearQuarantine":
      case "confirmIllegitimate":
        if (!this.quarantined) return "ProvenanceBatchNotQuarantined";
        this.quarantined = false;
        if (c.op === "confirmIllegitimate") this.illegitimate = true;
        else this.cleared = true;
        return null;
      case "revoke":
      case "restore":
        this.live[c.actor] = c.op === "restore";
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
  const { drugProvenance: provenance, authority } = await deployTestSystem(hre, {
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
  for (const [from, to, quantity] of OPENING) {
    const { shipment } = await shipUnits(
      provenance.connect(actors[from]),
      batchId,
      actors[to].address,
      quantity,
      ethers.id(`opening-${from}-${to}`),
    );
    await provenance.connect(actors[to]).accept(shipment);
  }
  return { provenance, authority, actors, regulator, tree, batchId, expiresAt };
}

describe("DrugProvenance (property)", function () {
  it("conserves quantities and answers unit statuses like a plain model, for random custody, quarantine, destruction and role sequences", async function () {
    this.timeout(600_000);
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 8, maxLength: 32, size: "max" }), async (commands) => {
        const { provenance, authority, actors, regulator, tree, batchId, expiresAt } =
          await loadFixture(propertyFixture);
        const signer = (i: number) => (i === REGULATOR ? regulator : actors[i]);
        const model = new Model();
        const sent: Shipment[] = [];
        for (const [step, c] of commands.entries()) {
          // Settling commands pick a shipment in transit if there is one, else any shipment (and fail).
          if ((c.op === "accept" || c.op === "reject" || c.op === "cancel") && sent.length === 0) continue;
          const open = model.shipments.flatMap((s, i) => (s.status === "transit" ? [i] : []));
          const pick = (n: number) => (open.length > 0 ? open[n % open.length] : n % sent.length);
          const cmd = "shipment" in c ? { ...c, shipment: pick(c.shipment) } : c;
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
                .connect(signer(cmd.actor))
                .destroyUnits(batchId, actors[cmd.holder].address, [tree.unit(cmd.position)], ethers.id(`ev-${step}`));
              break;
            case "recall":
            case "quarantine":
              call = provenance.connect(signer(cmd.by))[cmd.op](batchId, ethers.id(`${cmd.op}-${step}`));
              break;
            case "clearQuarantine":
            case "confirmIllegitimate":
              call = provenance.connect(regulator)[cmd.op](batchId, ethers.id(`${cmd.op}-${step}`));
              break;
            case "revoke":
              call = authority.revokeRole(ROLES[TRADING_ROLES[cmd.actor]], actors[cmd.actor].address);
              break;
            case "restore":
              call = authority.grantRole(ROLES[TRADING_ROLES[cmd.actor]], actors[cmd.actor].address, 0);
              break;
            case "expire":
              if (BigInt(await time.latest()) < expiresAt) await time.increaseTo(expiresAt);
              call = Promise.resolve();
              break;
          }
          if (expected === null) await expect(call).not.to.be.reverted;
          else await expect(call).to.be.revertedWithCustomError(provenance, expected);
        }
        // Flags, holdings and unit statuses match the model; quantities are conserved.
        expect(Number((await provenance.batch(batchId)).flags)).to.equal(model.flags());
        let total = 0n;
        for (let i = 0; i < ACTORS; i++) {
          const h = await provenance.holding(batchId, actors[i].address);
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
        expect(batchFlagsOf(state)).to.equal(model.flags());
        for (let i = 0; i < ACTORS; i++) {
          const h = state.holdings.get(actors[i].address);
          expect(h?.quantity ?? 0n).to.equal(BigInt(model.held[i]));
        }
      }),
      { numRuns: 50 },
    );
  });
});
