import { expect } from "chai";
import fc from "fast-check";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { STIPEND, deployTrialsFixture, h } from "./fixture";

type Op =
  | { kind: "start" | "close" | "complete" | "suspend" | "resume" | "terminate" | "recover" | "amendForm" | "halve" }
  | { kind: "enroll" | "visit" | "withdraw" | "claim" | "reconsent"; p: number }
  | { kind: "fund"; amount: bigint };

const PARTICIPANTS = 4;
const TARGET = 3;
const FUNDED = STIPEND * 5n;
/** At most this many times per run the stipend token halves every balance (a negative rebase). */
const MAX_HALVINGS = 3;

/**
 * The plain model the contract is compared with. Status ids follow ITrialRegistry.TrialStatus. The stipend pool is
 * modelled by its rate `1 / den`: every settlement pays its amount divided by `den`, a halving of the token doubles
 * `den` while anything is owed, and a deposit is credited at `den` times what arrived. All amounts are multiples of
 * 2^16, so that with at most three halvings the contract's rounding never shows.
 */
class Model {
  status = 1; // Registered
  suspendedFrom = 0;
  form = 1;
  enrolled = 0;
  withdrawn = 0;
  unallocated = FUNDED;
  outstanding = 0n;
  /** The pool's rate is 1 / den. */
  den = 1n;
  halvings = 0;
  /** Tokens the last claim or recovery paid. */
  lastPaid = 0n;
  consented: number[] = Array(PARTICIPANTS).fill(1); // consent-form version each participant consented to
  participants = Array.from({ length: PARTICIPANTS }, () => ({ status: 0, visits: 0, accrued: 0n }));

  private get finished() {
    return this.status === 4 || this.status === 6;
  }

  /** What the registry owes in the token. */
  get owed() {
    return this.unallocated + this.outstanding;
  }

  /** Pays `amount` owed at the pool's rate; once nothing is owed, the next deposit starts at rate 1. */
  private settle(amount: bigint) {
    this.lastPaid = amount / this.den;
    return amount;
  }

  private afterSettle() {
    if (this.owed === 0n) this.den = 1n;
  }

  /** Applies `op` if the contract should accept it; returns whether it should. */
  apply(op: Op): boolean {
    const move = (from: number[], to: number) => {
      if (!from.includes(this.status)) return false;
      this.status = to;
      return true;
    };
    switch (op.kind) {
      case "start":
        return move([1], 2);
      case "close":
        return move([2], 3);
      case "complete":
        return move([3], 4);
      case "suspend":
        if (![1, 2, 3].includes(this.status)) return false;
        this.suspendedFrom = this.status;
        this.status = 5;
        return true;
      case "resume":
        if (this.status !== 5) return false;
        this.status = this.suspendedFrom;
        this.suspendedFrom = 0;
        return true;
      case "terminate":
        if (this.finished) return false;
        this.status = 6;
        this.suspendedFrom = 0;
        return true;
      case "amendForm":
        if (this.finished) return false;
        this.form += 1;
        return true;
      case "reconsent":
        this.consented[op.p] = this.form;
        return true;
      case "enroll": {
        const p = this.participants[op.p];
        if (this.status !== 2 || p.status !== 0 || this.enrolled >= TARGET) return false;
        if (this.consented[op.p] !== this.form) return false;
        p.status = 1;
        this.enrolled += 1;
        return true;
      }
      case "visit": {
        const p = this.participants[op.p];
        if (this.status !== 2 && this.status !== 3) return false;
        if (p.status !== 1 || this.consented[op.p] !== this.form || this.unallocated < STIPEND) return false;
        p.visits += 1;
        p.accrued += STIPEND;
        this.unallocated -= STIPEND;
        this.outstanding += STIPEND;
        return true;
      }
      case "withdraw": {
        const p = this.participants[op.p];
        if (p.status !== 1) return false;
        p.status = 2;
        this.withdrawn += 1;
        return true;
      }
      case "claim": {
        const p = this.participants[op.p];
        if (p.accrued === 0n) return false;
        this.outstanding -= this.settle(p.accrued);
        p.accrued = 0n;
        this.afterSettle();
        return true;
      }
      case "fund":
        if (this.finished || op.amount === 0n) return false;
        this.unallocated += op.amount * this.den;
        return true;
      case "recover":
        if (!this.finished || this.unallocated === 0n) return false;
        this.unallocated -= this.settle(this.unallocated);
        this.afterSettle();
        return true;
      case "halve":
        if (this.halvings === MAX_HALVINGS) return true; // not sent
        this.halvings += 1;
        if (this.owed !== 0n) this.den *= 2n;
        return true;
    }
  }
}

