import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { grantRoles } from "../../src/authority/permissions";
import { ROLES, type RoleName } from "../../src/authority/roles";
import {
  BatchFlags,
  batchIdOf,
  encodeLot,
  SerialTree,
  ShipmentStatus,
  shipmentIdOf,
  shipUnits,
  UnitStatus,
  type Shipment,
  type UnitProof,
} from "../../src/provenance";
import { DrugProvenance__factory } from "../../typechain-types";
import { shouldBehaveLikeRestricted } from "../shared/restricted";
import { c, deployFixture, distributedFixture, send, SERIALS, YEAR } from "./fixture";

const ZERO = ethers.ZeroHash;

function args(u: UnitProof): [bigint, string, string[]] {
  return [u.position, u.serial, u.proof];
}

type Fixture = Awaited<ReturnType<typeof distributedFixture>>;

/** The distributed fixture for the shared access-control behaviour, kept so that its cases can reach it. */
let shared: Fixture;
async function restrictedFixture() {
  shared = await distributedFixture();
  return { authority: shared.authority, target: shared.provenance };
}

async function holdsRole(role: RoleName, account: HardhatEthersSigner): Promise<boolean> {
  return (await shared.authority.hasRole(ROLES[role], account.address))[0];
}

/** Gives `subject` (a trading partner) 10 units of the shared batch. */
async function stock(subject: HardhatEthersSigner): Promise<void> {
  const { provenance, manufacturer, batchId } = shared;
  const sent = await shipUnits(provenance.connect(manufacturer), batchId, subject.address, 10, c("restricted-stock"));
  await provenance.connect(subject).accept(sent.shipment);
}

/** A batch `subject` (a MANUFACTURER) commissions itself, with the fixture's serials. */
async function ownBatch(subject: HardhatEthersSigner): Promise<string> {
  const { provenance, tree, gtin, expiresAt } = shared;
  await provenance
    .connect(subject)
    .commission(gtin, encodeLot("OWN-LOT"), expiresAt, tree.unitCount, tree.root, c("m"));
  return batchIdOf(gtin, encodeLot("OWN-LOT"));
}

/** What a case's `prepare` chose for its `send` (each test of the shared behaviour prepares, then sends). */
let target: { batchId: string; holder: string; shipment?: Shipment } = { batchId: ZERO, holder: ethers.ZeroAddress };

shouldBehaveLikeRestricted("DrugProvenance", restrictedFixture, {
  "commission(uint64,bytes32,uint40,uint32,bytes32,bytes32)": {
    send: (s) =>
      shared.provenance
        .connect(s)
        .commission(shared.gtin, encodeLot("NEW"), shared.expiresAt, 1, shared.tree.root, c("m")),
  },
  "clearQuarantine(bytes32,bytes32)": {
    prepare: () => shared.provenance.connect(shared.regulator).quarantine(shared.batchId, c("q")),
    send: (s) => shared.provenance.connect(s).clearQuarantine(shared.batchId, c("ok")),
  },
  "confirmIllegitimate(bytes32,bytes32)": {
    prepare: () => shared.provenance.connect(shared.regulator).quarantine(shared.batchId, c("q")),
    send: (s) => shared.provenance.connect(s).confirmIllegitimate(shared.batchId, c("fake")),
  },
  "ship(bytes32,address,uint32,bytes32)": {
    prepare: stock,
    send: (s) => shared.provenance.connect(s).ship(shared.batchId, shared.distributor.address, 1, c("d")),
    error: "ProvenanceAccountNotTradingPartner",
    delayedError: "ProvenanceAccountNotTradingPartner",
  },
  "accept((bytes32,address,address,uint32,bytes32))": {
    prepare: async (s) => {
      const { provenance, manufacturer, batchId } = shared;
      const sent = await shipUnits(provenance.connect(manufacturer), batchId, s.address, 10, c("to-subject"));
      target = { batchId, holder: s.address, shipment: sent.shipment };
    },
    send: (s) => shared.provenance.connect(s).accept(target.shipment!),
    error: "ProvenanceAccountNotTradingPartner",
    delayedError: "ProvenanceAccountNotTradingPartner",
  },
  "dispense(bytes32,uint256,string,bytes32[])": {
    prepare: stock,
    send: (s) => shared.provenance.connect(s).dispense(shared.batchId, ...args(shared.tree.unit(500))),
  },
  "destroy(bytes32,uint32,bytes32)": {
    prepare: stock,
    send: (s) => shared.provenance.connect(s).destroy(shared.batchId, 1, c("cert")),
    error: "ProvenanceAccountNotTradingPartner",
    delayedError: "ProvenanceAccountNotTradingPartner",
  },
  "destroyUnits(bytes32,address,(uint256,string,bytes32[])[],bytes32)": {
    // A manufacturer destroys from its own batch's stock; a regulator from a holder's.
    prepare: async (s) => {
      target = (await holdsRole("MANUFACTURER", s))
        ? { batchId: await ownBatch(s), holder: s.address }
        : { batchId: shared.batchId, holder: shared.distributor.address };
    },
    send: (s) =>
      shared.provenance.connect(s).destroyUnits(target.batchId, target.holder, [shared.tree.unit(3)], c("e")),
    error: "ProvenanceDestructionUnauthorized",
    delayedError: "ProvenanceDestructionUnauthorized",
  },
  "recall(bytes32,bytes32)": {
    prepare: async (s) => {
      target = {
        batchId: (await holdsRole("MANUFACTURER", s)) ? await ownBatch(s) : shared.batchId,
        holder: s.address,
      };
    },
    send: (s) => shared.provenance.connect(s).recall(target.batchId, c("notice")),
    error: "ProvenanceRecallUnauthorized",
    delayedError: "ProvenanceRecallUnauthorized",
  },
  "quarantine(bytes32,bytes32)": {
    // A manufacturer quarantines its own batch; other trading partners one they hold; a regulator any.
    prepare: async (s) => {
      let batchId: string = shared.batchId;
      if (await holdsRole("MANUFACTURER", s)) batchId = await ownBatch(s);
      else if (await shared.provenance.isTradingPartner(s.address)) await stock(s);
      target = { batchId, holder: s.address };
    },
    send: (s) => shared.provenance.connect(s).quarantine(target.batchId, c("suspect")),
    error: "ProvenanceQuarantineUnauthorized",
    delayedError: "ProvenanceQuarantineUnauthorized",
  },
  "reportSuspect(bytes32,(uint256,string,bytes32[]),bytes32)": {
    send: (s) => shared.provenance.connect(s).reportSuspect(shared.batchId, shared.tree.unit(1), c("report")),
    error: "ProvenanceReportUnauthorized",
    delayedError: "ProvenanceReportUnauthorized",
  },
});

