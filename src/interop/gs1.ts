import type { DrugProvenance } from "../../typechain-types";
import { batchIdOf, expiryTimestamp, formatGtin, gs1CheckDigit, parseGtin, type Bytes32 } from "../provenance/gs1";
import type { UnitProof } from "../provenance/serials";
import { UnitStatus } from "../constants";

/**
 * GS1 identification as partners scan and print it: element strings (the data of a GS1 DataMatrix, with FNC1 /
 * group separators) and GS1 Digital Link URIs, for the Application Identifiers a medicine pack carries.
 *
 * Sources: GS1 General Specifications (Release 24.0), §3 (AI definitions and formats), §5.10.1 Figure 5.10.1-2 (AIs
 * with predefined length, which need no separator), §7.9 (check digit), §7.12 (the YYMMDD century rule);
 * GS1 Digital Link Standard: URI Syntax 1.4, §4 (primary key, key qualifiers in their fixed order, data attributes
 * in the query string) and §6 (percent-encoding). Examples in `test/interop/gs1.test.ts` are the standards' own.
 */

/** The ASCII group separator (GS, 0x1D): how a scanner transmits FNC1 between variable-length elements. */
export const GS = "\x1d";

/** Symbology identifiers a scanner may put in front of GS1 data (ISO/IEC 15424): DataMatrix, GS1-128, QR, DotCode. */
const SYMBOLOGY_IDS = ["]d2", "]C1", "]Q3", "]J1", "]e0"];

/** How an AI's value is written: `n` digits or `x` GS1 AI 82 characters; fixed length or up to `max`. */
interface AiFormat {
  /** Short title as in the General Specifications' AI table. */
  title: string;
  kind: "n" | "x";
  /** Exact length (fixed) or maximum (variable). */
  length: number;
  fixed: boolean;
  /** A YYMMDD date (validated), or a GTIN/SSCC with a check digit. */
  check?: "date" | "checkDigit";
}

/**
 * The Application Identifiers this module reads (GS1 General Specifications §3.2 table; the healthcare subset of
 * Figure 7.8.5-2). Unknown AIs are refused by name rather than guessed at.
 */
export const AI_TABLE: Readonly<Record<string, AiFormat>> = {
  "00": { title: "SSCC", kind: "n", length: 18, fixed: true, check: "checkDigit" },
  "01": { title: "GTIN", kind: "n", length: 14, fixed: true, check: "checkDigit" },
  "02": { title: "CONTENT", kind: "n", length: 14, fixed: true, check: "checkDigit" },
  "10": { title: "BATCH/LOT", kind: "x", length: 20, fixed: false },
  "11": { title: "PROD DATE", kind: "n", length: 6, fixed: true, check: "date" },
  "13": { title: "PACK DATE", kind: "n", length: 6, fixed: true, check: "date" },
  "15": { title: "BEST BEFORE or BEST BY", kind: "n", length: 6, fixed: true, check: "date" },
  "16": { title: "SELL BY", kind: "n", length: 6, fixed: true, check: "date" },
  "17": { title: "USE BY OR EXPIRY", kind: "n", length: 6, fixed: true, check: "date" },
  "21": { title: "SERIAL", kind: "x", length: 20, fixed: false },
  "22": { title: "CPV", kind: "x", length: 20, fixed: false },
  "30": { title: "VAR. COUNT", kind: "n", length: 8, fixed: false },
  "37": { title: "COUNT", kind: "n", length: 8, fixed: false },
  "240": { title: "ADDITIONAL ID", kind: "x", length: 30, fixed: false },
  "241": { title: "CUST. PART No.", kind: "x", length: 30, fixed: false },
  "710": { title: "NHRN PZN", kind: "x", length: 20, fixed: false },
  "711": { title: "NHRN CIP", kind: "x", length: 20, fixed: false },
  "712": { title: "NHRN CN", kind: "x", length: 20, fixed: false },
  "713": { title: "NHRN DRN", kind: "x", length: 20, fixed: false },
  "714": { title: "NHRN AIM", kind: "x", length: 20, fixed: false },
};

