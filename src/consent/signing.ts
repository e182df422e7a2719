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

/** The registry's EIP-712 domain, read from its ERC-5267 `eip712Domain()` (so chain and contract always match). */
export async function consentDomain(registry: ConsentRegistry): Promise<TypedDataDomain> {
  const [fields, name, version, chainId, verifyingContract] = await registry.eip712Domain();
  if (fields !== "0x0f") throw new Error(`Unexpected EIP-712 domain fields ${fields}: expected 0x0f`);
  return { name, version, chainId, verifyingContract };
}

async function signerOf(signer: Signer, options: SignOptions): Promise<string> {
  return getAddress(options.wallet ?? (await signer.getAddress()));
}

async function defaults(registry: ConsentRegistry, signer: string, options: SignOptions) {
  const nonce = options.nonce ?? (await registry.nonces(signer));
  let deadline = options.deadline;
  if (deadline === undefined) {
    const provider = registry.runner?.provider;
    if (provider == null) throw new Error("The registry must be connected to a provider to compute a deadline");
    const block = await provider.getBlock("latest");
    deadline = BigInt(block!.timestamp) + 3600n;
  }
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
  registry: ConsentRegistry,
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
  if (d.kind === BigInt(DelegateKind.None)) {
    throw new Error(
      `${signer} is not a delegate of ${patient}: the patient must appoint it (appointDelegate) before it signs for her`,
    );
  }
  return d.epoch;
}

/**
 * Signs a grant with an ethers v6 signer (the patient, or her delegate for `terms.patient`). Anyone can then
 * submit it with {@link relayGrant}; the relayer cannot change any field. A delegate's request carries its current
 * delegation epoch and works only while that delegation lasts. A delegate may not name itself as grantee.
 */
export async function signGrant(
  signer: Signer,
  registry: ConsentRegistry,
  terms: ConsentTerms & { documentCommitment: string },
  options: SignOptions = {},
): Promise<Signed<GrantRequest>> {
  assertConsentTerms(terms);
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
    delegationEpoch: await delegationEpochOf(registry, patient, from, options),
    ...(await defaults(registry, from, options)),
  };
  const signature = await signer.signTypedData(
    await consentDomain(registry),
    { Grant: [...CONSENT_TYPES.Grant] },
    request,
  );
  return { request, signature };
}

/** Signs a revocation of (patient, grantee, purpose) by the patient or her delegate. */
export async function signRevoke(
  signer: Signer,
  registry: ConsentRegistry,
  key: { patient: string; grantee: string; purpose: string },
  options: SignOptions = {},
): Promise<Signed<RevokeRequest>> {
  const from = await signerOf(signer, options);
  const patient = getAddress(key.patient);
  const request: RevokeRequest = {
    signer: from,
    patient,
    grantee: getAddress(key.grantee),
    purpose: key.purpose,
    delegationEpoch: await delegationEpochOf(registry, patient, from, options),
    ...(await defaults(registry, from, options)),
  };
  const signature = await signer.signTypedData(
    await consentDomain(registry),
    { Revoke: [...CONSENT_TYPES.Revoke] },
    request,
  );
  return { request, signature };
}

/** Signs, as the patient, the appointment of a guardian or legal representative until `expiresAt`. */
export async function signDelegateAppointment(
  patient: Signer,
  registry: ConsentRegistry,
  appointment: { delegate: string; kind: DelegateKindValue; expiresAt: bigint },
  options: SignOptions = {},
): Promise<Signed<DelegateRequest>> {
  if (appointment.kind === DelegateKind.None) {
    throw new Error("kind must be DelegateKind.Guardian or DelegateKind.LegalRepresentative");
  }
  if (appointment.expiresAt <= 0n || appointment.expiresAt > NO_EXPIRY) {
    throw new Error("expiresAt must be unix seconds between 1 and NO_EXPIRY (2^40 - 1)");
  }
  const from = await signerOf(patient, options);
  const request: DelegateRequest = {
    patient: from,
    delegate: getAddress(appointment.delegate),
    kind: appointment.kind,
    expiresAt: appointment.expiresAt,
    ...(await defaults(registry, from, options)),
  };
  const signature = await patient.signTypedData(
    await consentDomain(registry),
    { AppointDelegate: [...CONSENT_TYPES.AppointDelegate] },
    request,
  );
  return { request, signature };
}
