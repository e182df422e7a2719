import { computeHmac, concat, toBeHex, toUtf8Bytes } from "ethers";
import { DATA, SERVICE_COUNT, SERVICE_DATA, assertServiceCategory, serviceName } from "./categories";
import { assertLines, sortLines, type ClaimLine } from "./limits";

/*
 * Blinded service codes. On chain, every service-category code of a policy (its covered set, claim lines, prior
 * authorisations, the member's payment consent) is the plain code of `ServiceCategories.sol` under a permutation
 * σ that belongs to that policy alone, derived from the policy's 32-byte blinding key (the `secret` of the member's
 * policy relationship, `PatientIdentity.derive({ kind: "policy", insurer, index })`). Without the key the codes are
 * meaningless, and two policies' codes cannot be compared. The construction (docs/claims.md has test vectors):
 *
 *   block(i) = HMAC-SHA256(key, utf8("health-ledger/v1/claims/service-permutation") || uint32be(i)),  i = 0, 1, …
 *   bytes    = block(0) || block(1) || …
 *   p = [0, 1, …, 15]; for i = 15 down to 1: n = i + 1; take the next byte b until b < 256 - (256 mod n);
 *                                            j = b mod n; swap p[i] and p[j]
 *   σ(c) = p[c]      (the blinded code of plain code c)
 *
 * The holders of the key (the member, and the insurer, which needs it to write the covered set and read its claims)
 * use a `PolicyBlinding`. A provider needs only the codes of the services the member lets it bill: she hands it a
 * `ServiceCodebook` (a part of σ), so that it cannot read the member's other claims under the same policy.
 */

/** Domain-separation label of the permutation's HMAC stream. */
export const SERVICE_PERMUTATION_LABEL = "health-ledger/v1/claims/service-permutation";

/** What moves service codes between the plain world (people, FHIR) and a policy's blinded codes (the chain). */
export interface ServiceBlinding {
  /** The blinded code of plain code `category`; throws when this blinding cannot say. */
  blind(category: number): number;
  /** The plain code of blinded code `code`; throws when this blinding cannot say. */
  unblind(code: number): number;
}

