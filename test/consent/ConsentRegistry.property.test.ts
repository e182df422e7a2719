import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import fc from "fast-check";
import type { ContractTransactionResponse } from "ethers";
import { ALL_CATEGORIES, CATEGORIES } from "../../src/consent/categories";
import { PURPOSES, trialResearch } from "../../src/consent/purposes";
import { DOC, deployFixture, now } from "./fixture";

/** A plain TypeScript model of the registry: what every check must answer after any sequence of changes. */
interface ModelConsent {
  categories: bigint;
  startsAt: bigint;
  expiresAt: bigint;
  version: bigint;
  revoked: boolean;
}

class ConsentModel {
  consents = new Map<string, ModelConsent>();
  delegations = new Map<string, { kind: number; expiresAt: bigint }>();
  /** Appointments so far per (patient, delegate): the epoch, which a removal keeps. */
  epochs = new Map<string, bigint>();
  constructor(public now: bigint) {}

  private key(...parts: (string | number)[]): string {
    return parts.join(":");
  }

  /** The error the registry must raise when `actor` acts for `patient`, or null. */
  private authorize(patient: number, actor: number): string | null {
    if (actor === patient) return null;
    const d = this.delegations.get(this.key(patient, actor));
    if (d === undefined) return "ConsentActorUnauthorized";
    if (d.expiresAt <= this.now) return "ConsentDelegateExpired";
    return null;
  }

  grant(op: GrantOp, startsAt: bigint, expiresAt: bigint): string | null {
    const error =
      this.authorize(op.patient, op.actor) ??
      (op.grantee === op.patient ? "ConsentGranteeIsPatient" : null) ??
      (op.grantee === op.actor ? "ConsentGranteeIsDelegate" : null) ??
      (op.categories === 0n ? "ConsentCategoriesEmpty" : null) ??
      ((op.categories & ~ALL_CATEGORIES) !== 0n ? "ConsentCategoriesUnknown" : null) ??
      (expiresAt <= this.now ? "ConsentExpiryInPast" : null) ??
      (startsAt >= expiresAt ? "ConsentStartAfterExpiry" : null);
    if (error !== null) return error;
    const k = this.key(op.patient, op.grantee, op.purpose);
    const version = (this.consents.get(k)?.version ?? 0n) + 1n;
    this.consents.set(k, { categories: op.categories, startsAt, expiresAt, version, revoked: false });
    return null;
  }

  revoke(patient: number, grantee: number, purpose: number, actor: number | null): string | null {
    if (actor !== null) {
      const error = this.authorize(patient, actor);
      if (error !== null) return error;
    }
    const c = this.consents.get(this.key(patient, grantee, purpose));
    if (c === undefined) return "ConsentUnknown";
    if (c.revoked) return "ConsentAlreadyRevoked";
    c.version += 1n;
    c.revoked = true;
    return null;
  }

  appoint(patient: number, delegate: number, kind: number, expiresAt: bigint): string | null {
    const error =
      (delegate === patient ? "ConsentDelegateIsPatient" : null) ??
      (kind === 0 ? "ConsentDelegateKindInvalid" : null) ??
      (expiresAt <= this.now ? "ConsentExpiryInPast" : null);
    if (error !== null) return error;
    this.delegations.set(this.key(patient, delegate), { kind, expiresAt });
    this.epochs.set(this.key(patient, delegate), this.epoch(patient, delegate) + 1n);
    return null;
  }

  remove(actor: number, patient: number, delegate: number): string | null {
    if (actor !== patient && actor !== delegate) return "ConsentActorUnauthorized";
    if (!this.delegations.delete(this.key(patient, delegate))) return "ConsentDelegateUnknown";
    return null;
  }

  isAuthorized(patient: number, grantee: number, purpose: number, required: bigint): boolean {
    const c = this.consents.get(this.key(patient, grantee, purpose));
    if (c === undefined) return false;
    return !c.revoked && c.startsAt <= this.now && this.now < c.expiresAt && (required & ~c.categories) === 0n;
  }

  epoch(patient: number, delegate: number): bigint {
    return this.epochs.get(this.key(patient, delegate)) ?? 0n;
  }

  canActFor(patient: number, account: number): boolean {
    if (account === patient) return true;
    const d = this.delegations.get(this.key(patient, account));
    return d !== undefined && this.now < d.expiresAt;
  }
}

interface GrantOp {
  type: "grant";
  actor: number;
  patient: number;
  grantee: number;
  purpose: number;
  categories: bigint;
  startOffset: number;
  duration: number;
}
type Op =
  | GrantOp
  | { type: "revoke"; actor: number; patient: number; grantee: number; purpose: number }
  | { type: "renounce"; grantee: number; patient: number; purpose: number }
  | { type: "appoint"; patient: number; delegate: number; kind: number; duration: number }
  | { type: "remove"; actor: number; patient: number; delegate: number }
  | { type: "wait"; seconds: number };

