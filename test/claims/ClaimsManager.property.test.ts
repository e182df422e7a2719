import { expect } from "chai";
import fc from "fast-check";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { id } from "ethers";
import {
  APPEAL_WINDOW,
  ClaimStatus,
  FILING_WINDOW,
  INSURER_REASON_MIN,
  policyYearOf,
  previewAdjudication,
  sortLines,
  usageAfter,
  type ClaimLine,
  type PolicyRules,
  type YearUsage,
} from "../../src/claims";
import { claimFingerprint } from "../../src/claims/fingerprint";
import { DAY, deployClaimsFixture, USD } from "./fixture";

/** One random operation of the property test. */
type Op =
  | { kind: "submit"; policy: number; lines: ClaimLine[]; daysAgo: number; duplicate: boolean }
  | { kind: "approve" | "approveAppeal"; claim: number; percent: number }
  | { kind: "deny" | "appeal" | "denyAppeal" | "withdraw"; claim: number }
  | { kind: "withdrawEscrow"; percent: number }
  | { kind: "fund"; amount: bigint }
  | { kind: "wait"; days: number };

const amount = fc.integer({ min: 1, max: 3_000 }).map((n) => BigInt(n) * USD);
const line = fc.record({ category: fc.integer({ min: 0, max: 15 }), amount });
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("submit" as const),
      policy: fc.integer({ min: 0, max: 1 }),
      lines: fc.array(line, { minLength: 1, maxLength: 3 }).map(sortLines),
      daysAgo: fc.integer({ min: 0, max: 40 }),
      duplicate: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constantFrom("approve" as const, "approveAppeal" as const),
      claim: fc.nat(),
      percent: fc.integer({ min: 0, max: 110 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constantFrom("deny" as const, "appeal" as const, "denyAppeal" as const, "withdraw" as const),
      claim: fc.nat(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("withdrawEscrow" as const), percent: fc.integer({ min: 1, max: 100 }) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("fund" as const), amount }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("wait" as const), days: fc.integer({ min: 1, max: 200 }) }) },
);

const terms = fc.record({
  deductible: fc.integer({ min: 0, max: 1_000 }).map((n) => BigInt(n) * USD),
  coinsuranceBps: fc.integer({ min: 0, max: 10_000 }),
  annualLimit: fc.integer({ min: 1, max: 6_000 }).map((n) => BigInt(n) * USD),
  reviewThreshold: fc.integer({ min: 0, max: 3_000 }).map((n) => BigInt(n) * USD),
  coveredCategories: fc.integer({ min: 1, max: 0xffff }),
});

interface ModelClaim {
  id: string;
  policy: number;
  year: bigint;
  status: ClaimStatus;
  amount: bigint;
  decidedAt: bigint;
}

