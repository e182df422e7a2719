import { expect } from "chai";
import fc from "fast-check";
import { ZeroHash } from "ethers";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import {
  assertTrdsComplete,
  checkTrds,
  compareOutcomes,
  outcomeDefinitionOf,
  parseTimeFrame,
  resultsDeadline,
  structuredOutcomeOf,
  registerTrdsTrial,
  TRDS_ITEMS,
  trdsOutcomeSet,
  trdsSwitchingReport,
  type StructuredOutcome,
  type TrdsRecord,
} from "../../src/interop";
import { buildOutcomeSet, outcomeSetHash } from "../../src/trials";
import { deployTrialsFixture } from "../trials/fixture";

const HBA1C: StructuredOutcome = {
  measure: "HbA1c",
  timeFrame: "week 26",
  metric: "change from baseline",
  aggregation: "mean",
  analysisPopulation: "intention to treat",
};
const WEIGHT: StructuredOutcome = { ...HBA1C, measure: "Body weight" };

/** A complete record at registration, in the TRDS's own items. */
function record(): TrdsRecord {
  return {
    secondaryIds: [{ issuer: "Sponsor protocol number", id: "ACME-DM-301" }],
    sourcesOfSupport: ["Acme Pharma"],
    primarySponsor: "Acme Pharma",
    secondarySponsors: [],
    publicContact: { name: "Trial desk", email: "trials@acme.example" },
    scientificContact: { name: "Dr A. Investigator", email: "pi@uni.example", affiliation: "University Hospital" },
    publicTitle: "A new tablet for type 2 diabetes",
    scientificTitle: "A randomised, double-blind, placebo-controlled phase 3 trial of X in type 2 diabetes",
    countriesOfRecruitment: ["GB", "KE"],
    healthConditions: [{ text: "Type 2 diabetes mellitus", code: "E11" }],
    interventions: [
      { name: "X 10 mg", description: "10 mg orally once daily for 26 weeks" },
      { name: "Placebo", description: "matching placebo once daily for 26 weeks" },
    ],
    eligibility: { inclusion: "Adults 18-75 with HbA1c 7-10%", exclusion: "Type 1 diabetes; pregnancy", sex: "all" },
    studyType: {
      type: "interventional",
      allocation: "randomised",
      masking: "double blind",
      assignment: "parallel",
      purpose: "treatment",
      phase: "3",
    },
    firstEnrolment: { date: "2027-01-15", type: "anticipated" },
    sampleSize: { target: 300 },
    recruitmentStatus: "pending",
    primaryOutcomes: [HBA1C],
    secondaryOutcomes: [WEIGHT],
    ethicsReview: {
      status: "approved",
      approvalDate: "2026-11-02",
      committee: { name: "Central REC", contact: "rec@nhs.example" },
    },
    completionDate: { date: "2028-06-30", type: "anticipated" },
    ipdSharing: { plan: "yes", description: "De-identified IPD on request after publication" },
  };
}

