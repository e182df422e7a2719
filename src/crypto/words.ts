import { hexToBytesInto, type Hex, bytesToHex } from "./hex";
import { keccakEngine, SCRATCH_BYTES } from "./keccak";

const MAX_UINT256 = (1n << 256n) - 1n;

/**
 * Builds the `abi.encode` of static values (32-byte words) by direct byte concatenation and hashes it, without
 * ethers' `AbiCoder`: `new WordWriter().bytes32(tag).address(member).uint(date).keccak256Hex()` equals
 * `keccak256(AbiCoder.defaultAbiCoder().encode(["bytes32", "address", "uint40"], [tag, member, date]))`.
 *
 * Dynamic types are written the way `abi.encode` lays them out, by the caller: an offset word (`uint`), then at
 * that offset the length (`uint`) and the elements. Every method checks its value and says what is wrong.
 */
export class WordWriter {
  private bytes = new Uint8Array(256);
  private length = 0;
  /** A decoded value, checked before it is appended (a refused value leaves the writer unchanged). */
  private readonly word = new Uint8Array(32);

  /** Number of words written. */
  get wordCount(): number {
    return this.length / 32;
  }

  /** A `bytes32`: 32 bytes, or `0x` and 64 hex digits. */
  bytes32(value: Uint8Array | string): this {
    if (typeof value === "string") {
      hexToBytesInto(value, 32, this.word, 0, "A bytes32 word");
      const at = this.reserve();
      this.bytes.set(this.word, at);
    } else if (value instanceof Uint8Array && value.length === 32) {
      const at = this.reserve();
      this.bytes.set(value, at);
    } else {
      throw new Error(
        `A bytes32 word is 32 bytes; got ${(value as { length?: unknown })?.length} (hash or pad it first)`,
      );
    }
    return this;
  }

  /** A `uintN` (N = `bits`, 8 to 256): a whole number in range, big-endian in the word's low bytes. */
  uint(value: bigint | number, bits = 256): this {
    if (!Number.isInteger(bits) || bits < 8 || bits > 256 || bits % 8 !== 0) {
      throw new Error(`uint width ${bits} must be a multiple of 8 from 8 to 256`);
    }
    const v = typeof value === "number" && Number.isSafeInteger(value) ? BigInt(value) : value;
    if (typeof v !== "bigint" || v < 0n || v > (bits === 256 ? MAX_UINT256 : (1n << BigInt(bits)) - 1n)) {
      throw new Error(`uint${bits} must be a whole number from 0 to 2^${bits} - 1; got ${String(value)}`);
    }
    const at = this.reserve();
    let rest = v;
    for (let i = 31; i >= 0 && rest > 0n; i--) {
      this.bytes[at + i] = Number(rest & 0xffn);
      rest >>= 8n;
    }
    return this;
  }

  /** An `address`: `0x` and 40 hex digits (any case; the checksum is not checked), left-padded to a word. */
  address(value: string): this {
    hexToBytesInto(value, 20, this.word, 0, "An address");
    const at = this.reserve();
    this.bytes.set(this.word.subarray(0, 20), at + 12);
    return this;
  }

  /** A `bool`: 1 or 0 in the word's last byte. */
  bool(value: boolean): this {
    if (typeof value !== "boolean") throw new Error(`A bool word takes true or false; got ${typeof value}`);
    this.bytes[this.reserve() + 31] = value ? 1 : 0;
    return this;
  }

  /** The words written, concatenated (a copy). */
  toBytes(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }

  /** keccak256 of the words written. */
  keccak256(): Uint8Array {
    const out = new Uint8Array(32);
    this.hashInto(out);
    return out;
  }

  /** keccak256 of the words written, as `0x` hex. */
  keccak256Hex(): Hex {
    const engine = this.hashInto(undefined);
    return bytesToHex(engine.scratch, 0, 32);
  }

  private hashInto(out: Uint8Array | undefined): ReturnType<typeof keccakEngine> {
    const engine = keccakEngine();
    if (this.length <= SCRATCH_BYTES) {
      engine.scratch.set(this.bytes.subarray(0, this.length));
      engine.digest(this.length);
      out?.set(engine.scratch.subarray(0, 32));
    } else {
      engine.hashInto(this.bytes.subarray(0, this.length), engine.scratch, 0);
      out?.set(engine.scratch.subarray(0, 32));
    }
    return engine;
  }

  /** Appends a zero word and returns its offset. */
  private reserve(): number {
    if (this.length + 32 > this.bytes.length) {
      const grown = new Uint8Array(this.bytes.length * 2);
      grown.set(this.bytes);
      this.bytes = grown;
    }
    const at = this.length;
    this.length += 32;
    return at;
  }
}
