/**
 * The record vault's client-side cryptography (docs/vault.md, "Encryption"): a fresh data key per record,
 * XChaCha20-Poly1305 for the record, and the data key wrapped for each reader by ECIES on secp256k1, so that an
 * Ethereum account is a key. Pure functions; the vault itself never calls the decrypting ones.
 */
import { xchacha20poly1305 } from "@noble/ciphers/chacha";
import { secp256k1 } from "@noble/curves/secp256k1";
import { hkdf } from "@noble/hashes/hkdf";
import { sha256 } from "@noble/hashes/sha2";
import { randomBytes } from "node:crypto";
import { SigningKey, computeAddress, getBytes, hashMessage } from "ethers";

/** Bytes of a data key (XChaCha20-Poly1305 key). */
export const DATA_KEY_BYTES = 32;
/** Bytes of an XChaCha20 nonce. */
export const NONCE_BYTES = 24;
/** Bytes of a Poly1305 tag. */
export const TAG_BYTES = 16;
/** Bytes of a compressed secp256k1 public key. */
export const PUBLIC_KEY_BYTES = 33;
/** Bytes of a wrapped data key: ephemeral public key ‖ nonce ‖ sealed data key ‖ tag. */
export const WRAPPED_KEY_BYTES = PUBLIC_KEY_BYTES + NONCE_BYTES + DATA_KEY_BYTES + TAG_BYTES;

const WRAP_INFO = new TextEncoder().encode("health-ledger.vault.key-wrap.v1");

/** Raised when a ciphertext or wrapped key does not open: wrong key, wrong record, or altered bytes. */
export class VaultDecryptionError extends Error {
  constructor(what: string) {
    super(`${what} does not open: it was altered, or it belongs to another record or another reader`);
    this.name = "VaultDecryptionError";
  }
}

/** A fresh random data key. */
export function newDataKey(): Uint8Array {
  return new Uint8Array(randomBytes(DATA_KEY_BYTES));
}

/**
 * Encrypts a record's bytes under its data key: `nonce ‖ ciphertext ‖ tag`. `aad` (the record id) is
 * authenticated, so a ciphertext moved to another record id does not open.
 */
export function sealRecord(plaintext: Uint8Array, dataKey: Uint8Array, aad: Uint8Array): Uint8Array {
  checkLength(dataKey, DATA_KEY_BYTES, "data key");
  const nonce = new Uint8Array(randomBytes(NONCE_BYTES));
  const sealed = xchacha20poly1305(dataKey, nonce, aad).encrypt(plaintext);
  const out = new Uint8Array(NONCE_BYTES + sealed.length);
  out.set(nonce, 0);
  out.set(sealed, NONCE_BYTES);
  return out;
}

/** Opens what {@link sealRecord} made; throws {@link VaultDecryptionError} for anything altered. */
export function openRecord(ciphertext: Uint8Array, dataKey: Uint8Array, aad: Uint8Array): Uint8Array {
  checkLength(dataKey, DATA_KEY_BYTES, "data key");
  if (ciphertext.length < NONCE_BYTES + TAG_BYTES) throw new VaultDecryptionError("the record's ciphertext");
  try {
    return xchacha20poly1305(dataKey, ciphertext.subarray(0, NONCE_BYTES), aad).decrypt(
      ciphertext.subarray(NONCE_BYTES),
    );
  } catch {
    throw new VaultDecryptionError("the record's ciphertext");
  }
}

/** A secp256k1 public key in compressed form, from a compressed (33) or uncompressed (65 bytes or 0x04…) key. */
export function compressPublicKey(publicKey: Uint8Array | string): Uint8Array {
  const bytes = typeof publicKey === "string" ? getBytes(publicKey) : publicKey;
  try {
    return secp256k1.ProjectivePoint.fromHex(bytes).toRawBytes(true);
  } catch {
    throw new Error("the reader's public key is not a secp256k1 point: give the 33- or 65-byte public key");
  }
}

/** The Ethereum address of a secp256k1 public key. */
export function addressOfPublicKey(publicKey: Uint8Array | string): string {
  return computeAddress(SigningKey.computePublicKey(compressPublicKey(publicKey), false));
}