describe("ClaimsManager (property)", function () {
  it("keeps escrow conserved, benefits within the annual limit, and adjudicates as the SDK preview", async function () {
    this.timeout(600_000);
    await fc.assert(
      fc.asyncProperty(
        fc.array(terms, { minLength: 2, maxLength: 2 }),
        fc.array(op, { maxLength: 14 }),
        async (pt, ops) => {
          const f = await loadFixture(deployClaimsFixture);
          const { manager, insurer, hospital, alice, token, terms: base } = f;
          const managerAddress = await manager.getAddress();
          const policies: (PolicyRules & { id: bigint })[] = [];
          for (const t of pt) {
            await manager.connect(insurer).createPolicy({ ...base, ...t });
            const pid = await manager.policyCount();
            const p = await manager.policy(pid);
            policies.push({
              id: pid,
              coverageStart: p.coverageStart,
              coverageEnd: p.coverageEnd,
              annualLimit: p.annualLimit,
              deductible: p.deductible,
              coinsuranceBps: p.coinsuranceBps,
              coveredCategories: p.coveredCategories,
              reviewThreshold: p.reviewThreshold,
            });
          }
          const usage = new Map<string, YearUsage>();
          const paid = new Map<string, bigint>();
          const key = (policy: number, year: bigint) => `${policy}:${year}`;
          const usageOf = (policy: number, year: bigint) =>
            usage.get(key(policy, year)) ?? { deductibleMet: 0n, benefit: 0n };
          let [balance, owed] = await manager.escrow(insurer.address);
          const claims: ModelClaim[] = [];
          const fingerprints = new Set<string>();
          let last: { policy: number; lines: ClaimLine[]; serviceDate: bigint } | undefined;
          let n = 0;

          for (const o of ops) {
            const txTime = BigInt(await time.latest()) + 1n;
            const pick = (i: number) => (claims.length === 0 ? undefined : claims[i % claims.length]);
            switch (o.kind) {
              case "submit": {
                const s =
                  o.duplicate && last !== undefined
                    ? last
                    : { policy: o.policy, lines: o.lines, serviceDate: txTime - 1n - BigInt(o.daysAgo) * DAY };
                const p = policies[s.policy];
                const cid = id(`claim-${n++}`);
                const fp = claimFingerprint(alice.address, hospital.address, s.serviceDate, s.lines);
                const tx = manager.connect(hospital).submitClaim(p.id, cid, s.lines, s.serviceDate, 0);
                if (txTime > p.coverageEnd + FILING_WINDOW) {
                  await expect(tx).to.be.revertedWithCustomError(manager, "ClaimsPolicyExpired");
                  break;
                }
                if (fingerprints.has(fp)) {
                  await expect(tx).to.be.revertedWithCustomError(manager, "ClaimsDuplicateFingerprint");
                  break;
                }
                const result = previewAdjudication({
                  policy: p,
                  usage: usageOf(s.policy, policyYearOf(p, s.serviceDate)),
                  escrowAvailable: balance - owed,
                  lines: s.lines,
                  serviceDate: s.serviceDate,
                });
                await tx;
                fingerprints.add(fp);
                last = s;
                const c = await manager.claim(cid);
                expect(Number(c.status), "status = preview").to.equal(result.status);
                expect(Number(c.reason), "reason = preview").to.equal(result.reason);
                expect(c.year).to.equal(result.year);
                expect(c.memberShare, "member share = preview").to.equal(result.memberShare);
                expect(c.amount, "amount = preview").to.equal(
                  result.status === ClaimStatus.Denied ? result.billed : result.benefit,
                );
                if (result.status !== ClaimStatus.Denied) {
                  usage.set(key(s.policy, result.year), usageAfter(usageOf(s.policy, result.year), result));
                }
                if (result.status === ClaimStatus.Approved) owed += result.benefit;
                claims.push({
                  id: cid,
                  policy: s.policy,
                  year: result.year,
                  status: result.status,
                  amount: c.amount,
                  decidedAt: c.decidedAt,
                });
                break;
              }
              case "approve":
              case "approveAppeal": {
                const c = pick(o.claim);
                if (c === undefined) break;
                const value = (c.amount * BigInt(o.percent)) / 100n;
                const m = manager.connect(insurer);
                const tx = o.kind === "approve" ? m.approveClaim(c.id, value) : m.approveAppeal(c.id, value);
                const expected = o.kind === "approve" ? ClaimStatus.Pended : ClaimStatus.Appealed;
                const u = usageOf(c.policy, c.year);
                const limitLeft = policies[c.policy].annualLimit - u.benefit;
                if (
                  c.status !== expected ||
                  value === 0n ||
                  value > c.amount ||
                  value > balance - owed ||
                  (o.kind === "approveAppeal" && value > limitLeft)
                ) {
                  await expect(tx).to.be.reverted;
                  break;
                }
                await tx;
                if (o.kind === "approve") u.benefit -= c.amount - value;
                else u.benefit += value;
                usage.set(key(c.policy, c.year), u);
                owed += value;
                c.amount = value;
                c.status = ClaimStatus.Approved;
                break;
              }
              case "deny":
              case "denyAppeal": {
                const c = pick(o.claim);
                if (c === undefined) break;
                const m = manager.connect(insurer);
                const tx =
                  o.kind === "deny" ? m.denyClaim(c.id, INSURER_REASON_MIN) : m.denyAppeal(c.id, INSURER_REASON_MIN);
                const expected = o.kind === "deny" ? ClaimStatus.Pended : ClaimStatus.Appealed;
                if (c.status !== expected) {
                  await expect(tx).to.be.reverted;
                  break;
                }
                const receipt = await (await tx).wait();
                if (o.kind === "deny") {
                  const u = usageOf(c.policy, c.year);
                  u.benefit -= c.amount;
                  usage.set(key(c.policy, c.year), u);
                }
                c.status = o.kind === "deny" ? ClaimStatus.Denied : ClaimStatus.FinalDenied;
                c.decidedAt = BigInt((await receipt!.getBlock()).timestamp);
                break;
              }
              case "appeal": {
                const c = pick(o.claim);
                if (c === undefined) break;
                const tx = manager.connect(hospital).appeal(c.id, id("evidence"));
                if (c.status !== ClaimStatus.Denied || txTime > c.decidedAt + APPEAL_WINDOW) {
                  await expect(tx).to.be.reverted;
                  break;
                }
                const receipt = await (await tx).wait();
                c.status = ClaimStatus.Appealed;
                c.decidedAt = BigInt((await receipt!.getBlock()).timestamp);
                break;
              }
              case "withdraw": {
                const c = pick(o.claim);
                if (c === undefined) break;
                const tx = manager.connect(hospital).withdraw(c.id);
                if (c.status !== ClaimStatus.Approved || c.amount === 0n) {
                  await expect(tx).to.be.reverted;
                  break;
                }
                await expect(tx).to.changeTokenBalances(token, [hospital, managerAddress], [c.amount, -c.amount]);
                balance -= c.amount;
                owed -= c.amount;
                paid.set(key(c.policy, c.year), (paid.get(key(c.policy, c.year)) ?? 0n) + c.amount);
                c.status = ClaimStatus.Paid;
                break;
              }
              case "withdrawEscrow": {
                const value = ((balance - owed) * BigInt(o.percent)) / 100n;
                const tx = manager.connect(insurer).withdrawEscrow(value, insurer.address);
                if (value === 0n) {
                  await expect(tx).to.be.reverted;
                  break;
                }
                await tx;
                balance -= value;
                break;
              }
              case "fund":
                await manager.connect(insurer).fundEscrow(o.amount);
                balance += o.amount;
                break;
              case "wait":
                await time.increase(BigInt(o.days) * DAY);
                break;
            }

            // Invariants, after every operation.
            expect(await manager.escrow(insurer.address), "escrow = model").to.deep.equal([balance, owed]);
            expect(await token.balanceOf(managerAddress), "tokens held = escrow").to.equal(balance);
            expect(balance >= owed, "escrow covers approved unpaid").to.equal(true);
            for (const [k, u] of usage) {
              const [policy, year] = k.split(":").map(BigInt);
              const limit = policies[Number(policy)].annualLimit;
              expect(await manager.usage(policies[Number(policy)].id, year), `usage ${k} = model`).to.deep.equal([
                u.deductibleMet,
                u.benefit,
              ]);
              expect(u.benefit <= limit, `benefit within limit ${k}`).to.equal(true);
              expect((paid.get(k) ?? 0n) <= limit, `paid within limit ${k}`).to.equal(true);
            }
            for (const c of claims) {
              const onChain = await manager.claim(c.id);
              expect(Number(onChain.status), `claim ${c.id} status`).to.equal(c.status);
              expect(onChain.amount, `claim ${c.id} amount`).to.equal(c.amount);
            }
          }
        },
      ),
      { numRuns: Number(process.env.CLAIMS_PROPERTY_RUNS ?? 25) },
    );
  });
});
