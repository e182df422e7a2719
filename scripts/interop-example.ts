/**
 * The partners' standards, end to end on an in-process chain: `npx hardhat run scripts/interop-example.ts`.
 * A manufacturer commissions and ships a batch under its own EPCIS events, a pharmacy scans a DataMatrix, a
 * wholesaler checks an EPCIS document against the chain, a hospital imports a FHIR Consent, and a payer's remittance
 * is written with X12 adjustment codes. Everything it calls is `src/interop` (docs/interoperability.md).
 */
import hre from "hardhat";
import { getAddress, parseUnits } from "ethers";
import { deployTestSystem } from "../tooling/system";
import { batchIdOf, encodeLot, SerialTree, shipUnits, traceBatch } from "../src/provenance";
import { ClaimStatus, REASON, SERVICE, type ClaimHistory } from "../src/claims";
import {
  checkEpcisDocument,
  clpSegments,
  epcisCommitment,
  epcisDocument,
  epcisEventsOf,
  expiresAtOf,
  FHIR_SYSTEMS,
  importConsent,
  lgtinUri,
  packOfChain,
  remittance835,
  renderEpcisCheckReport,
  toDigitalLink,
  toElementString,
  verifyScannedPack,
  type EpcisEvent,
} from "../src/interop";

const GTIN = "09506000134352";
const LOT = "AMX-2611-A";
const EXPIRY = "281231";
const ACME = "https://id.gs1.org/417/0950600013430";
const MEDDISTRIB = "https://id.gs1.org/417/0950600013447";