/**
 * AI prefixes whose elements have a predefined length, so no separator follows them even when another element does
 * (GS1 General Specifications Figure 5.10.1-2). Any other element must be followed by FNC1 unless it is last.
 */
const PREDEFINED_LENGTH_PREFIXES = new Set([
  "00", "01", "02", "03", "04", "11", "12", "13", "14", "15", "16", "17", "18", "19", "20",
  "31", "32", "33", "34", "35", "36", "41",
]); // prettier-ignore

/** GS1 AI encodable character set 82 (General Specifications Figure 7.11-1). */
const AI82 = /^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]*$/;

/** One element: an AI and its value, as transmitted. */
export interface Gs1Element {
  ai: string;
  value: string;
}

/** What a medicine pack's code says, checked. */
export interface Gs1Pack {
  /** GTIN-14 (AI 01), check digit verified. */
  gtin: string;
  /** Batch/lot (AI 10). */
  lot?: string;
  /** Serial (AI 21). */
  serial?: string;
  /** Expiry (AI 17) as printed, YYMMDD. */
  expiry?: string;
  /** Every element in the order read, including ones this type has no field for (kept for round trips). */
  elements: Gs1Element[];
}

/** A GS1 code that cannot be read; `ai` names the element at fault when there is one. */
export class Gs1Error extends Error {
  constructor(
    message: string,
    readonly ai?: string,
  ) {
    super(message);
    this.name = "Gs1Error";
  }
}

function fail(ai: string | undefined, message: string): never {
  throw new Gs1Error(ai === undefined ? message : `AI (${ai}) ${AI_TABLE[ai]?.title ?? ""}: ${message}`.trim(), ai);
}

/**
 * The full year of a GS1 YYMMDD date (General Specifications §7.12): relative to the current year, a two-digit
 * year 51 to 99 years ahead is in the previous century, 50 or more years behind is in the next one, otherwise in
 * the current century.
 */
export function gs1Year(yy: number, now: Date = new Date()): number {
  const current = now.getUTCFullYear();
  const century = current - (current % 100);
  const diff = yy - (current % 100);
  if (diff >= 51) return century - 100 + yy;
  if (diff <= -50) return century + 100 + yy;
  return century + yy;
}

/**
 * Checks a GS1 YYMMDD date and returns the calendar day as ISO `YYYY-MM-DD`. Day `00` means the last day of the
 * month (allowed for AIs 11 to 17). Throws a {@link Gs1Error} naming `ai`.
 */
export function gs1Date(yymmdd: string, ai = "17", now: Date = new Date()): string {
  const m = /^(\d{2})(\d{2})(\d{2})$/.exec(yymmdd);
  if (m === null) fail(ai, `"${yymmdd}" must be a date YYMMDD, e.g. "281231"`);
  const year = gs1Year(Number(m[1]), now);
  const month = Number(m[2]);
  let day = Number(m[3]);
  if (month < 1 || month > 12) fail(ai, `"${yymmdd}" has month ${m[2]}: use 01 to 12`);
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day === 0) day = last;
  if (day > last) fail(ai, `"${yymmdd}" has day ${m[3]}, but ${year}-${m[2]} has ${last} days`);
  return `${year}-${m[2]}-${String(day).padStart(2, "0")}`;
}

