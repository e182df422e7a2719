import { computeHmac, getAddress, hexlify, Mnemonic, randomBytes, toUtf8Bytes, Wallet, concat, toBeHex } from "ethers";
import type { Hex32 } from "../records";

/**
 * Relationship accounts: one patient secret, a separate Ethereum account for every relationship.
 *
 * A patient holds one secret (a BIP-39 mnemonic, or its seed). For each relationship (a provider, a policy, a trial,
 * her emergency card) her wallet derives a separate secp256k1 key, so that no account appears in two relationships
 * and an observer of the chain cannot link them. The derivation is hardened (every key needs the seed, and no key
 * or address reveals another) and deterministic (a lost device recovers every account from the mnemonic). The
 * scheme, with test vectors, is in docs/privacy.md:
 *
 *   master   = HMAC-SHA512(key = "health-ledger identity v1", data = seed)       // kM = master[0..32)
 *   I        = HMAC-SHA512(key = kM, data = 0x00 || utf8(label) || uint32be(c))  // c = 0, 1, ...
 *   key      = I[0..32) as a big-endian integer, for the first c with 1 <= key < n (secp256k1 order)
 *   secret   = I[32..64) (a relationship secret: a trial's consent-purpose salt, a policy's blinding key)
 *
 * The label names the chain and the counterparty (see {@link relationshipLabel}), so the same patient has unrelated
 * accounts on two chains, and with two providers.
 */

/** A relationship of a patient, each with its own account. */
export type Relationship =
  /** Care at one provider organisation (consents for treatment, the vault's reader and writer checks). */
  | { kind: "provider"; provider: string }
  /** The `index`-th policy (0, 1, …) with one insurer: the policy's member account, and its blinding key. */
  | { kind: "policy"; insurer: string; index: number }
  /** Participation in one trial of one registry: the participant account, and its consent-purpose salt. */
  | { kind: "trial"; registry: string; trialId: bigint }
  /** The emergency card of period `epoch` (0, 1, …): the account hospitals record break-glass access against. */
  | { kind: "emergency"; epoch: number };

const MASTER_KEY = toUtf8Bytes("health-ledger identity v1");
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** The canonical label of a relationship on a chain: what the derivation hashes. */
export function relationshipLabel(chainId: bigint, relationship: Relationship): string {
  if (chainId <= 0n) throw new Error(`chainId must be positive; got ${chainId}`);
  const prefix = `health-ledger/v1/${chainId}`;
  switch (relationship.kind) {
    case "provider":
      return `${prefix}/provider/${checksummed("provider", relationship.provider).toLowerCase()}`;
    case "policy":
      return `${prefix}/policy/${checksummed("insurer", relationship.insurer).toLowerCase()}/${index("index", relationship.index)}`;
    case "trial": {
      if (relationship.trialId <= 0n) throw new Error(`trialId must be a registered trial's id (1 or more)`);
      return `${prefix}/trial/${checksummed("registry", relationship.registry).toLowerCase()}/${relationship.trialId}`;
    }
    case "emergency":
      return `${prefix}/emergency/${index("epoch", relationship.epoch)}`;
  }
}

function checksummed(name: string, address: string): string {
  try {
    return getAddress(address);
  } catch {
    throw new Error(`${name} must be an address (0x + 40 hex digits); got "${address}"`);
  }
}

function index(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0 || value > 0x7fffffff) {
    throw new Error(`${name} must be a whole number from 0 to 2^31-1; got ${value}`);
  }
  return value;
}

/** What a relationship derives to: its account and its secret. */
export interface RelationshipKeys {
  /** The relationship's label (see {@link relationshipLabel}). */
  label: string;
  /** The account's signer, not connected to a provider. */
  wallet: Wallet;
  /** The account's address. */
  address: string;
  /** The relationship's 32-byte secret (a trial's purpose salt, a policy's blinding key). */
  secret: Hex32;
}

/** A patient's one secret and everything derived from it. */
export class PatientIdentity {
  readonly #masterKey: Uint8Array;

  private constructor(
    masterKey: Uint8Array,
    /** The chain the relationship accounts are for. */
    readonly chainId: bigint,
  ) {
    this.#masterKey = masterKey;
  }

  /** From a BIP-39 mnemonic (its standard 64-byte seed, with an optional passphrase). */
  static fromMnemonic(phrase: string, chainId: bigint, passphrase = ""): PatientIdentity {
    let seed: string;
    try {
      seed = Mnemonic.fromPhrase(phrase.trim(), passphrase).computeSeed();
    } catch {
      throw new Error("The recovery phrase is not a valid BIP-39 mnemonic: check each word and their order");
    }
    return PatientIdentity.fromSeed(seed, chainId);
  }

  /** From a raw seed of 16 to 64 bytes. */
  static fromSeed(seed: string | Uint8Array, chainId: bigint): PatientIdentity {
    const bytes = typeof seed === "string" ? hexBytes(seed) : seed;
    if (bytes.length < 16 || bytes.length > 64) {
      throw new Error(`A seed must be 16 to 64 bytes; got ${bytes.length}`);
    }
    const master = hexBytes(computeHmac("sha512", MASTER_KEY, bytes));
    return new PatientIdentity(master.slice(0, 32), chainId);
  }

  /** A new identity from 128 bits of fresh randomness, with the mnemonic the patient writes down. */
  static generate(chainId: bigint): { identity: PatientIdentity; mnemonic: string } {
    const mnemonic = Mnemonic.fromEntropy(randomBytes(16)).phrase;
    return { identity: PatientIdentity.fromMnemonic(mnemonic, chainId), mnemonic };
  }

  /** The account and secret of one relationship. */
  derive(relationship: Relationship): RelationshipKeys {
    const label = relationshipLabel(this.chainId, relationship);
    for (let counter = 0; ; counter++) {
      const data = concat([new Uint8Array([0]), toUtf8Bytes(label), toBeHex(counter, 4)]);
      const i = hexBytes(computeHmac("sha512", this.#masterKey, data));
      const key = BigInt(hexlify(i.slice(0, 32)));
      if (key === 0n || key >= SECP256K1_N) continue; // probability ~2^-128
      const wallet = new Wallet(toBeHex(key, 32));
      return { label, wallet, address: wallet.address, secret: hexlify(i.slice(32, 64)) as Hex32 };
    }
  }

  /** Shorthand for `derive(relationship).wallet`. */
  account(relationship: Relationship): Wallet {
    return this.derive(relationship).wallet;
  }
}

function hexBytes(hex: string): Uint8Array {
  if (!/^0x([0-9a-fA-F]{2})*$/.test(hex)) throw new Error(`Expected 0x-prefixed hex bytes; got "${hex.slice(0, 20)}…"`);
  return Uint8Array.from(Buffer.from(hex.slice(2), "hex"));
}
