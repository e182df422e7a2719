/**
 * The vault's signed requests (EIP-712). Every request names its signer, the patient it is about, a random nonce
 * (each works once) and a deadline; the domain binds the chain and the consent registry the vault answers to.
 * Transport form: addresses and bytes32 as `0x` hex, integers as decimal strings.
 */
import { TypedDataEncoder, verifyTypedData, keccak256, getBytes, randomBytes, hexlify, type Signer } from "ethers";

/** The EIP-712 domain of a vault: `{ name: "Health Ledger Vault", version: "1", chainId, verifyingContract }`. */
export interface VaultDomain {
  name: string;
  version: string;
  chainId: bigint;
  /** The consent registry whose consents the vault enforces. */
  verifyingContract: string;
}

/** The domain for a chain and a consent registry. */
export function vaultDomain(chainId: bigint | number, consentRegistry: string): VaultDomain {
  return { name: "Health Ledger Vault", version: "1", chainId: BigInt(chainId), verifyingContract: consentRegistry };
}

/** EIP-712 types of every request (`VAULT_TYPES.Read`, …). */
export const VAULT_TYPES = {
  Read: [
    { name: "reader", type: "address" },
    { name: "patient", type: "address" },
    { name: "recordId", type: "bytes32" },
    { name: "categories", type: "uint256" },
    { name: "purpose", type: "bytes32" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint40" },
  ],
  Write: [
    { name: "writer", type: "address" },
    { name: "patient", type: "address" },
    { name: "recordId", type: "bytes32" },
    { name: "categories", type: "uint256" },
    { name: "purpose", type: "bytes32" },
    { name: "contentHash", type: "bytes32" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint40" },
  ],
  AddReaders: [
    { name: "signer", type: "address" },
    { name: "patient", type: "address" },
    { name: "recordId", type: "bytes32" },
    { name: "contentHash", type: "bytes32" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint40" },
  ],
  Erase: [
    { name: "signer", type: "address" },
    { name: "patient", type: "address" },
    { name: "recordId", type: "bytes32" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint40" },
  ],
  AuditLog: [
    { name: "signer", type: "address" },
    { name: "patient", type: "address" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint40" },
  ],
} as const;

/** A request kind. */
export type RequestKind = keyof typeof VAULT_TYPES;

/** The field that names a request's signer. */
export const SIGNER_FIELD: Record<RequestKind, string> = {
  Read: "reader",
  Write: "writer",
  AddReaders: "signer",
  Erase: "signer",
  AuditLog: "signer",
};

/** A request in transport form: field name to string. */
export type RequestFields = Record<string, string>;

/** What a client sends: the chain it signed for, the request, its signature. */
export interface SignedRequest {
  chainId: string;
  request: RequestFields;
  signature: string;
}

/** The zero `recordId` of a read: "every record of `categories`" rather than one record. */
export const ALL_RECORDS = "0x" + "00".repeat(32);

/** A fresh random nonce (decimal string). */
export function freshNonce(): string {
  return BigInt(hexlify(randomBytes(32))).toString();
}

/**
 * Signs a request. `fields` lacks `nonce` and `deadline` when the defaults will do (a fresh random nonce; a
 * deadline five minutes ahead of `now`, unix seconds).
 */
export async function signRequest(
  signer: Signer,
  domain: VaultDomain,
  kind: RequestKind,
  fields: RequestFields,
  options: { now?: number; ttlSeconds?: number } = {},
): Promise<SignedRequest> {
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const request: RequestFields = {
    nonce: freshNonce(),
    deadline: String(now + (options.ttlSeconds ?? 300)),
    ...fields,
  };
  const signature = await signer.signTypedData(
    { ...domain, chainId: domain.chainId },
    { [kind]: VAULT_TYPES[kind] as unknown as { name: string; type: string }[] },
    request,
  );
  return { chainId: domain.chainId.toString(), request, signature };
}

/** The address that signed `request` as `kind` under `domain` (throws when the signature is malformed). */
export function recoverRequestSigner(
  domain: VaultDomain,
  kind: RequestKind,
  request: RequestFields,
  signature: string,
): string {
  return verifyTypedData(
    domain,
    { [kind]: VAULT_TYPES[kind] as unknown as { name: string; type: string }[] },
    request,
    signature,
  );
}

/** The EIP-712 digest of a request (used as its id in the disclosure log). */
export function requestDigest(domain: VaultDomain, kind: RequestKind, request: RequestFields): string {
  return TypedDataEncoder.hash(
    domain,
    { [kind]: VAULT_TYPES[kind] as unknown as { name: string; type: string }[] },
    request,
  );
}

/** A data key wrapped for one reader, in transport form. */
export interface WrappedKeyEntry {
  /** The reader's address. */
  reader: string;
  /** The wrapped key, base64. */
  wrapped: string;
}

/**
 * What a write or an add-readers request signs as `contentHash`: keccak256 over the ciphertext's keccak256 and,
 * for each wrapped key in order of reader address, the reader (20 bytes) and the wrapped key's keccak256. The
 * signature thus covers every byte the vault stores.
 */
export function contentHash(ciphertext: Uint8Array | undefined, keys: readonly WrappedKeyEntry[]): string {
  const parts: Uint8Array[] = [getBytes(keccak256(ciphertext ?? new Uint8Array()))];
  const sorted = [...keys].sort((a, b) => (a.reader.toLowerCase() < b.reader.toLowerCase() ? -1 : 1));
  for (const key of sorted) {
    parts.push(getBytes(key.reader.toLowerCase()));
    parts.push(getBytes(keccak256(Buffer.from(key.wrapped, "base64"))));
  }
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return keccak256(out);
}
