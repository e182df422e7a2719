import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { id } from "ethers";
import { verify } from "../../src/records";
import {
  ALL_SERVICES,
  assertLines,
  buildClaim,
  buildClaimResponse,
  buildExplanationOfBenefit,
  claimFingerprint,
  claimHistory,
  ClaimStatus,
  commitClaim,
  coveredSet,
  FINGERPRINT_TAG,
  MAX_AMOUNT,
  MAX_LINES,
  previewAdjudication,
  REASON,
  reasonText,
  revealedDataCategories,
  SERVICE,
  SERVICE_COUNT,
  serviceName,
  sortLines,
  splitLines,
  type ClaimLine,
} from "../../src/claims";
import { DAY, deployClaimsFixture, USD } from "./fixture";

const CURRENCY = { code: "USD" as const, decimals: 6 };

describe("claims SDK", function () {
  describe("mirrors of the contract's constants", function () {
    it("has the contract's fingerprint tag and limits", async function () {
      const { manager } = await loadFixture(deployClaimsFixture);
      expect(await manager.FINGERPRINT_TAG()).to.equal(FINGERPRINT_TAG);
      expect(await manager.MAX_AMOUNT()).to.equal(MAX_AMOUNT);
      expect(await manager.MAX_LINES()).to.equal(BigInt(MAX_LINES));
    });

    it("asks consent for exactly the data categories the SDK says each service reveals", async function () {
      const { manager, clinic, alice } = await loadFixture(deployClaimsFixture);
      for (let c = 0; c < SERVICE_COUNT; c++) {
        await expect(manager.connect(clinic).requestPriorAuth(1, c, id("pa")))
          .to.be.revertedWithCustomError(manager, "ClaimsConsentMissing")
          .withArgs(alice.address, clinic.address, revealedDataCategories([c]));
      }
    });
  });

  describe("categories and reasons", function () {
    it("builds covered sets and names codes", function () {
      expect(coveredSet("CONSULTATION", "LABORATORY")).to.equal(0b10001);
      expect(serviceName(SERVICE.IMAGING)).to.equal("IMAGING");
      expect(ALL_SERVICES).to.equal(0xffff);
      expect(reasonText(REASON.SERVICE_NOT_COVERED)).to.equal("service not covered");
      expect(reasonText(42)).to.equal("insurer reason 42");
      expect(reasonText(9)).to.equal("unknown reason 9");
    });

    it("refuses unknown service codes with the list of valid ones", function () {
      expect(() => serviceName(16)).to.throw(/Unknown service category 16: use one of 0=CONSULTATION/);
      expect(() => revealedDataCategories([1.5])).to.throw(/Unknown service category/);
    });
  });

  describe("lines", function () {
    it("sorts lines canonically", function () {
      const sorted = sortLines([
        { category: 4, amount: 2n },
        { category: 0, amount: 9n },
        { category: 4, amount: 1n },
        { category: 4, amount: 1n },
      ]);
      expect(sorted).to.deep.equal([
        { category: 0, amount: 9n },
        { category: 4, amount: 1n },
        { category: 4, amount: 1n },
        { category: 4, amount: 2n },
      ]);
    });

    it("refuses what the contract refuses, saying what to fix", function () {
      expect(() => assertLines([])).to.throw(/1 to 16 lines/);
      expect(() => assertLines(Array.from({ length: 17 }, () => ({ category: 0, amount: 1n })))).to.throw(/got 17/);
      expect(() => assertLines([{ category: 0, amount: 0n }])).to.throw(/must be positive/);
      expect(() => assertLines([{ category: 0, amount: MAX_AMOUNT + 1n }])).to.throw(/96 bits/);
      expect(() =>
        assertLines([
          { category: 0, amount: MAX_AMOUNT },
          { category: 0, amount: MAX_AMOUNT },
        ]),
      ).to.throw(/in total/);
      expect(() =>
        assertLines([
          { category: 1, amount: 1n },
          { category: 0, amount: 1n },
        ]),
      ).to.throw(/sortLines/);
    });
  });

  describe("previewAdjudication", function () {
    const policy = {
      coverageStart: 1_000n,
      coverageEnd: 1_000n + 730n * DAY,
      annualLimit: 1_000n,
      deductible: 100n,
      coinsuranceBps: 2_500n,
      coveredCategories: BigInt(coveredSet("CONSULTATION", "LABORATORY")),
      reviewThreshold: 500n,
    };
    const usage = { deductibleMet: 40n, benefit: 0n };

    it("applies deductible, coinsurance and limit line by line", function () {
      const r = previewAdjudication({
        policy,
        usage,
        escrowAvailable: 10_000n,
        serviceDate: 2_000n,
        lines: [
          { category: SERVICE.CONSULTATION, amount: 50n },
          { category: SERVICE.LABORATORY, amount: 203n },
          { category: SERVICE.DENTAL, amount: 70n },
        ],
      });
      // Deductible left 60: line 1 takes 50, line 2 takes 10; line 2 rest 193 -> coinsurance 48 (48.25 down), 145.
      expect(r.status).to.equal(ClaimStatus.Approved);
      expect(r.lines.map((l) => [l.deductible, l.coinsurance, l.benefit, l.reason])).to.deep.equal([
        [50n, 0n, 0n, 0],
        [10n, 48n, 145n, 0],
        [0n, 0n, 0n, REASON.SERVICE_NOT_COVERED],
      ]);
      expect([r.billed, r.eligible, r.deductible, r.coinsurance, r.benefit, r.memberShare]).to.deep.equal([
        323n,
        253n,
        60n,
        48n,
        145n,
        108n,
      ]);
    });

    it("pends above the threshold unless an authorisation covers it, and when escrow is short", function () {
      const lines: ClaimLine[] = [{ category: SERVICE.CONSULTATION, amount: 900n }];
      const base = { policy, usage: { deductibleMet: 100n, benefit: 0n }, serviceDate: 2_000n, lines };
      expect(previewAdjudication({ ...base, escrowAvailable: 10_000n }).reason).to.equal(REASON.PENDED_FOR_REVIEW);
      expect(previewAdjudication({ ...base, escrowAvailable: 10_000n, priorAuthAmount: 675n }).status).to.equal(
        ClaimStatus.Approved,
      );
      expect(previewAdjudication({ ...base, escrowAvailable: 10_000n, priorAuthAmount: 1n }).status).to.equal(
        ClaimStatus.Pended,
      );
      const small = { ...base, lines: [{ category: SERVICE.CONSULTATION, amount: 100n }] };
      expect(previewAdjudication({ ...small, escrowAvailable: 74n }).reason).to.equal(REASON.PENDED_ESCROW_SHORT);
    });

    it("denies outside the coverage period or with no covered line", function () {
      const lines: ClaimLine[] = [{ category: SERVICE.DENTAL, amount: 10n }];
      const r = previewAdjudication({ policy, usage, escrowAvailable: 0n, serviceDate: 2_000n, lines });
      expect([r.status, r.reason]).to.deep.equal([ClaimStatus.Denied, REASON.SERVICE_NOT_COVERED]);
      const late = previewAdjudication({
        policy,
        usage,
        escrowAvailable: 0n,
        serviceDate: policy.coverageEnd + 1n,
        lines: [{ category: 0, amount: 10n }],
      });
      expect([late.status, late.reason, late.year]).to.deep.equal([
        ClaimStatus.Denied,
        REASON.OUTSIDE_COVERAGE_PERIOD,
        2n, // clamped to coverageEnd, which is exactly two policy years after the start
      ]);
    });

    it("rebuilds the same line split from the claim totals", function () {
      const lines: ClaimLine[] = [
        { category: 0, amount: 70n },
        { category: 0, amount: 333n },
        { category: 4, amount: 999n },
      ];
      const r = previewAdjudication({
        policy,
        usage: { deductibleMet: 0n, benefit: 400n },
        escrowAvailable: 10_000n,
        serviceDate: 2_000n,
        lines,
      });
      expect(splitLines(policy, lines, r.deductible, r.benefit)).to.deep.equal(r.lines);
    });
  });

  describe("FHIR Claim", function () {
    const input = {
      patient: "Patient/alice",
      provider: "Organization/st-marys",
      insurer: "Organization/northwind",
      policyId: 1n,
      serviceDate: 1_767_225_600n,
      lines: [
        { category: SERVICE.CONSULTATION, amount: 400n * USD },
        { category: SERVICE.LABORATORY, amount: 200n * USD },
      ],
      currency: CURRENCY,
      created: "2026-01-01T00:00:00.000Z",
    };

    it("builds a Claim whose salted commitment opens", function () {
      const { claim, record } = commitClaim(input);
      expect(claim.resourceType).to.equal("Claim");
      expect(claim.item?.map((i) => i.net?.value)).to.deep.equal([400, 200]);
      expect(claim.total).to.deep.equal({ value: 600, currency: "USD" });
      expect(claim.billablePeriod?.start).to.equal("2026-01-01");
      expect(verify(claim, record.salt, record.commitment)).to.equal(true);
      const again = commitClaim(input, record.salt);
      expect(again.record.commitment).to.equal(record.commitment);
      expect(commitClaim(input).record.commitment).to.not.equal(record.commitment);
    });

    it("builds prior-authorisation requests and refuses a bad patient reference", function () {
      expect(buildClaim({ ...input, use: "preauthorization" }).use).to.equal("preauthorization");
      expect(() => buildClaim({ ...input, patient: "alice" })).to.throw(/FHIR reference/);
    });
  });

  describe("claimHistory and buildClaimResponse", function () {
    it("rebuilds an approved, paid claim from events", async function () {
      const { manager, hospital, alice, insurer } = await loadFixture(deployClaimsFixture);
      const now = BigInt(await time.latest());
      const lines = [
        { category: SERVICE.CONSULTATION, amount: 400n * USD },
        { category: SERVICE.LABORATORY, amount: 200n * USD },
        { category: SERVICE.DENTAL, amount: 50n * USD },
      ];
      await manager.connect(hospital).submitClaim(1, id("c1"), lines, now - DAY, 0);
      await manager.connect(hospital).withdraw(id("c1"));
      const h = await claimHistory(manager, id("c1"));
      expect(h.status).to.equal(ClaimStatus.Paid);
      expect(h.paid).to.equal(80n * USD);
      expect(h.member).to.equal(alice.address);
      expect(h.insurer).to.equal(insurer.address);
      const r = buildClaimResponse(h, CURRENCY);
      expect(r.outcome).to.equal("partial");
      expect(r.payment?.amount).to.deep.equal({ value: 80, currency: "USD" });
      expect(r.item?.[0].adjudication.map((a) => [a.category.coding?.[0].code, a.amount?.value])).to.deep.equal([
        ["submitted", 400],
        ["eligible", 400],
        ["deductible", 400],
        ["coinsurance", 0],
        ["benefit", 0],
        ["memberliability", 400],
      ]);
      expect(r.item?.[1].adjudication.map((a) => a.amount?.value)).to.deep.equal([200, 200, 100, 20, 80, 120]);
      expect(r.processNote?.[0]).to.deep.equal({ number: 3, type: "display", text: "service not covered" });
      expect(r.total?.find((t) => t.category.coding?.[0].code === "benefit")?.amount.value).to.equal(80);
      const eob = buildExplanationOfBenefit(h, CURRENCY);
      expect(eob.resourceType).to.equal("ExplanationOfBenefit");
      expect(eob.outcome).to.equal("partial");
      expect(eob.item?.map((i) => [i.productOrService.coding?.[0].code, i.net?.value])).to.deep.equal([
        ["CONSULTATION", 400],
        ["LABORATORY", 200],
        ["DENTAL", 50],
      ]);
      expect(eob.item?.[1].adjudication).to.deep.equal(r.item?.[1].adjudication);
      expect(eob.payment?.amount?.value).to.equal(80);
    });

    it("rebuilds a denied, appealed and approved claim", async function () {
      const { manager, hospital, insurer } = await loadFixture(deployClaimsFixture);
      const now = BigInt(await time.latest());
      await manager
        .connect(hospital)
        .submitClaim(1, id("d"), [{ category: SERVICE.DENTAL, amount: 90n * USD }], now - DAY, 0);
      let h = await claimHistory(manager, id("d"));
      expect([h.status, h.reason]).to.deep.equal([ClaimStatus.Denied, REASON.SERVICE_NOT_COVERED]);
      let r = buildClaimResponse(h, CURRENCY);
      expect(r.outcome).to.equal("error");
      expect(r.error?.[0].code.coding?.[0].code).to.equal("2");
      await manager.connect(hospital).appeal(id("d"), id("xray"));
      expect((await claimHistory(manager, id("d"))).status).to.equal(ClaimStatus.Appealed);
      await manager.connect(insurer).approveAppeal(id("d"), 60n * USD);
      h = await claimHistory(manager, id("d"));
      expect([h.status, h.approved, h.appealed]).to.deep.equal([ClaimStatus.Approved, 60n * USD, true]);
      r = buildClaimResponse(h, CURRENCY, { reference: "Claim/d" });
      expect(r.disposition).to.equal("Approved (after appeal)");
      expect(r.request).to.deep.equal({ reference: "Claim/d" });
      expect(r.payment?.amount.value).to.equal(60);
      const eob = buildExplanationOfBenefit(h, CURRENCY);
      expect(eob.processNote?.[0].text).to.equal("service not covered"); // the line as adjudicated, before the appeal
      expect(eob.insurance[0].coverage.identifier?.value).to.equal("1");
    });

    it("rebuilds a pended claim denied on review and on appeal", async function () {
      const { manager, hospital, insurer } = await loadFixture(deployClaimsFixture);
      const now = BigInt(await time.latest());
      await manager
        .connect(hospital)
        .submitClaim(1, id("p"), [{ category: SERVICE.SURGERY, amount: 4_000n * USD }], now - DAY, 0);
      expect(buildClaimResponse(await claimHistory(manager, id("p")), CURRENCY).outcome).to.equal("queued");
      await manager.connect(insurer).denyClaim(id("p"), REASON.NOT_MEDICALLY_NECESSARY);
      await manager.connect(hospital).appeal(id("p"), id("letter"));
      await manager.connect(insurer).denyAppeal(id("p"), REASON.SUSPECTED_FRAUD);
      const h = await claimHistory(manager, id("p"));
      expect([h.status, h.reason]).to.deep.equal([ClaimStatus.FinalDenied, REASON.SUSPECTED_FRAUD]);
      expect(buildClaimResponse(h, CURRENCY).disposition).to.equal("FinalDenied: suspected fraud (after appeal)");
    });

    it("says what is wrong with an unknown claim or policy", async function () {
      const { manager } = await loadFixture(deployClaimsFixture);
      await expect(claimHistory(manager, id("nope"))).to.be.rejectedWith(/No ClaimSubmitted event/);
      const { policyFromEvents } = await import("../../src/claims");
      await expect(policyFromEvents(manager, 9n)).to.be.rejectedWith(/No PolicyCreated event for policy 9/);
    });
  });

  it("fingerprints ignore the salt but not the service", function () {
    const a = ethers.Wallet.createRandom().address;
    const b = ethers.Wallet.createRandom().address;
    const lines = [{ category: 0, amount: 1n }];
    expect(claimFingerprint(a, b, 1n, lines)).to.equal(claimFingerprint(a, b, 1n, lines));
    expect(claimFingerprint(a, b, 1n, lines)).to.not.equal(claimFingerprint(a, b, 2n, lines));
    expect(claimFingerprint(a, b, 1n, lines)).to.not.equal(claimFingerprint(b, a, 1n, lines));
  });
});