/** Checks one element's value against its AI's format; throws a {@link Gs1Error} naming the AI. */
export function checkElement(ai: string, value: string, now?: Date): void {
  const format = AI_TABLE[ai];
  if (format === undefined) fail(ai, "is not an Application Identifier this reader supports");
  if (value.length === 0) fail(ai, "has no value");
  if (format.fixed ? value.length !== format.length : value.length > format.length) {
    fail(
      ai,
      format.fixed
        ? `"${value}" must be exactly ${format.length} ${format.kind === "n" ? "digits" : "characters"}`
        : `"${value}" is longer than ${format.length} characters`,
    );
  }
  if (format.kind === "n" && !/^\d+$/.test(value)) fail(ai, `"${value}" must contain digits only`);
  if (format.kind === "x" && !AI82.test(value)) {
    const bad = [...value].find((ch) => !AI82.test(ch));
    fail(ai, `"${value}" contains ${JSON.stringify(bad)}, which is not in the GS1 AI 82 character set`);
  }
  if (format.check === "date") gs1Date(value, ai, now);
  if (format.check === "checkDigit") {
    const expected = gs1CheckDigit(value.slice(0, -1));
    if (Number(value.at(-1)) !== expected) {
      fail(ai, `"${value}" has check digit ${value.at(-1)}, expected ${expected}: re-scan or re-type it`);
    }
  }
}

/** Finds the AI at the start of `data` (2, 3 or 4 digits, longest known match). */
function readAi(data: string, at: number): string {
  for (const len of [2, 3, 4]) {
    const ai = data.slice(at, at + len);
    if (AI_TABLE[ai] !== undefined) return ai;
  }
  const shown = data.slice(at, at + 4);
  throw new Gs1Error(
    `Unknown Application Identifier at position ${at} ("${shown}…"): supported AIs are ${Object.keys(AI_TABLE).sort().join(", ")}`,
    /^\d{2}/.test(shown) ? shown.slice(0, 2) : undefined,
  );
}

function packOf(elements: Gs1Element[], now?: Date): Gs1Pack {
  const seen = new Map<string, string>();
  for (const { ai, value } of elements) {
    checkElement(ai, value, now);
    const before = seen.get(ai);
    if (before !== undefined && before !== value)
      fail(ai, `appears twice with different values ("${before}", "${value}")`);
    seen.set(ai, value);
  }
  const gtin = seen.get("01");
  if (gtin === undefined) throw new Gs1Error("The code has no GTIN, AI (01): it does not identify a trade item", "01");
  return {
    gtin,
    ...(seen.has("10") ? { lot: seen.get("10") } : {}),
    ...(seen.has("21") ? { serial: seen.get("21") } : {}),
    ...(seen.has("17") ? { expiry: seen.get("17") } : {}),
    elements,
  };
}

/**
 * Parses a GS1 element string as a DataMatrix scanner sends it: an optional symbology identifier (`]d2`), an
 * optional leading FNC1, then AI + value pairs where a variable-length value ends at a GS (0x1D) or at the end.
 * The human-readable form `(01)09506000134352(17)281231(10)LOT1(21)SN1` is accepted too. Every value is checked
 * (GTIN check digit, YYMMDD dates, lengths, character set); a bad code throws a {@link Gs1Error} naming the AI.
 */
export function parseElementString(payload: string, now?: Date): Gs1Pack {
  let data = payload.trim();
  if (data.startsWith("(")) return packOf(parseBracketed(data), now);
  const sym = SYMBOLOGY_IDS.find((s) => data.startsWith(s));
  if (sym !== undefined) data = data.slice(sym.length);
  if (data.startsWith(GS)) data = data.slice(1);
  if (data.length === 0) throw new Gs1Error("The scanned code is empty");
  const elements: Gs1Element[] = [];
  let at = 0;
  while (at < data.length) {
    const ai = readAi(data, at);
    const format = AI_TABLE[ai];
    at += ai.length;
    let value: string;
    if (format.fixed) {
      value = data.slice(at, at + format.length);
      if (value.length < format.length) fail(ai, `is cut short: "${value}" (${format.length} expected)`);
      at += format.length;
      if (data[at] === GS) at += 1; // a separator after a fixed element is tolerated
    } else {
      const end = data.indexOf(GS, at);
      value = data.slice(at, end === -1 ? data.length : end);
      at = end === -1 ? data.length : end + 1;
      if (value.length > format.length) {
        fail(ai, `"${value.slice(0, 24)}…" is longer than ${format.length} characters: is a GS separator missing?`);
      }
    }
    elements.push({ ai, value });
  }
  return packOf(elements, now);
}