describe("DrugProvenance", function () {
  describe("constructor", function () {
    it("refuses an authority address that is not an AccessManager", async function () {
      const { provenance, stranger, forwarder } = await loadFixture(deployFixture);
      const factory = new DrugProvenance__factory(stranger);
      for (const address of [stranger.address, await provenance.getAddress()]) {
        await expect(factory.deploy(address, await forwarder.getAddress()))
          .to.be.revertedWithCustomError(provenance, "HealthLedgerContractInvalid")
          .withArgs(address);
      }
    });
  });

  describe("commission", function () {
    context("when a MANUFACTURER commissions a new batch", function () {
      it("stores the batch, gives the manufacturer every unit and emits BatchCommissioned", async function () {
        const { provenance, manufacturer2, tree } = await loadFixture(deployFixture);
        const expiresAt = BigInt(await time.latest()) + YEAR;
        const lot = encodeLot("L2");
        const gtin = 9506000134352n;
        const batchId = batchIdOf(gtin, "L2");
        await expect(
          provenance.connect(manufacturer2).commission(gtin, lot, expiresAt, tree.unitCount, tree.root, c("med")),
        )
          .to.emit(provenance, "BatchCommissioned")
          .withArgs(batchId, manufacturer2.address, gtin, lot, expiresAt, tree.unitCount, tree.root, c("med"));
        const batch = await provenance.batch(batchId);
        expect(batch.manufacturer).to.equal(manufacturer2.address);
        expect(batch.expiresAt).to.equal(expiresAt);
        expect(batch.unitCount).to.equal(BigInt(tree.unitCount));
        expect(batch.flags).to.equal(0n);
        expect(batch.serialRoot).to.equal(tree.root);
        const holding = await provenance.holding(batchId, manufacturer2.address);
        expect(holding.quantity).to.equal(BigInt(tree.unitCount));
        expect(holding.supplier).to.equal(manufacturer2.address);
      });

      it("costs the same for 1 unit as for 1,000,000 units", async function () {
        const { provenance, manufacturer2, tree } = await loadFixture(deployFixture);
        const expiresAt = BigInt(await time.latest()) + YEAR;
        const small = await (
          await provenance
            .connect(manufacturer2)
            .commission(9506000134352n, encodeLot("ONE"), expiresAt, 1, tree.root, c("m1"))
        ).wait();
        const large = await (
          await provenance
            .connect(manufacturer2)
            .commission(9506000134352n, encodeLot("MIL"), expiresAt, 1_000_000, tree.root, c("m2"))
        ).wait();
        // Only a few calldata bytes differ (unit count, lot, commitment): 12 gas per byte that turns non-zero.
        const diff = large!.gasUsed - small!.gasUsed;
        expect(diff < 0n ? -diff : diff).to.be.lessThanOrEqual(100n);
      });
    });

    context("when the input is malformed", function () {
      it("reverts with a named error for each bad field and for an existing batch", async function () {
        const { provenance, manufacturer, manufacturer2, tree, expiresAt, gtin, lot, batchId } =
          await loadFixture(deployFixture);
        const m = provenance.connect(manufacturer2);
        await expect(m.commission(0n, lot, expiresAt, 1, tree.root, c("m")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceGtinInvalid")
          .withArgs(0n);
        await expect(m.commission(100_000_000_000_000n, lot, expiresAt, 1, tree.root, c("m")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceGtinInvalid")
          .withArgs(100_000_000_000_000n);
        await expect(m.commission(gtin, ZERO, expiresAt, 1, tree.root, c("m"))).to.be.revertedWithCustomError(
          provenance,
          "ProvenanceLotMissing",
        );
        const now = BigInt(await time.latest());
        await expect(m.commission(gtin, encodeLot("L9"), now, 1, tree.root, c("m")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceExpiryInPast")
          .withArgs(now, now + 1n);
        await expect(
          m.commission(gtin, encodeLot("L9"), expiresAt, 0, tree.root, c("m")),
        ).to.be.revertedWithCustomError(provenance, "ProvenanceQuantityZero");
        await expect(m.commission(gtin, encodeLot("L9"), expiresAt, 1, ZERO, c("m"))).to.be.revertedWithCustomError(
          provenance,
          "ProvenanceCommitmentMissing",
        );
        await expect(m.commission(gtin, encodeLot("L9"), expiresAt, 1, tree.root, ZERO)).to.be.revertedWithCustomError(
          provenance,
          "ProvenanceCommitmentMissing",
        );
        for (const caller of [manufacturer, manufacturer2]) {
          await expect(provenance.connect(caller).commission(gtin, lot, expiresAt, 1, tree.root, c("m")))
            .to.be.revertedWithCustomError(provenance, "ProvenanceBatchExists")
            .withArgs(batchId);
        }
      });
    });
  });

  describe("ship", function () {
    context("when a holder ships to a trading partner", function () {
      it("moves the units into transit and emits ShipmentSent, indexed by shipment, batch and receiver", async function () {
        const { provenance, manufacturer, distributor, batchId } = await loadFixture(deployFixture);
        const shipment: Shipment = {
          batchId,
          from: manufacturer.address,
          to: distributor.address,
          quantity: 250n,
          documentsCommitment: c("asn"),
        };
        const shipmentId = shipmentIdOf(shipment);
        await expect(provenance.connect(manufacturer).ship(batchId, distributor.address, 250, c("asn")))
          .to.emit(provenance, "ShipmentSent")
          .withArgs(shipmentId, batchId, manufacturer.address, distributor.address, 250, c("asn"));
        expect((await provenance.holding(batchId, manufacturer.address)).quantity).to.equal(350n);
        expect(await provenance.shipmentStatus(shipmentId)).to.equal(BigInt(ShipmentStatus.InTransit));
        expect((await provenance.holding(batchId, distributor.address)).quantity).to.equal(0n);
        // Like ShipmentAccepted/Rejected/Cancelled, the shipment id is a topic: its event is found from the id.
        const [log] = await provenance.queryFilter(provenance.filters.ShipmentSent(shipmentId));
        expect(log.args.quantity).to.equal(250n);
        const [byReceiver] = await provenance.queryFilter(
          provenance.filters.ShipmentSent(undefined, batchId, undefined, distributor.address),
        );
        expect(byReceiver.args.shipmentId).to.equal(shipmentId);
      });
    });

    context("when the input is wrong", function () {
      it("reverts for an unknown batch, zero quantity, missing documents, oneself and too many units", async function () {
        const { provenance, manufacturer, distributor, batchId } = await loadFixture(deployFixture);
        const m = provenance.connect(manufacturer);
        await expect(m.ship(c("nope"), distributor.address, 1, c("d")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceBatchUnknown")
          .withArgs(c("nope"));
        await expect(m.ship(batchId, distributor.address, 0, c("d"))).to.be.revertedWithCustomError(
          provenance,
          "ProvenanceQuantityZero",
        );
        await expect(m.ship(batchId, distributor.address, 1, ZERO)).to.be.revertedWithCustomError(
          provenance,
          "ProvenanceCommitmentMissing",
        );
        await expect(m.ship(batchId, manufacturer.address, 1, c("d")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceReceiverIsSender")
          .withArgs(batchId, manufacturer.address);
        await expect(m.ship(batchId, distributor.address, 601, c("d")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceHoldingInsufficient")
          .withArgs(batchId, manufacturer.address, 601, 600);
        expect((await provenance.holding(batchId, manufacturer.address)).quantity).to.equal(600n);
      });

      it("reverts when the same shipment (same documents) is sent twice", async function () {
        const f = await loadFixture(deployFixture);
        const first = await send(f, f.manufacturer, f.distributor.address, 10, "same-docs");
        await expect(f.provenance.connect(f.manufacturer).ship(f.batchId, f.distributor.address, 10, c("same-docs")))
          .to.be.revertedWithCustomError(f.provenance, "ProvenanceShipmentExists")
          .withArgs(first.shipmentId);
      });
    });

    context("when a party is not a trading partner", function () {
      it("reverts for a receiver without a supply-chain role", async function () {
        const { provenance, manufacturer, stranger, regulator, batchId } = await loadFixture(deployFixture);
        for (const to of [stranger, regulator]) {
          await expect(provenance.connect(manufacturer).ship(batchId, to.address, 1, c("d")))
            .to.be.revertedWithCustomError(provenance, "ProvenanceAccountNotTradingPartner")
            .withArgs(to.address);
        }
      });

      it("reverts for a manufacturer that lost every supply-chain role, and accepts one that is still a distributor", async function () {
        const { provenance, authority, admin, manufacturer, distributor, batchId } = await loadFixture(deployFixture);
        await authority.connect(admin).revokeRole(ROLES.MANUFACTURER, manufacturer.address);
        await expect(provenance.connect(manufacturer).ship(batchId, distributor.address, 1, c("d")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceAccountNotTradingPartner")
          .withArgs(manufacturer.address);
        await grantRoles(authority.connect(admin), [{ role: "DISTRIBUTOR", account: manufacturer.address }]);
        await expect(provenance.connect(manufacturer).ship(batchId, distributor.address, 1, c("d"))).to.emit(
          provenance,
          "ShipmentSent",
        );
      });

      it("reverts when a stranger ships units it does not hold", async function () {
        const { provenance, stranger, distributor, batchId } = await loadFixture(deployFixture);
        await expect(provenance.connect(stranger).ship(batchId, distributor.address, 1, c("d")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceHoldingInsufficient")
          .withArgs(batchId, stranger.address, 1, 0);
      });
    });

    context("when the batch is recalled or expired", function () {
      it("refuses shipping downstream but allows it back to the manufacturer or the supplier", async function () {
        const f = await loadFixture(distributedFixture);
        const { provenance, manufacturer, distributor, pharmacy, pharmacy2, batchId } = f;
        await provenance.connect(manufacturer).recall(batchId, c("recall"));
        await expect(provenance.connect(distributor).ship(batchId, pharmacy2.address, 1, c("d")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceBatchRecalled")
          .withArgs(batchId);
        await expect(provenance.connect(pharmacy).ship(batchId, distributor.address, 5, c("ret-1"))).to.emit(
          provenance,
          "ShipmentSent",
        );
        await expect(provenance.connect(pharmacy).ship(batchId, manufacturer.address, 5, c("ret-2"))).to.emit(
          provenance,
          "ShipmentSent",
        );
        await expect(provenance.connect(distributor).ship(batchId, manufacturer.address, 5, c("ret-3"))).to.emit(
          provenance,
          "ShipmentSent",
        );
      });

      it("refuses shipping an expired batch downstream, with its expiry", async function () {
        const f = await loadFixture(distributedFixture);
        const { provenance, manufacturer, distributor, pharmacy2, batchId, expiresAt } = f;
        await time.increaseTo(expiresAt);
        await expect(provenance.connect(distributor).ship(batchId, pharmacy2.address, 1, c("d")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceBatchExpired")
          .withArgs(batchId, expiresAt);
        await expect(provenance.connect(distributor).ship(batchId, manufacturer.address, 1, c("d"))).to.emit(
          provenance,
          "ShipmentSent",
        );
      });
    });

    context("when the batch is quarantined or illegitimate", function () {
      it("refuses every shipment, even back to the manufacturer", async function () {
        const f = await loadFixture(distributedFixture);
        const { provenance, manufacturer, distributor, regulator, batchId } = f;
        await provenance.connect(distributor).quarantine(batchId, c("suspect"));
        await expect(provenance.connect(distributor).ship(batchId, manufacturer.address, 1, c("d")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceBatchQuarantined")
          .withArgs(batchId);
        await provenance.connect(regulator).confirmIllegitimate(batchId, c("fake"));
        await expect(provenance.connect(distributor).ship(batchId, manufacturer.address, 1, c("d")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceBatchIllegitimate")
          .withArgs(batchId);
      });

      it("ships again once a regulator cleared the quarantine", async function () {
        const f = await loadFixture(distributedFixture);
        const { provenance, distributor, pharmacy2, regulator, batchId } = f;
        await provenance.connect(distributor).quarantine(batchId, c("suspect"));
        await provenance.connect(regulator).clearQuarantine(batchId, c("ok"));
        await expect(provenance.connect(distributor).ship(batchId, pharmacy2.address, 1, c("d"))).to.emit(
          provenance,
          "ShipmentSent",
        );
      });
    });
  });

  describe("accept", function () {
    context("when the receiver accepts a shipment in transit", function () {
      it("moves custody, records the supplier and emits ShipmentAccepted", async function () {
        const f = await loadFixture(deployFixture);
        const { provenance, manufacturer, distributor, batchId } = f;
        const sent = await send(f, manufacturer, distributor.address, 40, "asn");
        await expect(provenance.connect(distributor).accept(sent.shipment))
          .to.emit(provenance, "ShipmentAccepted")
          .withArgs(sent.shipmentId, batchId, distributor.address);
        const holding = await provenance.holding(batchId, distributor.address);
        expect(holding.quantity).to.equal(40n);
        expect(holding.supplier).to.equal(manufacturer.address);
        expect(await provenance.shipmentStatus(sent.shipmentId)).to.equal(BigInt(ShipmentStatus.Accepted));
      });

      it("keeps the first supplier when a second supplier ships the same batch", async function () {
        const f = await loadFixture(distributedFixture);
        const { provenance, manufacturer, pharmacy, distributor, batchId } = f;
        const direct = await send(f, manufacturer, pharmacy.address, 10, "direct");
        await provenance.connect(pharmacy).accept(direct.shipment);
        const holding = await provenance.holding(batchId, pharmacy.address);
        expect(holding.quantity).to.equal(110n);
        expect(holding.supplier).to.equal(distributor.address);
      });
    });

    context("when the shipment or the caller is wrong", function () {
      it("reverts for a shipment with altered fields, a settled one, and a caller who is not the receiver", async function () {
        const f = await loadFixture(deployFixture);
        const { provenance, manufacturer, distributor, stranger } = f;
        const sent = await send(f, manufacturer, distributor.address, 40, "asn");
        const altered = { ...sent.shipment, quantity: 41n };
        await expect(provenance.connect(distributor).accept(altered))
          .to.be.revertedWithCustomError(provenance, "ProvenanceShipmentNotInTransit")
          .withArgs(shipmentIdOf(altered), ShipmentStatus.None);
        for (const caller of [stranger, manufacturer]) {
          await expect(provenance.connect(caller).accept(sent.shipment))
            .to.be.revertedWithCustomError(provenance, "ProvenanceCallerNotReceiver")
            .withArgs(sent.shipmentId, caller.address);
        }
        await provenance.connect(distributor).accept(sent.shipment);
        await expect(provenance.connect(distributor).accept(sent.shipment))
          .to.be.revertedWithCustomError(provenance, "ProvenanceShipmentNotInTransit")
          .withArgs(sent.shipmentId, ShipmentStatus.Accepted);
      });

      it("refuses a receiver that lost its trading role after the shipment left, which may still reject it", async function () {
        const f = await loadFixture(deployFixture);
        const { provenance, authority, admin, manufacturer, distributor } = f;
        const sent = await send(f, manufacturer, distributor.address, 40, "asn");
        await authority.connect(admin).revokeRole(ROLES.DISTRIBUTOR, distributor.address);
        await expect(provenance.connect(distributor).accept(sent.shipment))
          .to.be.revertedWithCustomError(provenance, "ProvenanceAccountNotTradingPartner")
          .withArgs(distributor.address);
        // Wind-down: it can still refuse the goods, which returns them.
        await provenance.connect(distributor).reject(sent.shipment);
        expect((await provenance.holding(f.batchId, manufacturer.address)).quantity).to.equal(600n);
      });
    });
  });

  describe("reject", function () {
    context("when the receiver rejects a shipment in transit", function () {
      it("returns the units to the sender and emits ShipmentRejected", async function () {
        const f = await loadFixture(deployFixture);
        const { provenance, manufacturer, distributor, batchId } = f;
        const sent = await send(f, manufacturer, distributor.address, 40, "asn");
        await expect(provenance.connect(distributor).reject(sent.shipment))
          .to.emit(provenance, "ShipmentRejected")
          .withArgs(sent.shipmentId, batchId, distributor.address);
        expect((await provenance.holding(batchId, manufacturer.address)).quantity).to.equal(600n);
        expect((await provenance.holding(batchId, distributor.address)).quantity).to.equal(0n);
        expect(await provenance.shipmentStatus(sent.shipmentId)).to.equal(BigInt(ShipmentStatus.Rejected));
      });
    });

    context("when the caller is not the receiver or the shipment is settled", function () {
      it("reverts with a named error", async function () {
        const f = await loadFixture(deployFixture);
        const { provenance, manufacturer, distributor } = f;
        const sent = await send(f, manufacturer, distributor.address, 40, "asn");
        await expect(provenance.connect(manufacturer).reject(sent.shipment))
          .to.be.revertedWithCustomError(provenance, "ProvenanceCallerNotReceiver")
          .withArgs(sent.shipmentId, manufacturer.address);
        await provenance.connect(manufacturer).cancel(sent.shipment);
        await expect(provenance.connect(distributor).reject(sent.shipment))
          .to.be.revertedWithCustomError(provenance, "ProvenanceShipmentNotInTransit")
          .withArgs(sent.shipmentId, ShipmentStatus.Cancelled);
      });
    });
  });

  describe("cancel", function () {
    context("when the sender cancels before acceptance", function () {
      it("returns the units to the sender and emits ShipmentCancelled, also after the sender lost its role", async function () {
        const f = await loadFixture(deployFixture);
        const { provenance, authority, admin, manufacturer, distributor, batchId } = f;
        const sent = await send(f, manufacturer, distributor.address, 40, "asn");
        // Wind-down: a sender whose role was revoked calls its goods back (it can do nothing else with them).
        await authority.connect(admin).revokeRole(ROLES.MANUFACTURER, manufacturer.address);
        await expect(provenance.connect(manufacturer).cancel(sent.shipment))
          .to.emit(provenance, "ShipmentCancelled")
          .withArgs(sent.shipmentId, batchId, manufacturer.address);
        expect((await provenance.holding(batchId, manufacturer.address)).quantity).to.equal(600n);
        expect(await provenance.shipmentStatus(sent.shipmentId)).to.equal(BigInt(ShipmentStatus.Cancelled));
      });
    });

    context("when the caller is not the sender or the shipment was accepted", function () {
      it("reverts with a named error", async function () {
        const f = await loadFixture(deployFixture);
        const { provenance, manufacturer, distributor, stranger } = f;
        const sent = await send(f, manufacturer, distributor.address, 40, "asn");
        for (const caller of [distributor, stranger]) {
          await expect(provenance.connect(caller).cancel(sent.shipment))
            .to.be.revertedWithCustomError(provenance, "ProvenanceCallerNotSender")
            .withArgs(sent.shipmentId, caller.address);
        }
        await provenance.connect(distributor).accept(sent.shipment);
        await expect(provenance.connect(manufacturer).cancel(sent.shipment))
          .to.be.revertedWithCustomError(provenance, "ProvenanceShipmentNotInTransit")
          .withArgs(sent.shipmentId, ShipmentStatus.Accepted);
      });
    });
  });

  describe("dispense", function () {
    context("when a DISPENSER holding the batch dispenses an authentic unit", function () {
      it("marks the unit dispensed, debits the holding and emits UnitDispensed", async function () {
        const { provenance, pharmacy, batchId, tree } = await loadFixture(distributedFixture);
        const unit = tree.unit(257);
        expect(await provenance.verifyUnit(batchId, ...args(unit))).to.equal(BigInt(UnitStatus.Authentic));
        await expect(provenance.connect(pharmacy).dispense(batchId, ...args(unit)))
          .to.emit(provenance, "UnitDispensed")
          .withArgs(batchId, pharmacy.address, 257n);
        expect(await provenance.verifyUnit(batchId, ...args(unit))).to.equal(BigInt(UnitStatus.Dispensed));
        const holding = await provenance.holding(batchId, pharmacy.address);
        expect(holding.quantity).to.equal(99n);
        expect(holding.dispensed).to.equal(1n);
        // Its neighbours in the same bitmap word are untouched.
        expect(await provenance.verifyUnit(batchId, ...args(tree.unit(256)))).to.equal(BigInt(UnitStatus.Authentic));
      });
    });

    context("when the same serial is dispensed twice (a cloned pack)", function () {
      it("reverts with ProvenanceUnitAlreadyDispensed", async function () {
        const f = await loadFixture(distributedFixture);
        const { provenance, pharmacy, pharmacy2, distributor, batchId, tree } = f;
        const unit = tree.unit(5);
        await provenance.connect(pharmacy).dispense(batchId, ...args(unit));
        await expect(provenance.connect(pharmacy).dispense(batchId, ...args(unit)))
          .to.be.revertedWithCustomError(provenance, "ProvenanceUnitAlreadyDispensed")
          .withArgs(batchId, 5n);
        // Another pharmacy with stock of the batch is refused too.
        const sent = await send(f, distributor, pharmacy2.address, 3, "p2");
        await provenance.connect(pharmacy2).accept(sent.shipment);
        await expect(provenance.connect(pharmacy2).dispense(batchId, ...args(unit)))
          .to.be.revertedWithCustomError(provenance, "ProvenanceUnitAlreadyDispensed")
          .withArgs(batchId, 5n);
      });
    });

    context("when the caller is not a dispenser or holds none of the batch", function () {
      it("reverts with the shared HealthLedgerRoleMissing (formerly ProvenanceNotDispenser) or an insufficient holding", async function () {
        const { provenance, distributor, stranger, pharmacy2, batchId, tree } = await loadFixture(distributedFixture);
        for (const caller of [distributor, stranger]) {
          await expect(provenance.connect(caller).dispense(batchId, ...args(tree.unit(1))))
            .to.be.revertedWithCustomError(provenance, "HealthLedgerRoleMissing")
            .withArgs(caller.address, ROLES.DISPENSER);
        }
        await expect(provenance.connect(pharmacy2).dispense(batchId, ...args(tree.unit(1))))
          .to.be.revertedWithCustomError(provenance, "ProvenanceHoldingInsufficient")
          .withArgs(batchId, pharmacy2.address, 1, 0);
      });
    });

    context("when the proof does not bind the serial to the position in this batch", function () {
      it("reverts with ProvenanceProofInvalid for a wrong serial, position, batch or out-of-range position", async function () {
        const f = await loadFixture(distributedFixture);
        const { provenance, pharmacy, manufacturer2, batchId, tree } = f;
        const p = provenance.connect(pharmacy);
        const unit = tree.unit(7);
        await expect(p.dispense(batchId, 7n, "FAKE123", unit.proof))
          .to.be.revertedWithCustomError(provenance, "ProvenanceProofInvalid")
          .withArgs(batchId, 7n);
        await expect(p.dispense(batchId, 8n, unit.serial, unit.proof))
          .to.be.revertedWithCustomError(provenance, "ProvenanceProofInvalid")
          .withArgs(batchId, 8n);
        await expect(p.dispense(batchId, 600n, unit.serial, unit.proof))
          .to.be.revertedWithCustomError(provenance, "ProvenanceProofInvalid")
          .withArgs(batchId, 600n);
        // A proof from another batch (other serials) does not open this one.
        const other = SerialTree.build(["OTHER1", "OTHER2", "OTHER3"]);
        await provenance
          .connect(manufacturer2)
          .commission(9506000134352n, encodeLot("OTHER"), f.expiresAt, 3, other.root, c("m"));
        await expect(p.dispense(batchId, ...args(other.unit(1))))
          .to.be.revertedWithCustomError(provenance, "ProvenanceProofInvalid")
          .withArgs(batchId, 1n);
      });

      it("reverts with ProvenanceBatchUnknown for an unknown batch", async function () {
        const { provenance, pharmacy, tree } = await loadFixture(distributedFixture);
        await expect(provenance.connect(pharmacy).dispense(c("nope"), ...args(tree.unit(1))))
          .to.be.revertedWithCustomError(provenance, "ProvenanceBatchUnknown")
          .withArgs(c("nope"));
      });
    });

    context("when the batch is not saleable", function () {
      it("reverts when recalled, quarantined, illegitimate or expired, and dispenses once a quarantine is cleared", async function () {
        const f = await loadFixture(distributedFixture);
        const { provenance, pharmacy, regulator, manufacturer, batchId, tree, expiresAt } = f;
        const p = provenance.connect(pharmacy);
        const unit = tree.unit(9);
        await provenance.connect(pharmacy).quarantine(batchId, c("q"));
        await expect(p.dispense(batchId, ...args(unit)))
          .to.be.revertedWithCustomError(provenance, "ProvenanceBatchQuarantined")
          .withArgs(batchId);
        await provenance.connect(regulator).clearQuarantine(batchId, c("ok"));
        // The cleared flag does not stop dispensing.
        expect((await provenance.batch(batchId)).flags).to.equal(BigInt(BatchFlags.CLEARED));
        await expect(p.dispense(batchId, ...args(tree.unit(10)))).to.emit(provenance, "UnitDispensed");
        await time.increaseTo(expiresAt);
        await expect(p.dispense(batchId, ...args(unit)))
          .to.be.revertedWithCustomError(provenance, "ProvenanceBatchExpired")
          .withArgs(batchId, expiresAt);
        await provenance.connect(manufacturer).recall(batchId, c("r"));
        await expect(p.dispense(batchId, ...args(unit)))
          .to.be.revertedWithCustomError(provenance, "ProvenanceBatchRecalled")
          .withArgs(batchId);
        await provenance.connect(regulator).quarantine(batchId, c("q2"));
        await provenance.connect(regulator).confirmIllegitimate(batchId, c("fake"));
        await expect(p.dispense(batchId, ...args(unit)))
          .to.be.revertedWithCustomError(provenance, "ProvenanceBatchIllegitimate")
          .withArgs(batchId);
      });
    });
  });

  describe("destroy", function () {
    context("when a trading partner destroys units it holds", function () {
      it("debits the holding, credits destroyed and emits UnitsDestroyed", async function () {
        const { provenance, distributor, batchId, tree } = await loadFixture(distributedFixture);
        await expect(provenance.connect(distributor).destroy(batchId, 30, c("certificate")))
          .to.emit(provenance, "UnitsDestroyed")
          .withArgs(batchId, distributor.address, distributor.address, 30, c("certificate"));
        const holding = await provenance.holding(batchId, distributor.address);
        expect(holding.quantity).to.equal(370n);
        expect(holding.destroyed).to.equal(30n);
        // Unidentified units: serials keep verifying as they did.
        expect(await provenance.verifyUnit(batchId, ...args(tree.unit(0)))).to.equal(BigInt(UnitStatus.Authentic));
      });
    });

    context("when the holder lost its trading role", function () {
      // Before v2, `destroy` needed no role: a holder whose role was revoked could still write its stock off.
      it("reverts with ProvenanceAccountNotTradingPartner", async function () {
        const { provenance, authority, admin, distributor, batchId } = await loadFixture(distributedFixture);
        await authority.connect(admin).revokeRole(ROLES.DISTRIBUTOR, distributor.address);
        await expect(provenance.connect(distributor).destroy(batchId, 1, c("e")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceAccountNotTradingPartner")
          .withArgs(distributor.address);
        expect((await provenance.holding(batchId, distributor.address)).quantity).to.equal(400n);
      });
    });

    context("when the input is wrong", function () {
      it("reverts for an unknown batch, zero quantity, missing evidence and more than held", async function () {
        const { provenance, distributor, pharmacy2, batchId } = await loadFixture(distributedFixture);
        const d = provenance.connect(distributor);
        await expect(d.destroy(c("nope"), 1, c("e")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceBatchUnknown")
          .withArgs(c("nope"));
        await expect(d.destroy(batchId, 0, c("e"))).to.be.revertedWithCustomError(provenance, "ProvenanceQuantityZero");
        await expect(d.destroy(batchId, 1, ZERO)).to.be.revertedWithCustomError(
          provenance,
          "ProvenanceCommitmentMissing",
        );
        await expect(d.destroy(batchId, 401, c("e")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceHoldingInsufficient")
          .withArgs(batchId, distributor.address, 401, 400);
        await expect(provenance.connect(pharmacy2).destroy(batchId, 1, c("e")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceHoldingInsufficient")
          .withArgs(batchId, pharmacy2.address, 1, 0);
      });
    });
  });

  describe("destroyUnits", function () {
    context("when the batch's manufacturer destroys identified units of its own stock", function () {
      it("marks each unit destroyed, debits its holding and emits UnitDestroyed and UnitsDestroyed", async function () {
        const { provenance, manufacturer, pharmacy, batchId, tree } = await loadFixture(distributedFixture);
        const units = [tree.unit(3), tree.unit(300)];
        await expect(provenance.connect(manufacturer).destroyUnits(batchId, manufacturer.address, units, c("cert")))
          .to.emit(provenance, "UnitsDestroyed")
          .withArgs(batchId, manufacturer.address, manufacturer.address, 2, c("cert"))
          .and.to.emit(provenance, "UnitDestroyed")
          .withArgs(batchId, manufacturer.address, 300n);
        expect(await provenance.verifyUnit(batchId, ...args(units[0]))).to.equal(BigInt(UnitStatus.Destroyed));
        expect(await provenance.verifyUnit(batchId, ...args(units[1]))).to.equal(BigInt(UnitStatus.Destroyed));
        const holding = await provenance.holding(batchId, manufacturer.address);
        expect([holding.quantity, holding.destroyed]).to.deep.equal([98n, 2n]);
        // A pack carrying a destroyed serial cannot be dispensed.
        await expect(provenance.connect(pharmacy).dispense(batchId, ...args(units[0])))
          .to.be.revertedWithCustomError(provenance, "ProvenanceUnitDestroyed")
          .withArgs(batchId, 3n);
      });
    });

    context("when a regulator records a destruction it witnessed", function () {
      it("debits the named holder, also one whose role was revoked (seized stock)", async function () {
        const { provenance, authority, admin, regulator, distributor, batchId, tree } =
          await loadFixture(distributedFixture);
        await authority.connect(admin).revokeRole(ROLES.DISTRIBUTOR, distributor.address);
        await expect(
          provenance.connect(regulator).destroyUnits(batchId, distributor.address, [tree.unit(7)], c("seizure")),
        )
          .to.emit(provenance, "UnitsDestroyed")
          .withArgs(batchId, distributor.address, regulator.address, 1, c("seizure"))
          .and.to.emit(provenance, "UnitDestroyed")
          .withArgs(batchId, distributor.address, 7n);
        const holding = await provenance.holding(batchId, distributor.address);
        expect([holding.quantity, holding.destroyed]).to.deep.equal([399n, 1n]);
        expect(await provenance.verifyUnit(batchId, ...args(tree.unit(7)))).to.equal(BigInt(UnitStatus.Destroyed));
      });
    });

    context("when a holder names packs (finding: a holder marked another party's packs Destroyed)", function () {
      // Before v2, any holder of N units could mark any N serials Destroyed: the pharmacy's packs stopped
      // dispensing while the attacker's own packs, written off by quantity, kept verifying Authentic.
      it("refuses every holder but the manufacturer, and the manufacturer for another's stock", async function () {
        const f = await loadFixture(distributedFixture);
        const { provenance, manufacturer, manufacturer2, distributor, pharmacy, batchId, tree } = f;
        const pharmacyPacks = [tree.unit(500), tree.unit(501)];
        for (const [caller, holder] of [
          [distributor, distributor],
          [pharmacy, pharmacy],
          [distributor, pharmacy],
          [manufacturer2, manufacturer2],
          [manufacturer, pharmacy],
        ] as const) {
          await expect(provenance.connect(caller).destroyUnits(batchId, holder.address, pharmacyPacks, c("e")))
            .to.be.revertedWithCustomError(provenance, "ProvenanceDestructionUnauthorized")
            .withArgs(batchId, caller.address, holder.address);
        }
        // The packs are still saleable where they are; a holder writes its own stock off by quantity instead.
        expect(await provenance.verifyUnit(batchId, ...args(pharmacyPacks[0]))).to.equal(BigInt(UnitStatus.Authentic));
        await provenance.connect(distributor).destroy(batchId, 2, c("e"));
        await expect(provenance.connect(pharmacy).dispense(batchId, ...args(pharmacyPacks[0]))).to.emit(
          provenance,
          "UnitDispensed",
        );
      });

      it("refuses a manufacturer whose MANUFACTURER role was revoked", async function () {
        const { provenance, authority, admin, manufacturer, batchId, tree } = await loadFixture(distributedFixture);
        await authority.connect(admin).revokeRole(ROLES.MANUFACTURER, manufacturer.address);
        await expect(
          provenance.connect(manufacturer).destroyUnits(batchId, manufacturer.address, [tree.unit(1)], c("e")),
        )
          .to.be.revertedWithCustomError(provenance, "ProvenanceDestructionUnauthorized")
          .withArgs(batchId, manufacturer.address, manufacturer.address);
      });
    });

    context("when a unit is invalid or already spent", function () {
      it("reverts with a named error and changes nothing", async function () {
        const { provenance, manufacturer, regulator, pharmacy, batchId, tree } = await loadFixture(distributedFixture);
        const m = provenance.connect(manufacturer);
        const self = manufacturer.address;
        await expect(m.destroyUnits(c("nope"), self, [tree.unit(1)], c("e")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceBatchUnknown")
          .withArgs(c("nope"));
        await expect(m.destroyUnits(batchId, self, [], c("e"))).to.be.revertedWithCustomError(
          provenance,
          "ProvenanceQuantityZero",
        );
        await expect(m.destroyUnits(batchId, self, [tree.unit(1)], ZERO)).to.be.revertedWithCustomError(
          provenance,
          "ProvenanceCommitmentMissing",
        );
        await expect(m.destroyUnits(batchId, self, [{ ...tree.unit(1), serial: "NOPE" }], c("e")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceProofInvalid")
          .withArgs(batchId, 1n);
        await provenance.connect(pharmacy).dispense(batchId, ...args(tree.unit(2)));
        await expect(m.destroyUnits(batchId, self, [tree.unit(1), tree.unit(2)], c("e")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceUnitAlreadyDispensed")
          .withArgs(batchId, 2n);
        await expect(m.destroyUnits(batchId, self, [tree.unit(1), tree.unit(1)], c("e")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceUnitDestroyed")
          .withArgs(batchId, 1n);
        expect(await provenance.verifyUnit(batchId, ...args(tree.unit(1)))).to.equal(BigInt(UnitStatus.Authentic));
        expect((await provenance.holding(batchId, self)).quantity).to.equal(100n);
        await expect(
          provenance.connect(regulator).destroyUnits(batchId, pharmacy.address, tree.unitsRange(3, 103), c("e")),
        )
          .to.be.revertedWithCustomError(provenance, "ProvenanceHoldingInsufficient")
          .withArgs(batchId, pharmacy.address, 100, 99);
      });
    });
  });

  describe("anchorSubtree", function () {
    context("when anyone anchors a subtree of the serial tree", function () {
      it("stores it, emits SubtreeAnchored once, and lets short proofs verify and dispense", async function () {
        const { provenance, pharmacy, stranger, batchId, tree } = await loadFixture(distributedFixture);
        const anchor = tree.anchorFor(130, 4);
        const short = tree.unit(130, anchor);
        expect(short.proof).to.have.length(4);
        expect(anchor.proof).to.have.length(tree.unit(130).proof.length - 4);
        expect(await provenance.verifyUnit(batchId, ...args(short))).to.equal(BigInt(UnitStatus.Unknown));
        await expect(provenance.connect(stranger).anchorSubtree(batchId, anchor.node, anchor.proof))
          .to.emit(provenance, "SubtreeAnchored")
          .withArgs(batchId, stranger.address, anchor.node);
        expect(await provenance.isAnchored(batchId, anchor.node)).to.equal(true);
        await expect(provenance.connect(pharmacy).anchorSubtree(batchId, anchor.node, anchor.proof)).not.to.emit(
          provenance,
          "SubtreeAnchored",
        );
        expect(await provenance.verifyUnit(batchId, ...args(short))).to.equal(BigInt(UnitStatus.Authentic));
        await provenance.connect(pharmacy).dispense(batchId, ...args(short));
        expect(await provenance.verifyUnit(batchId, ...args(tree.unit(130)))).to.equal(BigInt(UnitStatus.Dispensed));
      });
    });

    context("when the node is not in the tree", function () {
      it("reverts with ProvenanceSubtreeInvalid or ProvenanceBatchUnknown", async function () {
        const { provenance, stranger, batchId, tree } = await loadFixture(distributedFixture);
        const anchor = tree.anchorFor(130, 4);
        await expect(provenance.connect(stranger).anchorSubtree(batchId, c("forged"), anchor.proof))
          .to.be.revertedWithCustomError(provenance, "ProvenanceSubtreeInvalid")
          .withArgs(batchId, c("forged"));
        await expect(provenance.connect(stranger).anchorSubtree(c("nope"), anchor.node, anchor.proof))
          .to.be.revertedWithCustomError(provenance, "ProvenanceBatchUnknown")
          .withArgs(c("nope"));
      });
    });
  });

  describe("recall", function () {
    context("when the manufacturer or a regulator recalls the batch", function () {
      it("flags it recalled and emits BatchRecalled", async function () {
        const { provenance, manufacturer, batchId, tree } = await loadFixture(distributedFixture);
        await expect(provenance.connect(manufacturer).recall(batchId, c("notice")))
          .to.emit(provenance, "BatchRecalled")
          .withArgs(batchId, manufacturer.address, c("notice"));
        expect((await provenance.batch(batchId)).flags).to.equal(BigInt(BatchFlags.RECALLED));
        expect(await provenance.verifyUnit(batchId, ...args(tree.unit(0)))).to.equal(BigInt(UnitStatus.Recalled));
      });

      it("lets a REGULATOR recall a batch it did not make", async function () {
        const { provenance, regulator, batchId } = await loadFixture(distributedFixture);
        await expect(provenance.connect(regulator).recall(batchId, c("notice")))
          .to.emit(provenance, "BatchRecalled")
          .withArgs(batchId, regulator.address, c("notice"));
      });
    });

    context("when the caller may not recall or the input is wrong", function () {
      it("reverts with a named error", async function () {
        const { provenance, manufacturer, manufacturer2, distributor, batchId } = await loadFixture(distributedFixture);
        for (const caller of [manufacturer2, distributor]) {
          await expect(provenance.connect(caller).recall(batchId, c("n")))
            .to.be.revertedWithCustomError(provenance, "ProvenanceRecallUnauthorized")
            .withArgs(batchId, caller.address);
        }
        await expect(provenance.connect(manufacturer).recall(c("nope"), c("n")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceBatchUnknown")
          .withArgs(c("nope"));
        await expect(provenance.connect(manufacturer).recall(batchId, ZERO)).to.be.revertedWithCustomError(
          provenance,
          "ProvenanceCommitmentMissing",
        );
        await provenance.connect(manufacturer).recall(batchId, c("n"));
        await expect(provenance.connect(manufacturer).recall(batchId, c("n")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceBatchAlreadyRecalled")
          .withArgs(batchId);
      });

      // Before v2, being the account that commissioned the batch was enough: a revoked (say compromised)
      // manufacturer key could still recall, for good, every batch it had made.
      it("refuses the batch's manufacturer once its MANUFACTURER role is revoked", async function () {
        const { provenance, authority, admin, manufacturer, batchId } = await loadFixture(distributedFixture);
        await authority.connect(admin).revokeRole(ROLES.MANUFACTURER, manufacturer.address);
        await expect(provenance.connect(manufacturer).recall(batchId, c("n")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceRecallUnauthorized")
          .withArgs(batchId, manufacturer.address);
      });
    });
  });

  describe("quarantine", function () {
    context("when a holder that is a trading partner, the manufacturer or a regulator raises it", function () {
      it("flags the batch quarantined and emits BatchQuarantined", async function () {
        for (const by of ["pharmacy", "distributor", "manufacturer", "regulator"] as const) {
          const f = await loadFixture(distributedFixture);
          await expect(f.provenance.connect(f[by]).quarantine(f.batchId, c("suspect")))
            .to.emit(f.provenance, "BatchQuarantined")
            .withArgs(f.batchId, f[by].address, c("suspect"));
        }
        const { provenance, pharmacy, batchId, tree } = await loadFixture(distributedFixture);
        await provenance.connect(pharmacy).quarantine(batchId, c("suspect"));
        expect((await provenance.batch(batchId)).flags).to.equal(BigInt(BatchFlags.QUARANTINED));
        expect(await provenance.verifyUnit(batchId, ...args(tree.unit(0)))).to.equal(BigInt(UnitStatus.Quarantined));
      });
    });

    context("when a holder tries to undo a regulator's clearance (finding: the re-quarantine loop)", function () {
      // Before v2, any account holding one unit, with or without a trading role, could quarantine the batch again
      // after every clearance: one holder stopped the whole batch for every other holder, for ever.
      it("refuses a holder whose trading role was revoked, even before any clearance", async function () {
        const { provenance, authority, admin, distributor, batchId } = await loadFixture(distributedFixture);
        await authority.connect(admin).revokeRole(ROLES.DISTRIBUTOR, distributor.address);
        expect((await provenance.holding(batchId, distributor.address)).quantity).to.equal(400n);
        await expect(provenance.connect(distributor).quarantine(batchId, c("grief")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceQuarantineUnauthorized")
          .withArgs(batchId, distributor.address);
      });

      it("breaks the loop: after a clearance holders report with evidence, the manufacturer and regulators may still quarantine", async function () {
        const { provenance, manufacturer, distributor, pharmacy, regulator, batchId, tree } =
          await loadFixture(distributedFixture);
        await provenance.connect(pharmacy).quarantine(batchId, c("grief-1"));
        await expect(provenance.connect(regulator).clearQuarantine(batchId, c("cleared-1")))
          .to.emit(provenance, "QuarantineCleared")
          .withArgs(batchId, regulator.address, c("cleared-1"));
        for (const holder of [pharmacy, distributor]) {
          await expect(provenance.connect(holder).quarantine(batchId, c("grief-2")))
            .to.be.revertedWithCustomError(provenance, "ProvenanceBatchCleared")
            .withArgs(batchId);
        }
        expect(await provenance.verifyUnit(batchId, ...args(tree.unit(0)))).to.equal(BigInt(UnitStatus.Authentic));
        // What a holder does instead: report the pack with evidence, which changes nothing.
        await expect(provenance.connect(pharmacy).reportSuspect(batchId, tree.unit(0), c("evidence")))
          .to.emit(provenance, "SuspectUnitReported")
          .withArgs(batchId, pharmacy.address, 0n, UnitStatus.Authentic, c("evidence"));
        expect((await provenance.batch(batchId)).flags).to.equal(BigInt(BatchFlags.CLEARED));
        // The accountable parties may reopen the case.
        await expect(provenance.connect(manufacturer).quarantine(batchId, c("new-evidence")))
          .to.emit(provenance, "BatchQuarantined")
          .withArgs(batchId, manufacturer.address, c("new-evidence"));
        await provenance.connect(regulator).clearQuarantine(batchId, c("cleared-2"));
        await expect(provenance.connect(regulator).quarantine(batchId, c("field-report")))
          .to.emit(provenance, "BatchQuarantined")
          .withArgs(batchId, regulator.address, c("field-report"));
        expect((await provenance.batch(batchId)).flags).to.equal(BigInt(BatchFlags.CLEARED | BatchFlags.QUARANTINED));
      });
    });

    context("when the caller neither holds the batch nor answers for it, or the batch is already flagged", function () {
      it("reverts with a named error", async function () {
        const { provenance, authority, admin, manufacturer, pharmacy, pharmacy2, stranger, regulator, batchId } =
          await loadFixture(distributedFixture);
        for (const caller of [pharmacy2, stranger]) {
          await expect(provenance.connect(caller).quarantine(batchId, c("s")))
            .to.be.revertedWithCustomError(provenance, "ProvenanceQuarantineUnauthorized")
            .withArgs(batchId, caller.address);
        }
        await expect(provenance.connect(pharmacy).quarantine(c("nope"), c("s")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceBatchUnknown")
          .withArgs(c("nope"));
        await expect(provenance.connect(pharmacy).quarantine(batchId, ZERO)).to.be.revertedWithCustomError(
          provenance,
          "ProvenanceCommitmentMissing",
        );
        await provenance.connect(pharmacy).quarantine(batchId, c("s"));
        await expect(provenance.connect(pharmacy).quarantine(batchId, c("s")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceBatchAlreadyQuarantined")
          .withArgs(batchId);
        await provenance.connect(regulator).confirmIllegitimate(batchId, c("fake"));
        await expect(provenance.connect(pharmacy).quarantine(batchId, c("s")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceBatchIllegitimate")
          .withArgs(batchId);
        // A manufacturer that lost its role (and so is no trading partner) cannot either, though it holds units.
        await authority.connect(admin).revokeRole(ROLES.MANUFACTURER, manufacturer.address);
        await expect(provenance.connect(manufacturer).quarantine(batchId, c("s")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceQuarantineUnauthorized")
          .withArgs(batchId, manufacturer.address);
      });
    });
  });

  describe("clearQuarantine", function () {
    context("when a REGULATOR clears a quarantined batch", function () {
      it("removes the quarantine, marks the batch cleared and emits QuarantineCleared", async function () {
        const { provenance, pharmacy, regulator, batchId, tree } = await loadFixture(distributedFixture);
        await provenance.connect(pharmacy).quarantine(batchId, c("s"));
        await expect(provenance.connect(regulator).clearQuarantine(batchId, c("ok")))
          .to.emit(provenance, "QuarantineCleared")
          .withArgs(batchId, regulator.address, c("ok"));
        expect((await provenance.batch(batchId)).flags).to.equal(BigInt(BatchFlags.CLEARED));
        expect(await provenance.verifyUnit(batchId, ...args(tree.unit(0)))).to.equal(BigInt(UnitStatus.Authentic));
      });
    });

    context("when nothing is quarantined or the input is wrong", function () {
      it("reverts with a named error", async function () {
        const { provenance, pharmacy, regulator, batchId } = await loadFixture(distributedFixture);
        await expect(provenance.connect(regulator).clearQuarantine(batchId, c("ok")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceBatchNotQuarantined")
          .withArgs(batchId);
        await provenance.connect(pharmacy).quarantine(batchId, c("s"));
        await expect(provenance.connect(regulator).clearQuarantine(batchId, ZERO)).to.be.revertedWithCustomError(
          provenance,
          "ProvenanceCommitmentMissing",
        );
        await expect(provenance.connect(regulator).clearQuarantine(c("nope"), c("ok")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceBatchUnknown")
          .withArgs(c("nope"));
      });
    });
  });

  describe("confirmIllegitimate", function () {
    context("when a REGULATOR confirms a quarantined batch illegitimate", function () {
      it("makes it final and emits BatchIllegitimate", async function () {
        const { provenance, pharmacy, regulator, batchId, tree } = await loadFixture(distributedFixture);
        await provenance.connect(pharmacy).quarantine(batchId, c("s"));
        await expect(provenance.connect(regulator).confirmIllegitimate(batchId, c("fake")))
          .to.emit(provenance, "BatchIllegitimate")
          .withArgs(batchId, regulator.address, c("fake"));
        expect((await provenance.batch(batchId)).flags).to.equal(BigInt(BatchFlags.ILLEGITIMATE));
        expect(await provenance.verifyUnit(batchId, ...args(tree.unit(0)))).to.equal(BigInt(UnitStatus.Illegitimate));
        await expect(provenance.connect(regulator).clearQuarantine(batchId, c("ok")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceBatchNotQuarantined")
          .withArgs(batchId);
        // Holders can still destroy the units.
        await provenance.connect(pharmacy).destroy(batchId, 100, c("cert"));
      });
    });

    context("when the batch is not quarantined", function () {
      it("reverts with ProvenanceBatchNotQuarantined", async function () {
        const { provenance, regulator, batchId } = await loadFixture(distributedFixture);
        await expect(provenance.connect(regulator).confirmIllegitimate(batchId, c("f")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceBatchNotQuarantined")
          .withArgs(batchId);
      });
    });
  });

  describe("reportSuspect", function () {
    context("when a trading partner or regulator reports a pack", function () {
      it("emits SuspectUnitReported with the pack's status and changes nothing", async function () {
        const { provenance, pharmacy, regulator, batchId, tree } = await loadFixture(distributedFixture);
        const unit = tree.unit(11);
        await provenance.connect(pharmacy).dispense(batchId, ...args(unit));
        expect(await provenance.connect(pharmacy).reportSuspect.staticCall(batchId, unit, c("report"))).to.equal(
          BigInt(UnitStatus.Dispensed),
        );
        await expect(provenance.connect(pharmacy).reportSuspect(batchId, unit, c("report")))
          .to.emit(provenance, "SuspectUnitReported")
          .withArgs(batchId, pharmacy.address, 11n, UnitStatus.Dispensed, c("report"));
        const fake = { position: 12n, serial: "COUNTERFEIT", proof: [] };
        await expect(provenance.connect(regulator).reportSuspect(batchId, fake, c("report2")))
          .to.emit(provenance, "SuspectUnitReported")
          .withArgs(batchId, regulator.address, 12n, UnitStatus.Unknown, c("report2"));
        expect((await provenance.batch(batchId)).flags).to.equal(0n);
      });
    });

    context("when the caller is neither a partner nor a regulator, or gives no evidence", function () {
      it("reverts with a named error", async function () {
        const { provenance, pharmacy, stranger, batchId, tree } = await loadFixture(distributedFixture);
        await expect(provenance.connect(stranger).reportSuspect(batchId, tree.unit(1), c("r")))
          .to.be.revertedWithCustomError(provenance, "ProvenanceReportUnauthorized")
          .withArgs(batchId, stranger.address);
        await expect(
          provenance.connect(pharmacy).reportSuspect(batchId, tree.unit(1), ZERO),
        ).to.be.revertedWithCustomError(provenance, "ProvenanceCommitmentMissing");
      });
    });
  });

  describe("isTradingPartner", function () {
    it("answers true for MANUFACTURER, DISTRIBUTOR and DISPENSER members without delay only", async function () {
      const { provenance, authority, admin, manufacturer, distributor, pharmacy, regulator, stranger } =
        await loadFixture(deployFixture);
      for (const partner of [manufacturer, distributor, pharmacy]) {
        expect(await provenance.isTradingPartner(partner.address)).to.equal(true);
      }
      for (const other of [regulator, stranger])
        expect(await provenance.isTradingPartner(other.address)).to.equal(false);
      await grantRoles(authority.connect(admin), [
        { role: "DISTRIBUTOR", account: stranger.address, executionDelay: 60 },
      ]);
      expect(await provenance.isTradingPartner(stranger.address)).to.equal(false);
    });
  });

  describe("verifyUnit", function () {
    context("for packs that do not match the batch", function () {
      it("answers Unknown for an unknown batch, a wrong serial, a wrong position and an empty proof", async function () {
        const { provenance, batchId, tree } = await loadFixture(distributedFixture);
        const unit = tree.unit(42);
        expect(await provenance.verifyUnit(c("nope"), ...args(unit))).to.equal(BigInt(UnitStatus.Unknown));
        expect(await provenance.verifyUnit(batchId, 42n, "CLONE42", unit.proof)).to.equal(BigInt(UnitStatus.Unknown));
        expect(await provenance.verifyUnit(batchId, 43n, unit.serial, unit.proof)).to.equal(BigInt(UnitStatus.Unknown));
        expect(await provenance.verifyUnit(batchId, 42n, unit.serial, [])).to.equal(BigInt(UnitStatus.Unknown));
        expect(await provenance.verifyUnit(batchId, 2n ** 255n, unit.serial, unit.proof)).to.equal(
          BigInt(UnitStatus.Unknown),
        );
      });
    });

    context("when the batch expired", function () {
      it("answers Expired from the expiry second on", async function () {
        const { provenance, batchId, tree, expiresAt } = await loadFixture(distributedFixture);
        await time.increaseTo(expiresAt - 10n);
        expect(await provenance.verifyUnit(batchId, ...args(tree.unit(0)))).to.equal(BigInt(UnitStatus.Authentic));
        await time.increaseTo(expiresAt);
        expect(await provenance.verifyUnit(batchId, ...args(tree.unit(0)))).to.equal(BigInt(UnitStatus.Expired));
      });
    });

    context("when unit and batch facts combine", function () {
      it("answers the unit fact first: a dispensed unit of a recalled batch is Dispensed", async function () {
        const { provenance, pharmacy, manufacturer, batchId, tree } = await loadFixture(distributedFixture);
        await provenance.connect(pharmacy).dispense(batchId, ...args(tree.unit(0)));
        await provenance.connect(manufacturer).recall(batchId, c("r"));
        expect(await provenance.verifyUnit(batchId, ...args(tree.unit(0)))).to.equal(BigInt(UnitStatus.Dispensed));
        expect(await provenance.verifyUnit(batchId, ...args(tree.unit(1)))).to.equal(BigInt(UnitStatus.Recalled));
      });

      it("answers Illegitimate over Recalled, and Recalled over Quarantined", async function () {
        const { provenance, regulator, manufacturer, batchId, tree } = await loadFixture(distributedFixture);
        await provenance.connect(regulator).quarantine(batchId, c("q"));
        await provenance.connect(manufacturer).recall(batchId, c("r"));
        expect(await provenance.verifyUnit(batchId, ...args(tree.unit(1)))).to.equal(BigInt(UnitStatus.Recalled));
        await provenance.connect(regulator).confirmIllegitimate(batchId, c("f"));
        expect(await provenance.verifyUnit(batchId, ...args(tree.unit(1)))).to.equal(BigInt(UnitStatus.Illegitimate));
      });
    });
  });

  it("serves the fixture's serials in position order", async function () {
    const { tree } = await loadFixture(deployFixture);
    expect(tree.unit(SERIALS[17]).position).to.equal(17n);
  });
});
