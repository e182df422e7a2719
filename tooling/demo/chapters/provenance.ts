import {
  BatchFlags,
  batchIdOf,
  commitMedication,
  commitSupplyDelivery,
  dispenseOrReport,
  encodeLot,
  expiryTimestamp,
  parseGtin,
  rebuildBatch,
  SerialTree,
  shipUnits,
  traceBatch,
  UnitStatus,
  verifyUnit,
  type UnitProof,
} from "../../../src/provenance";
import { commit } from "../../../src/records";
import {
  checkEpcisDocument,
  epcisDocument,
  epcisEventsOf,
  packOfChain,
  toDigitalLink,
  toElementString,
  verifyScannedPack,
  yymmddOfExpiresAt,
} from "../../../src/interop";
import { CAST_NAMES, type Member } from "../cast";
import type { Chapter } from "../types";
import { decodeRevert, revertDataOf } from "../../../src/abi";

const GTIN = "09506000134352";
const LOT = "AMX-2611-A";
const UNITS = 1_000;

function expect(what: string, actual: unknown, expected: unknown): void {
  if (actual !== expected) throw new Error(`${what}: expected ${String(expected)}, read back ${String(actual)}`);
}

/** Chapter: a serialized batch travels manufacturer → wholesaler → pharmacy; a clone is caught; a lot is recalled. */
export const provenanceChapter: Chapter = {
  title: "Drug provenance: from the factory to Alice, and a counterfeit caught",
  async run({ hre, system, cast, narrator }) {
    const provenance = system.drugProvenance;
    const [manufacturer, wholesaler, pharmacy] = await Promise.all(
      (["manufacturer", "wholesaler", "pharmacy"] as const).map((m) => cast[m].getAddress()),
    );

    // 1. Commissioning: one Merkle root for every serial, whatever the batch size.
    const serials = Array.from({ length: UNITS }, (_, i) => `AMX${(46_656 + i * 7_919).toString(36).toUpperCase()}`);
    const tree = SerialTree.build(serials);
    const now = (await hre.ethers.provider.getBlock("latest"))!.timestamp;
    const expiryDate = new Date((now + 2 * 365 * 86_400) * 1000);
    const medication = commitMedication({
      gtin: GTIN,
      lot: LOT,
      expirationDate: expiryDate.toISOString().slice(0, 10),
      productName: "Amoxicillin 500 mg capsules, 21",
      manufacturerName: CAST_NAMES.manufacturer,
      unitCount: UNITS,
    });
    const commissioned = await (
      await provenance
        .connect(cast.manufacturer)
        .commission(
          parseGtin(GTIN),
          encodeLot(LOT),
          expiryTimestamp(expiryDate),
          UNITS,
          tree.root,
          medication.commitment,
        )
    ).wait();
    const batchId = batchIdOf(GTIN, LOT);
    narrator.say(
      `${CAST_NAMES.manufacturer} (${manufacturer}) commissions lot ${LOT} of GTIN ${GTIN}: ${UNITS} serialized packs.`,
    );
    narrator.fact("batch id", batchId);
    narrator.fact("serial root (the only per-unit data on chain)", tree.root);
    narrator.fact("gas", commissioned!.gasUsed.toString());
    expect("manufacturer's stock", (await provenance.holding(batchId, manufacturer)).quantity, BigInt(UNITS));

    // 2. Two-phase custody: ship with committed documents, the receiver accepts.
    const leg = async (from: Member, to: Member, quantity: number, reference: string) => {
      const docs = commitSupplyDelivery({
        reference,
        gtin: GTIN,
        lot: LOT,
        quantity,
        supplierName: CAST_NAMES[from],
        receiverName: CAST_NAMES[to],
        shippedAt: new Date(now * 1000).toISOString(),
      });
      const toAddress = await cast[to].getAddress();
      const sent = await shipUnits(provenance.connect(cast[from]), batchId, toAddress, quantity, docs.commitment);
      await (await provenance.connect(cast[to]).accept(sent.shipment)).wait();
      narrator.say(`${CAST_NAMES[from]} ships ${quantity} packs to ${CAST_NAMES[to]}, who accepts them.`);
      narrator.fact("shipping documents (SupplyDelivery) commitment", docs.commitment);
      expect(
        `${CAST_NAMES[to]}'s stock`,
        (await provenance.holding(batchId, toAddress)).quantity >= BigInt(quantity),
        true,
      );
    };
    await leg("manufacturer", "wholesaler", 600, "ASN-ACME-0001");
    await leg("wholesaler", "pharmacy", 100, "ASN-MEDD-0417");
    expect("wholesaler's stock", (await provenance.holding(batchId, wholesaler)).quantity, 500n);
    expect("pharmacy's stock", (await provenance.holding(batchId, pharmacy)).quantity, 100n);

    // 3. Alice's pack is verified and dispensed.
    const alicePack = tree.unit(42);
    const report = {
      gtin: GTIN,
      lot: LOT,
      note: "Pack presented at the counter",
      observedAt: new Date().toISOString(),
    };
    const status = async (unit: UnitProof) =>
      Number(await provenance.verifyUnit(batchId, unit.position, unit.serial, unit.proof)) as UnitStatus;
    // The pack's GS1 DataMatrix, as printed by Acme: GTIN, expiry, lot, serial (docs/interoperability.md).
    const printed = packOfChain(parseGtin(GTIN), LOT, alicePack.serial, yymmddOfExpiresAt(expiryTimestamp(expiryDate)));
    const scanned = toElementString(printed);
    narrator.say(`${CAST_NAMES.pharmacy} scans the DataMatrix on Alice's pack and asks the chain in one call.`);
    narrator.fact("scanned", JSON.stringify(scanned));
    narrator.fact("as a GS1 Digital Link", toDigitalLink(printed));
    const verdict = await verifyScannedPack(provenance, scanned, tree);
    narrator.fact("verification", `${verdict.statusName}; printed expiry matches the chain: ${verdict.expiryMatches}`);
    expect("the scanned pack's status", verdict.statusName, "Authentic");
    expect("the printed expiry against the chain", verdict.expiryMatches, true);
    expect("Alice's pack before dispensing", await status(alicePack), UnitStatus.Authentic);
    const dispensed = await dispenseOrReport(provenance.connect(cast.pharmacy), batchId, alicePack, report);
    expect("Alice's pack dispensed", dispensed.dispensed, true);
    narrator.say("The pack is authentic: it is dispensed to Alice, and its bit in the batch's bitmap is set.");
    expect("Alice's pack after dispensing", await status(alicePack), UnitStatus.Dispensed);

    // 4. A counterfeit pack carrying Alice's serial is caught and reported.
    const clone = await dispenseOrReport(provenance.connect(cast.pharmacy), batchId, alicePack, report);
    if (clone.dispensed) throw new Error("A cloned serial was dispensed a second time");
    expect("clone's status", clone.status, UnitStatus.Dispensed);
    if (clone.report === null) throw new Error("The cloned pack was not reported");
    narrator.say("A second pack shows up with the same serial: verification says it was already dispensed.");
    narrator.fact("outcome", "not dispensed; reported on chain as suspect (SuspectUnitReported)");
    narrator.fact("report (DetectedIssue) commitment", clone.report.commitment);
    const invented = { position: 43n, serial: "AMX00FAKE", proof: alicePack.proof };
    expect("a pack with an invented serial", await status(invented), UnitStatus.Unknown);
    narrator.say("A pack with an invented serial does not match the batch at all.");
    narrator.fact("verification", UnitStatus[await status(invented)]);

    // 5. The regulator recalls the lot: no more dispensing, stock flows back upstream.
    const notice = commit({
      resourceType: "Communication",
      status: "completed",
      payload: [{ contentString: `Recall of ${GTIN} lot ${LOT}: cloned serials found in the supply chain.` }],
    });
    await (await provenance.connect(cast.regulator).recall(batchId, notice.commitment)).wait();
    narrator.say(`${CAST_NAMES.regulator} recalls lot ${LOT}.`);
    const flags = Number((await provenance.batch(batchId)).flags);
    expect("the batch's recalled flag", flags & BatchFlags.RECALLED, BatchFlags.RECALLED);
    expect("a pack after the recall", await status(tree.unit(7)), UnitStatus.Recalled);
    narrator.fact("another pack now verifies as", UnitStatus[await status(tree.unit(7))]);
    const onward = await provenance
      .connect(cast.wholesaler)
      .ship.staticCall(batchId, pharmacy, 1, notice.commitment)
      .then(
        () => "accepted",
        // In process the revert data is `error.data`; from a node over JSON-RPC it is nested a level deeper.
        (error: unknown) => decodeRevert(revertDataOf(error))?.name ?? "unexpected error",
      );
    expect("shipping the recalled lot onward", onward, "ProvenanceBatchRecalled");
    narrator.say(`${CAST_NAMES.wholesaler} tries to ship the lot onward: refused (${onward}).`);
    await leg("pharmacy", "wholesaler", 99, "RMA-CORNER-0001");
    narrator.fact("returns", "a recalled lot may still travel back toward its manufacturer");
    expect("pharmacy's stock after the return", (await provenance.holding(batchId, pharmacy)).quantity, 0n);

    // 6. The events alone give the whole chain of custody, and the same verification answers.
    const history = await traceBatch(provenance, batchId);
    narrator.say(`The batch's history, rebuilt from ${history.length} events:`);
    for (const e of history) {
      narrator.fact(`block ${e.blockNumber}`, e.kind);
    }
    const state = rebuildBatch(batchId, history);
    let conserved = 0n;
    for (const h of state.holdings.values()) conserved += h.quantity + h.dispensed + h.destroyed;
    expect("units conserved", conserved, BigInt(UNITS));
    expect(
      "off-chain verification of Alice's pack",
      await verifyUnit(provenance, batchId, alicePack),
      UnitStatus.Dispensed,
    );
    narrator.fact("units accounted for", `${conserved} of ${UNITS}`);

    // 7. The same history in the partners' standard: an EPCIS 2.0 document, checked by a wholesaler's system.
    const blockTimes = new Map<number, number>();
    for (const e of history) {
      if (!blockTimes.has(e.blockNumber)) {
        blockTimes.set(e.blockNumber, (await hre.ethers.provider.getBlock(e.blockNumber))!.timestamp);
      }
    }
    const events = epcisEventsOf(history, {
      blockTime: (n) => blockTimes.get(n)!,
      serialOf: (position) => tree.unit(Number(position)).serial,
    });
    // A wholesaler's copy of the first shipment, edited to claim 100 more units than were shipped.
    const shipping = events.find((e) => e.bizStep === "shipping")!;
    const doctored = {
      ...shipping,
      quantityList: shipping.quantityList!.map((q) => ({ ...q, quantity: Number(q.quantity) + 100 })),
    };
    const checks = checkEpcisDocument(epcisDocument([...events, doctored]), new Map([[batchId, history]]), {
      positionOf: (serial) => {
        try {
          return BigInt(tree.unit(serial).position);
        } catch {
          return undefined;
        }
      },
      serialAt: (position) => tree.unit(Number(position)).serial,
    });
    const genuine = checks.slice(0, events.length);
    const count = (status: string) => genuine.filter((c) => c.status === status).length;
    narrator.say(
      `Exported as EPCIS 2.0 (${events.length} events, each with its Event Hash ID), the history is what ` +
        `${CAST_NAMES.wholesaler}'s EPCIS system reads; it checks each event against the chain, and one it edited.`,
    );
    narrator.fact("EPCIS events", events.map((e) => e.bizStep).join(", "));
    narrator.fact(
      "checked against the chain",
      `${count("anchored")} anchored; ${count("not anchored")} with the same facts but committed on chain to the ` +
        `FHIR documents of this demo rather than to the EPCIS event; ${count("contradicting")} contradicting`,
    );
    const edited = checks[events.length];
    narrator.fact("the edited shipment", `${edited.status}: ${edited.reasons.join("; ")}`);
    expect("contradictions in the genuine export", count("contradicting"), 0);
    expect("the edited shipment", edited.status, "contradicting");
  },
};
