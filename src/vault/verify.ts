/**
 * The server's fast path for EIP-712 request signatures. The digest is hashed from fixed-width words (every field of
 * a vault request is a value type) with the SDK's keccak, and the signature is checked against the signer's public
 * key, recovered once per signer and kept with precomputed multiples: a known key's check costs one double-scalar
 * multiplication with tables instead of a full recovery. Equivalent to `verifyTypedData(...) === signer` (a test
 * compares them on random requests).
 */
import { secp256k1 } from "@noble/curves/secp256k1";
import { invert, mod } from "@noble/curves/abstract/modular";
import { computeAddress, getBytes, id, type SigningKey } from "ethers";
import { keccak256, keccak256Concat } from "../crypto/keccak";
import { WordWriter } from "../crypto/words";
import { VAULT_TYPES, type RequestFields, type RequestKind, type VaultDomain } from "./requests";

type Point = InstanceType<typeof secp256k1.ProjectivePoint>;
const N = secp256k1.CURVE.n;

const TYPE_HASHES = Object.fromEntries(
  (Object.keys(VAULT_TYPES) as RequestKind[]).map((kind) => [
    kind,
    getBytes(id(`${kind}(${VAULT_TYPES[kind].map((f) => `${f.type} ${f.name}`).join(",")})`)),
  ]),
) as Record<RequestKind, Uint8Array>;

/** The EIP-712 domain separator. */
export function domainSeparator(domain: VaultDomain): Uint8Array {
  return keccak256(
    new WordWriter()
      .bytes32(id("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"))
      .bytes32(id(domain.name))
      .bytes32(id(domain.version))
      .uint(domain.chainId)
      .address(domain.verifyingContract)
      .toBytes(),
  );
}

/** The EIP-712 digest of a request (`\x19\x01 ‖ domainSeparator ‖ hashStruct`). */
export function requestDigestBytes(separator: Uint8Array, kind: RequestKind, request: RequestFields): Uint8Array {
  const words = new WordWriter().bytes32(TYPE_HASHES[kind]);
  for (const { name, type } of VAULT_TYPES[kind]) {
    const value = request[name];
    if (type === "address") words.address(value);
    else if (type === "bytes32") words.bytes32(value);
    else words.uint(BigInt(value), type === "uint40" ? 40 : 256);
  }
  return keccak256Concat([new Uint8Array([0x19, 0x01]), separator, keccak256(words.toBytes())]);
}

/** Checks signatures against signers' keys, remembering each signer's key (bounded). */
export class SignatureVerifier {
  private readonly keys = new Map<string, Point>();
  constructor(private readonly maxKeys = 10_000) {}

  /** Whether `signature` (65 bytes, hex) over `digest` was made by `signer`'s key. */
  verify(digest: Uint8Array, signature: string, signer: string): boolean {
    const bytes = getBytes(signature);
    if (bytes.length !== 65) return false;
    const r = bytesToBigInt(bytes.subarray(0, 32));
    const s = bytesToBigInt(bytes.subarray(32, 64));
    const v = bytes[64] >= 27 ? bytes[64] - 27 : bytes[64];
    if (r <= 0n || r >= N || s <= 0n || s >= N || (v !== 0 && v !== 1)) return false;
    const address = signer.toLowerCase();
    const known = this.keys.get(address);
    if (known !== undefined) return checkWithKey(digest, r, s, known);
    let point: Point;
    try {
      point = new secp256k1.Signature(r, s).addRecoveryBit(v).recoverPublicKey(digest);
    } catch {
      return false;
    }
    const recovered = computeAddress(("0x" + point.toHex(false)) as unknown as SigningKey).toLowerCase();
    if (recovered !== address) return false;
    if (this.keys.size >= this.maxKeys) this.keys.delete(this.keys.keys().next().value as string);
    point.precompute(8, false);
    this.keys.set(address, point);
    return true;
  }
}

function checkWithKey(digest: Uint8Array, r: bigint, s: bigint, key: Point): boolean {
  const z = mod(bytesToBigInt(digest), N);
  const w = invert(s, N);
  const R = secp256k1.ProjectivePoint.BASE.multiplyAndAddUnsafe(key, mod(z * w, N), mod(r * w, N));
  return R !== undefined && mod(R.toAffine().x, N) === r;
}

function bytesToBigInt(bytes: Uint8Array): bigint {
  let hex = "0x";
  for (const b of bytes) hex += b.toString(16).padStart(2, "0");
  return BigInt(hex);
}
