/**
 * Hex encoding of byte strings for the hot paths (proofs, roots, commitments): lower-case, `0x`-prefixed, without
 * the per-call allocations of ethers' `hexlify` or `Buffer.from(...).toString("hex")`.
 */

/** `0x` followed by lower-case hex digits. */
export type Hex = `0x${string}`;

const DIGITS = "0123456789abcdef";
/** Byte → its two ASCII hex digits, packed little-endian into one 16-bit unit (first digit in the low byte). */
const PAIRS = new Uint16Array(256);
/** ASCII code → hex digit value, or 255 for a non-hex character. */
const VALUES = new Uint8Array(128).fill(255);
for (let b = 0; b < 256; b++) PAIRS[b] = DIGITS.charCodeAt(b >> 4) | (DIGITS.charCodeAt(b & 15) << 8);
for (let d = 0; d < 16; d++) {
  VALUES[DIGITS.charCodeAt(d)] = d;
  VALUES[DIGITS.toUpperCase().charCodeAt(d)] = d;
}

/** Scratch for encoding: `0x` then up to {@link HEX_SCRATCH_BYTES} bytes as hex, read back as Latin-1 in one call. */
const HEX_SCRATCH_BYTES = 256;
const chars = Buffer.alloc(2 + 2 * HEX_SCRATCH_BYTES);
chars[0] = 0x30; // "0"
chars[1] = 0x78; // "x"
/** `chars` as 16-bit units; unit `1 + i` holds the two digits of byte `i` (the buffer is freshly allocated, so even-aligned). */
const charPairs = new Uint16Array(chars.buffer, chars.byteOffset, chars.length / 2);

/** `0x` + lower-case hex of `length` bytes of `bytes` from `offset` (the whole array by default). */
export function bytesToHex(bytes: Uint8Array, offset = 0, length = bytes.length - offset): Hex {
  if (length > HEX_SCRATCH_BYTES)
    return `0x${Buffer.from(bytes.buffer, bytes.byteOffset + offset, length).toString("hex")}`;
  for (let i = 0; i < length; i++) charPairs[1 + i] = PAIRS[bytes[offset + i]];
  return chars.toString("latin1", 0, 2 + 2 * length) as Hex;
}

/**
 * Decodes `0x`-prefixed hex of exactly `byteLength` bytes into `out` at `outOffset` (upper- or lower-case digits).
 * Throws a one-line error naming `what` when the text is not that; the message repeats the text only when
 * `quote` is set (never for a secret such as a salt).
 */
export function hexToBytesInto(
  hex: string,
  byteLength: number,
  out: Uint8Array,
  outOffset: number,
  what: string,
  quote = true,
): void {
  if (typeof hex !== "string" || hex.length !== 2 + 2 * byteLength || hex.charCodeAt(0) !== 0x30 || hex[1] !== "x") {
    throw new Error(
      `${what} must be ${byteLength} bytes as 0x followed by ${2 * byteLength} hex digits; got ${shape(hex, quote)}`,
    );
  }
  for (let i = 0; i < byteLength; i++) {
    const hi = digitValue(hex.charCodeAt(2 + 2 * i));
    const lo = digitValue(hex.charCodeAt(3 + 2 * i));
    if (hi === 255 || lo === 255) {
      const index = hi === 255 ? 2 + 2 * i : 3 + 2 * i;
      throw new Error(`${what} has a non-hex character at index ${index}; got ${shape(hex, quote)}`);
    }
    out[outOffset + i] = (hi << 4) | lo;
  }
}

/** Decodes `0x`-prefixed hex of exactly `byteLength` bytes (32 by default) into a new array. */
export function hexToBytes(hex: string, what: string, byteLength = 32): Uint8Array {
  const out = new Uint8Array(byteLength);
  hexToBytesInto(hex, byteLength, out, 0, what);
  return out;
}

function digitValue(code: number): number {
  return code < 128 ? VALUES[code] : 255;
}

function shape(value: unknown, quote: boolean): string {
  if (typeof value !== "string") return value === null || value === undefined ? String(value) : `a ${typeof value}`;
  return quote && value.length <= 80 ? JSON.stringify(value) : `a string of ${value.length} characters`;
}
