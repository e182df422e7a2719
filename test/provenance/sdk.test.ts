import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { verify } from "../../src/records";
import {
  assertSerial,
  batchFlagsOf,
  batchIdOf,
  commitMedication,
  commitSupplyDelivery,
  commitSuspectReport,
  decodeLot,
  dispenseOrReport,
  encodeLot,
  expiryTimestamp,
  formatGtin,
  gs1CheckDigit,
  incomingShipments,
  inTransit,
  isValidGtin,
  medicationResource,
  parseGtin,
  rebuildBatch,
  SerialTree,
  shipmentsFromReceipt,
  ShipmentStatus,
  supplyDeliveryResource,
  traceBatch,
  unitStatusOf,
  UnitStatus,
  verifySerialProof,
  verifyUnit,
  type UnitProof,
} from "../../src/provenance";
import { c, distributedFixture, send, YEAR } from "./fixture";

const MEDICATION = {
  gtin: "09506000134352",
  lot: "LOT-2026-A",
  expirationDate: "2027-12-31",
  productName: "Amoxicillin 500 mg capsules",
  manufacturerName: "Acme Pharma",
  unitCount: 600,
  form: "capsule",
};

describe("provenance SDK", function () {
  describe("GS1 identity", function () {
    it("validates GTIN check digits and returns the GTIN-14 integer", function () {
      expect(gs1CheckDigit("950600013435")).to.equal(2);
      expect(parseGtin("09506000134352")).to.equal(9506000134352n);
      expect(parseGtin("4006381333931")).to.equal(4006381333931n);
      expect(parseGtin("96385074")).to.equal(96385074n);
      expect(formatGtin(4006381333931n)).to.equal("04006381333931");
      expect(isValidGtin("4006381333932")).to.equal(false);
      expect(() => parseGtin("4006381333932")).to.throw(/check digit 2, expected 1/);
      expect(() => parseGtin("12345")).to.throw(/8, 12, 13 or 14 digits/);
      expect(() => parseGtin("00000000000000")).to.throw(/all zeros/);
      expect(() => formatGtin(0n)).to.throw(/not a GTIN-14/);
      expect(() => gs1CheckDigit("12a")).to.throw(/digits only/);
    });

    it("accepts GS1 serials of 1 to 20 alphanumeric characters only", function () {
      expect(assertSerial("7A3KX9Q2")).to.equal("7A3KX9Q2");
      expect(assertSerial("A".repeat(20))).to.have.length(20);
      expect(() => assertSerial("A".repeat(21))).to.throw(/1 to 20/);
      expect(() => assertSerial("")).to.throw(/1 to 20/);
      expect(() => assertSerial("SN 1")).to.throw(/AI 21/);
    });

    it("encodes lots, derives the contract's batch id and GS1 expiry times", async function () {
      expect(decodeLot(encodeLot("LOT-2026-A"))).to.equal("LOT-2026-A");
      expect(() => encodeLot("L".repeat(21))).to.throw(/AI 10/);
      expect(batchIdOf(9506000134352n, encodeLot("X"))).to.equal(batchIdOf("09506000134352", "X"));
      const { batchId } = await loadFixture(distributedFixture);
      expect(batchIdOf("09506000134352", "LOT-2026-A")).to.equal(batchId);
      expect(expiryTimestamp("271231")).to.equal(Date.UTC(2028, 0, 1) / 1000);
      expect(expiryTimestamp("280200")).to.equal(Date.UTC(2028, 2, 1) / 1000);
      expect(expiryTimestamp(new Date(Date.UTC(2027, 5, 30, 15)))).to.equal(Date.UTC(2027, 6, 1) / 1000);
      expect(expiryTimestamp("991231")).to.equal(Date.UTC(2000, 0, 1) / 1000);
      expect(() => expiryTimestamp("2712")).to.throw(/YYMMDD/);
      expect(() => expiryTimestamp("271331")).to.throw(/month 13/);
      expect(() => expiryTimestamp("270230")).to.throw(/28 days/);
      expect(() => expiryTimestamp(new Date(Number.NaN))).to.throw(/not a valid Date/);
    });
  });

  describe("SerialTree", function () {
    it("is an @openzeppelin/merkle-tree StandardMerkleTree of [position, serial] in position order", function () {
      const serials = ["A1", "B2", "C3", "D4", "E5"];
      const tree = SerialTree.build(serials);
      const reference = StandardMerkleTree.of(
        serials.map((s, i) => [i.toString(), s]),
        ["uint256", "string"],
        { sortLeaves: false },
      );
      expect(tree.root).to.equal(reference.root);
      expect(tree.unitCount).to.equal(5);
      const unit = tree.unit("C3");
      expect(unit.position).to.equal(2n);
      expect(StandardMerkleTree.verify(tree.root, ["uint256", "string"], ["2", "C3"], unit.proof)).to.equal(true);
      expect(verifySerialProof(tree.root, unit)).to.equal(true);
      expect(verifySerialProof(tree.root, { ...unit, position: 3n })).to.equal(false);
      const loaded = SerialTree.load(JSON.parse(JSON.stringify(tree.dump())));
      expect(loaded.root).to.equal(tree.root);
      expect(loaded.unit(4)).to.deep.equal(tree.unit(4));
      expect(tree.unitsRange(1, 3).map((u) => u.serial)).to.deep.equal(["B2", "C3"]);
    });

    it("refuses bad serial lists and unknown units with a message that says what to fix", function () {
      expect(() => SerialTree.build([])).to.throw(/at least one serial/);
      expect(() => SerialTree.build(["A", "A"])).to.throw(/appears twice/);
      expect(() => SerialTree.build(["A", "bad serial"])).to.throw(/AI 21/);
      const tree = SerialTree.build(["A", "B", "C"]);
      expect(() => tree.unit("Z")).to.throw(/not in this batch/);
      expect(() => tree.unit(3)).to.throw(/outside the batch/);
      expect(() => tree.anchorFor(0, -1)).to.throw(/whole number/);
    });

    it("gives subtree anchors whose short proofs lead to the anchored node", function () {
      const tree = SerialTree.build(Array.from({ length: 64 }, (_, i) => `S${i}`));
      const anchor = tree.anchorFor(10, 3);
      expect(anchor.height).to.equal(3);
      const short = tree.unit(11, anchor);
      expect(short.proof).to.have.length(3);
      expect(verifySerialProof(tree.root, short)).to.equal(false);
      expect(verifySerialProof(tree.root, short, new Set([anchor.node]))).to.equal(true);
      expect(() => tree.unit(40, anchor)).to.throw(/not under the anchored subtree/);
      // Asking for more levels than the proof has anchors the root itself.
      expect(tree.anchorFor(0, 99).node).to.equal(tree.root);
    });

    it("builds a 100,000-serial batch whose proofs verify and dispense on chain", async function () {
      this.timeout(900_000);
      const f = await loadFixture(distributedFixture);
      const serials = Array.from({ length: 100_000 }, (_, i) => `B${(36 ** 7 + i * 7919).toString(36).toUpperCase()}`);
      const tree = SerialTree.build(serials);
      const lot = encodeLot("BIG-LOT");
      await f.provenance
        .connect(f.manufacturer)
        .commission(9506000134352n, lot, f.expiresAt, tree.unitCount, tree.root, c("big"));
      const batchId = batchIdOf(9506000134352n, lot);
      for (const p of [0, 12_345, 99_999]) {
        const u = tree.unit(p);
        expect(u.proof.length).to.be.within(16, 17);
        expect(await f.provenance.verifyUnit(batchId, u.position, u.serial, u.proof)).to.equal(
          BigInt(UnitStatus.Authentic),
        );
      }
      const sent = await send({ ...f, batchId }, f.manufacturer, f.pharmacy.address, 10, "big-asn");
      await f.provenance.connect(f.pharmacy).accept(sent.shipment);
      const u = tree.unit(99_999);
      await f.provenance.connect(f.pharmacy).dispense(batchId, u.position, u.serial, u.proof);
      expect(await f.provenance.verifyUnit(batchId, u.position, u.serial, u.proof)).to.equal(
        BigInt(UnitStatus.Dispensed),
      );
    });
  });

  describe("FHIR payloads", function () {
    it("builds and commits the batch's Medication", function () {
      const medication = medicationResource(MEDICATION);
      expect(medication.resourceType).to.equal("Medication");
      expect(medication.batch).to.deep.equal({ lotNumber: "LOT-2026-A", expirationDate: "2027-12-31" });
      expect(medication.identifier?.[0].value).to.equal("09506000134352");
      expect(medication.form?.text).to.equal("capsule");
      const committed = commitMedication(MEDICATION);
      expect(verify(medication, committed.salt, committed.commitment)).to.equal(true);
      expect(() => medicationResource({ ...MEDICATION, gtin: "09506000134353" })).to.throw(/check digit/);
      expect(() => medicationResource({ ...MEDICATION, expirationDate: "31/12/2027" })).to.throw(/YYYY-MM-DD/);
      expect(() => medicationResource({ ...MEDICATION, unitCount: 0 })).to.throw(/positive whole number/);
      expect(() => medicationResource({ ...MEDICATION, productName: " " })).to.throw(/must not be empty/);
    });

    it("builds and commits a shipment's SupplyDelivery", function () {
      const shipment = {
        reference: "ASN-0001",
        gtin: "09506000134352",
        lot: "LOT-2026-A",
        quantity: 500,
        supplierName: "Acme Pharma",
        receiverName: "MedDistrib Wholesale",
        shippedAt: "2026-11-22T10:00:00Z",
      };
      const delivery = supplyDeliveryResource(shipment);
      expect(delivery.resourceType).to.equal("SupplyDelivery");
      expect(delivery.suppliedItem?.quantity?.value).to.equal(500);
      const committed = commitSupplyDelivery(shipment);
      expect(verify(delivery, committed.salt, committed.commitment)).to.equal(true);
      expect(() => supplyDeliveryResource({ ...shipment, quantity: 1.5 })).to.throw(/positive whole number/);
      expect(() => supplyDeliveryResource({ ...shipment, reference: "" })).to.throw(/reference/);
    });
  });

  describe("traceBatch and verifyUnit", function () {
    it("returns the whole history in order, rebuilds the contract's state and answers like the contract", async function () {
      const f = await loadFixture(distributedFixture);
      const { provenance, manufacturer, distributor, pharmacy, pharmacy2, regulator, batchId, tree } = f;
      const rejected = await send(f, distributor, pharmacy2.address, 20, "to-reject");
      await provenance.connect(pharmacy2).reject(rejected.shipment);
      const cancelled = await send(f, distributor, pharmacy2.address, 30, "to-cancel");
      await provenance.connect(distributor).cancel(cancelled.shipment);
      const open = await send(f, distributor, pharmacy2.address, 7, "open");
      const units: UnitProof[] = tree.unitsRange(0, 12);
      await provenance.connect(pharmacy).dispense(batchId, units[1].position, units[1].serial, units[1].proof);
      await provenance.connect(manufacturer).destroyUnits(batchId, manufacturer.address, [units[2]], c("cert"));
      await provenance.connect(distributor).destroy(batchId, 3, c("cert2"));
      const anchor = tree.anchorFor(5, 3);
      await provenance.connect(pharmacy).anchorSubtree(batchId, anchor.node, anchor.proof);
      await provenance.connect(pharmacy).reportSuspect(batchId, units[1], c("clone"));

      const history = await traceBatch(provenance, batchId);
      expect(history.map((e) => e.kind)).to.deep.equal([
        "commissioned",
        "shipped",
        "accepted",
        "shipped",
        "accepted",
        "shipped",
        "rejected",
        "shipped",
        "cancelled",
        "shipped",
        "dispensed",
        "unitDestroyed",
        "destroyed",
        "destroyed",
        "anchored",
        "suspectReported",
      ]);
      const destroyedBy = history.flatMap((e) => (e.kind === "destroyed" ? [[e.holder, e.by]] : []));
      expect(destroyedBy).to.deep.equal([
        [manufacturer.address, manufacturer.address],
        [distributor.address, distributor.address],
      ]);
      const state = rebuildBatch(batchId, history);
      expect(state.manufacturer).to.equal(manufacturer.address);
      expect(inTransit(state)).to.equal(7n);
      expect(state.shipments.get(open.shipmentId)?.status).to.equal(ShipmentStatus.InTransit);
      for (const account of [manufacturer, distributor, pharmacy]) {
        const onChain = await provenance.holding(batchId, account.address);
        const rebuilt = state.holdings.get(account.address);
        expect([rebuilt?.quantity, rebuilt?.dispensed, rebuilt?.destroyed, rebuilt?.supplier]).to.deep.equal([
          onChain.quantity,
          onChain.dispensed,
          onChain.destroyed,
          onChain.supplier,
        ]);
      }

      const probes: UnitProof[] = [
        ...units,
        tree.unit(6, anchor),
        { ...units[3], serial: "CLONE" },
        { ...units[4], position: 600n },
      ];
      const compare = async () => {
        const rebuilt = rebuildBatch(batchId, await traceBatch(provenance, batchId));
        expect(batchFlagsOf(rebuilt)).to.equal(Number((await provenance.batch(batchId)).flags));
        for (const u of probes) {
          const onChain = Number(await provenance.verifyUnit(batchId, u.position, u.serial, u.proof));
          expect(await verifyUnit(provenance, batchId, u)).to.equal(onChain, `unit ${u.position} ${u.serial}`);
        }
        const unknown = Number(
          await provenance.verifyUnit(c("nope"), units[0].position, units[0].serial, units[0].proof),
        );
        expect(await verifyUnit(provenance, c("nope"), units[0])).to.equal(unknown);
      };
      await compare();
      expect(await verifyUnit(provenance, batchId, units[1])).to.equal(UnitStatus.Dispensed);
      expect(await verifyUnit(provenance, batchId, units[2])).to.equal(UnitStatus.Destroyed);
      expect(await verifyUnit(provenance, batchId, tree.unit(6, anchor))).to.equal(UnitStatus.Authentic);
      await provenance.connect(pharmacy).quarantine(batchId, c("q"));
      await compare();
      await provenance.connect(regulator).clearQuarantine(batchId, c("ok"));
      await compare();
      expect(rebuildBatch(batchId, await traceBatch(provenance, batchId)).cleared).to.equal(true);
      await provenance.connect(manufacturer).recall(batchId, c("r"));
      await compare();
      await provenance.connect(regulator).quarantine(batchId, c("q2"));
      await provenance.connect(regulator).confirmIllegitimate(batchId, c("fake"));
      await compare();
      await time.increase(2n * YEAR);
      await compare();
      expect(unitStatusOf(undefined, units[0], 0n)).to.equal(UnitStatus.Unknown);
    });

    it("refuses to rebuild a history without its commissioning", function () {
      expect(() => rebuildBatch(c("b"), [])).to.throw(/no BatchCommissioned event/);
    });

    it("rebuilds a batch reported as suspect before it was commissioned", async function () {
      const f = await loadFixture(distributedFixture);
      const lot = encodeLot("LATE");
      const batchId = batchIdOf(9506000134352n, lot);
      const unit = { position: 0n, serial: "EARLY", proof: [] };
      await f.provenance.connect(f.pharmacy).reportSuspect(batchId, unit, c("early"));
      expect(await verifyUnit(f.provenance, batchId, unit)).to.equal(UnitStatus.Unknown);
      const tree = SerialTree.build(["EARLY"]);
      await f.provenance.connect(f.manufacturer).commission(9506000134352n, lot, f.expiresAt, 1, tree.root, c("m"));
      expect(await verifyUnit(f.provenance, batchId, tree.unit(0))).to.equal(UnitStatus.Authentic);
    });
  });

  describe("client helpers", function () {
    it("reads shipments from receipts and lists a receiver's incoming shipments", async function () {
      const f = await loadFixture(distributedFixture);
      const { provenance, distributor, pharmacy2, batchId } = f;
      const receipt = await (await provenance.connect(distributor).ship(batchId, pharmacy2.address, 4, c("x"))).wait();
      const [sent] = shipmentsFromReceipt(provenance, receipt);
      expect(sent.shipment).to.deep.equal({
        batchId,
        from: distributor.address,
        to: pharmacy2.address,
        quantity: 4n,
        documentsCommitment: c("x"),
      });
      expect(await incomingShipments(provenance, pharmacy2.address)).to.deep.equal([sent.shipment]);
      await provenance.connect(pharmacy2).accept(sent.shipment);
      expect(await incomingShipments(provenance, pharmacy2.address)).to.deep.equal([]);
      expect(() => shipmentsFromReceipt(provenance, null)).to.throw(/no receipt/);
    });

    it("dispenses an authentic pack, reports a clone, and only refuses a recalled one", async function () {
      const f = await loadFixture(distributedFixture);
      const { provenance, pharmacy, manufacturer, batchId, tree } = f;
      const p = provenance.connect(pharmacy);
      const context = { gtin: "09506000134352", lot: "LOT-2026-A", note: "Pack at counter", observedAt: "2026-11-22" };
      const first = await dispenseOrReport(p, batchId, tree.unit(20), context);
      expect(first.dispensed).to.equal(true);
      const clone = await dispenseOrReport(p, batchId, tree.unit(20), context);
      expect(clone.dispensed).to.equal(false);
      if (clone.dispensed) throw new Error("unreachable");
      expect(clone.status).to.equal(UnitStatus.Dispensed);
      expect(clone.report).to.not.equal(null);
      const logs = await provenance.queryFilter(provenance.filters.SuspectUnitReported(batchId));
      expect(logs).to.have.length(1);
      expect(logs[0].args.evidenceCommitment).to.equal(clone.report!.commitment);
      const unreported = await dispenseOrReport(p, batchId, tree.unit(20));
      expect(unreported).to.deep.equal({ dispensed: false, status: UnitStatus.Dispensed, report: null, receipt: null });
      await provenance.connect(manufacturer).recall(batchId, c("r"));
      const recalled = await dispenseOrReport(p, batchId, tree.unit(21), context);
      expect(recalled).to.deep.equal({ dispensed: false, status: UnitStatus.Recalled, report: null, receipt: null });
      expect(commitSuspectReport({ ...context, serial: "S", status: UnitStatus.Unknown }).resourceType).to.equal(
        "DetectedIssue",
      );
      expect(ethers.isHexString(clone.report!.commitment, 32)).to.equal(true);
    });
  });
});
