import { expect } from "chai";
import fc from "fast-check";
import { readFile } from "node:fs/promises";
import hre, { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { AbiCoder, hexlify, id, keccak256 } from "ethers";
import { categorySet, relayGrant } from "../../src/consent";
import { PatientIdentity } from "../../src/identity";
import { verify } from "../../src/records";
import {
  adjudicate,
  ALL_SERVICES,
  APPEAL_WINDOW,
  assertLines,
  assertPolicyBlinding,
  blindLines,
  blindPolicyTerms,
  blindSet,
  buildClaim,
  buildClaimResponse,
  buildExplanationOfBenefit,
  claimFingerprint,
  claimHistory,
  ClaimStatus,
  commitClaim,
  coveredSet,
  DATA,
  deductibleDue,
  FILING_WINDOW,
  FINGERPRINT_TAG,
  freeLimit,
  lineAdjudications,
  MAX_AMOUNT,
  MAX_LINES,
  MAX_YEARS,
  NO_CITATION,
  needsReview,
  paymentConsentServices,
  POLICY_YEAR,
  PolicyBlinding,
  policyMember,
  previewAdjudication,
  previewClaim,
  providerCodebook,
  REASON,
  reasonText,
  revealedDataCategories,
  SERVICE,
  SERVICE_COUNT,
  SERVICE_DATA,
  serviceDay,
  serviceName,
  ServiceCodebook,
  servicePermutation,
  servicesWithin,
  signPaymentConsent,
  sortLines,
  unblindLines,
  unblindSet,
  type ClaimLine,
} from "../../src/claims";
import { DAY, deployClaimsFixture, USD, YEAR } from "./fixture";

const CURRENCY = { code: "USD" as const, decimals: 6 };

/**
 * Test vectors of the permutation (docs/claims.md), computed by an independent implementation (Python's `hmac`):
 * the secret of the docs/privacy.md policy vector, then all-zero and all-one keys. `permutation[c]` is the blinded
 * code of plain code `c`.
 */
const VECTOR_KEYS = [
  "0xbde3629c29de61d45a5fffce05673092456cc258596cc07352fe26be3b8c5508",
  `0x${"00".repeat(32)}`,
  `0x${"ff".repeat(32)}`,
] as const;
const VECTOR_PERMUTATIONS = [
  [3, 0, 9, 5, 2, 4, 11, 1, 13, 8, 15, 10, 12, 6, 14, 7],
  [3, 1, 11, 0, 6, 10, 9, 13, 15, 12, 8, 7, 5, 4, 14, 2],
  [14, 0, 1, 13, 3, 6, 9, 4, 7, 11, 15, 8, 12, 5, 2, 10],
];
const KEY = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((bytes) => hexlify(bytes));

/**
 * Colour refinement (1-dimensional Weisfeiler-Leman) of a service → data-category table seen as a bipartite graph:
 * the classes of services that no relabelling of services and of data categories can tell apart from the table
 * alone. A service alone in its class is named by any permuted copy of the table.
 */
function indistinguishableClasses(table: readonly number[]): string[][] {
  /** Renames signatures to small ids in sorted order, which keeps colours invariant and short. */
  const compress = (signatures: string[]) => {
    const ids = [...new Set(signatures)].sort();
    return signatures.map((sig) => String(ids.indexOf(sig)));
  };
  let service = table.map(() => "0");
  for (let round = 0; round < table.length; round++) {
    const data = compress(
      Array.from({ length: 16 }, (_, b) =>
        table
          .flatMap((e, c) => ((e >> b) & 1 ? [service[c]] : []))
          .sort()
          .join(),
      ),
    );
    const next = compress(
      table.map(
        (e, c) =>
          `${service[c]}|${data
            .filter((_, b) => (e >> b) & 1)
            .sort()
            .join()}`,
      ),
    );
    if (new Set(next).size === new Set(service).size) break;
    service = next;
  }
  const classes = new Map<string, string[]>();
  service.forEach((colour, c) => classes.set(colour, [...(classes.get(colour) ?? []), serviceName(c)]));
  return [...classes.values()].sort((x, y) => x.length - y.length || x[0].localeCompare(y[0]));
}

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

    it("asks consent for each service's blinded code, which a consent to the service's data categories grants", async function () {
      const { manager, clinic, alice, allow } = await loadFixture(deployClaimsFixture);
      for (let c = 0; c < SERVICE_COUNT; c++) {
        await expect(manager.connect(clinic).requestPriorAuth(1, alice.blinding.blind(c), id("pa")))
          .to.be.revertedWithCustomError(manager, "ClaimsConsentMissing")
          .withArgs(alice.member.address, clinic.address, 1n << BigInt(alice.blinding.blind(c)));
      }
      for (let c = 0; c < SERVICE_COUNT; c++) {
        const code = alice.blinding.blind(c);
        await allow(alice, clinic.address, BigInt(revealedDataCategories([c])));
        await expect(manager.connect(clinic).requestPriorAuth(1, code, id("pa"))).to.emit(
          manager,
          "PriorAuthRequested",
        );
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
        { category: SERVICE.LABORATORY, amount: 200n * USD },
        { category: SERVICE.CONSULTATION, amount: 400n * USD },
      ],
      // Laboratory is blinded to a lower code than consultation under this key: the chain adjudicates it first.
      blinding: PolicyBlinding.fromKey(VECTOR_KEYS[0]),
      currency: CURRENCY,
      created: "2026-01-01T00:00:00.000Z",
    };

    it("builds a Claim in plain codes, its items in the chain's order, whose salted commitment opens", function () {
      const { claim, record } = commitClaim(input);
      expect(claim.resourceType).to.equal("Claim");
      expect(claim.item?.map((i) => [i.productOrService.coding?.[0].code, i.net?.value])).to.deep.equal([
        ["LABORATORY", 200],
        ["CONSULTATION", 400],
      ]);
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
    it("rebuilds an approved, paid claim from events, in plain terms", async function () {
      const { manager, hospital, alice, insurer } = await loadFixture(deployClaimsFixture);
      const now = BigInt(await time.latest());
      const lines = [
        { category: SERVICE.CONSULTATION, amount: 400n * USD },
        { category: SERVICE.LABORATORY, amount: 200n * USD },
        { category: SERVICE.DENTAL, amount: 50n * USD },
      ];
      // Alice's key keeps these three in plain order (blinded 9, 11, 14): the split below is the plain one.
      const blinded = blindLines(alice.blinding, lines);
      expect(blinded.map((l) => l.category)).to.deep.equal([9, 11, 14]);
      await manager.connect(hospital).submitClaim(1, id("c1"), blinded, now - DAY, 0);
      await manager.connect(hospital).withdraw(id("c1"));
      const h = await claimHistory(manager, id("c1"), alice.blinding);
      expect(h.lines).to.deep.equal(lines);
      expect(h.blindedLines).to.deep.equal(blinded);
      expect(h.adjudication.lines.map((l) => l.category)).to.deep.equal(lines.map((l) => l.category));
      expect(h.status).to.equal(ClaimStatus.Paid);
      expect(h.paid).to.equal(80n * USD);
      expect(h.member).to.equal(alice.member.address);
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
      const { manager, hospital, insurer, alice } = await loadFixture(deployClaimsFixture);
      const now = BigInt(await time.latest());
      const dental = blindLines(alice.blinding, [{ category: SERVICE.DENTAL, amount: 90n * USD }]);
      await manager.connect(hospital).submitClaim(1, id("d"), dental, now - DAY, 0);
      let h = await claimHistory(manager, id("d"), alice.blinding);
      expect([h.status, h.reason]).to.deep.equal([ClaimStatus.Denied, REASON.SERVICE_NOT_COVERED]);
      let r = buildClaimResponse(h, CURRENCY);
      expect(r.outcome).to.equal("error");
      expect(r.error?.[0].code.coding?.[0].code).to.equal("2");
      await manager.connect(hospital).appeal(id("d"), id("xray"));
      expect((await claimHistory(manager, id("d"), alice.blinding)).status).to.equal(ClaimStatus.Appealed);
      await manager.connect(insurer).approveAppeal(id("d"), 60n * USD);
      h = await claimHistory(manager, id("d"), alice.blinding);
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
      const { manager, hospital, insurer, alice } = await loadFixture(deployClaimsFixture);
      const now = BigInt(await time.latest());
      const surgery = blindLines(alice.blinding, [{ category: SERVICE.SURGERY, amount: 4_000n * USD }]);
      await manager.connect(hospital).submitClaim(1, id("p"), surgery, now - DAY, 0);
      const history = await claimHistory(manager, id("p"), alice.blinding);
      expect(buildClaimResponse(history, CURRENCY).outcome).to.equal("queued");
      await manager.connect(insurer).denyClaim(id("p"), REASON.NOT_MEDICALLY_NECESSARY);
      await manager.connect(hospital).appeal(id("p"), id("letter"));
      await manager.connect(insurer).denyAppeal(id("p"), REASON.SUSPECTED_FRAUD);
      const h = await claimHistory(manager, id("p"), alice.blinding);
      expect([h.status, h.reason]).to.deep.equal([ClaimStatus.FinalDenied, REASON.SUSPECTED_FRAUD]);
      expect(buildClaimResponse(h, CURRENCY).disposition).to.equal("FinalDenied: suspected fraud (after appeal)");
    });

    it("says what is wrong with an unknown claim or policy", async function () {
      const { manager, alice } = await loadFixture(deployClaimsFixture);
      await expect(claimHistory(manager, id("nope"), alice.blinding)).to.be.rejectedWith(/No ClaimSubmitted event/);
      const { policyFromEvents } = await import("../../src/claims");
      await expect(policyFromEvents(manager, 9n)).to.be.rejectedWith(/No PolicyCreated event for policy 9/);
    });
  });

  describe("blinded service codes", function () {
    it("derives each key's permutation as the test vectors say", function () {
      VECTOR_KEYS.forEach((key, i) => {
        expect(servicePermutation(key), key).to.deep.equal(VECTOR_PERMUTATIONS[i]);
        expect(PolicyBlinding.fromKey(key).permutation).to.deep.equal(VECTOR_PERMUTATIONS[i]);
      });
    });

    it("takes the key of the member's policy relationship (the docs/privacy.md vector)", function () {
      const identity = PatientIdentity.fromMnemonic(
        "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about",
        31337n,
      );
      const pm = policyMember(identity, "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc", 0);
      expect(pm.label).to.equal("health-ledger/v1/31337/policy/0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc/0");
      expect(pm.member.address).to.equal("0xa2c66D7bD3c2B0c040682BeE62CacF41eD532B79");
      expect(pm.key).to.equal(VECTOR_KEYS[0]);
      expect(pm.blinding.permutation).to.deep.equal(VECTOR_PERMUTATIONS[0]);
      expect(policyMember(identity, "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc", 1).key).to.not.equal(pm.key);
    });

    it("is a permutation that unblinds what it blinds, for any key (property)", function () {
      fc.assert(
        fc.property(KEY, (key) => {
          const b = PolicyBlinding.fromKey(key);
          expect([...b.permutation].sort((x, y) => x - y)).to.deep.equal([...Array(SERVICE_COUNT).keys()]);
          for (let c = 0; c < SERVICE_COUNT; c++) expect(b.unblind(b.blind(c))).to.equal(c);
          const set = Number(BigInt(key) & 0xffffn);
          expect(unblindSet(b, blindSet(b, set))).to.equal(set);
          expect(blindSet(b, set).toString(2).replace(/0/g, "")).to.equal(set.toString(2).replace(/0/g, ""));
        }),
        { numRuns: 200 },
      );
    });

    it("sends every service to every code across keys (no fixed point in the construction)", function () {
      const seen = Array.from({ length: SERVICE_COUNT }, () => new Set<number>());
      for (let k = 0; k < 1_000; k++) {
        PolicyBlinding.fromKey(id(`key-${k}`)).permutation.forEach((b, c) => seen[c].add(b));
      }
      expect(seen.map((codes) => codes.size)).to.deep.equal(Array(SERVICE_COUNT).fill(SERVICE_COUNT));
    });

    it("refuses a malformed key, code or set, saying what is wrong", function () {
      const b = PolicyBlinding.fromKey(VECTOR_KEYS[0]);
      expect(() => PolicyBlinding.fromKey("0x1234")).to.throw(/32 bytes as 0x and 64 hex digits/);
      expect(() => b.blind(16)).to.throw(/Unknown service category 16/);
      expect(() => b.unblind(-1)).to.throw(/blinded codes are whole numbers 0 to 15/);
      expect(() => blindSet(b, 1n << 16n)).to.throw(/bits beyond the 16 service codes/);
    });

    it("blinds lines into the canonical order the contract wants, and unblinds them in that order", function () {
      const b = PolicyBlinding.fromKey(VECTOR_KEYS[0]); // CONSULTATION → 3, LABORATORY → 2, DENTAL → 14
      const lines: ClaimLine[] = [
        { category: SERVICE.DENTAL, amount: 5n },
        { category: SERVICE.CONSULTATION, amount: 9n },
        { category: SERVICE.LABORATORY, amount: 7n },
        { category: SERVICE.CONSULTATION, amount: 1n },
      ];
      const blinded = blindLines(b, lines);
      expect(blinded).to.deep.equal([
        { category: 2, amount: 7n },
        { category: 3, amount: 1n },
        { category: 3, amount: 9n },
        { category: 14, amount: 5n },
      ]);
      expect(() => assertLines(blinded)).to.not.throw();
      expect(unblindLines(b, blinded).map((l) => serviceName(l.category))).to.deep.equal([
        "LABORATORY",
        "CONSULTATION",
        "CONSULTATION",
        "DENTAL",
      ]);
      expect(() => blindLines(b, [{ category: 0, amount: 0n }])).to.throw(/must be positive/);
    });

    it("blinds the covered set of the insurer's terms and nothing else, which the member's wallet checks", function () {
      const b = PolicyBlinding.fromKey(VECTOR_KEYS[0]);
      const plain = { member: "0x01", annualLimit: 5n, coveredCategories: coveredSet("CONSULTATION", "LABORATORY") };
      const terms = blindPolicyTerms(b, plain);
      expect(terms).to.deep.equal({ ...plain, coveredCategories: (1 << 3) | (1 << 2) });
      expect(() => assertPolicyBlinding(b, terms, plain.coveredCategories)).to.not.throw();
      expect(() => assertPolicyBlinding(b, plain, plain.coveredCategories)).to.throw(
        /not the document's 0xc under your key: ask the insurer to reissue it/,
      );
    });

    it("turns a plain data-category consent into the services it lets a provider bill", function () {
      const { BILLING, CONDITIONS, PROCEDURES, MENTAL_HEALTH } = DATA;
      expect(servicesWithin(CONDITIONS | PROCEDURES), "nothing without BILLING").to.equal(0);
      expect(servicesWithin(BILLING | CONDITIONS)).to.equal(coveredSet("CONSULTATION"));
      expect(servicesWithin(BILLING | CONDITIONS | PROCEDURES)).to.equal(
        coveredSet("CONSULTATION", "SURGERY", "REHABILITATION", "DENTAL", "VISION"),
      );
      expect(servicesWithin((1n << 16n) - 1n)).to.equal(ALL_SERVICES);
      // Each service's own data categories let it be billed: the equivalence the consent check rests on.
      for (let c = 0; c < SERVICE_COUNT; c++) {
        expect((servicesWithin(revealedDataCategories([c])) >> c) & 1, serviceName(c)).to.equal(1);
      }
      const b = PolicyBlinding.fromKey(VECTOR_KEYS[0]);
      expect(paymentConsentServices(b, BILLING | MENTAL_HEALTH)).to.equal(1n << BigInt(b.blind(SERVICE.MENTAL_HEALTH)));
      expect(() => paymentConsentServices(b, BILLING)).to.throw(/must include BILLING and the data categories/);
      expect(providerCodebook(b, BILLING | CONDITIONS | PROCEDURES).services).to.deep.equal([0, 3, 13, 14, 15]);
    });

    it("gives a provider a codebook of the services it may bill, and no other", function () {
      const b = PolicyBlinding.fromKey(VECTOR_KEYS[0]);
      const book = b.codebook([SERVICE.MENTAL_HEALTH, SERVICE.CONSULTATION]);
      expect(book.blind(SERVICE.MENTAL_HEALTH)).to.equal(b.blind(SERVICE.MENTAL_HEALTH));
      expect(book.unblind(b.blind(SERVICE.CONSULTATION))).to.equal(SERVICE.CONSULTATION);
      expect(() => book.blind(SERVICE.SUBSTANCE_USE)).to.throw(
        /SUBSTANCE_USE is not in this codebook: the member's payment consent does not let this provider bill it/,
      );
      expect(() => book.unblind(b.blind(SERVICE.SUBSTANCE_USE))).to.throw(/is not in this codebook/);
      const copy = new ServiceCodebook(JSON.parse(JSON.stringify(book)) as [number, number][]);
      expect(copy.toJSON()).to.deep.equal(book.toJSON());
      expect(
        () =>
          new ServiceCodebook([
            [0, 1],
            [2, 1],
          ]),
      ).to.throw(/maps INPATIENT or blinded code 1 twice/);
      expect(() => new ServiceCodebook([])).to.throw(/at least one service/);
    });

    it("keeps no data-category table on chain: a permuted one would name 7 of the 16 services", function () {
      // The lead's first design put the policy's permuted ServiceCategories table on chain. Its shape survives any
      // permutation of services and of data categories, and names these services outright:
      expect(indistinguishableClasses(SERVICE_DATA)).to.deep.equal([
        ["CONSULTATION"],
        ["EMERGENCY"],
        ["INPATIENT"],
        ["MATERNITY"],
        ["PHARMACY"],
        ["PREVENTIVE"],
        ["SURGERY"],
        ["REHABILITATION", "DENTAL", "VISION"],
        ["LABORATORY", "IMAGING", "MENTAL_HEALTH", "SUBSTANCE_USE", "GENETIC_TESTING", "MEDICAL_DEVICES"],
      ]);
      // The consent asked on chain is one bit per blinded service code: every service looks the same.
      const oneBitPerService = SERVICE_DATA.map((_, c) => 1 << c);
      expect(indistinguishableClasses(oneBitPerService)).to.have.lengthOf(1);
    });

    it("adjudicates alike in blinded codes and in plain codes, line by line (property)", function () {
      const policyArb = fc.record({
        coverageStart: fc.constant(0n),
        coverageEnd: fc.constant(2n * YEAR),
        annualLimit: fc.bigInt({ min: 1n, max: 5_000n }),
        deductible: fc.bigInt({ min: 0n, max: 500n }),
        coinsuranceBps: fc.oneof(fc.bigInt({ min: 0n, max: 10_000n }), fc.constantFrom(3_333n, 10_000n)),
        coveredCategories: fc.bigInt({ min: 1n, max: 0xffffn }),
        reviewThreshold: fc.bigInt({ min: 0n, max: 5_000n }),
      });
      const lineArb = fc.record({
        category: fc.integer({ min: 0, max: 15 }),
        amount: fc.bigInt({ min: 1n, max: 999n }),
      });
      fc.assert(
        fc.property(
          KEY,
          policyArb,
          fc.array(lineArb, { minLength: 1, maxLength: 6 }),
          fc.record({
            deductibleMet: fc.bigInt({ min: 0n, max: 500n }),
            committed: fc.bigInt({ min: 0n, max: 5_000n }),
            reserved: fc.bigInt({ min: 0n, max: 5_000n }),
          }),
          fc.option(
            fc.record({ category: fc.integer({ min: 0, max: 15 }), amount: fc.bigInt({ min: 1n, max: 2_000n }) }),
          ),
          fc.bigInt({ min: 0n, max: 10_000n }),
          (key, plainPolicy, lines, rawUsage, priorAuth, escrowAvailable) => {
            const policy = { ...plainPolicy, deductible: plainPolicy.deductible };
            const usage = {
              deductibleMet: rawUsage.deductibleMet > policy.deductible ? policy.deductible : rawUsage.deductibleMet,
              committed: rawUsage.committed > policy.annualLimit ? policy.annualLimit : rawUsage.committed,
              reserved: rawUsage.reserved,
            };
            const b = PolicyBlinding.fromKey(key);
            const onChain = { ...policy, coveredCategories: BigInt(blindSet(b, policy.coveredCategories)) };
            const serviceDate = YEAR / 2n;
            // Blinded space, as the contract adjudicates, then unblinded.
            const blinded = previewClaim({
              policy: onChain,
              blinding: b,
              usage,
              escrowAvailable,
              lines,
              serviceDate,
              ...(priorAuth === null ? {} : { priorAuth }),
            });
            // Plain space: the plain lines in the order the chain splits them, the plain policy and citation.
            const plainLines = unblindLines(b, blinded.submitLines);
            const citation =
              priorAuth === null ? NO_CITATION : { category: BigInt(priorAuth.category), amount: priorAuth.amount };
            const plain = adjudicate(policy, usage, plainLines, serviceDate, citation, escrowAvailable);
            const totals = (o: typeof plain) => [
              ...[o.status, o.reason, o.billed, o.eligible],
              ...[o.deductible, o.coinsurance, o.benefit, o.memberShare],
            ];
            expect(totals(blinded)).to.deep.equal(totals(plain));
            expect(blinded.lines.map((l) => l.category)).to.deep.equal(plainLines.map((l) => l.category));
            if (plain.status !== ClaimStatus.Denied) {
              expect(blinded.lines).to.deep.equal(
                lineAdjudications(policy, plainLines, plain.deductible, plain.benefit),
              );
            }
          },
        ),
        { numRuns: 500 },
      );
    });
  });

  describe("the member's path, from one mnemonic to a claim history in plain terms", function () {
    it("issues to a pseudonym, consents and bills in blinded codes, and reads the claim back in plain terms", async function () {
      const { manager, consent, insurer, clinic, relayer, aliceIdentity } = await loadFixture(deployClaimsFixture);
      const now = BigInt(await time.latest());
      // 1. Alice's wallet derives her second policy with the insurer: a pseudonym and a blinding key, both of
      //    which she gives the insurer off chain.
      const { member, key, blinding } = policyMember(aliceIdentity, insurer.address, 1);
      // 2. The insurer blinds the plain terms with the key and issues the policy to the pseudonym.
      const plainCovered = coveredSet("CONSULTATION", "LABORATORY", "MENTAL_HEALTH");
      await manager.connect(insurer).createPolicy(
        blindPolicyTerms(PolicyBlinding.fromKey(key), {
          termsCommitment: id("alice-policy-2"),
          member: member.address,
          coverageStart: now - DAY,
          coverageEnd: now + YEAR,
          coinsuranceBps: 2000,
          annualLimit: 10_000n * USD,
          deductible: 0n,
          coveredCategories: plainCovered,
          reviewThreshold: 2_000n * USD,
        }),
      );
      const policyId = await manager.policyCount();
      const policy = await manager.policy(policyId);
      // 3. Her wallet checks the issued policy against the policy document.
      assertPolicyBlinding(blinding, policy, plainCovered);
      // 4. She lets a clinic bill her mental-health care: signed by the pseudonym, relayed; the clinic gets a
      //    codebook of what it may bill.
      const { signed, codebook } = await signPaymentConsent(member, consent, {
        provider: clinic.address,
        blinding,
        dataCategories: categorySet("BILLING", "MENTAL_HEALTH"),
        startsAt: now,
        expiresAt: now + YEAR,
      });
      await relayGrant(consent.connect(relayer), signed);
      expect(codebook.services).to.deep.equal([SERVICE.MENTAL_HEALTH]);
      // 5. The clinic previews in plain terms, commits the FHIR Claim and submits the blinded lines.
      const lines: ClaimLine[] = [{ category: SERVICE.MENTAL_HEALTH, amount: 180n * USD }];
      const serviceDate = now - 3_600n;
      const { balance, owed } = await manager.escrow(insurer.address);
      const preview = previewClaim({
        policy,
        blinding: codebook,
        usage: await manager.usage(policyId, 0),
        escrowAvailable: balance - owed,
        lines,
        serviceDate,
      });
      const { record } = commitClaim({
        ...{ patient: "Patient/a-17", provider: "Organization/calm-clinic", insurer: "Organization/northwind" },
        ...{ policyId, serviceDate, lines, blinding: codebook, currency: CURRENCY },
      });
      await manager.connect(clinic).submitClaim(policyId, record.commitment, preview.submitLines, serviceDate, 0);
      // 6. The chain holds the blinded code; the member (whole key) and the clinic (codebook) read it plainly.
      const [log] = await manager.queryFilter(manager.filters.ClaimSubmitted(record.commitment));
      expect(Number(log.args.lines[0].category)).to.equal(blinding.blind(SERVICE.MENTAL_HEALTH));
      expect(log.args.fingerprint).to.equal(
        claimFingerprint(member.address, clinic.address, serviceDate, preview.submitLines),
      );
      for (const reader of [blinding, codebook]) {
        const history = await claimHistory(manager, record.commitment, reader);
        expect(history.lines).to.deep.equal(lines);
        expect(history.approved).to.equal(preview.benefit);
        const eob = buildExplanationOfBenefit(history, CURRENCY);
        expect(eob.item?.[0].productOrService.coding?.[0].code).to.equal("MENTAL_HEALTH");
      }
      expect(() => codebook.blind(SERVICE.LABORATORY), "the clinic cannot blind, or read, other services").to.throw(
        /not in this codebook/,
      );
      expect(await ethers.provider.getBalance(member.address), "the pseudonym never held ETH").to.equal(0n);
    });
  });

  it("computes the fingerprint with the SDK's word writer as abi.encode does (property)", function () {
    const address = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => hexlify(b));
    const lineArb = fc.record({
      category: fc.integer({ min: 0, max: 15 }),
      amount: fc.bigInt({ min: 1n, max: 2n ** 40n }),
    });
    fc.assert(
      fc.property(
        address,
        address,
        fc.bigInt({ min: 0n, max: 2n ** 40n - 1n }),
        fc.array(lineArb, { minLength: 1, maxLength: 16 }),
        (m, p, date, raw) => {
          const lines = sortLines(raw);
          const encoded = AbiCoder.defaultAbiCoder().encode(
            ["bytes32", "address", "address", "uint256", "tuple(uint8,uint256)[]"],
            [FINGERPRINT_TAG, m, p, date / DAY, lines.map((l) => [l.category, l.amount])],
          );
          expect(claimFingerprint(m, p, date, lines)).to.equal(keccak256(encoded));
        },
      ),
      { numRuns: 200 },
    );
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