async function main(): Promise<void> {
  const [, manufacturer, wholesaler, pharmacy, patient, hospital] = await hre.ethers.getSigners();
  const { drugProvenance: provenance } = await deployTestSystem(hre, {
    grants: [
      { role: "MANUFACTURER", account: manufacturer.address },
      { role: "DISTRIBUTOR", account: wholesaler.address },
      { role: "DISPENSER", account: pharmacy.address },
    ],
  });
  const parties: Record<string, string> = { [manufacturer.address]: ACME, [wholesaler.address]: MEDDISTRIB };
  const accountOf = (id: string) => Object.keys(parties).find((a) => parties[a] === id);

  console.log("1. GS1: the manufacturer commissions under its own EPCIS event, and ships under another");
  const serials = Array.from({ length: 1000 }, (_, i) => `SN${String(i).padStart(6, "0")}`);
  const tree = SerialTree.build(serials);
  const cls = lgtinUri(BigInt(GTIN), LOT);
  const commissioning: EpcisEvent = {
    type: "ObjectEvent",
    eventTime: "2026-11-30T07:00:00.000+01:00",
    eventTimeZoneOffset: "+01:00",
    action: "ADD",
    bizStep: "commissioning",
    disposition: "active",
    quantityList: [{ epcClass: cls, quantity: tree.unitCount }],
    sourceList: [{ type: "owning_party", source: ACME }],
    ilmd: { "cbvmda:lotNumber": LOT, "cbvmda:itemExpirationDate": "2028-12-31" },
  };
  await provenance
    .connect(manufacturer)
    .commission(
      BigInt(GTIN),
      encodeLot(LOT),
      expiresAtOf(EXPIRY),
      tree.unitCount,
      tree.root,
      epcisCommitment(commissioning),
    );
  const despatch: EpcisEvent = {
    type: "ObjectEvent",
    eventTime: "2026-11-30T08:15:00.000+01:00",
    eventTimeZoneOffset: "+01:00",
    action: "OBSERVE",
    bizStep: "shipping",
    disposition: "in_transit",
    quantityList: [{ epcClass: cls, quantity: 600 }],
    bizTransactionList: [{ type: "desadv", bizTransaction: "urn:epcglobal:cbv:bt:0950600013430:ASN-0001" }],
    sourceList: [{ type: "owning_party", source: ACME }],
    destinationList: [{ type: "owning_party", destination: MEDDISTRIB }],
  };
  const sent = await shipUnits(
    provenance.connect(manufacturer),
    batchIdOf(GTIN, LOT),
    wholesaler.address,
    600,
    epcisCommitment(despatch),
  );
  await provenance.connect(wholesaler).accept(sent.shipment);

  console.log("2. A pharmacy scans a pack's DataMatrix");
  const pack = packOfChain(BigInt(GTIN), LOT, serials[42], EXPIRY);
  const scanned = toElementString(pack);
  console.log(`   scanned ${JSON.stringify(scanned)} = ${toDigitalLink(pack)}`);
  const verdict = await verifyScannedPack(provenance, scanned, tree);
  console.log(`   chain says ${verdict.statusName}; printed expiry matches the chain: ${verdict.expiryMatches}`);

  console.log("3. The wholesaler checks its EPCIS document against the chain");
  const history = await traceBatch(provenance, verdict.batchId);
  const exported = epcisEventsOf(history, {
    blockTime: () => 1_796_000_000,
    partyOf: (a) => parties[a],
    originals: [commissioning, despatch],
  });
  const receipt = exported.find((e) => e.bizStep === "receiving")!;
  const wrong = { ...receipt, quantityList: [{ epcClass: cls, quantity: 500 }] };
  const partner = epcisDocument([commissioning, despatch, receipt, wrong]);
  const checks = checkEpcisDocument(partner, new Map([[verdict.batchId, history]]), { accountOf });
  for (const line of renderEpcisCheckReport(partner, checks)) console.log(`   ${line}`);

  console.log("4. A hospital imports the patient's FHIR Consent");
  const eth = (a: string) => ({ identifier: { system: FHIR_SYSTEMS.account, value: `urn:ethereum:${a}` } });
  const { grants } = importConsent({
    resourceType: "Consent",
    status: "active",
    scope: { coding: [{ system: FHIR_SYSTEMS.consentScope, code: "patient-privacy" }] },
    category: [{ coding: [{ system: "http://loinc.org", code: "59284-0" }] }],
    patient: eth(patient.address),
    policyRule: { coding: [{ system: FHIR_SYSTEMS.actCode, code: "OPTIN" }] },
    provision: {
      type: "permit",
      period: { start: "2026-12-01", end: "2027-12-01" },
      actor: [
        {
          role: { coding: [{ system: FHIR_SYSTEMS.participationType, code: "PRCP" }] },
          reference: eth(hospital.address),
        },
      ],
      purpose: [{ system: FHIR_SYSTEMS.actReason, code: "TREAT" }],
      class: [
        { system: FHIR_SYSTEMS.resourceTypes, code: "Condition" },
        { system: FHIR_SYSTEMS.resourceTypes, code: "AllergyIntolerance" },
      ],
    },
  });
  for (const g of grants)
    console.log(`   grant to ${g.grantee} for ${g.purpose.slice(0, 10)}…, categories 0x${g.categories.toString(16)}`);
  try {
    importConsent({
      resourceType: "Consent",
      status: "active",
      scope: { coding: [{ system: FHIR_SYSTEMS.consentScope, code: "patient-privacy" }] },
      category: [],
      patient: eth(patient.address),
      provision: { provision: [{ type: "deny", class: [{ system: FHIR_SYSTEMS.resourceTypes, code: "Condition" }] }] },
    });
  } catch (error) {
    console.log(`   refused: ${(error as Error).message}`);
  }

  console.log("5. A payer's remittance with X12 adjustment codes");
  const $ = (v: string) => parseUnits(v, 6);
  const lines = [
    {
      category: SERVICE.CONSULTATION,
      billed: $("200"),
      reason: 0,
      eligible: $("200"),
      deductible: $("50"),
      coinsurance: $("30"),
      benefit: $("120"),
      memberShare: $("80"),
    },
    {
      category: SERVICE.LABORATORY,
      billed: $("80"),
      reason: REASON.SERVICE_NOT_COVERED,
      eligible: 0n,
      deductible: 0n,
      coinsurance: 0n,
      benefit: 0n,
      memberShare: 0n,
    },
  ];
  const claim: ClaimHistory = {
    claimId: "0x" + "ab".repeat(32),
    policyId: 1n,
    provider: getAddress(hospital.address),
    insurer: getAddress(manufacturer.address),
    member: getAddress(patient.address),
    serviceDate: BigInt(Date.UTC(2026, 10, 2) / 1000),
    submittedAt: BigInt(Date.UTC(2026, 10, 3) / 1000),
    lines: lines.map((l) => ({ category: l.category, amount: l.billed })),
    blindedLines: lines.map((l) => ({ category: l.category, amount: l.billed })),
    adjudication: {
      status: ClaimStatus.Approved,
      reason: 0,
      year: 0n,
      billed: $("280"),
      eligible: $("200"),
      deductible: $("50"),
      coinsurance: $("30"),
      benefit: $("120"),
      memberShare: $("80"),
      lines,
    },
    status: ClaimStatus.Paid,
    reason: 0,
    approved: $("120"),
    appealed: false,
    paid: $("120"),
    paidAt: BigInt(Date.UTC(2026, 10, 10) / 1000),
  };
  for (const segment of clpSegments(remittance835(claim, { code: "USD", decimals: 6 }))) console.log(`   ${segment}`);
}

main().catch((error: unknown) => {
  console.error(process.argv.includes("--verbose") ? error : `interop example failed: ${(error as Error).message}`);
  process.exitCode = 1;
});
