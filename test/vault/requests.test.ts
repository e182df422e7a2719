import { expect } from "chai";
import fc from "fast-check";
import { Wallet, concat, getBytes, hexlify, recoverAddress, toBeHex, verifyTypedData } from "ethers";
import { openSql } from "../../src/storage/sql";
import { GroupCommitter } from "../../src/vault/commit";
import {
  VAULT_TYPES,
  contentHash,
  requestDigest,
  signRequest,
  vaultDomain,
  type RequestKind,
} from "../../src/vault/requests";
import { SignatureVerifier, domainSeparator, requestDigestBytes } from "../../src/vault/verify";

const REGISTRY = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const hex = (bytes: Uint8Array) => hexlify(bytes);
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

function arbitraryFields(kind: RequestKind) {
  const field = (type: string) =>
    type === "address"
      ? fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => "0x" + Buffer.from(b).toString("hex"))
      : type === "bytes32"
        ? fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => "0x" + Buffer.from(b).toString("hex"))
        : type === "uint40"
          ? fc.bigInt({ min: 0n, max: 2n ** 40n - 1n }).map(String)
          : fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }).map(String);
  return fc.record(
    Object.fromEntries(VAULT_TYPES[kind].map((f) => [f.name, field(f.type)])) as Record<string, fc.Arbitrary<string>>,
  );
}

describe("Vault requests", function () {
  const signer = Wallet.createRandom();
  const other = Wallet.createRandom();

  for (const kind of Object.keys(VAULT_TYPES) as RequestKind[]) {
    it(`hashes ${kind} requests exactly as ethers' EIP-712 encoder, and checks signatures as verifyTypedData`, async function () {
      const verifier = new SignatureVerifier();
      await fc.assert(
        fc.asyncProperty(arbitraryFields(kind), fc.bigInt({ min: 1n, max: 2n ** 64n }), async (fields, chainId) => {
          const domain = vaultDomain(chainId, REGISTRY);
          const separator = domainSeparator(domain);
          const digest = requestDigestBytes(separator, kind, fields);
          expect(hex(digest)).to.equal(requestDigest(domain, kind, fields));
          const signed = await signRequest(signer, domain, kind, fields);
          const types = { [kind]: VAULT_TYPES[kind] as unknown as { name: string; type: string }[] };
          expect(verifyTypedData(domain, types, signed.request, signed.signature)).to.equal(signer.address);
          expect(verifier.verify(digest, signed.signature, signer.address)).to.equal(true); // first: recovery
          expect(verifier.verify(digest, signed.signature, signer.address)).to.equal(true); // then: cached key
          expect(verifier.verify(digest, signed.signature, other.address)).to.equal(false);
          const altered = requestDigestBytes(domainSeparator(vaultDomain(chainId + 1n, REGISTRY)), kind, fields);
          expect(verifier.verify(altered, signed.signature, signer.address)).to.equal(false);
        }),
        { numRuns: 15 },
      );
    });
  }

  it("refuses malformed signatures", function () {
    const verifier = new SignatureVerifier();
    const digest = new Uint8Array(32).fill(1);
    expect(verifier.verify(digest, "0x1234", signer.address)).to.equal(false);
    expect(verifier.verify(digest, "0x" + "00".repeat(65), signer.address)).to.equal(false);
    expect(verifier.verify(digest, "0x" + "ff".repeat(64) + "1b", signer.address)).to.equal(false);
  });

  it("refuses the high-s twin of a valid signature, as ethers does", async function () {
    const domain = vaultDomain(31337n, REGISTRY);
    const fields = { signer: signer.address, patient: other.address, nonce: "1", deadline: "2" };
    const signed = await signRequest(signer, domain, "AuditLog", fields);
    const digest = requestDigestBytes(domainSeparator(domain), "AuditLog", signed.request);
    const bytes = getBytes(signed.signature);
    const s = BigInt(hexlify(bytes.subarray(32, 64)));
    const twin = concat([bytes.subarray(0, 32), toBeHex(SECP256K1_N - s, 32), new Uint8Array([55 - bytes[64]])]); // v: 27 ↔ 28
    const types = { AuditLog: VAULT_TYPES.AuditLog as unknown as { name: string; type: string }[] };
    expect(() => verifyTypedData(domain, types, signed.request, twin)).to.throw(/non-canonical s/);
    for (const verifier of [new SignatureVerifier(), primed(digest, signed.signature)]) {
      expect(verifier.verify(digest, twin, signer.address)).to.equal(false);
    }
  });

  it("forgets the oldest signer's key beyond its bound, and still checks that signer afterwards", async function () {
    const verifier = new SignatureVerifier(1);
    const domain = vaultDomain(31337n, REGISTRY);
    const fields = { signer: signer.address, patient: other.address, nonce: "1", deadline: "2" };
    const mine = await signRequest(signer, domain, "AuditLog", fields);
    const theirs = await signRequest(other, domain, "AuditLog", { ...fields, signer: other.address });
    const digestOf = (r: typeof mine) => requestDigestBytes(domainSeparator(domain), "AuditLog", r.request);
    expect(verifier.verify(digestOf(mine), mine.signature, signer.address)).to.equal(true);
    expect(verifier.verify(digestOf(theirs), theirs.signature, other.address)).to.equal(true);
    expect(verifier.verify(digestOf(mine), mine.signature, signer.address)).to.equal(true);
    expect(verifier.verify(digestOf(mine), theirs.signature, signer.address)).to.equal(false);
  });

  it("binds contentHash to the ciphertext and every wrapped key, whatever their order", function () {
    const keys = [
      { reader: other.address, wrapped: Buffer.from("a").toString("base64") },
      { reader: signer.address, wrapped: Buffer.from("b").toString("base64") },
    ];
    const ct = new Uint8Array([1, 2, 3]);
    expect(contentHash(ct, keys)).to.equal(contentHash(ct, [...keys].reverse()));
    expect(contentHash(ct, keys)).to.not.equal(contentHash(new Uint8Array([1, 2, 4]), keys));
    expect(contentHash(ct, keys)).to.not.equal(contentHash(ct, keys.slice(1)));
    expect(contentHash(ct, keys)).to.not.equal(
      contentHash(ct, [keys[0], { ...keys[1], wrapped: Buffer.from("c").toString("base64") }]),
    );
  });
});

