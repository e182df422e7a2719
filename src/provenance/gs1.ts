import { AbiCoder, encodeBytes32String, keccak256, decodeBytes32String } from "ethers";

/** 0x-prefixed 32-byte hex. */
export type Bytes32 = `0x${string}`;

/** GS1 mod-10 check digit of the digits before it (GS1 General Specifications 7.9.1). */
export function gs1CheckDigit(digitsWithoutCheck: string): number {
  if (!/^\d+$/.test(digitsWithoutCheck)) throw new Error(`"${digitsWithoutCheck}" must contain digits only`);
  let sum = 0;
  const n = digitsWithoutCheck.length;
  for (let i = 0; i < n; i++) {
    const digit = Number(digitsWithoutCheck[n - 1 - i]);
    sum += i % 2 === 0 ? digit * 3 : digit;
  }
  return (10 - (sum % 10)) % 10;
}

/**
 * Parses a GTIN (8, 12, 13 or 14 digits, as printed or scanned from AI 01), checks its check digit and returns the
 * GTIN-14 as the integer the contract stores.
 */
export function parseGtin(gtin: string): bigint {
  const digits = gtin.trim();
  if (!/^(\d{8}|\d{12}|\d{13}|\d{14})$/.test(digits)) {
    throw new Error(`GTIN "${gtin}" must be 8, 12, 13 or 14 digits (GS1 AI 01)`);
  }
  const gtin14 = digits.padStart(14, "0");
  const expected = gs1CheckDigit(gtin14.slice(0, 13));
  if (Number(gtin14[13]) !== expected) {
    throw new Error(`GTIN "${gtin}" has check digit ${gtin14[13]}, expected ${expected}: re-scan or re-type it`);
  }
  const value = BigInt(gtin14);
  if (value === 0n) throw new Error("GTIN must not be all zeros");
  return value;
}

/** True when the string is a valid GTIN (see {@link parseGtin}). */
export function isValidGtin(gtin: string): boolean {
  try {
    parseGtin(gtin);
    return true;
  } catch {
    return false;
  }
}

/** The GTIN-14 string of a GTIN integer, e.g. `formatGtin(9506000134352n) === "09506000134352"`. */
export function formatGtin(gtin: bigint): string {
  if (gtin <= 0n || gtin > 99_999_999_999_999n) throw new Error(`${gtin} is not a GTIN-14 integer`);
  return gtin.toString().padStart(14, "0");
}

/** GS1 AI 82 character set (alphanumerics and `!"%&'()*+,-./:;<=>?_`) used by lot (AI 10) and serial (AI 21). */
const GS1_AI82 = /^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]+$/;

/** Checks a GS1 serial number (AI 21): 1 to 20 characters of the GS1 AI 82 set. Returns it unchanged. */
export function assertSerial(serial: string): string {
  if (typeof serial !== "string" || serial.length === 0 || serial.length > 20 || !GS1_AI82.test(serial)) {
    throw new Error(
      `Serial ${JSON.stringify(serial)} must be 1 to 20 GS1 alphanumeric characters (AI 21), e.g. "7A3KX9Q2"`,
    );
  }
  return serial;
}

/** Encodes a GS1 lot (AI 10: 1 to 20 GS1 alphanumeric characters) as the contract's `bytes32 lot`. */
export function encodeLot(lot: string): Bytes32 {
  if (typeof lot !== "string" || lot.length === 0 || lot.length > 20 || !GS1_AI82.test(lot)) {
    throw new Error(`Lot ${JSON.stringify(lot)} must be 1 to 20 GS1 alphanumeric characters (AI 10)`);
  }
  return encodeBytes32String(lot) as Bytes32;
}

/** Decodes a contract `bytes32 lot` back to its string. */
export function decodeLot(lot: string): string {
  return decodeBytes32String(lot);
}

/** The contract's batch id: `keccak256(abi.encode(uint64 gtin, bytes32 lot))`. */
export function batchIdOf(gtin: bigint | string, lot: string): Bytes32 {
  const gtinValue = typeof gtin === "string" ? parseGtin(gtin) : gtin;
  const lotBytes = /^0x[0-9a-fA-F]{64}$/.test(lot) ? lot : encodeLot(lot);
  return keccak256(AbiCoder.defaultAbiCoder().encode(["uint64", "bytes32"], [gtinValue, lotBytes])) as Bytes32;
}

/**
 * The contract's `expiresAt` for a GS1 expiry date (AI 17, `YYMMDD`, or a `Date`): the first second (UTC) after the
 * expiry day. GS1: day `00` means the last day of the month; years 51..99 are 1951..1999 per the GS1 century rule
 * simplified to 2000..2050 for 00..50.
 */
export function expiryTimestamp(expiry: string | Date): number {
  let year: number;
  let month: number;
  let day: number;
  if (expiry instanceof Date) {
    if (Number.isNaN(expiry.getTime())) throw new Error("Expiry date is not a valid Date");
    year = expiry.getUTCFullYear();
    month = expiry.getUTCMonth() + 1;
    day = expiry.getUTCDate();
  } else {
    const m = /^(\d{2})(\d{2})(\d{2})$/.exec(expiry);
    if (m === null) throw new Error(`Expiry "${expiry}" must be a GS1 date YYMMDD (AI 17), e.g. "271231"`);
    const yy = Number(m[1]);
    year = yy <= 50 ? 2000 + yy : 1900 + yy;
    month = Number(m[2]);
    day = Number(m[3]);
    if (month < 1 || month > 12) throw new Error(`Expiry "${expiry}" has month ${m[2]}: use 01 to 12`);
    const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
    if (day === 0) day = lastDay;
    if (day > lastDay) throw new Error(`Expiry "${expiry}" has day ${m[3]}, but that month has ${lastDay} days`);
  }
  return Date.UTC(year, month - 1, day + 1) / 1000;
}