function parseBracketed(data: string): Gs1Element[] {
  const re = /\((\d{2,4})\)([^(]*)/gy;
  const elements: Gs1Element[] = [];
  let m: RegExpExecArray | null;
  let at = 0;
  while ((m = re.exec(data)) !== null) {
    elements.push({ ai: m[1], value: m[2] });
    at = re.lastIndex;
  }
  if (at !== data.length) throw new Gs1Error(`Cannot read "${data.slice(at, at + 12)}…": expected "(AI)value"`);
  return elements;
}

/** Canonical element order for a pack: GTIN, expiry, lot, serial, then the rest as given. */
const PACK_ORDER = ["01", "17", "10", "21"];

function elementsOf(pack: Gs1Pack): Gs1Element[] {
  const rest = pack.elements.filter((e) => !PACK_ORDER.includes(e.ai));
  const main: Gs1Element[] = [
    { ai: "01", value: pack.gtin },
    ...(pack.expiry !== undefined ? [{ ai: "17", value: pack.expiry }] : []),
    ...(pack.lot !== undefined ? [{ ai: "10", value: pack.lot }] : []),
    ...(pack.serial !== undefined ? [{ ai: "21", value: pack.serial }] : []),
  ];
  return [...main, ...rest];
}

/**
 * The element string of a pack: `]d2` (unless `symbologyId: ""`), then each element, with a GS after every
 * variable-length element that is not last. Fixed-length elements go first, so the fewest separators are needed.
 */
export function toElementString(pack: Gs1Pack, options: { symbologyId?: string } = {}): string {
  const elements = elementsOf(pack);
  for (const e of elements) checkElement(e.ai, e.value);
  const fixed = elements.filter((e) => PREDEFINED_LENGTH_PREFIXES.has(e.ai.slice(0, 2)));
  const variable = elements.filter((e) => !PREDEFINED_LENGTH_PREFIXES.has(e.ai.slice(0, 2)));
  const parts = [...fixed, ...variable].map((e, i, all) => {
    const needsGs = !PREDEFINED_LENGTH_PREFIXES.has(e.ai.slice(0, 2)) && i < all.length - 1;
    return e.ai + e.value + (needsGs ? GS : "");
  });
  return (options.symbologyId ?? "]d2") + parts.join("");
}

/** The human-readable interpretation printed under a code: `(01)09506000134352(17)281231(10)LOT1(21)SN1`. */
export function toHumanReadable(pack: Gs1Pack): string {
  return elementsOf(pack)
    .map((e) => `(${e.ai})${e.value}`)
    .join("");
}

/** GS1's resolver, the default Digital Link domain. */
export const GS1_RESOLVER = "https://id.gs1.org";

/** Key qualifiers of AI 01 in the order Digital Link requires them (URI Syntax §4.6: 22, then 10, then 21). */
const GTIN_QUALIFIERS = ["22", "10", "21"];

/** Percent-encodes a value for a Digital Link path or query (URI Syntax §6: RFC 3986 unreserved stay as they are). */
function dlEncode(value: string): string {
  const encoded = encodeURIComponent(value).replace(
    /[!'()*]/g,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  // "." and ".." alone are dot-segments (RFC 3986 §5.2.4) that URI libraries remove: encode them.
  return /^\.{1,2}$/.test(encoded) ? encoded.replace(/\./g, "%2E") : encoded;
}

/**
 * The GS1 Digital Link URI of a pack: `{domain}/01/{gtin}/22/{cpv}/10/{lot}/21/{serial}?17=YYMMDD&…`, the
 * qualifiers in the standard order, other elements as query parameters (URI Syntax §4).
 */
export function toDigitalLink(pack: Gs1Pack, domain: string = GS1_RESOLVER): string {
  const base = domain.replace(/\/+$/, "");
  if (!/^https?:\/\/[^/?#]+(\/[^?#]*)?$/i.test(base)) {
    throw new Gs1Error(`Digital Link domain "${domain}" must be an http(s) URL without query or fragment`);
  }
  const elements = elementsOf(pack);
  for (const e of elements) checkElement(e.ai, e.value);
  let uri = `${base}/01/${pack.gtin}`;
  for (const q of GTIN_QUALIFIERS) {
    const e = elements.find((x) => x.ai === q);
    if (e !== undefined) uri += `/${q}/${dlEncode(e.value)}`;
  }
  const query = elements.filter((e) => e.ai !== "01" && !GTIN_QUALIFIERS.includes(e.ai));
  if (query.length > 0) uri += "?" + query.map((e) => `${e.ai}=${dlEncode(e.value)}`).join("&");
  return uri;
}

/**
 * Parses a GS1 Digital Link URI with a GTIN primary key (any domain and path prefix). Qualifiers must be in the
 * standard order (22, 10, 21); numeric query parameters are data attributes (checked like any element), others are
 * ignored as the standard allows. A GTIN-8/12/13 is padded to 14 digits.
 */
export function parseDigitalLink(uri: string, now?: Date): Gs1Pack {
  // Split by hand rather than with URL: a WHATWG URL removes "." and ".." path segments, which are valid lots.
  const parts = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]+)([^?#]*)(\?[^#]*)?(#.*)?$/.exec(uri.trim());
  if (parts === null) {
    throw new Gs1Error(
      `"${uri}" is not a URI: a GS1 Digital Link looks like https://id.gs1.org/01/09506000134352/10/LOT1`,
    );
  }
  if (!/^https?$/i.test(parts[1])) {
    throw new Gs1Error(`"${uri}" must use http or https to be a GS1 Digital Link`);
  }
  const query = new URLSearchParams(parts[4] ?? "");
  const segments = parts[3].split("/").filter((s) => s !== "");
  const start = segments.findIndex(
    (s, i) => s === "01" && i + 1 < segments.length && /^\d{8,14}$/.test(segments[i + 1]),
  );
  if (start === -1) throw new Gs1Error(`"${uri}" has no /01/{gtin} primary key`, "01");
  const decode = (ai: string, raw: string) => {
    try {
      return decodeURIComponent(raw);
    } catch {
      fail(ai, `"${raw}" is not valid percent-encoding`);
    }
  };
  let gtinRaw = segments[start + 1];
  if ([8, 12, 13].includes(gtinRaw.length)) gtinRaw = gtinRaw.padStart(14, "0");
  if (gtinRaw.length !== 14) fail("01", `"${segments[start + 1]}" must be 8, 12, 13 or 14 digits`);
  const elements: Gs1Element[] = [{ ai: "01", value: gtinRaw }];
  let lastQualifier = -1;
  const rest = segments.slice(start + 2);
  if (rest.length % 2 !== 0) fail(rest.at(-1), "has no value in the path (each key qualifier is /AI/value)");
  for (let i = 0; i < rest.length; i += 2) {
    const ai = rest[i];
    const order = GTIN_QUALIFIERS.indexOf(ai);
    if (order === -1) fail(ai, `is not a key qualifier of a GTIN: only ${GTIN_QUALIFIERS.join(", ")} may follow /01/`);
    if (order <= lastQualifier)
      fail(ai, `is out of order: GTIN qualifiers come in the order ${GTIN_QUALIFIERS.join(", ")}`);
    lastQualifier = order;
    elements.push({ ai, value: decode(ai, rest[i + 1]) });
  }
  for (const [key, value] of query) {
    if (!/^\d{2,4}$/.test(key)) continue; // non-GS1 parameters are allowed and ignored
    if (key === "01" || GTIN_QUALIFIERS.includes(key)) fail(key, "belongs in the path, not in the query string");
    elements.push({ ai: key, value });
  }
  return packOf(elements, now);
}

/** Reads whatever a scanner produced: a Digital Link URI (`http…`) or an element string. */
export function parseScan(payload: string, now?: Date): Gs1Pack {
  return /^\s*https?:\/\//i.test(payload) ? parseDigitalLink(payload, now) : parseElementString(payload, now);
}

/** The contract's `expiresAt` of a printed AI 17 date (first second after that day, UTC), with GS1's century rule. */
export function expiresAtOf(yymmdd: string, now?: Date): number {
  return expiryTimestamp(new Date(`${gs1Date(yymmdd, "17", now)}T00:00:00Z`));
}

/** A pack's identity as the provenance contract keys it. */
export function batchIdOfPack(pack: Gs1Pack): Bytes32 {
  if (pack.lot === undefined) throw new Gs1Error("The code has no batch/lot, AI (10): the batch cannot be found", "10");
  return batchIdOf(parseGtin(pack.gtin), pack.lot);
}

/** Where a verifier finds a serial's position and proof: the manufacturer's serial tree, or any lookup. */
export interface UnitLookup {
  unit(serial: string): UnitProof;
}

/** The answer of {@link verifyScannedPack}. */
export interface ScanVerification {
  pack: Gs1Pack;
  batchId: Bytes32;
  /** What the contract's `verifyUnit` answers for the pack. */
  status: UnitStatus;
  /** `UnitStatus` name, e.g. "Authentic". */
  statusName: string;
  /** False when the printed expiry differs from the one committed on chain (a relabelled or counterfeit pack). */
  expiryMatches: boolean | null;
  /** The chain's expiry (unix seconds), 0 for an unknown batch. */
  chainExpiresAt: bigint;
}

/**
 * Verifies a scanned pack on chain in one call: parses the code (element string or Digital Link), derives the batch
 * id from (01) and (10), finds the serial's proof with `lookup`, asks the contract's `verifyUnit` (a free call) and
 * compares the printed expiry (17) with the batch's committed one. A serial the lookup does not know is Unknown.
 */
export async function verifyScannedPack(
  provenance: DrugProvenance,
  payload: string,
  lookup: UnitLookup,
): Promise<ScanVerification> {
  const pack = parseScan(payload);
  if (pack.serial === undefined) throw new Gs1Error("The code has no serial, AI (21): a pack cannot be verified", "21");
  const batchId = batchIdOfPack(pack);
  const batch = await provenance.batch(batchId);
  const chainExpiresAt = BigInt(batch.expiresAt);
  let unit: UnitProof | undefined;
  try {
    unit = lookup.unit(pack.serial);
  } catch {
    unit = undefined;
  }
  const status =
    unit === undefined || unit.serial !== pack.serial
      ? UnitStatus.Unknown
      : (Number(await provenance.verifyUnit(batchId, unit.position, unit.serial, unit.proof)) as UnitStatus);
  // The chain keeps the first second after the expiry day; the pack prints the day (AI 17).
  const expiryMatches =
    pack.expiry === undefined || chainExpiresAt === 0n
      ? null
      : gs1Date(pack.expiry) === new Date(Number(chainExpiresAt - 1n) * 1000).toISOString().slice(0, 10);
  return { pack, batchId, status, statusName: UnitStatus[status], expiryMatches, chainExpiresAt };
}

/** The pack of a GTIN integer as the contract stores it (helper for exporters). */
export function packOfChain(gtin: bigint, lot: string, serial?: string, expiry?: string): Gs1Pack {
  const pack: Gs1Pack = { gtin: formatGtin(gtin), lot, elements: [] };
  if (serial !== undefined) pack.serial = serial;
  if (expiry !== undefined) pack.expiry = expiry;
  pack.elements = elementsOf(pack);
  return pack;
}

/** YYMMDD of the last day before `expiresAt` (unix seconds): the AI 17 date that {@link expiresAtOf} maps back. */
export function yymmddOfExpiresAt(expiresAt: bigint | number): string {
  const d = new Date((Number(expiresAt) - 1) * 1000);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}`;
}
