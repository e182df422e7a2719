import { getAddress, type Signer, type TypedDataDomain, type TypedDataField } from "ethers";
import type { ConsentRegistry } from "../../typechain-types";
import { DelegateKind } from "../constants";
import { assertConsentTerms, NO_EXPIRY, type ConsentTerms } from "./fhir";

/** EIP-712 types of the registry's signed requests (must match the type hashes in `ConsentRegistry.sol`). */
export const CONSENT_TYPES = {
  Grant: [
    { name: "signer", type: "address" },
    { name: "patient", type: "address" },
    { name: "grantee", type: "address" },
    { name: "purpose", type: "bytes32" },
    { name: "categories", type: "uint256" },
    { name: "startsAt", type: "uint40" },
    { name: "expiresAt", type: "uint40" },
    { name: "documentCommitment", type: "bytes32" },
    { name: "delegationEpoch", type: "uint32" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint40" },
  ],
  Revoke: [
    { name: "signer", type: "address" },
    { name: "patient", type: "address" },
    { name: "grantee", type: "address" },
    { name: "purpose", type: "bytes32" },
    { name: "delegationEpoch", type: "uint32" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint40" },
  ],
  AppointDelegate: [
    { name: "patient", type: "address" },
    { name: "delegate", type: "address" },
    { name: "kind", type: "uint8" },
    { name: "expiresAt", type: "uint40" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint40" },
  ],
} as const satisfies Record<string, readonly TypedDataField[]>;

export { DelegateKind };
/** What a delegate is to the patient (`IConsentRegistry.DelegateKind`). */
export type DelegateKindValue = DelegateKind;

/** A grant as signed (EIP-712 `Grant`); the same object is submitted as `GrantRequest`. */
export interface GrantRequest extends ConsentTerms {
  signer: string;
  documentCommitment: string;
  /** The signer's delegation epoch (`delegation(patient, signer).epoch`), 0 when the patient signs. */
  delegationEpoch: bigint;
  nonce: bigint;
  deadline: bigint;
}

/** A revocation as signed (EIP-712 `Revoke`). */
export interface RevokeRequest {
  signer: string;
  patient: string;
  grantee: string;
  purpose: string;
  /** The signer's delegation epoch, 0 when the patient signs. */
  delegationEpoch: bigint;
  nonce: bigint;
  deadline: bigint;
}

/** A delegate appointment as signed (EIP-712 `AppointDelegate`); the patient signs. */
export interface DelegateRequest {
  patient: string;
  delegate: string;
  kind: DelegateKindValue;
  expiresAt: bigint;
  nonce: bigint;
  deadline: bigint;
}

/** A request and its signature, ready for a relayer. */
export interface Signed<T> {
  request: T;
  signature: string;
}

/** Options shared by every signing helper. */
export interface SignOptions {
  /** Last second the signature may be submitted (default: one hour from the latest block). */
  deadline?: bigint;
  /** Nonce to sign (default: the signer's next nonce on chain); set it to sign several requests in advance. */
  nonce?: bigint;
  /**
   * Delegation epoch to sign under, for a delegate signing for the patient (default: the signer's current epoch,
   * `delegation(patient, signer).epoch`, read on chain; always 0 for the patient herself). The registry accepts the
   * request only while that delegation lasts: once the patient removes or re-appoints the delegate, it is void.
   */
  delegationEpoch?: bigint;
  /**
   * Sign for an ERC-1271 contract wallet: the request names this wallet as its signer (it must be the patient or
   * her delegate), and the ethers signer is the key whose EIP-712 signature the wallet's `isValidSignature`
   * accepts. Wallets that wrap messages in their own scheme (a Safe's `SafeMessage`) need their own signing flow;
   * their signature is then relayed as is.
   */
  wallet?: string;
}

/**
 * What signing reads from the registry, whichever client reads it: ethers ({@link ethersConsentReader}, used when
 * a TypeChain `ConsentRegistry` is passed) or viem (`viemConsentReader` in `health-ledger/viem`).
 */
export interface ConsentReader {
  /** ERC-5267 `eip712Domain()`: fields, name, version, chain id, verifying contract. */
  eip712Domain(): Promise<readonly [string, string, string, bigint, string, ...unknown[]]>;
  nonces(owner: string): Promise<bigint>;
  delegation(patient: string, delegate: string): Promise<{ kind: bigint | number; epoch: bigint | number }>;
  /** The latest block's timestamp (unix seconds), for the default deadline. */
  latestTimestamp(): Promise<bigint>;
}

/** A key that signs EIP-712 typed data: an ethers v6 `Signer` is one; `viemTypedDataSigner` adapts a viem wallet. */
export interface TypedDataSigner {
  getAddress(): Promise<string>;
  signTypedData(
    domain: TypedDataDomain,
    types: Record<string, TypedDataField[]>,
    value: Record<string, unknown>,
  ): Promise<string>;
}

/** A TypeChain (ethers v6) `ConsentRegistry` as a {@link ConsentReader}. */
export function ethersConsentReader(registry: ConsentRegistry): ConsentReader {
  return {
    eip712Domain: () => registry.eip712Domain(),
    nonces: (owner) => registry.nonces(owner),
    delegation: (patient, delegate) => registry.delegation(patient, delegate),
    latestTimestamp: async () => {
      const provider = registry.runner?.provider;
      if (provider == null) throw new Error("The registry must be connected to a provider to compute a deadline");
      const block = await provider.getBlock("latest");
      return BigInt(block!.timestamp);
    },
  };
}

function readerOf(registry: ConsentRegistry | ConsentReader): ConsentReader {
  return "latestTimestamp" in registry ? registry : ethersConsentReader(registry);
}

/** The registry's EIP-712 domain, read from its ERC-5267 `eip712Domain()` (so chain and contract always match). */
export async function consentDomain(registry: ConsentRegistry | ConsentReader): Promise<TypedDataDomain> {
  const [fields, name, version, chainId, verifyingContract] = await readerOf(registry).eip712Domain();
  if (fields !== "0x0f") throw new Error(`Unexpected EIP-712 domain fields ${fields}: expected 0x0f`);
  return { name, version, chainId, verifyingContract };
}

async function signerOf(signer: TypedDataSigner, options: SignOptions): Promise<string> {
  return getAddress(options.wallet ?? (await signer.getAddress()));
}

async function defaults(registry: ConsentReader, signer: string, options: SignOptions) {
  const nonce = options.nonce ?? (await registry.nonces(signer));
  const deadline = options.deadline ?? (await registry.latestTimestamp()) + 3600n;
  if (deadline <= 0n || deadline > NO_EXPIRY) {
    throw new Error(`deadline must be unix seconds between 1 and 2^40 - 1; got ${deadline}`);
  }
  return { nonce, deadline };
}

/**
 * The delegation epoch a request by `signer` for `patient` must carry: 0 for the patient, else the signer's current
 * delegation epoch (read on chain unless given). Throws when the signer is not the patient's delegate.
 */
async function delegationEpochOf(
  registry: ConsentReader,
  patient: string,
  signer: string,
  options: SignOptions,
): Promise<bigint> {
  if (signer === patient) {
    if (options.delegationEpoch !== undefined && options.delegationEpoch !== 0n) {
      throw new Error("delegationEpoch must be 0 (or left out) when the patient signs for herself");
    }
    return 0n;
  }
  if (options.delegationEpoch !== undefined) return options.delegationEpoch;
  const d = await registry.delegation(patient, signer);
  if (BigInt(d.kind) === BigInt(DelegateKind.None)) {
    throw new Error(
      `${signer} is not a delegate of ${patient}: the patient must appoint it (appointDelegate) before it signs for her`,
    );
  }
  return BigInt(d.epoch);
}

/**
 * Signs a grant with an ethers v6 signer or any {@link TypedDataSigner} (the patient, or her delegate for
 * `terms.patient`); the registry is a TypeChain `ConsentRegistry` or any {@link ConsentReader}. Anyone can then
 * submit it with {@link relayGrant}; the relayer cannot change any field. A delegate's request carries its current
 * delegation epoch and works only while that delegation lasts. A delegate may not name itself as grantee.
 */
export async function signGrant(
  signer: Signer | TypedDataSigner,
  registry: ConsentRegistry | ConsentReader,
  terms: ConsentTerms & { documentCommitment: string },
  options: SignOptions = {},
): Promise<Signed<GrantRequest>> {
  assertConsentTerms(terms);
  const reader = readerOf(registry);
  const from = await signerOf(signer, options);
  const patient = getAddress(terms.patient);
  if (from !== patient && getAddress(terms.grantee) === from) {
    throw new Error(`A delegate may not grant consent to itself (${from}): the patient must grant it herself`);
  }
  const request: GrantRequest = {
    signer: from,
    patient,
    grantee: getAddress(terms.grantee),
    purpose: terms.purpose,
    categories: terms.categories,
    startsAt: terms.startsAt,
    expiresAt: terms.expiresAt,
    documentCommitment: terms.documentCommitment,
    delegationEpoch: await delegationEpochOf(reader, patient, from, options),
    ...(await defaults(reader, from, options)),
  };
  const signature = await signer.signTypedData(
    await consentDomain(reader),
    { Grant: [...CONSENT_TYPES.Grant] },
    request,
  );
  return { request, signature };
}

/** Signs a revocation of (patient, grantee, purpose) by the patient or her delegate. */
export async function signRevoke(
  signer: Signer | TypedDataSigner,
  registry: ConsentRegistry | ConsentReader,
  key: { patient: string; grantee: string; purpose: string },
  options: SignOptions = {},
): Promise<Signed<RevokeRequest>> {
  const reader = readerOf(registry);
  const from = await signerOf(signer, options);
  const patient = getAddress(key.patient);
  const request: RevokeRequest = {
    signer: from,
    patient,
    grantee: getAddress(key.grantee),
    purpose: key.purpose,
    delegationEpoch: await delegationEpochOf(reader, patient, from, options),
    ...(await defaults(reader, from, options)),
  };
  const signature = await signer.signTypedData(
    await consentDomain(reader),
    { Revoke: [...CONSENT_TYPES.Revoke] },
    request,
  );
  return { request, signature };
}

/** Signs, as the patient, the appointment of a guardian or legal representative until `expiresAt`. */
export async function signDelegateAppointment(
  patient: Signer | TypedDataSigner,
  registry: ConsentRegistry | ConsentReader,
  appointment: { delegate: string; kind: DelegateKindValue; expiresAt: bigint },
  options: SignOptions = {},
): Promise<Signed<DelegateRequest>> {
  if (appointment.kind === DelegateKind.None) {
    throw new Error("kind must be DelegateKind.Guardian or DelegateKind.LegalRepresentative");
  }
  if (appointment.expiresAt <= 0n || appointment.expiresAt > NO_EXPIRY) {
    throw new Error("expiresAt must be unix seconds between 1 and NO_EXPIRY (2^40 - 1)");
  }
  const reader = readerOf(registry);
  const from = await signerOf(patient, options);
  const request: DelegateRequest = {
    patient: from,
    delegate: getAddress(appointment.delegate),
    kind: appointment.kind,
    expiresAt: appointment.expiresAt,
    ...(await defaults(reader, from, options)),
  };
  const signature = await patient.signTypedData(
    await consentDomain(reader),
    { AppointDelegate: [...CONSENT_TYPES.AppointDelegate] },
    request,
  );
  return { request, signature };
}
