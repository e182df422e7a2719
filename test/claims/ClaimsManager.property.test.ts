import { expect } from "chai";
import fc from "fast-check";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { hexlify, id } from "ethers";
import { ROLES } from "../../src/authority/roles";
import {
  adjudicate,
  APPEAL_WINDOW,
  blindLines,
  blindPolicyTerms,
  ClaimStatus,
  FILING_WINDOW,
  INSURER_REASON_MIN,
  limitLeft,
  MAX_AMOUNT,
  NO_CITATION,
  PolicyBlinding,
  policyYearOf,
  previewAdjudication,
  previewClaim,
  REASON,
  signMemberAppeal,
  unblindLines,
  unblindSet,
  usageAfter,
  type ClaimLine,
  type PolicyRules,
  type Usage,
} from "../../src/claims";
import { claimFingerprint } from "../../src/claims/fingerprint";
import { relayForwardRequest } from "../../src/relay";
import { DAY, deployClaimsFixture, USD } from "./fixture";

/** One random operation of the property test. */
type Op =
  | {
      kind: "submit";
      policy: number;
      lines: { category: number; percent: number }[];
      daysAgo: number;
      duplicate: boolean;
    }
  | { kind: "approve" | "approveAppeal"; claim: number; percent: number }
  | { kind: "deny" | "denyAppeal" | "withdraw"; claim: number }
  | { kind: "appeal"; claim: number; byMember: boolean }
  | { kind: "withdrawEscrow"; percent: number }
  | { kind: "fund"; amount: bigint }
  | { kind: "role" }
  | { kind: "wait"; days: number };

const amount = fc.integer({ min: 1, max: 3_000 }).map((n) => BigInt(n) * USD);
/** A line billing `percent` of the policy's annual limit, so that claims compete for the limit whatever its size. */
const line = fc.record({ category: fc.integer({ min: 0, max: 15 }), percent: fc.integer({ min: 1, max: 120 }) });
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.record({
      kind: fc.constant("submit" as const),
      policy: fc.integer({ min: 0, max: 3 }).map((n) => (n === 3 ? 1 : 0)), // mostly one policy: usage accrues
      lines: fc.array(line, { minLength: 1, maxLength: 3 }),
      // Coverage starts 10 days before the fixture: most service dates fall inside it, some before it.
      daysAgo: fc.integer({ min: 0, max: 12 }),
      duplicate: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constantFrom("approve" as const, "approveAppeal" as const),
      claim: fc.nat(),
      percent: fc.integer({ min: 0, max: 110 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constantFrom("deny" as const, "denyAppeal" as const, "withdraw" as const),
      claim: fc.nat(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("appeal" as const), claim: fc.nat(), byMember: fc.boolean() }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("withdrawEscrow" as const), percent: fc.integer({ min: 1, max: 100 }) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("fund" as const), amount }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("role" as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("wait" as const), days: fc.integer({ min: 1, max: 200 }) }) },
);

// A review threshold of the size of the annual limit, so that pended claims' reservations meet claims under it.
const terms = fc
  .record({
    deductible: fc.integer({ min: 0, max: 500 }).map((n) => BigInt(n) * USD),
    coinsuranceBps: fc.oneof(fc.integer({ min: 0, max: 5_000 }), fc.constant(10_000)),
    annualLimit: fc.integer({ min: 1, max: 5_000 }).map((n) => BigInt(n) * USD),
    // Picked evenly (fast-check biases integers towards 0, which would pend every claim for review).
    thresholdPercent: fc.constantFrom(20, 35, 50, 65, 80, 0, 120),
    coveredCategories: fc.oneof(fc.integer({ min: 1, max: 0xffff }), fc.constant(0xffff)),
    /** The policy's blinding key: every run blinds with other permutations. */
    key: fc.uint8Array({ minLength: 32, maxLength: 32 }).map((bytes) => hexlify(bytes)),
  })
  .map(({ thresholdPercent, key, ...t }) => ({
    terms: { ...t, reviewThreshold: (t.annualLimit * BigInt(thresholdPercent)) / 100n },
    blinding: PolicyBlinding.fromKey(key),
  }));

interface ModelClaim {
  id: string;
  policy: number;
  year: bigint;
  status: ClaimStatus;
  amount: bigint;
  /** What the contract keeps in `Claim.deductible`: a pended claim's applied deductible, or an appeal's. */
  deductible: bigint;
  decidedAt: bigint;
}

