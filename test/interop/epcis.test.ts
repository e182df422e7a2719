import { expect } from "chai";
import { readFileSync } from "fs";
import { join } from "path";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import {
  canonicalGs1Uri,
  canonicalTime,
  checkEpcisAgainstChain,
  checkEpcisDocument,
  contextPrefixes,
  epcisCommitment,
  epcisDocument,
  epcisEventsOf,
  EpcisError,
  eventHashId,
  exportBatchEpcis,
  lgtinUri,
  preHashString,
  renderEpcisCheckReport,
  type EpcisDocument,
  type EpcisEvent,
} from "../../src/interop";
import { encodeLot, SerialTree, shipUnits, traceBatch } from "../../src/provenance";
import { deployFixture, distributedFixture, GTIN, LOT } from "../provenance/fixture";

const VECTORS = join(__dirname, "fixtures", "epcis");
const read = (name: string) => ({
  doc: JSON.parse(readFileSync(join(VECTORS, `${name}.jsonld`), "utf8")) as EpcisDocument,
  hashes: readFileSync(join(VECTORS, `${name}.hashes`), "utf8")
    .trim()
    .split("\n"),
});

describe("interop: EPCIS 2.0 and the CBV 2.0 Event Hash ID", function () {
  context("published test vectors (reference implementation of CBV 2.0 §8.9)", function () {
    for (const name of [
      "epcisDocWithSingleEvent",
      "epcisDocWithShippingAndTransportingEvent",
      "ReferenceEventHashAlgorithm",
      "ReferenceEventHashAlgorithm3",
      "epcisDocWithVariousEventTypes",
      "epcisDocHavingEventWithComment",
      "epcisDocWithCustomSchemaInContext",
      "epcisDocWithDefaultSchemaInContext",
      "epcisEventWithCURIEs",
      "persistentDisposition",
      "ralfsChaosExample",
    ]) {
      it(`gives the published hash of every event in ${name}`, function () {
        const { doc, hashes } = read(name);
        const events = doc.epcisBody.eventList;
        expect(events.map((e) => eventHashId(e, contextPrefixes(doc)))).to.deep.equal(hashes.slice(0, events.length));
      });
    }

    it("writes the published pre-hash string of the single-event example", function () {
      const { doc } = read("epcisDocWithSingleEvent");
      expect(preHashString(doc.epcisBody.eventList[0])).to.equal(
        "eventType=ObjectEventeventTime=2022-02-17T02:33:31.116ZeventTimeZoneOffset=-06:00" +
          "epcListepc=https://id.gs1.org/01/10614141073464/21/2017epc=https://id.gs1.org/01/10614141073464/21/2018" +
          "action=OBSERVEbizStep=https://ref.gs1.org/cbv/BizStep-shippingdisposition=https://ref.gs1.org/cbv/Disp-in_transit" +
          "readPointid=https://id.gs1.org/414/0614141073467/254/1234" +
          "bizTransactionListtype=https://ref.gs1.org/cbv/BTT-pobizTransaction=http://transaction.acme.com/po/12345678",
      );
    });

    it("refuses sensor data rather than hashing it wrongly, with a message", function () {
      for (const name of ["ReferenceEventHashAlgorithm2", "TimeStampRoundOff"]) {
        const { doc } = read(name);
        const sensor = doc.epcisBody.eventList.find((e) => e.sensorElementList !== undefined)!;
        expect(() => eventHashId(sensor)).to.throw(EpcisError, /sensorElementList is not supported/);
      }
      const { doc, hashes } = read("TimeStampRoundOff");
      expect(eventHashId(doc.epcisBody.eventList[0])).to.equal(hashes[0]);
      expect(() => preHashString({ type: "ObjectEvent" } as EpcisEvent)).to.throw(
        EpcisError,
        /needs a type and an eventTime/,
      );
    });

    it("normalises EPC URNs and Digital Link URIs to canonical GS1 web URIs", function () {
      expect(canonicalGs1Uri("urn:epc:id:sgtin:0614141.107346.2017")).to.equal(
        "https://id.gs1.org/01/10614141073464/21/2017",
      );
      expect(canonicalGs1Uri("urn:epc:class:lgtin:4054739.099914.20160711")).to.equal(
        "https://id.gs1.org/01/04054739999148/10/20160711",
      );
      expect(canonicalGs1Uri("https://brand.example/a/01/9506000134352/10/L1/21/S1?17=281231")).to.equal(
        "https://id.gs1.org/01/09506000134352/21/S1",
      );
      expect(canonicalGs1Uri("https://id.gs1.org/gtin/09780345418913/cpv/X/ser/765tz")).to.equal(
        "https://id.gs1.org/01/09780345418913/21/765tz",
      );
      expect(canonicalGs1Uri("urn:epc:id:pgln:4012345.00000")).to.equal("https://id.gs1.org/417/4012345000009");
      expect(canonicalGs1Uri("geo:47.5,11.1")).to.equal(undefined);
      expect(canonicalTime("2022-02-16T20:33:31.1165-06:00")).to.equal("2022-02-17T02:33:31.116Z"); // half to even
      expect(canonicalTime("2022-02-16T20:33:31.1175-06:00")).to.equal("2022-02-17T02:33:31.118Z");
    });

    it("is independent of member order and of bare versus full CBV values", function () {
      const a: EpcisEvent = {
        type: "ObjectEvent",
        eventTime: "2026-01-05T09:00:00+01:00",
        eventTimeZoneOffset: "+01:00",
        epcList: ["urn:epc:id:sgtin:0614141.107346.2", "urn:epc:id:sgtin:0614141.107346.1"],
        action: "OBSERVE",
        bizStep: "shipping",
      };
      const b: EpcisEvent = {
        bizStep: "https://ref.gs1.org/cbv/BizStep-shipping",
        action: "OBSERVE",
        epcList: ["https://id.gs1.org/01/10614141073464/21/1", "https://id.gs1.org/01/10614141073464/21/2"],
        eventTimeZoneOffset: "+01:00",
        eventTime: "2026-01-05T08:00:00.000Z",
        type: "ObjectEvent",
        eventID: "ignored",
        recordTime: "2026-01-06T00:00:00Z",
      };
      expect(eventHashId(a)).to.equal(eventHashId(b));
      expect(eventHashId({ ...a, disposition: "in_transit" })).not.to.equal(eventHashId(a));
    });
  });

  context("export of a batch history and the partner check", function () {
    const MANUFACTURER_GLN = "https://id.gs1.org/417/0950600013430";
    const WHOLESALER_GLN = "https://id.gs1.org/417/0950600013447";

    async function anchoredFixture() {
      const f = await deployFixture();
      const parties: Record<string, string> = {
        [f.manufacturer.address]: MANUFACTURER_GLN,
        [f.distributor.address]: WHOLESALER_GLN,
      };
      // The manufacturer's own shipping event (its time, its GLNs, its ASN), committed on chain as the documents.
      const despatch: EpcisEvent = {
        type: "ObjectEvent",
        eventTime: "2026-11-30T08:15:00.000+01:00",
        eventTimeZoneOffset: "+01:00",
        action: "OBSERVE",
        bizStep: "shipping",
        disposition: "in_transit",
        quantityList: [{ epcClass: lgtinUri(BigInt(GTIN), LOT), quantity: 500 }],
        bizTransactionList: [{ type: "desadv", bizTransaction: "urn:epcglobal:cbv:bt:0950600013430:ASN-0001" }],
        sourceList: [{ type: "owning_party", source: MANUFACTURER_GLN }],
        destinationList: [{ type: "owning_party", destination: WHOLESALER_GLN }],
      };
      const sent = await shipUnits(
        f.provenance.connect(f.manufacturer),
        f.batchId,
        f.distributor.address,
        500,
        epcisCommitment(despatch),
      );
      await f.provenance.connect(f.distributor).accept(sent.shipment);
      const accountOf = (id: string) => Object.keys(parties).find((a) => parties[a] === id);
      return { ...f, parties, despatch, sent, accountOf };
    }

    it("exports every step with CBV steps, dispositions, ILMD and the hash ID as eventID", async function () {
      const f = await loadFixture(distributedFixture);
      const u = f.tree.unit(9);
      await f.provenance.connect(f.pharmacy).dispense(f.batchId, u.position, u.serial, u.proof);
      await f.provenance.connect(f.regulator).recall(f.batchId, ethers.id("recall notice"));
      const doc = await exportBatchEpcis(f.provenance, f.batchId, { serialOf: (p) => f.tree.unit(Number(p)).serial });
      const events = doc.epcisBody.eventList;
      expect(doc).to.include({ type: "EPCISDocument", schemaVersion: "2.0" });
      expect(events.map((e) => `${e.bizStep}/${e.disposition}`)).to.deep.equal([
        "commissioning/active",
        "shipping/in_transit",
        "receiving/in_progress",
        "shipping/in_transit",
        "receiving/in_progress",
        "dispensing/dispensed",
        "holding/recalled",
      ]);
      for (const e of events) expect(e.eventID).to.equal(eventHashId(e));
      expect(events[0].ilmd).to.deep.equal({
        "cbvmda:lotNumber": LOT,
        "cbvmda:itemExpirationDate": new Date((Number(f.expiresAt) - 1) * 1000).toISOString().slice(0, 10),
      });
      expect(events[0].quantityList).to.deep.equal([
        { epcClass: `https://id.gs1.org/01/${GTIN}/10/${LOT}`, quantity: 600 },
      ]);
      expect(events[1].sourceList![0].source).to.equal(`urn:ethereum:${f.manufacturer.address}`);
      expect(events[1].bizTransactionList![0].bizTransaction).to.equal(
        `urn:health-ledger:shipment:${f.toDistributor.shipmentId.toLowerCase()}`,
      );
      expect(events[5].epcList).to.deep.equal([`https://id.gs1.org/01/${GTIN}/21/${u.serial}`]);
      // Checked by a partner: receipts and dispensing match facts the chain holds without a commitment; shipments
      // agree with the chain but their hash is not what the shipper committed.
      const checks = await checkEpcisAgainstChain(f.provenance, doc, {
        batchIds: [f.batchId],
        positionOf: (s) => f.tree.unit(s).position,
        serialAt: (p) => f.tree.unit(Number(p)).serial,
      });
      expect(checks.map((c) => c.status)).to.deep.equal([
        "not anchored",
        "not anchored",
        "anchored",
        "not anchored",
        "anchored",
        "anchored",
        "not anchored",
      ]);
      expect(checks[1].reasons[0]).to.match(/agrees with it but commits to another document/);
    });

    it("anchors a partner's own shipping event by its hash, and exports it as it is", async function () {
      const f = await loadFixture(anchoredFixture);
      const partnerDoc = epcisDocument([f.despatch]);
      const [check] = await checkEpcisAgainstChain(f.provenance, partnerDoc, { accountOf: f.accountOf });
      expect(check).to.deep.include({ status: "anchored", matchedBy: "hash", reasons: [] });
      expect(check.chainEvent!.kind).to.equal("shipped");
      const history = await traceBatch(f.provenance, f.batchId);
      const exported = epcisEventsOf(history, {
        blockTime: () => 0,
        originals: [f.despatch],
        partyOf: (a) => f.parties[a],
      });
      expect(exported[1].eventID).to.equal(eventHashId(f.despatch));
    });

    it("flags a partner event the chain contradicts, and one it does not know", async function () {
      const f = await loadFixture(anchoredFixture);
      const history = await traceBatch(f.provenance, f.batchId);
      const ours = epcisEventsOf(history, { blockTime: () => 1_800_000_000, partyOf: (a) => f.parties[a] });
      const receipt = ours.find((e) => e.bizStep === "receiving")!;
      const tamperedReceipt = { ...receipt, quantityList: [{ ...receipt.quantityList![0], quantity: 400 }] };
      const wrongExpiry = { ...ours[0], ilmd: { ...ours[0].ilmd, "cbvmda:itemExpirationDate": "2099-12-31" } };
      const liedDespatch = { ...f.despatch, quantityList: [{ ...f.despatch.quantityList![0], quantity: 499 }] };
      const otherBatch = {
        ...f.despatch,
        quantityList: [{ epcClass: lgtinUri(BigInt(GTIN), "OTHER-LOT"), quantity: 5 }],
      };
      const noBatch = { ...f.despatch, quantityList: [{ epcClass: "urn:example:thing", quantity: 5 }] };
      const checks = checkEpcisDocument(
        epcisDocument([tamperedReceipt, wrongExpiry, liedDespatch, otherBatch, noBatch]),
        new Map([[f.batchId, history]]),
        { accountOf: f.accountOf },
      );
      expect(checks.map((c) => c.status)).to.deep.equal([
        "contradicting",
        "contradicting",
        "not anchored",
        "not anchored",
        "not anchored",
      ]);
      expect(checks[0].reasons).to.deep.equal(["quantity 400, the chain records 500"]);
      expect(checks[1].reasons[0]).to.match(/^expiry 2099-12-31, the chain records /);
      expect(checks[3].reasons[0]).to.match(/is not on chain/);
      expect(checks[4].reasons[0]).to.match(/names no batch/);
      const report = renderEpcisCheckReport(
        epcisDocument([tamperedReceipt, wrongExpiry, liedDespatch, otherBatch, noBatch]),
        checks,
      );
      expect(report[0]).to.equal("5 event(s): 0 anchored, 3 not anchored, 2 contradicting");
      expect(report[1]).to.match(
        /^#0 receiving .* contradicting \(by facts\) [0-9a-f]{16}…: quantity 400, the chain records 500$/,
      );
    });

    it("reports an anchored event whose content contradicts the chain (the committer lied)", async function () {
      const f = await loadFixture(deployFixture);
      const gtin = BigInt(GTIN);
      const lot = "LOT-HASHED";
      const commissioning: EpcisEvent = {
        type: "ObjectEvent",
        eventTime: "2026-11-01T00:00:00Z",
        eventTimeZoneOffset: "+00:00",
        action: "ADD",
        bizStep: "commissioning",
        disposition: "active",
        quantityList: [{ epcClass: lgtinUri(gtin, lot), quantity: 1000 }],
        ilmd: { "cbvmda:lotNumber": lot, "cbvmda:itemExpirationDate": "2027-12-31" },
      };
      const tree = SerialTree.build(["A1", "A2"]);
      await f.provenance
        .connect(f.manufacturer)
        .commission(
          gtin,
          encodeLot(lot),
          BigInt(Date.UTC(2028, 0, 1) / 1000),
          tree.unitCount,
          tree.root,
          epcisCommitment(commissioning),
        );
      const [check] = await checkEpcisAgainstChain(f.provenance, epcisDocument([commissioning]));
      expect(check).to.deep.include({ status: "contradicting", matchedBy: "hash" });
      expect(check.reasons).to.deep.equal(["quantity 1000, the chain records 2"]);
    });

    it("refuses what is not an EPCIS document, and a history without commissioning", function () {
      expect(() => checkEpcisDocument({} as EpcisDocument, new Map())).to.throw(EpcisError, /Not an EPCIS document/);
      expect(() => epcisEventsOf([], { blockTime: () => 0 })).to.throw(EpcisError, /no commissioning/);
    });
  });
});