describe("Group commit", function () {
  it("commits a batch together, and a failing job rolls back alone", async function () {
    const db = await openSql(":memory:");
    await db.exec("CREATE TABLE t (k TEXT PRIMARY KEY)");
    const committer = new GroupCommitter(db);
    const results = await Promise.allSettled([
      committer.run((tx) => tx.run("INSERT INTO t (k) VALUES ('a')")),
      committer.run(async (tx) => {
        await tx.run("INSERT INTO t (k) VALUES ('half')");
        throw new Error("this job fails after writing");
      }),
      committer.run((tx) => tx.run("INSERT INTO t (k) VALUES ('a')")), // duplicate key: fails alone
      committer.run((tx) => tx.run("INSERT INTO t (k) VALUES ('b')")),
    ]);
    expect(results.map((r) => r.status)).to.deep.equal(["fulfilled", "rejected", "rejected", "fulfilled"]);
    const rows = await db.query<{ k: string }>("SELECT k FROM t ORDER BY k");
    expect(rows.map((r) => r.k)).to.deep.equal(["a", "b"]);
    await committer.drain();
    await db.close();
  });
});

/** A verifier that already knows the signer's key (the cached path). */
function primed(digest: Uint8Array, signature: string): SignatureVerifier {
  const verifier = new SignatureVerifier();
  verifier.verify(digest, signature, recoverAddress(digest, signature));
  return verifier;
}