describe("ClaimsManager (property)", function () {
  it("keeps escrow conserved and usage within the policy, never loses a benefit to a reservation, and adjudicates as the SDK preview, blinded or plain", async function () {
    this.timeout(900_000);
    await fc.assert(
      fc.asyncProperty(
        fc.array(terms, { minLength: 2, maxLength: 2 }),
        fc.array(op, { minLength: 4, maxLength: 20 }),
        async (pt, ops) => {
          const f = await loadFixture(deployClaimsFixture);
          const { manager, authority, forwarder, insurer, hospital, relayer, alice, token, terms: base } = f;
          const managerAddress = await manager.getAddress();
          const policies: (PolicyRules & { id: bigint; blinding: PolicyBlinding; plainCovered: bigint })[] = [];
          for (const { terms: t, blinding } of pt) {
            // The member's consent to the hospital covers every service, so any key blinds her policies here.
            await manager.connect(insurer).createPolicy(blindPolicyTerms(blinding, { ...base, ...t }));
            const pid = await manager.policyCount();
            const p = await manager.policy(pid);
            expect(BigInt(unblindSet(blinding, p.coveredCategories)), "covered set unblinds").to.equal(
              BigInt(t.coveredCategories),
            );
            policies.push({
              id: pid,
              blinding,
              plainCovered: BigInt(t.coveredCategories),
              coverageStart: p.coverageStart,
              coverageEnd: p.coverageEnd,
              annualLimit: p.annualLimit,
              deductible: p.deductible,
              coinsuranceBps: p.coinsuranceBps,
              coveredCategories: p.coveredCategories,
              reviewThreshold: p.reviewThreshold,
            });
          }
          const usage = new Map<string, Usage>();
          const paid = new Map<string, bigint>();
          const key = (policy: number, year: bigint) => `${policy}:${year}`;
          const usageOf = (policy: number, year: bigint): Usage =>
            usage.get(key(policy, year)) ?? { deductibleMet: 0n, committed: 0n, reserved: 0n };
          let { balance, owed } = await manager.escrow(insurer.address);
          let insurerRole = true;
          const claims: ModelClaim[] = [];
          const fingerprints = new Set<string>();
          let last: { policy: number; lines: ClaimLine[]; serviceDate: bigint } | undefined;
          let n = 0;

          for (const o of ops) {
            const txTime = BigInt(await time.latest()) + 1n;
            const pick = (i: number) => (claims.length === 0 ? undefined : claims[i % claims.length]);
            switch (o.kind) {
              case "submit": {
                // Plain lines, in the generated order: the SDK blinds and sorts them as the provider's would.
                const limit = policies[o.policy].annualLimit;
                const lines = o.lines.map((l) => ({
                  category: l.category,
                  amount: 1n + (limit * BigInt(l.percent)) / 100n,
                }));
                const s =
                  o.duplicate && last !== undefined
                    ? last
                    : { policy: o.policy, lines, serviceDate: txTime - 1n - BigInt(o.daysAgo) * DAY };
                const p = policies[s.policy];
                const blinded = blindLines(p.blinding, s.lines);
                const cid = id(`claim-${n++}`);
                const fp = claimFingerprint(alice.member.address, hospital.address, s.serviceDate, blinded);
                const tx = manager.connect(hospital).submitClaim(p.id, cid, blinded, s.serviceDate, 0);
                if (txTime > p.coverageEnd + FILING_WINDOW) {
                  await expect(tx).to.be.revertedWithCustomError(manager, "ClaimsPolicyExpired");
                  break;
                }
                if (fingerprints.has(fp)) {
                  await expect(tx).to.be.revertedWithCustomError(manager, "ClaimsFingerprintDuplicate");
                  break;
                }
                const year = policyYearOf(p, s.serviceDate);
                const before = usageOf(s.policy, year);
                const result = previewClaim({
                  policy: p,
                  blinding: p.blinding,
                  usage: before,
                  escrowAvailable: balance - owed,
                  lines: s.lines,
                  serviceDate: s.serviceDate,
                });
                expect(result.submitLines, "the preview submits what the provider submits").to.deep.equal(blinded);
                // Adjudicating in blinded space and unblinding = adjudicating the plain lines (in the order the
                // chain splits them) against the plain policy.
                const plain = adjudicate(
                  { ...p, coveredCategories: p.plainCovered },
                  before,
                  unblindLines(p.blinding, blinded),
                  s.serviceDate,
                  NO_CITATION,
                  balance - owed,
                );
                const totals = (r: typeof plain) => [
                  ...[r.status, r.reason, r.billed, r.eligible],
                  ...[r.deductible, r.coinsurance, r.benefit, r.memberShare],
                ];
                expect(totals(result), "blinded = plain").to.deep.equal(totals(plain));
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
                const pended = result.status === ClaimStatus.Pended;
                expect(c.deductible, "deductible kept by a pended claim").to.equal(pended ? result.deductible : 0n);
                const after = usageAfter.submission(before, result);
                usage.set(key(s.policy, year), after);
                if (result.status === ClaimStatus.Approved) owed += result.benefit;
                if (result.status !== ClaimStatus.Denied) {
                  // A benefit is cut only by benefit really committed (the year's limit used), never by other
                  // claims' reservations: what the claim is approved for, or may be, is its uncapped benefit
                  // within what approved claims left of the limit.
                  const uncapped = previewAdjudication({
                    policy: { ...p, annualLimit: MAX_AMOUNT },
                    usage: { ...before, committed: 0n, reserved: 0n },
                    escrowAvailable: MAX_AMOUNT,
                    lines: blinded,
                    serviceDate: s.serviceDate,
                  }).benefit;
                  const left = limitLeft(p.annualLimit, before.committed);
                  expect(c.amount, "cut only by committed benefit").to.equal(uncapped < left ? uncapped : left);
                }
                if (result.reason === REASON.PENDED_LIMIT_RESERVED) {
                  expect(before.reserved > 0n, "pended for reservations only when there are some").to.equal(true);
                }
                claims.push({
                  id: cid,
                  policy: s.policy,
                  year: result.year,
                  status: result.status,
                  amount: c.amount,
                  deductible: c.deductible,
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
                const p = policies[c.policy];
                if (
                  c.status !== expected ||
                  value === 0n ||
                  value > c.amount ||
                  value > limitLeft(p.annualLimit, u.committed) ||
                  value > balance - owed
                ) {
                  await expect(tx).to.be.reverted;
                  break;
                }
                await tx;
                if (o.kind === "approve") {
                  usage.set(key(c.policy, c.year), usageAfter.approval(u, c.amount, value));
                } else {
                  const next = usageAfter.appealApproval(p, u, value, c.deductible);
                  usage.set(key(c.policy, c.year), next.usage);
                  c.deductible = next.applied;
                }
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
                  usage.set(key(c.policy, c.year), usageAfter.denial(u, c.amount, c.deductible));
                }
                c.status = o.kind === "deny" ? ClaimStatus.Denied : ClaimStatus.FinalDenied;
                c.decidedAt = BigInt((await receipt!.getBlock()).timestamp);
                break;
              }
              case "appeal": {
                const c = pick(o.claim);
                if (c === undefined) break;
                // The member appeals as her policy pseudonym, relayed (it holds no ETH).
                const tx = o.byMember
                  ? signMemberAppeal(alice.member, forwarder, manager, c.id, id("evidence")).then((request) =>
                      relayForwardRequest(forwarder.connect(relayer), request),
                    )
                  : manager.connect(hospital).appeal(c.id, id("evidence"));
                if (c.status !== ClaimStatus.Denied || txTime > c.decidedAt + APPEAL_WINDOW) {
                  await expect(tx).to.be.reverted;
                  break;
                }
                const sent = await tx;
                const receipt = "wait" in sent ? await sent.wait() : sent;
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
                // The insurer takes back free escrow whether or not it holds its role (wind-down).
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
              case "fund": {
                const tx = manager.connect(insurer).fundEscrow(o.amount);
                if (!insurerRole) {
                  await expect(tx).to.be.revertedWithCustomError(manager, "AccessManagedUnauthorized");
                  break;
                }
                await tx;
                balance += o.amount;
                break;
              }
              case "role":
                if (insurerRole) await authority.revokeRole(ROLES.INSURER, insurer.address);
                else await authority.grantRole(ROLES.INSURER, insurer.address, 0);
                insurerRole = !insurerRole;
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
              const p = policies[Number(policy)];
              expect(await manager.usage(p.id, year), `usage ${k} = model`).to.deep.equal([
                u.deductibleMet,
                u.committed,
                u.reserved,
              ]);
              expect(u.committed <= p.annualLimit, `committed within limit ${k}`).to.equal(true);
              expect(u.deductibleMet <= p.deductible, `deductible within the policy's ${k}`).to.equal(true);
              expect((paid.get(k) ?? 0n) <= u.committed, `paid within committed ${k}`).to.equal(true);
            }
            for (const c of claims) {
              const onChain = await manager.claim(c.id);
              expect(Number(onChain.status), `claim ${c.id} status`).to.equal(c.status);
              expect(onChain.amount, `claim ${c.id} amount`).to.equal(c.amount);
              expect(onChain.deductible, `claim ${c.id} deductible`).to.equal(c.deductible);
            }
          }
        },
      ),
      { numRuns: Number(process.env.CLAIMS_PROPERTY_RUNS ?? 25) },
    );
  });
});