const participant = fc.integer({ min: 0, max: PARTICIPANTS - 1 });
const op = (
  kind: "start" | "close" | "complete" | "suspend" | "resume" | "terminate" | "recover" | "amendForm" | "halve",
) => fc.constant<Op>({ kind });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: op("start") },
  { weight: 2, arbitrary: op("close") },
  { weight: 2, arbitrary: op("complete") },
  { weight: 1, arbitrary: op("suspend") },
  { weight: 1, arbitrary: op("resume") },
  { weight: 1, arbitrary: op("terminate") },
  { weight: 2, arbitrary: op("recover") },
  { weight: 1, arbitrary: op("amendForm") },
  { weight: 4, arbitrary: participant.map((p): Op => ({ kind: "enroll", p })) },
  { weight: 5, arbitrary: participant.map((p): Op => ({ kind: "visit", p })) },
  { weight: 1, arbitrary: participant.map((p): Op => ({ kind: "withdraw", p })) },
  { weight: 2, arbitrary: participant.map((p): Op => ({ kind: "claim", p })) },
  { weight: 1, arbitrary: participant.map((p): Op => ({ kind: "reconsent", p })) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 0, max: 8 }).map((n): Op => ({ kind: "fund", amount: (STIPEND * BigInt(n)) / 4n })),
  },
  { weight: 1, arbitrary: op("halve") },
);

describe("TrialRegistry property: lifecycle, enrolment, visits, withdrawals and stipends against a model", function () {
  it("accepts exactly what the model accepts, pays every settlement at the pool's rate and ends with nothing held", async function () {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 30 }), async (ops) => {
        const f = await loadFixture(deployTrialsFixture);
        const { registry, sponsor, investigator, token, consent } = f;
        const people = [f.alice, f.bob, f.carol, f.stranger];
        const id = await f.registerTrial({ targetEnrolment: TARGET });
        await registry.connect(sponsor).authorizeSite(id, investigator.address);
        await registry.connect(sponsor).fundBudget(id, FUNDED);
        for (const p of people) await consent(p.address, id, 1n);
        const pool = await registry.getAddress();
        const model = new Model();
        const site = registry.connect(investigator);
        let halvingsSent = 0;
        const s = registry.connect(sponsor);

        // A random middle, then always the end of the story: terminate, recover, everyone claims.
        const ending: Op[] = [
          { kind: "terminate" },
          { kind: "recover" },
          ...people.map((_, p): Op => ({ kind: "claim", p })),
        ];
        for (const op of [...ops, ...ending]) {
          const expected = model.apply(op);
          const run = async () => {
            switch (op.kind) {
              case "start":
                return s.startRecruitment(id);
              case "close":
                return s.closeEnrolment(id);
              case "complete":
                return s.complete(id);
              case "suspend":
                return s.suspend(id, h("pause"));
              case "resume":
                return s.resume(id);
              case "terminate":
                return s.terminate(id, h("stop"));
              case "recover":
                return s.recoverBudget(id);
              case "amendForm": {
                const t = await registry.trial(id);
                return s.amend(id, {
                  protocolCommitment: h(`p${t.protocolVersion + 1n}`),
                  reasonCommitment: h("new consent form"),
                  consentFormVersion: t.consentFormVersion + 1n,
                  outcomes: [],
                });
              }
              case "reconsent": {
                const t = await registry.trial(id);
                return consent(people[op.p].address, id, t.consentFormVersion);
              }
              case "enroll":
                return site.enroll(id, people[op.p].address, h(`subject-${op.p}`));
              case "visit":
                return site.recordVisit(id, people[op.p].address);
              case "withdraw":
                return registry.connect(people[op.p]).withdraw(id);
              case "claim":
                return registry.connect(people[op.p]).claimStipend(id);
              case "fund":
                return s.fundBudget(id, op.amount);
              case "halve":
                return model.halvings > halvingsSent ? (halvingsSent++, token.rebase(1, 2)) : undefined;
            }
          };
          const payee = op.kind === "claim" ? people[op.p].address : sponsor.address;
          const before = await token.balanceOf(payee);
          let ok = true;
          try {
            await run();
          } catch {
            ok = false;
          }
          const what = JSON.stringify(op, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
          expect(ok, what).to.equal(expected);
          if (ok && (op.kind === "claim" || op.kind === "recover")) {
            expect((await token.balanceOf(payee)) - before, `paid by ${what}`).to.equal(model.lastPaid);
          }
          // The pool holds exactly what it owes at its rate, and its liabilities are this trial's.
          const t = await registry.trial(id);
          expect(await registry.liabilities(token), what).to.equal(t.unallocated + t.outstanding);
          expect(await token.balanceOf(pool), what).to.equal((t.unallocated + t.outstanding) / model.den);
        }

        const t = await registry.trial(id);
        expect(Number(t.status)).to.equal(model.status);
        expect(Number(t.enrolled)).to.equal(model.enrolled);
        expect(Number(t.withdrawn)).to.equal(model.withdrawn);
        expect(Number(t.consentFormVersion)).to.equal(model.form);
        expect(t.unallocated).to.equal(model.unallocated);
        expect(t.outstanding).to.equal(model.outstanding);
        for (const [i, p] of people.entries()) {
          const got = await registry.participant(id, p.address);
          expect(Number(got.status)).to.equal(model.participants[i].status);
          expect(Number(got.visits)).to.equal(model.participants[i].visits);
          expect(got.accrued).to.equal(model.participants[i].accrued);
        }
        // Every trial ends: after termination, recovery and every participant's claim the registry holds nothing
        // and owes nothing, whatever the halvings: each shortfall was borne pro rata by those paid after it.
        expect(await token.balanceOf(pool)).to.equal(0n);
        expect(await registry.liabilities(token)).to.equal(0n);
      }),
      { numRuns: 40 },
    );
  });
});