function kek(sharedX: Uint8Array, ephemeral: Uint8Array, reader: Uint8Array): Uint8Array {
  const salt = new Uint8Array(PUBLIC_KEY_BYTES * 2);
  salt.set(ephemeral, 0);
  salt.set(reader, PUBLIC_KEY_BYTES);
  return hkdf(sha256, sharedX, salt, WRAP_INFO, DATA_KEY_BYTES);
}

/**
 * Wraps a data key for one reader (ECIES): a fresh ephemeral key, ECDH with the reader's public key, HKDF-SHA256
 * over the shared x-coordinate (salt: both public keys), XChaCha20-Poly1305 over the data key with `aad` (the
 * record id) authenticated. Returns {@link WRAPPED_KEY_BYTES} bytes.
 */
export function wrapKey(dataKey: Uint8Array, readerPublicKey: Uint8Array | string, aad: Uint8Array): Uint8Array {
  checkLength(dataKey, DATA_KEY_BYTES, "data key");
  const reader = compressPublicKey(readerPublicKey);
  const ephemeralSecret = secp256k1.utils.randomPrivateKey();
  const ephemeral = secp256k1.getPublicKey(ephemeralSecret, true);
  const shared = secp256k1.getSharedSecret(ephemeralSecret, reader, true).subarray(1);
  const nonce = new Uint8Array(randomBytes(NONCE_BYTES));
  const sealed = xchacha20poly1305(kek(shared, ephemeral, reader), nonce, aad).encrypt(dataKey);
  const out = new Uint8Array(WRAPPED_KEY_BYTES);
  out.set(ephemeral, 0);
  out.set(nonce, PUBLIC_KEY_BYTES);
  out.set(sealed, PUBLIC_KEY_BYTES + NONCE_BYTES);
  return out;
}

/** Unwraps a data key with the reader's private key (an Ethereum account's key, `0x` + 64 hex digits). */
export function unwrapKey(wrapped: Uint8Array, readerPrivateKey: string | Uint8Array, aad: Uint8Array): Uint8Array {
  if (wrapped.length !== WRAPPED_KEY_BYTES) throw new VaultDecryptionError("the wrapped data key");
  const secret = typeof readerPrivateKey === "string" ? getBytes(readerPrivateKey) : readerPrivateKey;
  const reader = secp256k1.getPublicKey(secret, true);
  const ephemeral = wrapped.subarray(0, PUBLIC_KEY_BYTES);
  try {
    const shared = secp256k1.getSharedSecret(secret, ephemeral, true).subarray(1);
    const nonce = wrapped.subarray(PUBLIC_KEY_BYTES, PUBLIC_KEY_BYTES + NONCE_BYTES);
    return xchacha20poly1305(kek(shared, ephemeral, reader), nonce, aad).decrypt(
      wrapped.subarray(PUBLIC_KEY_BYTES + NONCE_BYTES),
    );
  } catch {
    throw new VaultDecryptionError("the wrapped data key");
  }
}

/** The message an account signs to publish its encryption key (`publicKeyFromSignature` recovers it). */
export function keyAnnouncement(address: string, chainId: bigint | number): string {
  return `Health Ledger vault: my encryption key is this account's key.\nAccount: ${address.toLowerCase()}\nChain: ${chainId}`;
}

/**
 * A reader's public key from its signature of {@link keyAnnouncement} (EIP-191 personal message), checked to be
 * the key of `address`: a provider publishes its key once by signing, and anyone can wrap data keys for it.
 */
export function publicKeyFromSignature(address: string, chainId: bigint | number, signature: string): Uint8Array {
  const recovered = SigningKey.recoverPublicKey(hashMessage(keyAnnouncement(address, chainId)), signature);
  if (computeAddress(recovered).toLowerCase() !== address.toLowerCase()) {
    throw new Error(`the key announcement was not signed by ${address}: ask the reader to sign keyAnnouncement()`);
  }
  return compressPublicKey(recovered);
}

function checkLength(bytes: Uint8Array, length: number, what: string): void {
  if (bytes.length !== length) throw new Error(`the ${what} must be ${length} bytes, not ${bytes.length}`);
}
