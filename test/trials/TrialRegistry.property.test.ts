import { expect } from "chai";
import fc from "fast-check";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ethers } from "ethers";
import { STIPEND, deployTrialsFixture, h, saltOf } from "./fixture";

/**
 * Which salt a consent or a site's call uses: 0 the participant's own trial secret, 1 another secret (a salt she
 * may also consent under), 2 the zero salt (refused at enrolment; no consent is ever given under it).
 */
type Salt = 0 | 1 | 2;
/** Where a claim sends the tokens: the participant's own account, or a fresh account she names. */
type Recipient = "self" | "fresh";

type Op =
  | { kind: "start" | "close" | "complete" | "suspend" | "resume" | "terminate" | "recover" | "amendForm" | "halve" }
  | { kind: "enroll" | "visit" | "reconsent"; p: number; salt: Salt }
  | { kind: "withdraw"; p: number }
  | { kind: "claim"; p: number; to: Recipient }
  | { kind: "fund"; amount: bigint };

/** The salt of index `salt` for `account` in trial `id`. */
function saltFor(account: string, id: bigint, salt: Salt): string {
  if (salt === 0) return saltOf(account, id);
  return salt === 1 ? h(`another secret of ${account}`) : ethers.ZeroHash;
}

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
  /** The (salt, consent-form version) pairs each participant consented under; all start with (own salt, 1). */
  consented: Set<string>[] = Array.from({ length: PARTICIPANTS }, () => new Set(["0/1"]));
  participants = Array.from({ length: PARTICIPANTS }, () => ({ status: 0, visits: 0, accrued: 0n }));

  private hasConsent(p: number, salt: Salt) {
    return this.consented[p].has(`${salt}/${this.form}`);
  }

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
        if (op.salt === 2) return true; // not sent: the SDK refuses a zero salt
        this.consented[op.p].add(`${op.salt}/${this.form}`);
        return true;
      case "enroll": {
        const p = this.participants[op.p];
        if (this.status !== 2 || p.status !== 0 || this.enrolled >= TARGET) return false;
        if (op.salt === 2 || !this.hasConsent(op.p, op.salt)) return false;
        p.status = 1;
        this.enrolled += 1;
        return true;
      }
      case "visit": {
        const p = this.participants[op.p];
        if (this.status !== 2 && this.status !== 3) return false;
        if (p.status !== 1 || !this.hasConsent(op.p, op.salt) || this.unallocated < STIPEND) return false;
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
/** Mostly her own salt, as a site holding her enrolment card sends it. */
const salt = fc.oneof(
  { weight: 6, arbitrary: fc.constant<Salt>(0) },
  { weight: 1, arbitrary: fc.constant<Salt>(1) },
  { weight: 1, arbitrary: fc.constant<Salt>(2) },
);
const recipient = fc.constantFrom<Recipient>("self", "fresh");
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
  { weight: 4, arbitrary: fc.tuple(participant, salt).map(([p, s]): Op => ({ kind: "enroll", p, salt: s })) },
  { weight: 5, arbitrary: fc.tuple(participant, salt).map(([p, s]): Op => ({ kind: "visit", p, salt: s })) },
  { weight: 1, arbitrary: participant.map((p): Op => ({ kind: "withdraw", p })) },
  { weight: 2, arbitrary: fc.tuple(participant, recipient).map(([p, to]): Op => ({ kind: "claim", p, to })) },
  { weight: 1, arbitrary: fc.tuple(participant, salt).map(([p, s]): Op => ({ kind: "reconsent", p, salt: s })) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 0, max: 8 }).map((n): Op => ({ kind: "fund", amount: (STIPEND * BigInt(n)) / 4n })),
  },
  { weight: 1, arbitrary: op("halve") },
);

describe("TrialRegistry property: lifecycle, salted consent, enrolment, visits, withdrawals and stipends against a model", function () {
  it("accepts exactly what the model accepts (consent found only under the salt it was given with), pays every settlement to its recipient at the pool's rate and ends with nothing held", async function () {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 30 }), async (ops) => {
        const f = await loadFixture(deployTrialsFixture);
        const { registry, sponsor, investigator, token, consent } = f;
        const people = [f.alice, f.bob, f.carol, f.stranger];
        const id = await f.registerTrial({ targetEnrolment: TARGET });
        await registry.connect(sponsor).authorizeSite(id, investigator.address);
        await registry.connect(sponsor).fundBudget(id, FUNDED);
        for (const p of people) await consent(p.address, id, 1n);
        const fresh = ethers.Wallet.createRandom().address;
        const pool = await registry.getAddress();
        const model = new Model();
        const site = registry.connect(investigator);
        let halvingsSent = 0;
        const s = registry.connect(sponsor);

        // A random middle, then always the end of the story: terminate, recover, everyone claims.
        const ending: Op[] = [
          { kind: "terminate" },
          { kind: "recover" },
          ...people.map((_, p): Op => ({ kind: "claim", p, to: "self" })),
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
                if (op.salt === 2) return undefined;
                const account = people[op.p].address;
                return consent(
                  account,
                  id,
                  t.consentFormVersion,
                  undefined,
                  undefined,
                  undefined,
                  saltFor(account, id, op.salt),
                );
              }
              case "enroll":
                return site.enroll(id, people[op.p].address, saltFor(people[op.p].address, id, op.salt), h(`s${op.p}`));
              case "visit":
                return site.recordVisit(id, people[op.p].address, saltFor(people[op.p].address, id, op.salt));
              case "withdraw":
                return registry.connect(people[op.p]).withdraw(id);
              case "claim":
                return registry.connect(people[op.p]).claimStipend(id, op.to === "self" ? people[op.p].address : fresh);
              case "fund":
                return s.fundBudget(id, op.amount);
              case "halve":
                return model.halvings > halvingsSent ? (halvingsSent++, token.rebase(1, 2)) : undefined;
            }
          };
          const payee = op.kind !== "claim" ? sponsor.address : op.to === "self" ? people[op.p].address : fresh;
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