const ACCOUNTS = 3;
const PURPOSE_IDS = [PURPOSES.TREATMENT, trialResearch(1n, 1, DOC)];
const account = fc.integer({ min: 0, max: ACCOUNTS - 1 });
const purpose = fc.integer({ min: 0, max: PURPOSE_IDS.length - 1 });
const categories = fc.oneof(
  fc.constantFrom(CATEGORIES.DEMOGRAPHICS, CATEGORIES.GENOMICS, CATEGORIES.DEMOGRAPHICS | CATEGORIES.GENOMICS),
  fc.bigInt({ min: 0n, max: (1n << 17n) - 1n }),
);
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    type: fc.constant("grant" as const),
    actor: account,
    patient: account,
    grantee: account,
    purpose,
    categories,
    startOffset: fc.integer({ min: -20, max: 40 }),
    duration: fc.integer({ min: -5, max: 120 }),
  }),
  fc.record({ type: fc.constant("revoke" as const), actor: account, patient: account, grantee: account, purpose }),
  fc.record({ type: fc.constant("renounce" as const), grantee: account, patient: account, purpose }),
  fc.record({
    type: fc.constant("appoint" as const),
    patient: account,
    delegate: account,
    kind: fc.integer({ min: 0, max: 2 }),
    duration: fc.integer({ min: -5, max: 120 }),
  }),
  fc.record({ type: fc.constant("remove" as const), actor: account, patient: account, delegate: account }),
  fc.record({ type: fc.constant("wait" as const), seconds: fc.integer({ min: 1, max: 60 }) }),
);

describe("ConsentRegistry (property)", function () {
  describe("isAuthorized", function () {
    context("after random sequences of grants, revocations, delegations and time", function () {
      it("answers every check (and keeps every delegation epoch) exactly as the TypeScript model", async function () {
        await fc.assert(
          fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 14 }), async (ops) => {
            const f = await loadFixture(deployFixture);
            const accounts = [f.patient, f.guardian, f.researcher];
            const addresses = accounts.map((a) => a.address);
            const model = new ConsentModel(await now());
            const send = async (build: () => Promise<ContractTransactionResponse>): Promise<string | null> => {
              model.now += 1n;
              await time.setNextBlockTimestamp(model.now);
              try {
                await (await build()).wait();
                return null;
              } catch (error) {
                const data = (error as { data?: string }).data;
                const parsed = data === undefined ? null : f.registry.interface.parseError(data);
                if (parsed === null) throw error;
                return parsed.name;
              }
            };
            for (const o of ops) {
              let expected: string | null = null;
              let actual: string | null = null;
              const gas = { gasLimit: 1_000_000 };
              switch (o.type) {
                case "grant": {
                  const t = model.now + 1n;
                  const startsAt = t + BigInt(o.startOffset) < 0n ? 0n : t + BigInt(o.startOffset);
                  const expiresAt = t + BigInt(o.duration);
                  actual = await send(() =>
                    f.registry
                      .connect(accounts[o.actor])
                      .grant(
                        addresses[o.patient],
                        addresses[o.grantee],
                        PURPOSE_IDS[o.purpose],
                        o.categories,
                        startsAt,
                        expiresAt,
                        DOC,
                        gas,
                      ),
                  );
                  expected = model.grant(o, startsAt, expiresAt);
                  break;
                }
                case "revoke":
                  actual = await send(() =>
                    f.registry
                      .connect(accounts[o.actor])
                      .revoke(addresses[o.patient], addresses[o.grantee], PURPOSE_IDS[o.purpose], gas),
                  );
                  expected = model.revoke(o.patient, o.grantee, o.purpose, o.actor);
                  break;
                case "renounce":
                  actual = await send(() =>
                    f.registry.connect(accounts[o.grantee]).renounce(addresses[o.patient], PURPOSE_IDS[o.purpose], gas),
                  );
                  expected = model.revoke(o.patient, o.grantee, o.purpose, null);
                  break;
                case "appoint": {
                  const expiresAt = model.now + 1n + BigInt(o.duration);
                  actual = await send(() =>
                    f.registry
                      .connect(accounts[o.patient])
                      .appointDelegate(addresses[o.delegate], o.kind, expiresAt, gas),
                  );
                  expected = model.appoint(o.patient, o.delegate, o.kind, expiresAt);
                  break;
                }
                case "remove":
                  actual = await send(() =>
                    f.registry
                      .connect(accounts[o.actor])
                      .removeDelegate(addresses[o.patient], addresses[o.delegate], gas),
                  );
                  expected = model.remove(o.actor, o.patient, o.delegate);
                  break;
                case "wait":
                  model.now += BigInt(o.seconds);
                  await time.increaseTo(model.now);
                  break;
              }
              expect(actual, `${JSON.stringify(o, (_k, v) => (typeof v === "bigint" ? v.toString() : v))}`).to.equal(
                expected,
              );
              for (let p = 0; p < ACCOUNTS; p++) {
                for (let a = 0; a < ACCOUNTS; a++) {
                  expect(await f.registry.canActFor(addresses[p], addresses[a])).to.equal(model.canActFor(p, a));
                  expect((await f.registry.delegation(addresses[p], addresses[a])).epoch).to.equal(model.epoch(p, a));
                  for (let u = 0; u < PURPOSE_IDS.length; u++) {
                    for (const required of [CATEGORIES.DEMOGRAPHICS, CATEGORIES.DEMOGRAPHICS | CATEGORIES.GENOMICS]) {
                      const onChain = await f.registry.isAuthorized(
                        addresses[p],
                        addresses[a],
                        PURPOSE_IDS[u],
                        required,
                      );
                      expect(onChain).to.equal(model.isAuthorized(p, a, u, required));
                    }
                  }
                }
              }
            }
          }),
          { numRuns: 25 },
        );
      });
    });
  });
});
