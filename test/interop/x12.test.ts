import { expect } from "chai";
import fc from "fast-check";
import { parseUnits } from "ethers";
import {
  ADJUSTMENT_TABLE,
  clpSegments,
  explanationOfBenefitWithAdjustments,
  remittance835,
  remittanceOf,
  standardAdjustment,
  X12MappingError,
  X12_SYSTEMS,
} from "../../src/interop";
import {
  ClaimStatus,
  REASON,
  SERVICE,
  type ClaimHistory,
  type Currency,
  type LineAdjudication,
} from "../../src/claims";

const USD: Currency = { code: "USD", decimals: 6 };
const $ = (v: string) => parseUnits(v, 6);
const CLAIM = "0x" + "ab".repeat(32);

function line(
  category: number,
  billed: string,
  parts: Partial<Record<"deductible" | "coinsurance" | "limit", string>> = {},
  reason = 0,
): LineAdjudication {
  const b = $(billed);
  if (reason !== 0) {
    return { category, billed: b, reason, eligible: 0n, deductible: 0n, coinsurance: 0n, benefit: 0n, memberShare: 0n };
  }
  const d = $(parts.deductible ?? "0");
  const c = $(parts.coinsurance ?? "0");
  const l = $(parts.limit ?? "0");
  return {
    category,
    billed: b,
    reason,
    eligible: b,
    deductible: d,
    coinsurance: c,
    benefit: b - d - c - l,
    memberShare: d + c + l,
  };
}

function history(lines: LineAdjudication[], status: ClaimStatus, reason = 0, approved?: bigint): ClaimHistory {
  const sum = (k: keyof LineAdjudication) => lines.reduce((s, l) => s + BigInt(l[k] as bigint), 0n);
  const benefit = sum("benefit");
  return {
    claimId: CLAIM,
    policyId: 7n,
    provider: "0x2222222222222222222222222222222222222222",
    insurer: "0x3333333333333333333333333333333333333333",
    member: "0x1111111111111111111111111111111111111111",
    serviceDate: BigInt(Date.UTC(2026, 2, 14) / 1000),
    submittedAt: BigInt(Date.UTC(2026, 2, 15) / 1000),
    lines: lines.map((l) => ({ category: l.category, amount: l.billed })),
    blindedLines: lines.map((l) => ({ category: l.category, amount: l.billed })),
    adjudication: {
      status: ClaimStatus.Approved,
      reason,
      year: 0n,
      billed: sum("billed"),
      eligible: sum("eligible"),
      deductible: sum("deductible"),
      coinsurance: sum("coinsurance"),
      benefit,
      memberShare: sum("memberShare"),
      lines,
    },
    status,
    reason,
    approved: approved ?? (status === ClaimStatus.Denied || status === ClaimStatus.FinalDenied ? 0n : benefit),
    appealed: false,
    paid: status === ClaimStatus.Paid ? (approved ?? benefit) : 0n,
    ...(status === ClaimStatus.Paid ? { paidAt: BigInt(Date.UTC(2026, 2, 20) / 1000) } : {}),
  };
}

