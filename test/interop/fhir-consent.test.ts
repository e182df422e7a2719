import { expect } from "chai";
import fc from "fast-check";
import type { Consent } from "@medplum/fhirtypes";
import { getAddress, hexlify } from "ethers";
import { ConsentImportError, exportConsent, FHIR_SYSTEMS, importConsent } from "../../src/interop";
import { ALL_CATEGORIES, categorySet, NO_EXPIRY, PURPOSES, type ConsentTerms } from "../../src/consent";

const ALICE = "0x1111111111111111111111111111111111111111";
const HOSPITAL = "0x2222222222222222222222222222222222222222";
const INSURER = "0x3333333333333333333333333333333333333333";
const eth = (a: string) => ({ identifier: { system: FHIR_SYSTEMS.account, value: `urn:ethereum:${a}` } });
const recipient = (a: string, code = "IRCP") => ({
  role: { coding: [{ system: FHIR_SYSTEMS.participationType, code }] },
  reference: eth(a),
});

/**
 * A Consent in the shape of HL7's published R4 examples (consent-example-basic / consent-example-grantor: scope
 * patient-privacy, LOINC 59284-0 category, policyRule OPTIN, a permit with a period, recipient actors and purposes).
 */
function example(provision: Consent["provision"], extra: Partial<Consent> = {}): Consent {
  return {
    resourceType: "Consent",
    id: "consent-example-basic",
    status: "active",
    scope: { coding: [{ system: FHIR_SYSTEMS.consentScope, code: "patient-privacy" }] },
    category: [{ coding: [{ system: "http://loinc.org", code: "59284-0" }] }],
    patient: { reference: "Patient/f001", ...eth(ALICE) },
    dateTime: "2018-12-28",
    policyRule: { coding: [{ system: FHIR_SYSTEMS.actCode, code: "OPTIN" }] },
    provision,
    ...extra,
  };
}

function expectRefused(consent: Consent, path: string, reason: RegExp, options = {}) {
  try {
    importConsent(consent, options);
  } catch (error) {
    expect(error).to.be.instanceOf(ConsentImportError);
    expect((error as ConsentImportError).path).to.equal(path);
    expect((error as Error).message).to.match(reason);
    return;
  }
  expect.fail(`expected the import to be refused at ${path}`);
}