describe("interop: WHO Trial Registration Data Set 1.3.1", function () {
  it("lists the 24 items in order", function () {
    expect(TRDS_ITEMS.map((i) => i.item)).to.deep.equal(Array.from({ length: 24 }, (_, i) => i + 1));
    expect(TRDS_ITEMS[20].name).to.equal("Ethics Review");
    expect(TRDS_ITEMS[23].name).to.equal("IPD Sharing Statement");
  });

  context("completeness", function () {
    it("accepts a complete record before registration, where items 1, 2 and 23 are not yet due", function () {
      expect(checkTrds(record())).to.deep.equal([]);
      expect(() => assertTrdsComplete(record())).not.to.throw();
    });

    it("asks for items 1 and 2 once registered and 23 once results are due", function () {
      expect(checkTrds(record(), "registered").map((f) => f.item)).to.deep.equal([1, 2]);
      const registered = {
        ...record(),
        primaryRegistryId: { registry: "Health Ledger", id: "7" },
        registrationDate: "2026-12-01",
      };
      expect(checkTrds(registered, "results").map((f) => f.item)).to.deep.equal([23]);
      expect(checkTrds({ ...registered, summaryResults: { datePosted: "2029-05-01" } }, "results")).to.deep.equal([]);
    });

    it("gives one message per missing item, naming the item", function () {
      const findings = checkTrds({}, "results");
      expect(findings.map((f) => f.item)).to.deep.equal(Array.from({ length: 24 }, (_, i) => i + 1));
      expect(findings[8].message).to.equal("TRDS item 9 (Public Title) is missing");
      expect(() => assertTrdsComplete({})).to.throw(
        /not complete for registration \(WHO TRDS 1.3.1\): 21 item\(s\) to fix\n- TRDS item 3/,
      );
    });

    const broken: [string, Partial<TrdsRecord>, number, RegExp][] = [
      ["a secondary id without issuer", { secondaryIds: [{ issuer: "", id: "1" }] }, 3, /issuing authority/],
      ["no source of support", { sourcesOfSupport: [] }, 4, /at least one/],
      ["an empty sponsor", { primarySponsor: " " }, 5, /is empty/],
      ["secondary sponsors not a list", { secondarySponsors: "none" as unknown as string[] }, 6, /\[\] when none/],
      [
        "a public contact with no way to reach",
        { publicContact: { name: "Desk" } },
        7,
        /email address, a telephone number or a postal address/,
      ],
      ["a scientific contact without affiliation", { scientificContact: { email: "a@b.c" } }, 8, /affiliation/],
      ["an empty public title", { publicTitle: "" }, 9, /is empty/],
      ["no scientific title", { scientificTitle: undefined }, 10, /is missing/],
      ["a country name instead of a code", { countriesOfRecruitment: ["Kenya"] }, 11, /ISO 3166-1 alpha-2/],
      ["no condition", { healthConditions: [] }, 12, /at least one condition/],
      [
        "an intervention without description",
        { interventions: [{ name: "X", description: "" }] },
        13,
        /name and description/,
      ],
      [
        "no exclusion criteria",
        { eligibility: { inclusion: "adults", exclusion: "", sex: "all" } },
        14,
        /exclusion criteria/,
      ],
      [
        "an interventional study without phase",
        { studyType: { type: "interventional", allocation: "r", masking: "m", purpose: "t" } },
        15,
        /phase/,
      ],
      ["a bad enrolment date", { firstEnrolment: { date: "2027-02-30", type: "actual" } }, 16, /YYYY-MM-DD/],
      ["a zero sample size", { sampleSize: { target: 0 } }, 17, /above 0/],
      [
        "an unknown status",
        { recruitmentStatus: "open" as TrdsRecord["recruitmentStatus"] },
        18,
        /not a TRDS recruitment status/,
      ],
      ["no primary outcome", { primaryOutcomes: [] }, 19, /at least one primary outcome/],
      [
        "a primary outcome without time frame",
        { primaryOutcomes: [{ ...HBA1C, timeFrame: "" }] },
        19,
        /primary outcome 1 has no timeFrame/,
      ],
      [
        "a secondary outcome without population",
        { secondaryOutcomes: [{ ...WEIGHT, analysisPopulation: "" }] },
        20,
        /secondary outcome 1 has no analysisPopulation/,
      ],
      [
        "an approval without date",
        { ethicsReview: { status: "approved", committee: { name: "REC" } } },
        21,
        /date .* and the committee's name/,
      ],
      ["an unknown ethics status", { ethicsReview: { status: "maybe" as "pending" } }, 21, /not a TRDS ethics status/],
      [
        "a completion date without type",
        { completionDate: { date: "2028-01-01" } as TrdsRecord["completionDate"] },
        22,
        /"actual" or "anticipated"/,
      ],
      [
        "an IPD statement without description",
        { ipdSharing: { plan: "no", description: "" } },
        24,
        /plan .* and a description/,
      ],
    ];
    for (const [title, patch, item, pattern] of broken) {
      it(`reports ${title} under item ${item}`, function () {
        const findings = checkTrds({ ...record(), ...patch });
        expect(findings).to.have.length(1);
        expect(findings[0].item).to.equal(item);
        expect(findings[0].message)
          .to.match(new RegExp(`^TRDS item ${item} `))
          .and.to.match(pattern);
      });
    }
    it("reports results without a posting date (item 23) and a bad registration date (item 2)", function () {
      const f = checkTrds(
        { ...record(), registrationDate: "1/12/2026", summaryResults: { datePosted: "" } },
        "registration",
      );
      expect(f.map((x) => x.item)).to.deep.equal([2, 23]);
    });
  });

  context("structured outcomes and outcome switching", function () {
    it("reads time frames as numbers of a unit", function () {
      expect(parseTimeFrame("week 26")).to.deep.equal({ value: 26, unit: "week" });
      expect(parseTimeFrame("26 weeks after randomisation")).to.deep.equal({ value: 26, unit: "week" });
      expect(parseTimeFrame("end of treatment")).to.equal(undefined);
    });

    it("flags a changed time point of a primary outcome as outcome switching", function () {
      const changes = compareOutcomes(
        { primary: [HBA1C], secondary: [WEIGHT] },
        { primary: [{ ...HBA1C, timeFrame: "week 52" }], secondary: [{ ...WEIGHT, timeFrame: "26 weeks" }] },
      );
      expect(changes).to.deep.equal([
        {
          kind: "timeFrameChanged",
          measure: "HbA1c",
          from: "week 26",
          to: "week 52",
          primary: true,
          message: 'outcome switching: the time point of primary outcome "HbA1c" changed from "week 26" to "week 52"',
        },
      ]);
    });

    it("flags metric, aggregation and population changes, promotions, added and dropped outcomes", function () {
      const changes = compareOutcomes(
        { primary: [HBA1C], secondary: [WEIGHT, { ...HBA1C, measure: "Fasting glucose" }] },
        {
          primary: [
            { ...HBA1C, metric: "end value", aggregation: "median", analysisPopulation: "per protocol" },
            WEIGHT,
          ],
          secondary: [{ ...HBA1C, measure: "Hypoglycaemia" }],
        },
      );
      expect(changes.map((c) => `${c.kind}:${c.measure}`)).to.deep.equal([
        "metricChanged:HbA1c",
        "aggregationChanged:HbA1c",
        "analysisPopulationChanged:HbA1c",
        "promoted:Body weight",
        "removed:Fasting glucose",
        "added:Hypoglycaemia",
      ]);
    });

    it("reports overdue results 12 months after completion, and late ones", function () {
      const registered = record();
      const completed: TrdsRecord = {
        ...registered,
        completionDate: { date: "2028-02-29", type: "actual" },
        primaryOutcomes: [{ ...HBA1C, timeFrame: "week 52" }],
      };
      expect(resultsDeadline("2028-02-29")).to.equal("2029-02-28");
      const overdue = trdsSwitchingReport(registered, completed, "2029-03-01");
      expect(overdue.results).to.equal("overdue");
      expect(overdue.primaryChanges).to.equal(1);
      expect(overdue.findings).to.deep.equal([
        'outcome switching: the time point of primary outcome "HbA1c" changed from "week 26" to "week 52"',
        "results are overdue: due 2029-02-28, 12 months after completion on 2028-02-29, and not posted",
      ]);
      expect(trdsSwitchingReport(registered, completed, "2029-02-28").results).to.equal("due");
      const late = trdsSwitchingReport(
        registered,
        { ...completed, summaryResults: { datePosted: "2029-04-01" } },
        "2029-05-01",
      );
      expect(late.results).to.equal("posted late");
      expect(trdsSwitchingReport(registered, registered, "2040-01-01").results).to.equal("not completed");
      expect(() => resultsDeadline("2028-13-01")).to.throw(/YYYY-MM-DD/);
    });

    it("commits structured outcomes through the registry's outcome set, and reads them back", function () {
      const set = buildOutcomeSet([outcomeDefinitionOf(HBA1C, true), outcomeDefinitionOf(WEIGHT, false)]);
      expect(set.outcomes.map((o) => o.primary)).to.deep.equal([true, false]);
      expect(() => outcomeDefinitionOf({ ...HBA1C, metric: "" }, true)).to.throw(/non-empty metric/);
      expect(() =>
        structuredOutcomeOf({ title: "x", description: "free text", timeFrame: "w1", primary: true }),
      ).to.throw(/not registered in structured form/);
    });

    const field = fc
      .oneof(
        fc.string({ minLength: 1, maxLength: 30 }),
        fc.constantFrom('mean"; aggregation: "x', "a\\b; analysis population: c", 'ünï\n"q"'),
      )
      .filter((s) => s.trim() !== "");
    const outcome = fc.record({
      measure: field,
      timeFrame: field,
      metric: field,
      aggregation: field,
      analysisPopulation: field,
    });

    it("property: structured → definition → structured is the identity", function () {
      fc.assert(
        fc.property(outcome, fc.boolean(), (o, primary) => {
          expect(structuredOutcomeOf(outcomeDefinitionOf(o, primary))).to.deep.equal(o);
        }),
      );
    });

    it("property: an unchanged set has no changes, and a changed time point of a primary is always flagged", function () {
      fc.assert(
        fc.property(
          fc.uniqueArray(outcome, {
            minLength: 1,
            maxLength: 6,
            selector: (o) => o.measure.trim().toLowerCase().replace(/\s+/g, " "),
          }),
          (list) => {
            const set = { primary: list.slice(0, 1), secondary: list.slice(1) };
            expect(compareOutcomes(set, set)).to.deep.equal([]);
            const p = parseTimeFrame(list[0].timeFrame);
            const other = p !== undefined && p.value === 1 && p.unit === "week" ? "week 2" : "week 1";
            const moved = { ...set, primary: [{ ...list[0], timeFrame: other }] };
            const changes = compareOutcomes(set, moved);
            expect(changes.some((c) => c.kind === "timeFrameChanged" && c.primary)).to.equal(true);
          },
        ),
      );
    });
  });

  context("registration on chain", function () {
    it("registers a complete record with its structured outcomes and fills in items 1 and 2", async function () {
      const f = await loadFixture(deployTrialsFixture);
      const { outcomes: _ignored, ...registration } = f.registration({ targetEnrolment: 300 });
      void _ignored;
      const r = await registerTrdsTrial(f.registry.connect(f.sponsor), registration, record());
      expect(r.trialId).to.equal(await f.registry.trialCount());
      expect((await f.registry.trial(r.trialId)).outcomeSetHash).to.equal(outcomeSetHash(r.outcomeSet.outcomes));
      expect(r.outcomeSet.outcomes.map((o) => o.primary)).to.deep.equal([true, false]);
      expect(r.record.primaryRegistryId!.id).to.equal(r.trialId.toString());
      expect(checkTrds(r.record, "registered")).to.deep.equal([]);
      expect(
        trdsOutcomeSet(
          record(),
          r.outcomeSet.openings.map((o) => o.salt),
        ).hash,
      ).to.equal(r.outcomeSet.hash);
    });

    it("refuses to register an incomplete record or a sample size that differs, before any transaction", async function () {
      const f = await loadFixture(deployTrialsFixture);
      const { outcomes: _ignored, ...registration } = f.registration({ targetEnrolment: 300 });
      void _ignored;
      const before = await f.registry.trialCount();
      await expectReject(
        registerTrdsTrial(f.registry.connect(f.sponsor), registration, { ...record(), ethicsReview: undefined }),
        /TRDS item 21 \(Ethics Review\) is missing/,
      );
      await expectReject(
        registerTrdsTrial(f.registry.connect(f.sponsor), { ...registration, targetEnrolment: 250 }, record()),
        /TRDS item 17 \(Sample Size\) says 300, the registration's targetEnrolment 250/,
      );
      await expectReject(
        registerTrdsTrial(
          f.registry.connect(f.sponsor),
          { ...registration, ethicsApprovalCommitment: ZeroHash },
          record(),
        ),
        /TRDS item 21 \(Ethics Review\) says approved, but the registration's ethicsApprovalCommitment is zero/,
      );
      await expectReject(
        registerTrdsTrial(f.registry.connect(f.sponsor), registration, {
          ...record(),
          ethicsReview: { status: "pending" },
        }),
        /TRDS item 21 \(Ethics Review\) says "pending", but the registration carries an ethicsApprovalCommitment/,
      );
      expect(await f.registry.trialCount()).to.equal(before);
    });
  });
});

async function expectReject(p: Promise<unknown>, pattern: RegExp) {
  try {
    await p;
  } catch (error) {
    expect((error as Error).message).to.match(pattern);
    return;
  }
  expect.fail("expected a rejection");
}