describe("interop: X12 835 adjustments", function () {
  context("the mapping table", function () {
    it("gives deductible PR-1, coinsurance PR-2, limit PR-119, non-covered PR-96 and duplicate CO-18", function () {
      expect(standardAdjustment("deductible")).to.deep.equal({ group: "PR", carc: "1", rarc: [] });
      expect(standardAdjustment("coinsurance")).to.deep.equal({ group: "PR", carc: "2", rarc: [] });
      expect(standardAdjustment("aboveAnnualLimit")).to.deep.equal({ group: "PR", carc: "119", rarc: ["N130"] });
      expect(standardAdjustment(REASON.SERVICE_NOT_COVERED)).to.deep.equal({ group: "PR", carc: "96", rarc: ["N130"] });
      expect(standardAdjustment(REASON.SUSPECTED_FRAUD)).to.include({ group: "CO", carc: "18" });
      expect(standardAdjustment(REASON.INSUFFICIENT_DOCUMENTATION)).to.deep.equal({
        group: "CO",
        carc: "16",
        rarc: ["M127"],
      });
    });

    it("maps every reason code that is not a pend, and each cause once", function () {
      for (const [name, code] of Object.entries(REASON)) {
        if (code === 0 || name.startsWith("PENDED")) continue;
        expect(() => standardAdjustment(code), name).not.to.throw();
      }
      const causes = ADJUSTMENT_TABLE.map((r) => r.cause);
      expect(new Set(causes).size).to.equal(causes.length);
    });

    it("refuses a pend reason and an unmapped insurer code with a message, and takes extra insurer codes", function () {
      expect(() => standardAdjustment(REASON.PENDED_FOR_REVIEW)).to.throw(
        X12MappingError,
        /is a pend, not an adjustment/,
      );
      expect(() => standardAdjustment(23)).to.throw(
        X12MappingError,
        /Reason 23 \(insurer reason 23\) has no X12 mapping: pass it in options.insurerReasons/,
      );
      expect(standardAdjustment(23, { insurerReasons: { 23: { group: "CO", carc: "197", rarc: [] } } })).to.include({
        carc: "197",
      });
    });
  });

  context("remittance of a worked example", function () {
    // Office visit $200 (deductible $50, coinsurance 20% of $150 = $30), lab $80 not covered, surgery $1000
    // with $100 coinsurance and $300 above the annual limit.
    const lines = [
      line(SERVICE.CONSULTATION, "200", { deductible: "50", coinsurance: "30" }),
      line(SERVICE.LABORATORY, "80", {}, REASON.SERVICE_NOT_COVERED),
      line(SERVICE.SURGERY, "1000", { coinsurance: "100", limit: "300" }),
    ];

    it("adjusts each line down to its payment, and the claim's patient responsibility is the PR total", function () {
      const r = remittanceOf(history(lines, ClaimStatus.Paid));
      expect(r.lines[0].adjustments.map((a) => [a.group, a.carc, a.amount])).to.deep.equal([
        ["PR", "1", $("50")],
        ["PR", "2", $("30")],
      ]);
      expect(r.lines[1]).to.deep.include({
        paid: 0n,
        adjustments: [{ group: "PR", carc: "96", rarc: ["N130"], amount: $("80") }],
      });
      expect(r.lines[2].adjustments.map((a) => `${a.group}-${a.carc}`)).to.deep.equal(["PR-2", "PR-119"]);
      expect(r).to.include({ charge: $("1280"), paid: $("720"), patientResponsibility: $("560") });
    });

    it("writes the 835-shaped JSON and its CLP loop", function () {
      const json = remittance835(history(lines, ClaimStatus.Paid), USD);
      expect(json.payment).to.deep.equal({ amount: "720", currency: "USD", date: "2026-03-20", method: "ACH" });
      const clp = json.claims[0];
      expect(clp).to.include({
        statusCode: "1",
        chargeAmount: "1280",
        paymentAmount: "720",
        patientResponsibility: "560",
      });
      expect(clp.serviceLines[2].adjustments).to.deep.equal([
        { group: "PR", reason: "2", amount: "100" },
        { group: "PR", reason: "119", amount: "300" },
      ]);
      expect(clp.serviceLines[1].remarks).to.deep.equal(["N130"]);
      expect(clpSegments(json)).to.deep.equal([
        `CLP*${CLAIM}*1*1280*720*560~`,
        "SVC*HL:CONSULTATION*200*120~",
        "DTM*472*20260314~",
        "CAS*PR*1*50**2*30~",
        "REF*6R*1~",
        "SVC*HL:LABORATORY*80*0~",
        "DTM*472*20260314~",
        "CAS*PR*96*80~",
        "REF*6R*2~",
        "LQ*HE*N130~",
        "SVC*HL:SURGERY*1000*600~",
        "DTM*472*20260314~",
        "CAS*PR*2*100**119*300~",
        "REF*6R*3~",
        "LQ*HE*N130~",
      ]);
    });

    it("puts the adjustments in the ExplanationOfBenefit: group as category, CARC then RARC as reason", function () {
      const eob = explanationOfBenefitWithAdjustments(history(lines, ClaimStatus.Paid), USD);
      const x12 = (eob.item ?? []).map((item) =>
        (item.adjudication ?? [])
          .filter((a) => a.reason?.coding?.[0]?.system === X12_SYSTEMS.carc)
          .map((a) => a.reason?.text),
      );
      expect(x12).to.deep.equal([["PR-1", "PR-2"], ["PR-96 (N130)"], ["PR-2", "PR-119 (N130)"]]);
      const lab = (eob.item ?? [])[1].adjudication!.find((a) => a.reason !== undefined)!;
      expect(lab.category.coding![0]).to.include({ system: X12_SYSTEMS.group, code: "PR" });
      expect(lab.reason!.coding!.map((c) => c.system)).to.deep.equal([X12_SYSTEMS.carc, X12_SYSTEMS.rarc]);
      expect(lab.amount).to.deep.equal({ value: 80, currency: "USD" });
    });

    it("adjusts a denied claim's whole charge under the insurer's reason, status 4", function () {
      const denied = history(lines, ClaimStatus.FinalDenied, REASON.NOT_MEDICALLY_NECESSARY);
      const r = remittanceOf(denied);
      expect(r.paid).to.equal(0n);
      expect(r.lines.map((l) => l.adjustments.map((a) => `${a.group}-${a.carc}:${a.amount}`))).to.deep.equal([
        [`CO-50:${$("200")}`],
        [`CO-50:${$("80")}`],
        [`CO-50:${$("1000")}`],
      ]);
      expect(r.patientResponsibility).to.equal(0n);
      expect(remittance835(denied, USD).claims[0].statusCode).to.equal("4");
      expect(remittance835(denied, USD).payment.method).to.equal("NON");
    });

    it("uses CARC 26 before coverage started and 27 after it ended", function () {
      const out = history(lines, ClaimStatus.Denied, REASON.OUTSIDE_COVERAGE_PERIOD);
      expect(remittanceOf(out).lines[0].adjustments[0]).to.include({ group: "PR", carc: "27" });
      const before = remittanceOf(out, { coverageStart: out.serviceDate + 1n });
      expect(before.lines[0].adjustments[0]).to.include({ carc: "26" });
    });

    it("reports an approval below the computed benefit as a claim-level PI-45", function () {
      const r = remittanceOf(history(lines, ClaimStatus.Approved, 0, $("700")));
      expect(r.adjustments).to.deep.equal([{ group: "PI", carc: "45", rarc: [], amount: $("20") }]);
      expect(clpSegments(remittance835(history(lines, ClaimStatus.Approved, 0, $("700")), USD))[1]).to.equal(
        "CAS*PI*45*20~",
      );
    });

    it("refuses an undecided claim for the 835 and shows it queued, without adjustments, in the EOB", function () {
      const pended = history(lines, ClaimStatus.Pended, REASON.PENDED_FOR_REVIEW);
      expect(() => remittance835(pended, USD)).to.throw(
        X12MappingError,
        /is Pended: an 835 reports decided claims only/,
      );
      const eob = explanationOfBenefitWithAdjustments(pended, USD);
      expect(eob.outcome).to.equal("queued");
      expect(JSON.stringify(eob)).not.to.contain(X12_SYSTEMS.carc);
    });

    it("refuses amounts that do not balance and an approval above the benefit", function () {
      const bad = history([{ ...lines[0], benefit: lines[0].benefit + 1n }], ClaimStatus.Approved);
      expect(() => remittanceOf(bad)).to.throw(X12MappingError, /Line 1 .* does not balance/);
      expect(() => remittanceOf(history(lines, ClaimStatus.Approved, 0, $("721")))).to.throw(
        X12MappingError,
        /above its lines' benefit/,
      );
    });
  });

  context("property: every remittance balances", function () {
    const amount = fc.bigInt({ min: 0n, max: 10n ** 12n });
    const anyLine = fc
      .record({
        category: fc.integer({ min: 0, max: 14 }),
        billed: amount,
        cuts: fc.array(fc.bigInt({ min: 0n, max: 100n }), { minLength: 4, maxLength: 4 }),
        covered: fc.boolean(),
      })
      .map(({ category, billed, cuts, covered }): LineAdjudication => {
        if (!covered) return { ...line(category, "0", {}, REASON.SERVICE_NOT_COVERED), billed };
        const eligible = billed - (billed * cuts[0]) / 400n;
        const deductible = (eligible * cuts[1]) / 300n;
        const coinsurance = ((eligible - deductible) * cuts[2]) / 300n;
        const limit = ((eligible - deductible - coinsurance) * cuts[3]) / 300n;
        return {
          category,
          billed,
          reason: 0,
          eligible,
          deductible,
          coinsurance,
          benefit: eligible - deductible - coinsurance - limit,
          memberShare: deductible + coinsurance + limit,
        };
      });
    const status = fc.constantFrom(ClaimStatus.Approved, ClaimStatus.Paid, ClaimStatus.Denied, ClaimStatus.FinalDenied);

    it("charge = paid + adjustments on every line and the claim; the 835 and EOB carry the same totals", function () {
      fc.assert(
        fc.property(fc.array(anyLine, { minLength: 1, maxLength: 16 }), status, (lines, s) => {
          const h = history(
            lines,
            s,
            s === ClaimStatus.Denied || s === ClaimStatus.FinalDenied ? REASON.PROVIDER_NOT_ELIGIBLE : 0,
          );
          const r = remittanceOf(h);
          const adjusted = [...r.adjustments, ...r.lines.flatMap((l) => l.adjustments)].reduce(
            (t, a) => t + a.amount,
            0n,
          );
          expect(r.paid + adjusted).to.equal(r.charge);
          for (const l of r.lines) expect(l.paid + l.adjustments.reduce((t, a) => t + a.amount, 0n)).to.equal(l.charge);
          const json = remittance835(h, USD).claims[0];
          expect(parseUnits(json.chargeAmount, 6)).to.equal(r.charge);
          expect(parseUnits(json.paymentAmount, 6)).to.equal(r.paid);
          const casTotal = [...json.adjustments, ...json.serviceLines.flatMap((l) => l.adjustments)].reduce(
            (t, a) => t + parseUnits(a.amount, 6),
            0n,
          );
          expect(parseUnits(json.paymentAmount, 6) + casTotal).to.equal(parseUnits(json.chargeAmount, 6));
        }),
      );
    });
  });
});
