import { expect } from "chai";
import { Wallet, getBytes, keccak256, toUtf8Bytes } from "ethers";
import {
  VaultDecryptionError,
  WRAPPED_KEY_BYTES,
  addressOfPublicKey,
  keyAnnouncement,
  newDataKey,
  openRecord,
  publicKeyFromSignature,
  sealRecord,
  unwrapKey,
  wrapKey,
} from "../../src/vault/crypto";

const RECORD = getBytes(keccak256(toUtf8Bytes("record")));
const OTHER_RECORD = getBytes(keccak256(toUtf8Bytes("other record")));

describe("Vault crypto", function () {
  const reader = Wallet.createRandom();
  const stranger = Wallet.createRandom();
  const plaintext = toUtf8Bytes('{"resourceType":"Observation","status":"final"}');

  context("a sealed record", function () {
    it("round-trips under its data key and record id", function () {
      const key = newDataKey();
      expect(openRecord(sealRecord(plaintext, key, RECORD), key, RECORD)).to.deep.equal(plaintext);
    });

    it("does not open under another data key", function () {
      const sealed = sealRecord(plaintext, newDataKey(), RECORD);
      expect(() => openRecord(sealed, newDataKey(), RECORD)).to.throw(VaultDecryptionError);
    });

    it("does not open under another record id (a ciphertext moved to another record)", function () {
      const key = newDataKey();
      expect(() => openRecord(sealRecord(plaintext, key, RECORD), key, OTHER_RECORD)).to.throw(VaultDecryptionError);
    });

    it("does not open when any byte is altered", function () {
      const key = newDataKey();
      const sealed = sealRecord(plaintext, key, RECORD);
      for (const at of [0, 24, sealed.length - 1]) {
        const tampered = sealed.slice();
        tampered[at] ^= 1;
        expect(() => openRecord(tampered, key, RECORD), `byte ${at}`).to.throw(VaultDecryptionError);
      }
      expect(() => openRecord(sealed.subarray(0, 30), key, RECORD)).to.throw(VaultDecryptionError);
    });

    it("uses a fresh nonce each time", function () {
      const key = newDataKey();
      expect(sealRecord(plaintext, key, RECORD)).to.not.deep.equal(sealRecord(plaintext, key, RECORD));
    });
  });

  context("a wrapped data key", function () {
    it("unwraps with the reader's Ethereum private key", function () {
      const key = newDataKey();
      const wrapped = wrapKey(key, reader.signingKey.publicKey, RECORD);
      expect(wrapped.length).to.equal(WRAPPED_KEY_BYTES);
      expect(unwrapKey(wrapped, reader.privateKey, RECORD)).to.deep.equal(key);
    });

    it("accepts the compressed public key too", function () {
      const key = newDataKey();
      const wrapped = wrapKey(key, reader.signingKey.compressedPublicKey, RECORD);
      expect(unwrapKey(wrapped, reader.privateKey, RECORD)).to.deep.equal(key);
    });

    it("does not unwrap with another reader's key", function () {
      const wrapped = wrapKey(newDataKey(), reader.signingKey.publicKey, RECORD);
      expect(() => unwrapKey(wrapped, stranger.privateKey, RECORD)).to.throw(VaultDecryptionError);
    });

    it("does not unwrap for another record", function () {
      const wrapped = wrapKey(newDataKey(), reader.signingKey.publicKey, RECORD);
      expect(() => unwrapKey(wrapped, reader.privateKey, OTHER_RECORD)).to.throw(VaultDecryptionError);
    });

    it("does not unwrap when altered or truncated", function () {
      const wrapped = wrapKey(newDataKey(), reader.signingKey.publicKey, RECORD);
      for (const at of [0, 40, WRAPPED_KEY_BYTES - 1]) {
        const tampered = wrapped.slice();
        tampered[at] ^= 1;
        expect(() => unwrapKey(tampered, reader.privateKey, RECORD), `byte ${at}`).to.throw(VaultDecryptionError);
      }
      expect(() => unwrapKey(wrapped.subarray(1), reader.privateKey, RECORD)).to.throw(VaultDecryptionError);
    });

    it("refuses a public key that is not a curve point", function () {
      expect(() => wrapKey(newDataKey(), new Uint8Array(33).fill(7), RECORD)).to.throw(/not a secp256k1 point/);
    });
  });

  context("a reader's public key from a signature", function () {
    it("is recovered from the reader's key announcement", async function () {
      const signature = await reader.signMessage(keyAnnouncement(reader.address, 31337));
      const publicKey = publicKeyFromSignature(reader.address, 31337, signature);
      expect(addressOfPublicKey(publicKey)).to.equal(reader.address);
      const key = newDataKey();
      expect(unwrapKey(wrapKey(key, publicKey, RECORD), reader.privateKey, RECORD)).to.deep.equal(key);
    });

    it("is refused when someone else signed, or for another chain", async function () {
      const forged = await stranger.signMessage(keyAnnouncement(reader.address, 31337));
      expect(() => publicKeyFromSignature(reader.address, 31337, forged)).to.throw(/not signed by/);
      const otherChain = await reader.signMessage(keyAnnouncement(reader.address, 1));
      expect(() => publicKeyFromSignature(reader.address, 31337, otherChain)).to.throw(/not signed by/);
    });
  });
});