describe("interop: FHIR R4 Consent ⇄ grant terms", function () {
  context("import", function () {
    it("turns a permit for two recipients and two purposes into four grants", function () {
      const { grants } = importConsent(
        example({
          type: "permit",
          period: { start: "2019-01-01", end: "2021-01-01T00:00:00Z" },
          actor: [recipient(HOSPITAL, "PRCP"), recipient(INSURER)],
          purpose: [
            { system: FHIR_SYSTEMS.actReason, code: "TREAT" },
            { system: FHIR_SYSTEMS.actReason, code: "HPAYMT" },
          ],
          class: [
            { system: FHIR_SYSTEMS.resourceTypes, code: "Condition" },
            { system: FHIR_SYSTEMS.resourceTypes, code: "MedicationStatement" },
          ],
          action: [{ coding: [{ system: FHIR_SYSTEMS.consentAction, code: "access" }] }],
        }),
      );
      expect(grants).to.have.length(4);
      expect(grants.map((g) => [g.grantee, g.purpose])).to.deep.equal([
        [getAddress(HOSPITAL), PURPOSES.TREATMENT],
        [getAddress(HOSPITAL), PURPOSES.PAYMENT],
        [getAddress(INSURER), PURPOSES.TREATMENT],
        [getAddress(INSURER), PURPOSES.PAYMENT],
      ]);
      expect(grants[0]).to.include({
        patient: getAddress(ALICE),
        categories: categorySet("CONDITIONS", "MEDICATIONS"),
        startsAt: BigInt(Date.UTC(2019, 0, 1) / 1000),
        expiresAt: BigInt(Date.UTC(2021, 0, 1) / 1000),
      });
    });

    it("maps research, emergency and public-health purposes, sensitivity labels, and no class to all data", function () {
      const { grants } = importConsent(
        example(
          {
            actor: [recipient(HOSPITAL)],
            purpose: [
              { system: FHIR_SYSTEMS.actReason, code: "HRESCH" },
              { system: FHIR_SYSTEMS.actReason, code: "ETREAT" },
              { system: FHIR_SYSTEMS.actReason, code: "PUBHLTH" },
            ],
            securityLabel: [
              { system: FHIR_SYSTEMS.actCode, code: "PSY" },
              { system: FHIR_SYSTEMS.actCode, code: "ETH" },
            ],
          },
          { scope: { coding: [{ system: FHIR_SYSTEMS.consentScope, code: "research" }] } },
        ),
      );
      expect(grants.map((g) => g.purpose)).to.deep.equal([
        PURPOSES.RESEARCH,
        PURPOSES.EMERGENCY,
        PURPOSES.PUBLIC_HEALTH,
      ]);
      expect(grants[0].categories).to.equal(categorySet("MENTAL_HEALTH", "SUBSTANCE_USE"));
      expect(grants[0].startsAt).to.equal(BigInt(Date.UTC(2018, 11, 28) / 1000)); // dateTime when no period
      expect(grants[0].expiresAt).to.equal(NO_EXPIRY);
      const all = importConsent(example({ actor: [recipient(HOSPITAL)], purpose: [{ code: "TREAT" }] }));
      expect(all.grants[0].categories).to.equal(ALL_CATEGORIES);
    });

    it("resolves hospital references through resolveAccount", function () {
      const consent = example({
        actor: [{ role: recipient(HOSPITAL).role, reference: { reference: "Organization/f001" } }],
        purpose: [{ system: FHIR_SYSTEMS.actReason, code: "TREAT" }],
      });
      consent.patient = { reference: "Patient/f001" };
      const accounts: Record<string, string> = { "Patient/f001": ALICE, "Organization/f001": HOSPITAL };
      const { grants } = importConsent(consent, { resolveAccount: (r) => accounts[r.reference ?? ""] });
      expect(grants[0]).to.include({ patient: getAddress(ALICE), grantee: getAddress(HOSPITAL) });
    });
  });

  context("unsupported constructs are refused, naming the provision and why", function () {
    const base = { actor: [recipient(HOSPITAL)], purpose: [{ system: FHIR_SYSTEMS.actReason, code: "TREAT" }] };
    const cases: [string, Consent, string, RegExp][] = [
      [
        "a deny nested in a permit for one data class (HL7 consent-example-pkb shape)",
        example({
          ...base,
          provision: [{ type: "deny", class: [{ system: FHIR_SYSTEMS.resourceTypes, code: "Condition" }] }],
        }),
        "provision.provision[0]",
        /a deny nested in the permit \(by class Condition\) cannot be represented.*separate permits/,
      ],
      [
        "a deny of one actor (HL7 consent-example-notThem shape)",
        example({ ...base, provision: [{ type: "deny", actor: [recipient(INSURER, "PRCP")] }] }),
        "provision.provision[0]",
        /deny nested in the permit \(by actor\)/,
      ],
      ["a root deny (opt-out)", example({ ...base, type: "deny" }), "provision.type", /root deny cannot be recorded/],
      [
        "an OPTOUT policy rule",
        example(base, { policyRule: { coding: [{ system: FHIR_SYSTEMS.actCode, code: "OPTOUT" }] } }),
        "policyRule",
        /only OPTIN/,
      ],
      [
        "an external policy",
        example(base, { policy: [{ uri: "https://law.example/act" }] }),
        "policy[0]",
        /external policy/,
      ],
      ["a draft Consent", example(base, { status: "draft" }), "status", /only an active Consent/],
      [
        "an advance directive",
        example(base, { scope: { coding: [{ system: FHIR_SYSTEMS.consentScope, code: "adr" }] } }),
        "scope",
        /not a data-sharing consent/,
      ],
      ["no provision", example(undefined), "provision", /is missing/],
      ["no actor", example({ purpose: base.purpose }), "provision.actor", /named grantee/],
      ["no purpose", example({ actor: base.actor }), "provision.purpose", /one named purpose/],
      [
        "a custodian actor",
        example({ ...base, actor: [recipient(HOSPITAL, "CST")] }),
        "provision.actor[0].role",
        /"CST" is not a recipient role/,
      ],
      [
        "the patient as actor",
        example({ ...base, actor: [recipient(ALICE)] }),
        "provision.actor[0].reference",
        /is the patient/,
      ],
      [
        "an unsupported purpose of use",
        example({ ...base, purpose: [{ system: FHIR_SYSTEMS.actReason, code: "HMARKT" }] }),
        "provision.purpose[0]",
        /"HMARKT" has no registry purpose/,
      ],
      [
        "a purpose in another code system",
        example({ ...base, purpose: [{ system: "http://snomed.info/sct", code: "1" }] }),
        "provision.purpose[0]",
        /not supported/,
      ],
      [
        "an ambiguous resource type",
        example({ ...base, class: [{ system: FHIR_SYSTEMS.resourceTypes, code: "Observation" }] }),
        "provision.class[0]",
        /"Observation" maps to no single data category/,
      ],
      [
        "a class in an unknown system",
        example({ ...base, class: [{ system: "http://example.org", code: "x" }] }),
        "provision.class[0]",
        /not a supported data class/,
      ],
      [
        "a confidentiality label",
        example({
          ...base,
          securityLabel: [{ system: "http://terminology.hl7.org/CodeSystem/v3-Confidentiality", code: "R" }],
        }),
        "provision.securityLabel[0]",
        /no confidentiality levels/,
      ],
      [
        "consent to single resources",
        example({ ...base, data: [{ meaning: "instance", reference: { reference: "Condition/1" } }] }),
        "provision.data",
        /individual resources/,
      ],
      [
        "a data period",
        example({ ...base, dataPeriod: { start: "2010-01-01" } }),
        "provision.dataPeriod",
        /when the data was recorded/,
      ],
      [
        "a clinical code limit",
        example({ ...base, code: [{ coding: [{ system: "http://loinc.org", code: "1-8" }] }] }),
        "provision.code",
        /clinical code/,
      ],
      [
        "a write action",
        example({ ...base, action: [{ coding: [{ system: FHIR_SYSTEMS.consentAction, code: "correct" }] }] }),
        "provision.action[0]",
        /"correct" cannot be represented/,
      ],
      [
        "a period that ends before it starts",
        example({ ...base, period: { start: "2020-01-01", end: "2019-01-01" } }),
        "provision.period",
        /ends before it starts/,
      ],
      [
        "a bad dateTime",
        example({ ...base, period: { start: "yesterday" } }),
        "provision.period.start",
        /not a FHIR dateTime/,
      ],
      [
        "sub-second times",
        example({ ...base, period: { start: "2020-01-01T00:00:00.5Z" } }),
        "provision.period.start",
        /fractions of a second/,
      ],
      [
        "an actor without an account",
        example({ ...base, actor: [{ role: recipient(HOSPITAL).role, reference: { reference: "Organization/x" } }] }),
        "provision.actor[0].reference",
        /"Organization\/x" has no urn:ethereum: identifier/,
      ],
      ["not a Consent", { resourceType: "Patient" } as unknown as Consent, "resourceType", /expected "Consent"/],
    ];
    for (const [title, consent, path, reason] of cases) {
      it(`refuses ${title}`, function () {
        expectRefused(consent, path, reason);
      });
    }

    it("refuses an account resolver that returns no address", function () {
      const consent = example({
        actor: [{ role: recipient(HOSPITAL).role, reference: { reference: "Organization/x" } }],
        purpose: [{ code: "TREAT" }],
      });
      expectRefused(consent, "provision.actor[0].reference", /not an address/, { resolveAccount: () => "nope" });
    });
  });

  context("round trip (property)", function () {
    const address = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => getAddress(hexlify(b)));
    const purpose = fc.oneof(
      fc.constantFrom(...Object.values(PURPOSES)),
      fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => hexlify(b)),
    );
    const maxTime = 253402300799n; // 9999-12-31T23:59:59Z
    const terms = fc
      .record({
        patient: address,
        grantee: address,
        purpose,
        categories: fc.bigInt({ min: 1n, max: ALL_CATEGORIES }),
        startsAt: fc.bigInt({ min: 0n, max: maxTime - 1n }),
        length: fc.option(fc.bigInt({ min: 1n, max: maxTime }), { nil: undefined }),
      })
      .filter((t) => t.patient !== t.grantee)
      .map((t): ConsentTerms => ({
        patient: t.patient,
        grantee: t.grantee,
        purpose: t.purpose,
        categories: t.categories,
        startsAt: t.startsAt,
        expiresAt: t.length === undefined ? NO_EXPIRY : t.startsAt + t.length,
      }));

    it("exportConsent then importConsent gives the same grant", function () {
      fc.assert(
        fc.property(terms, (t) => {
          const { grants } = importConsent(exportConsent(t));
          expect(grants).to.deep.equal([t]);
        }),
      );
    });

    it("importConsent then exportConsent then importConsent is stable", function () {
      fc.assert(
        fc.property(terms, (t) => {
          const once = importConsent(exportConsent(t)).grants[0];
          expect(importConsent(exportConsent(once)).grants).to.deep.equal([once]);
        }),
      );
    });
  });
});