/** σ of a blinding key: `permutation[c]` is the blinded code of plain code `c`. */
export function servicePermutation(key: string): number[] {
  if (!/^0x[0-9a-fA-F]{64}$/.test(key)) {
    throw new Error("A policy's blinding key is 32 bytes as 0x and 64 hex digits: the policy relationship's secret");
  }
  const label = toUtf8Bytes(SERVICE_PERMUTATION_LABEL);
  let block = new Uint8Array(0);
  let counter = 0;
  let used = 0;
  const nextByte = (): number => {
    if (used === block.length) {
      block = Uint8Array.from(
        Buffer.from(computeHmac("sha256", key, concat([label, toBeHex(counter++, 4)])).slice(2), "hex"),
      );
      used = 0;
    }
    return block[used++];
  };
  const p = Array.from({ length: SERVICE_COUNT }, (_, c) => c);
  for (let i = SERVICE_COUNT - 1; i > 0; i--) {
    const n = i + 1;
    const limit = 256 - (256 % n);
    let b = nextByte();
    while (b >= limit) b = nextByte();
    const j = b % n;
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

function assertBlindedCode(code: number): void {
  if (!Number.isInteger(code) || code < 0 || code >= SERVICE_COUNT) {
    throw new Error(`Blinded service code ${code} is not a code: blinded codes are whole numbers 0 to 15`);
  }
}

/** The full blinding of a policy, from its key: what the member and the insurer hold. */
export class PolicyBlinding implements ServiceBlinding {
  /** `permutation[c]`: the blinded code of plain code `c`. */
  readonly permutation: readonly number[];
  readonly #inverse: readonly number[];

  private constructor(permutation: number[]) {
    this.permutation = Object.freeze(permutation);
    const inverse = new Array<number>(SERVICE_COUNT);
    permutation.forEach((b, c) => (inverse[b] = c));
    this.#inverse = Object.freeze(inverse);
  }

  /** The blinding of the policy whose key is `key` (the member's policy relationship `secret`). */
  static fromKey(key: string): PolicyBlinding {
    return new PolicyBlinding(servicePermutation(key));
  }

  blind(category: number): number {
    assertServiceCategory(category);
    return this.permutation[category];
  }

  unblind(code: number): number {
    assertBlindedCode(code);
    return this.#inverse[code];
  }

  /**
   * The part of the blinding a provider needs to bill `services` (plain codes) and read its own claims of them,
   * and nothing else: what the member hands a provider with her payment consent (see `providerCodebook`).
   */
  codebook(services: Iterable<number>): ServiceCodebook {
    return new ServiceCodebook([...services].map((c) => [c, this.blind(c)] as const));
  }
}

/** A part of a policy's blinding: the codes of the services a provider may bill under it. */
export class ServiceCodebook implements ServiceBlinding {
  readonly #toBlinded = new Map<number, number>();
  readonly #toPlain = new Map<number, number>();

  /** From `[plain, blinded]` pairs (e.g. `JSON.parse` of `toJSON()`); refuses pairs that are not one-to-one. */
  constructor(entries: Iterable<readonly [plain: number, blinded: number]>) {
    for (const [plain, blinded] of entries) {
      assertServiceCategory(plain);
      assertBlindedCode(blinded);
      const known = this.#toBlinded.get(plain);
      if ((known !== undefined && known !== blinded) || (known === undefined && this.#toPlain.has(blinded))) {
        throw new Error(`The codebook maps ${serviceName(plain)} or blinded code ${blinded} twice: it is corrupt`);
      }
      this.#toBlinded.set(plain, blinded);
      this.#toPlain.set(blinded, plain);
    }
    if (this.#toBlinded.size === 0) throw new Error("A codebook needs at least one service");
  }

  /** The plain codes this codebook can blind, in order. */
  get services(): number[] {
    return [...this.#toBlinded.keys()].sort((a, b) => a - b);
  }

  blind(category: number): number {
    assertServiceCategory(category);
    const code = this.#toBlinded.get(category);
    if (code === undefined) {
      throw new Error(
        `${serviceName(category)} is not in this codebook: the member's payment consent does not let this provider bill it`,
      );
    }
    return code;
  }

  unblind(code: number): number {
    assertBlindedCode(code);
    const plain = this.#toPlain.get(code);
    if (plain === undefined) throw new Error(`Blinded code ${code} is not in this codebook: it bills another service`);
    return plain;
  }

  /** `[plain, blinded]` pairs in plain order, to hand to the provider off chain. */
  toJSON(): [plain: number, blinded: number][] {
    return this.services.map((c) => [c, this.#toBlinded.get(c)!]);
  }
}

/** A plain service set (bit `c` for plain code `c`) in blinded codes. */
export function blindSet(blinding: ServiceBlinding, plainSet: number | bigint): number {
  return mapSet(plainSet, (c) => blinding.blind(c), "Service set");
}

/** A blinded service set (bit `b` for blinded code `b`, as on chain) in plain codes. */
export function unblindSet(blinding: ServiceBlinding, blindedSet: number | bigint): number {
  return mapSet(blindedSet, (b) => blinding.unblind(b), "Blinded service set");
}

function mapSet(set: number | bigint, map: (code: number) => number, what: string): number {
  const bits = BigInt(set);
  if (bits < 0n || bits >> BigInt(SERVICE_COUNT) !== 0n) {
    throw new Error(`${what} 0x${bits.toString(16)} has bits beyond the 16 service codes`);
  }
  let out = 0;
  for (let c = 0; c < SERVICE_COUNT; c++) if ((bits >> BigInt(c)) & 1n) out |= 1 << map(c);
  return out;
}

/**
 * Plain lines (any order) as the blinded lines to submit: codes blinded, sorted canonically by blinded code, and
 * checked as the contract checks them.
 */
export function blindLines(blinding: ServiceBlinding, lines: readonly ClaimLine[]): ClaimLine[] {
  const blinded = sortLines(lines.map((l) => ({ category: blinding.blind(l.category), amount: l.amount })));
  assertLines(blinded);
  return blinded;
}

/** Blinded lines (as on chain) in plain codes, in the same order (the order the rules split them in). */
export function unblindLines(blinding: ServiceBlinding, lines: readonly ClaimLine[]): ClaimLine[] {
  return lines.map((l) => ({ category: blinding.unblind(l.category), amount: l.amount }));
}

/**
 * Policy terms with a plain covered set (e.g. `coveredSet("CONSULTATION", "LABORATORY")`) as the insurer issues
 * them on chain: the covered set in the policy's blinded codes, every other field as given.
 */
export function blindPolicyTerms<T extends { coveredCategories: number | bigint }>(
  blinding: PolicyBlinding,
  terms: T,
): T & { coveredCategories: number } {
  return { ...terms, coveredCategories: blindSet(blinding, terms.coveredCategories) };
}

/**
 * What the member's wallet checks of a policy issued to her pseudonym: that its covered set is her policy
 * document's plain covered set under her key. The contract cannot check it (it never sees the key), and a wrong
 * set would make the rules cover other services than the document says.
 */
export function assertPolicyBlinding(
  blinding: PolicyBlinding,
  policy: { coveredCategories: number | bigint },
  plainCovered: number | bigint,
): void {
  const expected = blindSet(blinding, plainCovered);
  if (BigInt(policy.coveredCategories) !== BigInt(expected)) {
    throw new Error(
      `The policy covers blinded set 0x${BigInt(policy.coveredCategories).toString(16)}, not the document's ` +
        `0x${expected.toString(16)} under your key: ask the insurer to reissue it`,
    );
  }
}

/**
 * The plain services whose billing a payment consent over `dataCategories` allows: those whose data categories,
 * with BILLING, it covers (the table of `ServiceCategories.sol`). Consenting to data categories and to exactly
 * these services is the same thing for every claim.
 */
export function servicesWithin(dataCategories: number | bigint): number {
  const granted = BigInt(dataCategories);
  if ((granted & BigInt(DATA.BILLING)) === 0n) return 0;
  let set = 0;
  SERVICE_DATA.forEach((needed, c) => {
    if ((BigInt(needed) & ~granted) === 0n) set |= 1 << c;
  });
  return set;
}

/**
 * The categories of a member's payment consent to a provider, as the consent registry stores them for her policy
 * pseudonym: the blinded codes of the services her plain data-category choice lets it bill (`servicesWithin`).
 * `ClaimsManager` asks for the bit set of the blinded codes a claim bills, so the registry's rule (every bit
 * asked is granted) is her data-category rule, with nothing about the services readable on chain.
 */
export function paymentConsentServices(blinding: PolicyBlinding, dataCategories: number | bigint): bigint {
  return BigInt(blindSet(blinding, consentedServices(dataCategories)));
}

/** The codebook the member hands a provider with a payment consent over `dataCategories`: no more than it bills. */
export function providerCodebook(blinding: PolicyBlinding, dataCategories: number | bigint): ServiceCodebook {
  const services = consentedServices(dataCategories);
  return blinding.codebook(SERVICE_DATA.map((_, c) => c).filter((c) => (services >> c) & 1));
}

function consentedServices(dataCategories: number | bigint): number {
  const services = servicesWithin(dataCategories);
  if (services === 0) {
    throw new Error(
      "A payment consent must include BILLING and the data categories of at least one service (e.g. CONDITIONS for a consultation)",
    );
  }
  return services;
}
