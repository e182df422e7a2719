import { expect } from "chai";
import { readFile } from "node:fs/promises";
import hre, { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { id } from "ethers";
import { verify } from "../../src/records";
import {
  ALL_SERVICES,
  APPEAL_WINDOW,
  assertLines,
  buildClaim,
  buildClaimResponse,
  buildExplanationOfBenefit,
  claimFingerprint,
  claimHistory,
  ClaimStatus,
  commitClaim,
  coveredSet,
  deductibleDue,
  FILING_WINDOW,
  FINGERPRINT_TAG,
  freeLimit,
  lineAdjudications,
  MAX_AMOUNT,
  MAX_LINES,
  MAX_YEARS,
  needsReview,
  POLICY_YEAR,
  previewAdjudication,
  REASON,
  reasonText,
  revealedDataCategories,
  SERVICE,
  SERVICE_COUNT,
  serviceDay,
  serviceName,
  sortLines,
  type ClaimLine,
} from "../../src/claims";
import { DAY, deployClaimsFixture, USD } from "./fixture";

const CURRENCY = { code: "USD" as const, decimals: 6 };

describe("claims SDK", function () {
  describe("mirrors of the contract's constants", function () {
    it("has the contract's fingerprint tag, limits and windows", async function () {
      const { manager } = await loadFixture(deployClaimsFixture);
      expect(await manager.FINGERPRINT_TAG()).to.equal(FINGERPRINT_TAG);
      expect(await manager.MAX_AMOUNT()).to.equal(MAX_AMOUNT);
      expect(await manager.MAX_LINES()).to.equal(BigInt(MAX_LINES));
      expect(await manager.MAX_YEARS()).to.equal(MAX_YEARS);
      expect(await manager.FILING_WINDOW()).to.equal(FILING_WINDOW);
      expect(await manager.APPEAL_WINDOW()).to.equal(APPEAL_WINDOW);
      expect(await manager.POLICY_YEAR()).to.equal(POLICY_YEAR);
    });

    it("mirrors Adjudication.sol function by function, with the same names in the same order", async function () {
      const artifact = "contracts/claims/Adjudication.sol:Adjudication";
      const source = (await hre.artifacts.getBuildInfo(artifact))!.output.sources["contracts/claims/Adjudication.sol"];
      const library = (source.ast as { nodes: { nodeType: string; name: string; nodes?: unknown[] }[] }).nodes.find(
        (n) => n.nodeType === "ContractDefinition" && n.name === "Adjudication",
      )!;
      const solidity = (library.nodes as { nodeType: string; name: string }[])
        .filter((n) => n.nodeType === "FunctionDefinition" && !n.name.startsWith("c_")) // c_…: coverage's probes
        .map((n) => n.name);
      const mirror = [
        ...(await readFile("src/claims/adjudication.ts", "utf8")).matchAll(/^export function (\w+)/gm),
      ].map((m) => m[1]);
      expect(mirror).to.deep.equal(solidity);
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
    const usage = { deductibleMet: 40n, committed: 0n, reserved: 0n };

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

    it("pends above the threshold unless an authorisation of the claim's category covers it, and when escrow is short", function () {
      const lines: ClaimLine[] = [{ category: SERVICE.CONSULTATION, amount: 900n }];
      const met = { deductibleMet: 100n, committed: 0n, reserved: 0n };
      const base = { policy, usage: met, serviceDate: 2_000n, lines, escrowAvailable: 10_000n };
      // 900 at 25% coinsurance: 675 > the 500 threshold.
      expect(previewAdjudication(base).reason).to.equal(REASON.PENDED_FOR_REVIEW);
      const consultation = (amount: bigint) => ({ category: SERVICE.CONSULTATION, amount });
      expect(previewAdjudication({ ...base, priorAuth: consultation(675n) }).status).to.equal(ClaimStatus.Approved);
      expect(previewAdjudication({ ...base, priorAuth: consultation(674n) }).status).to.equal(ClaimStatus.Pended);
      expect(
        previewAdjudication({ ...base, priorAuth: { category: SERVICE.LABORATORY, amount: 10_000n } }).status,
        "an authorisation of another category exempts nothing",
      ).to.equal(ClaimStatus.Pended);
      const small = { ...base, lines: [{ category: SERVICE.CONSULTATION, amount: 100n }] };
      expect(previewAdjudication({ ...small, escrowAvailable: 74n }).reason).to.equal(REASON.PENDED_ESCROW_SHORT);
    });

    it("pends a claim that other claims' reservations would cut, at its benefit against the committed limit", function () {
      const lines: ClaimLine[] = [{ category: SERVICE.CONSULTATION, amount: 400n }];
      const reserved = { deductibleMet: 100n, committed: 200n, reserved: 700n };
      const r = previewAdjudication({ policy, usage: reserved, serviceDate: 2_000n, lines, escrowAvailable: 10_000n });
      // 400 at 25%: 300 of benefit; 800 is left of the limit once 200 is committed, but only 100 beside reservations.
      expect([r.status, r.reason, r.benefit]).to.deep.equal([ClaimStatus.Pended, REASON.PENDED_LIMIT_RESERVED, 300n]);
      const fits = previewAdjudication({
        ...{ policy, serviceDate: 2_000n, lines, escrowAvailable: 10_000n },
        usage: { ...reserved, reserved: 500n },
      });
      expect([fits.status, fits.benefit]).to.deep.equal([ClaimStatus.Approved, 300n]);
      const used = previewAdjudication({
        ...{ policy, serviceDate: 2_000n, lines, escrowAvailable: 10_000n },
        usage: { ...reserved, committed: 900n, reserved: 0n },
      });
      expect([used.status, used.benefit], "cut by the limit really used: approved").to.deep.equal([
        ClaimStatus.Approved,
        100n,
      ]);
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
        usage: { deductibleMet: 0n, committed: 400n, reserved: 0n },
        escrowAvailable: 10_000n,
        serviceDate: 2_000n,
        lines,
      });
      expect(lineAdjudications(policy, lines, r.deductible, r.benefit)).to.deep.equal(r.lines);
    });
  });

  describe("the rules' building blocks", function () {
    it("scopes a prior authorisation to its own lines", function () {
      // Threshold 500: 400 other + 300 authorised (<= 300 authorised) is fine; 600 other is not, whatever the auth.
      expect(needsReview(500n, 700n, 300n, 300n)).to.equal(false);
      expect(needsReview(500n, 700n, 301n, 300n)).to.equal(true);
      expect(needsReview(500n, 900n, 300n, 10_000n)).to.equal(true);
      expect(needsReview(500n, 500n, 500n, 1n), "never pends what the threshold alone approves").to.equal(false);
    });

    it("sets reservations aside from the limit, and applies again only the deductible still due", function () {
      expect(freeLimit(1_000n, { deductibleMet: 0n, committed: 300n, reserved: 500n })).to.equal(200n);
      expect(freeLimit(1_000n, { deductibleMet: 0n, committed: 300n, reserved: 900n })).to.equal(0n);
      expect(deductibleDue(500n, 200n, 400n)).to.equal(300n);
      expect(deductibleDue(500n, 0n, 400n)).to.equal(400n);
    });

    it("keys the fingerprint on the service day", function () {
      expect(serviceDay(86_399n)).to.equal(0n);
      expect(serviceDay(86_400n)).to.equal(1n);
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

  it("fingerprints ignore the salt and the time of day, but not the service or its day", function () {
    const a = ethers.Wallet.createRandom().address;
    const b = ethers.Wallet.createRandom().address;
    const lines = [{ category: 0, amount: 1n }];
    const day = 20_000n * DAY;
    expect(claimFingerprint(a, b, day + 1n, lines)).to.equal(claimFingerprint(a, b, day + DAY - 1n, lines));
    expect(claimFingerprint(a, b, day, lines)).to.not.equal(claimFingerprint(a, b, day + DAY, lines));
    expect(claimFingerprint(a, b, day, lines)).to.not.equal(claimFingerprint(b, a, day, lines));
    expect(claimFingerprint(a, b, day, lines)).to.not.equal(claimFingerprint(a, b, day, [{ category: 0, amount: 2n }]));
  });
});
