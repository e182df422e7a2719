import { sha256 } from "@noble/hashes/sha2";
import { getAddress } from "ethers";
import type { DrugProvenance } from "../../typechain-types";
import { batchIdOf, decodeLot, formatGtin, gs1CheckDigit, type Bytes32 } from "../provenance/gs1";
import { traceBatch, type CustodyEvent } from "../provenance/trace";

/**
 * GS1 EPCIS 2.0 for drug provenance: a batch's on-chain history as an EPCIS 2.0 JSON-LD document, the EPCIS Event
 * Hash ID of every event (CBV 2.0 §8.9), the on-chain commitment derived from it, and the check of a partner's
 * EPCIS document against the chain, event by event: anchored, not anchored or contradicting.
 *
 * Sources: GS1 EPCIS 2.0 (2022) §7 (event types and fields) and its JSON-LD binding (https://ref.gs1.org/standards/
 * epcis/2.0.0/epcis-context.jsonld); GS1 CBV 2.0 §7 (business steps, dispositions, business transaction and
 * source/destination types as https://ref.gs1.org/cbv/… web URIs), §8.9 "EPCIS Event Hash ID" (canonical pre-hash
 * string, SHA-256, `ni:///sha-256;…?ver=CBV2.0`); GS1 Digital Link URI Syntax 1.4 (canonical GS1 web URIs);
 * EPC Tag Data Standard 2.1 (EPC URN ⇄ GS1 key). The canonicalisation follows the reference implementation named
 * by CBV 2.0 (github.com/RalphTro/epcis-event-hash-generator) wherever the two could differ, and is tested on its
 * published vectors (test/interop/epcis.test.ts).
 */

/** An EPCIS 2.0 event in JSON-LD (only the fields this module reads are typed). */
export interface EpcisEvent {
  type: "ObjectEvent" | "AggregationEvent" | "TransactionEvent" | "TransformationEvent" | "AssociationEvent";
  eventTime: string;
  eventTimeZoneOffset: string;
  eventID?: string;
  action?: "ADD" | "OBSERVE" | "DELETE";
  bizStep?: string;
  disposition?: string;
  epcList?: string[];
  quantityList?: { epcClass: string; quantity?: number; uom?: string }[];
  bizTransactionList?: { type?: string; bizTransaction: string }[];
  sourceList?: { type: string; source: string }[];
  destinationList?: { type: string; destination: string }[];
  ilmd?: Record<string, unknown>;
  [field: string]: unknown;
}

/** An EPCIS 2.0 document (JSON-LD). */
export interface EpcisDocument {
  "@context": (string | Record<string, string>)[] | string;
  type: "EPCISDocument";
  schemaVersion: "2.0";
  creationDate: string;
  epcisBody: { eventList: EpcisEvent[] };
  [field: string]: unknown;
}

export const EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld";
const CBV = "https://ref.gs1.org/cbv/";
const GS1_ID = "https://id.gs1.org";

/** Prefixes the EPCIS 2.0 context defines, used to expand extension keys and values (CURIEs). */
const DEFAULT_PREFIXES: Readonly<Record<string, string>> = {
  cbv: CBV,
  cbvmda: "urn:epcglobal:cbv:mda:",
  gs1: "https://gs1.org/voc/",
  epcis: "https://ref.gs1.org/epcis/",
};

// ---------------------------------------------------------------------------------------------------------------
// Canonical values (CBV 2.0 §8.9.2 step 3)
// ---------------------------------------------------------------------------------------------------------------

/** Characters the canonical GS1 web URI may hold unencoded in a serial/lot (else the URI is left as it is). */
const DL_SAFE = /^[\x22\x27\x2D\x2E\x30-\x39\x3B-\x3F\x41-\x5A\x5F\x61-\x7A]{0,20}$/;

function withCheck(digits: string): string {
  return digits + gs1CheckDigit(digits);
}

/** Digital Link short names of the keys and qualifiers read here (DL URI Syntax 1.1 compatibility). */
const DL_SHORT_NAMES: Readonly<Record<string, string>> = {
  gtin: "01",
  sscc: "00",
  gln: "414",
  party: "417",
  cpv: "22",
  lot: "10",
  ser: "21",
};

/** EPC URI percent-encoding of the characters GS1 Digital Link requires encoded (TDS / DL Table 7-1 subset). */
function dlEscape(value: string): string {
  return value.replace(/[!()*+,:]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * The canonical GS1 web URI (`https://id.gs1.org/…`) of an EPC URN or a GS1 Digital Link URI for the keys a
 * supply chain of medicines uses: SGTIN, LGTIN (class), GTIN pattern, SSCC, SGLN, PGLN. Per CBV 2.0 it keeps only
 * the finest identification level (a serial drops the lot and the CPV) and no query string. Returns undefined for
 * anything else (the value is then hashed as written).
 */
export function canonicalGs1Uri(value: string): string | undefined {
  let m: RegExpExecArray | null;
  if ((m = /^urn:epc:id:sgtin:(\d{6,12})\.(\d{1,7})\.(.{1,60})$/.exec(value)) && m[1].length + m[2].length === 13) {
    return `${GS1_ID}/01/${withCheck(m[2][0] + m[1] + m[2].slice(1))}/21/${dlEscape(m[3])}`;
  }
  if ((m = /^urn:epc:class:lgtin:(\d{6,12})\.(\d{1,7})\.(.{1,20})$/.exec(value)) && m[1].length + m[2].length === 13) {
    return `${GS1_ID}/01/${withCheck(m[2][0] + m[1] + m[2].slice(1))}/10/${dlEscape(m[3])}`;
  }
  if ((m = /^urn:epc:idpat:sgtin:(\d{6,12})\.(\d{1,7})\.\*$/.exec(value)) && m[1].length + m[2].length === 13) {
    return `${GS1_ID}/01/${withCheck(m[2][0] + m[1] + m[2].slice(1))}`;
  }
  if ((m = /^urn:epc:id:sscc:(\d{6,12})\.(\d{5,11})$/.exec(value)) && m[1].length + m[2].length === 17) {
    return `${GS1_ID}/00/${withCheck(m[2][0] + m[1] + m[2].slice(1))}`;
  }
  if ((m = /^urn:epc:id:sgln:(\d{6,12})\.(\d{0,6})\.(.{1,20})$/.exec(value)) && m[1].length + m[2].length === 12) {
    const gln = withCheck(m[1] + m[2]);
    return m[3] === "0" ? `${GS1_ID}/414/${gln}` : `${GS1_ID}/414/${gln}/254/${dlEscape(m[3])}`;
  }
  if ((m = /^urn:epc:id:pgln:(\d{6,12})\.(\d{0,6})$/.exec(value)) && m[1].length + m[2].length === 12) {
    return `${GS1_ID}/417/${withCheck(m[1] + m[2])}`;
  }
  if ((m = /^urn:epc:id:gdti:(\d{6,12})\.(\d{0,6})\.(.{1,17})$/.exec(value)) && m[1].length + m[2].length === 12) {
    return `${GS1_ID}/253/${withCheck(m[1] + m[2])}${dlEscape(m[3])}`;
  }
  if (!/^https?:\/\//.test(value)) return undefined;
  let uri = value.split("?")[0].split("#")[0];
  for (const [name, ai] of Object.entries(DL_SHORT_NAMES)) uri = uri.replace(`/${name}/`, `/${ai}/`);
  const key = /\/(01|00|414|417)\/(\d{8,18})((?:\/[^/]+\/[^/]+)*)\/?$/.exec(uri);
  if (key === null) return undefined;
  const ai = key[1];
  const id = ai === "01" ? key[2].padStart(14, "0") : key[2];
  const qualifiers = key[3].split("/").filter((s) => s !== "");
  const pairs: [string, string][] = [];
  for (let i = 0; i < qualifiers.length; i += 2) pairs.push([qualifiers[i], qualifiers[i + 1]]);
  let kept = pairs.filter(([q]) => q !== "22");
  if (ai === "01" && kept.some(([q]) => q === "21")) kept = kept.filter(([q]) => q !== "10");
  uri = `${GS1_ID}/${ai}/${id}${kept.map(([q, v]) => `/${q}/${v}`).join("")}`;
  const ok =
    (ai === "00" && /^\d{18}$/.test(id) && kept.length === 0) ||
    (ai === "01" &&
      /^\d{14}$/.test(id) &&
      kept.length <= 1 &&
      kept.every(([q, v]) => (q === "21" || q === "10") && DL_SAFE.test(v))) ||
    ((ai === "414" || ai === "417") &&
      /^\d{13}$/.test(id) &&
      (kept.length === 0 || (ai === "414" && kept.length === 1 && kept[0][0] === "254" && DL_SAFE.test(kept[0][1]))));
  return ok ? uri : undefined;
}

/** A timestamp in UTC with exactly three fraction digits (CBV 2.0 §8.9.2: rounded half to even to milliseconds). */
export function canonicalTime(timestamp: string): string {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})?$/.exec(timestamp.trim());
  if (m === null) return timestamp;
  const micro = Number(((m[2] ?? "") + "000000").slice(0, 6));
  const base = Date.parse(`${m[1]}${m[3] ?? "Z"}`);
  if (Number.isNaN(base)) return timestamp;
  // Python's round(µs, -3): to the nearest millisecond, halves to the even one.
  let ms = Math.floor(micro / 1000);
  const rest = micro % 1000;
  if (rest > 500 || (rest === 500 && ms % 2 === 1)) ms += 1;
  return new Date(base + ms).toISOString();
}

/** A numeric value without leading "+", leading or trailing zeros (CBV 2.0 §8.9.2), as the reference prints it. */
function canonicalNumber(text: string): string {
  if (!/^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(text)) return text;
  const n = Number(text);
  if (Number.isInteger(n)) return BigInt(n).toString();
  const abs = Math.abs(n);
  if (abs >= 1e16 || abs < 1e-4) {
    return n.toExponential().replace(/e([+-])(\d)$/, "e$10$2");
  }
  return String(n);
}

/** Old CBV URNs become CBV 2.0 web URIs. */
function webVocabulary(text: string): string {
  return text
    .replace("urn:epcglobal:cbv:bizstep:", `${CBV}BizStep-`)
    .replace("urn:epcglobal:cbv:disp:", `${CBV}Disp-`)
    .replace("urn:epcglobal:cbv:btt:", `${CBV}BTT-`)
    .replace("urn:epcglobal:cbv:sdt:", `${CBV}SDT-`)
    .replace("urn:epcglobal:cbv:er:", `${CBV}ER-`);
}

function canonicalValue(text: string): string {
  const t = canonicalNumber(webVocabulary(text));
  return canonicalGs1Uri(t) ?? t;
}

// ---------------------------------------------------------------------------------------------------------------
// The pre-hash string and the hash (CBV 2.0 §8.9)
// ---------------------------------------------------------------------------------------------------------------

interface HashNode {
  name: string;
  value: string;
  children: HashNode[];
}

/** A bare CBV value (`"shipping"`) as its web URI, by the field it is in. */
function expandBare(field: string, value: string): string {
  if (/^[a-z_]+$/.test(value)) {
    if (field === "bizStep") return `${CBV}BizStep-${value}`;
    if (field === "disposition" || field === "set" || field === "unset") return `${CBV}Disp-${value}`;
    if (field === "bizTransactionType") return `${CBV}BTT-${value}`;
    if (field === "sourceDestType") return `${CBV}SDT-${value}`;
    if (field === "reason") return `${CBV}ER-${value}`;
  }
  return value;
}

/** The ordered fields of CBV 2.0 §8.9.2 step 2, each with the name its list members take. */
const ORDER: readonly [string, string | null][] = [
  ["eventTime", null],
  ["eventTimeZoneOffset", null],
  ["certificationInfo", null],
  ["parentID", null],
  ["epcList", "epc"],
  ["inputEPCList", "epc"],
  ["childEPCs", "epc"],
  ["quantityList", "quantityElement"],
  ["childQuantityList", "quantityElement"],
  ["inputQuantityList", "quantityElement"],
  ["outputEPCList", "epc"],
  ["outputQuantityList", "quantityElement"],
  ["action", null],
  ["transformationID", null],
  ["bizStep", null],
  ["disposition", null],
  ["persistentDisposition", null],
  ["readPoint", null],
  ["bizLocation", null],
];
const QUANTITY_ORDER = ["epcClass", "quantity", "uom"];
/** Fields that never enter the hash. */
const IGNORED = new Set(["type", "eventID", "recordTime", "errorDeclaration", "@context", "rdfs:comment", "comment"]);

/** Fields this implementation cannot canonicalise faithfully: refused rather than hashed wrongly. */
const UNSUPPORTED = ["sensorElementList"];

/** An EPCIS event this module cannot hash or map. */
export class EpcisError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EpcisError";
  }
}

function expandKey(key: string, prefixes: Readonly<Record<string, string>>): string {
  const i = key.indexOf(":");
  if (i > 0 && prefixes[key.slice(0, i)] !== undefined) return `{${prefixes[key.slice(0, i)]}}${key.slice(i + 1)}`;
  return key;
}

function expandValue(value: string, prefixes: Readonly<Record<string, string>>): string {
  const i = value.indexOf(":");
  if (i > 0 && !value.startsWith("http") && prefixes[value.slice(0, i)] !== undefined) {
    return prefixes[value.slice(0, i)] + value.slice(i + 1);
  }
  return value;
}

function scalar(v: unknown): string {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "bigint") return String(v);
  if (typeof v === "boolean") return v ? "True" : "False"; // as the reference (Python) prints them
  return "";
}

/** A generic JSON value as hash nodes (extensions, ILMD): one node per key, one per array member. */
function nodesOf(name: string, v: unknown, prefixes: Readonly<Record<string, string>>): HashNode[] {
  if (Array.isArray(v)) return v.flatMap((x) => nodesOf(name, x, prefixes));
  if (v !== null && typeof v === "object") {
    const children = Object.entries(v as Record<string, unknown>)
      .filter(([k]) => !IGNORED.has(k) || k === "type")
      .flatMap(([k, x]) => nodesOf(expandKey(k, prefixes), x, prefixes));
    return [{ name, value: "", children }];
  }
  return [{ name, value: expandValue(scalar(v), prefixes), children: [] }];
}

/** Renders nodes outside the ordered fields: `name=value` then children, sorted (CBV 2.0 §8.9.2 step 4). */
function genericString(nodes: readonly HashNode[], sort = true): string {
  const parts = nodes.map((n) => {
    const value = n.value.trim();
    return n.name + (value !== "" ? `=${canonicalValue(value)}` : "") + genericString(n.children);
  });
  if (sort && parts.length > 1) parts.sort(byCodeUnit);
  return parts.join("");
}

/** Lexical order by UTF-8 bytes (for these strings the same as UTF-16 code units outside the surrogates). */
function byCodeUnit(a: string, b: string): number {
  const ab = Buffer.from(a, "utf8");
  const bb = Buffer.from(b, "utf8");
  return Buffer.compare(ab, bb);
}

/** The `type=…value=…` members of a business transaction, source or destination list, each kept type first. */
function typedList(
  list: unknown,
  valueKey: string,
  typeField: string,
  prefixes: Readonly<Record<string, string>>,
): string {
  if (!Array.isArray(list)) return "";
  const items = list.map((item: Record<string, unknown>) => {
    const type =
      item.type === undefined
        ? ""
        : `type=${canonicalValue(expandBare(typeField, expandValue(scalar(item.type), prefixes)))}`;
    return `${type}${valueKey}=${canonicalValue(expandValue(scalar(item[valueKey]), prefixes))}`;
  });
  if (items.length > 1) items.sort(byCodeUnit);
  return items.join("");
}

/**
 * The canonical pre-hash string of an EPCIS 2.0 JSON-LD event (CBV 2.0 §8.9.2): `eventType=…`, the fields in the
 * standard order with canonical values (times in UTC to the millisecond, GS1 keys as canonical web URIs, CBV
 * values as web URIs, numbers without padding), then business transactions, sources, destinations, ILMD and
 * extensions, each rendered as `name=value` with children, sorted lexically. `prefixes` adds the document's
 * `@context` prefixes to those of the EPCIS context.
 */
export function preHashString(event: EpcisEvent, prefixes: Readonly<Record<string, string>> = {}): string {
  const px = { ...DEFAULT_PREFIXES, ...prefixes };
  if (typeof event?.type !== "string" || typeof event.eventTime !== "string") {
    throw new EpcisError("An EPCIS event needs a type and an eventTime");
  }
  for (const field of UNSUPPORTED) {
    if (event[field] !== undefined) {
      throw new EpcisError(
        `${field} is not supported by this Event Hash ID implementation: hash the event with the reference implementation`,
      );
    }
  }
  let s = `eventType=${event.type}`;
  for (const [field, member] of ORDER) {
    const v = event[field];
    if (v === undefined || v === null) continue;
    if (member === "epc") {
      const values = (v as unknown[]).map((x) => `epc=${canonicalValue(expandValue(scalar(x), px))}`).sort(byCodeUnit);
      if (values.length > 0) s += field + values.join("");
    } else if (member === "quantityElement") {
      const values = (v as Record<string, unknown>[])
        .map(
          (q) =>
            "quantityElement" +
            QUANTITY_ORDER.filter((k) => q[k] !== undefined)
              .map((k) => `${k}=${canonicalValue(expandValue(scalar(q[k]), px))}`)
              .join("") +
            genericString(
              Object.entries(q)
                .filter(([k]) => !QUANTITY_ORDER.includes(k))
                .flatMap(([k, x]) => nodesOf(expandKey(k, px), x, px)),
            ),
        )
        .sort(byCodeUnit);
      if (values.length > 0) s += field + values.join("");
    } else if (field === "persistentDisposition") {
      const pd = v as { set?: string[]; unset?: string[] };
      const part = (k: "set" | "unset") =>
        (pd[k] ?? [])
          .map((x) => `${k}=${canonicalValue(expandBare(k, expandValue(x, px)))}`)
          .sort(byCodeUnit)
          .join("");
      const body = part("set") + part("unset");
      if (body !== "") s += field + body;
    } else if (field === "readPoint" || field === "bizLocation") {
      const loc = v as Record<string, unknown>;
      const ext = Object.entries(loc)
        .filter(([k]) => k !== "id")
        .flatMap(([k, x]) => nodesOf(expandKey(k, px), x, px));
      s += `${field}id=${canonicalValue(expandValue(scalar(loc.id), px))}${genericString(ext)}`;
    } else {
      const text = scalar(v).trim();
      if (text === "") continue;
      const value =
        /time/i.test(field) && !/offset/i.test(field)
          ? canonicalTime(text)
          : canonicalValue(expandBare(field, expandValue(text, px)));
      s += `${field}=${value}`;
    }
  }
  const ordered = new Set(ORDER.map(([f]) => f));
  const rest: string[] = [];
  for (const [key, v] of Object.entries(event)) {
    if (ordered.has(key) || IGNORED.has(key) || v === undefined) continue;
    if (key === "bizTransactionList") {
      rest.push(`bizTransactionList${typedList(v, "bizTransaction", "bizTransactionType", px)}`);
    } else if (key === "sourceList" || key === "destinationList") {
      const valueKey = key === "sourceList" ? "source" : "destination";
      rest.push(`${key}${typedList(v, valueKey, "sourceDestType", px)}`);
    } else {
      rest.push(genericString(nodesOf(expandKey(key, px), v, px)));
    }
  }
  rest.sort(byCodeUnit);
  return s + rest.join("");
}

/** The prefixes a document's `@context` declares (objects in the context array). */
export function contextPrefixes(doc: Pick<EpcisDocument, "@context">): Record<string, string> {
  const ctx = Array.isArray(doc["@context"]) ? doc["@context"] : [doc["@context"]];
  const out: Record<string, string> = {};
  for (const c of ctx) if (c !== null && typeof c === "object") Object.assign(out, c);
  return out;
}

/** The SHA-256 digest of the pre-hash string (32 bytes as 0x-hex). */
export function eventDigest(event: EpcisEvent, prefixes?: Readonly<Record<string, string>>): Bytes32 {
  const digest = sha256(new TextEncoder().encode(preHashString(event, prefixes)));
  return `0x${Buffer.from(digest).toString("hex")}` as Bytes32;
}

/** The EPCIS Event Hash ID of an event: `ni:///sha-256;{hex}?ver=CBV2.0` (CBV 2.0 §8.9.3). */
export function eventHashId(event: EpcisEvent, prefixes?: Readonly<Record<string, string>>): string {
  return `ni:///sha-256;${eventDigest(event, prefixes).slice(2)}?ver=CBV2.0`;
}

/**
 * The on-chain commitment of an EPCIS event: its Event Hash ID's SHA-256 digest as the `bytes32` passed to
 * `commission` (metadataCommitment), `ship` (documentsCommitment), `destroy`, `recall`, `quarantine`,
 * `clearQuarantine`, `confirmIllegitimate` or `reportSuspect`. A partner holding the event recomputes it and finds
 * the chain event that carries it.
 */
export function epcisCommitment(event: EpcisEvent, prefixes?: Readonly<Record<string, string>>): Bytes32 {
  return eventDigest(event, prefixes);
}

// ---------------------------------------------------------------------------------------------------------------
// Export of a batch's history
// ---------------------------------------------------------------------------------------------------------------

/** What the chain does not know and the exporter needs. */
export interface EpcisExportOptions {
  /** Unix seconds of each block that holds an event of the batch. */
  blockTime: (blockNumber: number) => number;
  /** A party's identifier (ideally its PGLN as `https://id.gs1.org/417/…`); default `urn:ethereum:{address}`. */
  partyOf?: (account: string) => string;
  /** A unit's serial from its position (the serial tree's `unit(p).serial`), for dispensing and unit destruction. */
  serialOf?: (position: bigint) => string | undefined;
  /**
   * Original EPCIS events (the manufacturer's, the shipper's): where a chain event carries the commitment of one of
   * them ({@link epcisCommitment}), that event is exported as it is, so its hash ID is the one on chain.
   */
  originals?: readonly EpcisEvent[];
}

/** How each chain event kind is written in EPCIS (the table of docs/interoperability.md). */
export const EPCIS_MAPPING: Readonly<
  Record<string, { bizStep: string; disposition: string; action: "ADD" | "OBSERVE" | "DELETE" }>
> = {
  commissioned: { bizStep: "commissioning", disposition: "active", action: "ADD" },
  shipped: { bizStep: "shipping", disposition: "in_transit", action: "OBSERVE" },
  accepted: { bizStep: "receiving", disposition: "in_progress", action: "OBSERVE" },
  rejected: { bizStep: "receiving", disposition: "returned", action: "OBSERVE" },
  cancelled: { bizStep: "void_shipping", disposition: "sellable_not_accessible", action: "OBSERVE" },
  dispensed: { bizStep: "dispensing", disposition: "dispensed", action: "OBSERVE" },
  destroyed: { bizStep: "destroying", disposition: "destroyed", action: "DELETE" },
  unitDestroyed: { bizStep: "destroying", disposition: "destroyed", action: "DELETE" },
  recalled: { bizStep: "holding", disposition: "recalled", action: "OBSERVE" },
  quarantined: { bizStep: "holding", disposition: "non_sellable_other", action: "OBSERVE" },
  cleared: { bizStep: "holding", disposition: "active", action: "OBSERVE" },
  illegitimate: { bizStep: "holding", disposition: "non_sellable_other", action: "OBSERVE" },
  suspectReported: { bizStep: "inspecting", disposition: "non_conformant", action: "OBSERVE" },
};

/** The business transaction that names a shipment on chain. */
export function shipmentTransaction(shipmentId: string): string {
  return `urn:health-ledger:shipment:${shipmentId.toLowerCase()}`;
}

/** The canonical GS1 web URI of a batch (LGTIN class) and of one of its packs (SGTIN). */
export function lgtinUri(gtin: bigint, lot: string): string {
  return `${GS1_ID}/01/${formatGtin(gtin)}/10/${encodeURIComponent(lot)}`;
}
export function sgtinUri(gtin: bigint, serial: string): string {
  return `${GS1_ID}/01/${formatGtin(gtin)}/21/${encodeURIComponent(serial)}`;
}

function isoOfSeconds(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}

/** The chain commitment a chain event carries, if its kind takes one. */
export function commitmentOf(e: CustodyEvent): string | undefined {
  switch (e.kind) {
    case "commissioned":
      return e.metadataCommitment;
    case "shipped":
      return e.shipment.documentsCommitment;
    case "destroyed":
      return e.evidenceCommitment;
    case "recalled":
    case "quarantined":
    case "cleared":
    case "illegitimate":
      return e.reasonCommitment;
    case "suspectReported":
      return e.evidenceCommitment;
    default:
      return undefined;
  }
}

/**
 * The EPCIS events of a batch history (as {@link traceBatch} reads it), in chain order. Subtree anchoring has no
 * EPCIS meaning and is left out. Each event carries its Event Hash ID as `eventID`.
 */
export function epcisEventsOf(history: readonly CustodyEvent[], options: EpcisExportOptions): EpcisEvent[] {
  const party = options.partyOf ?? ((a: string) => `urn:ethereum:${getAddress(a)}`);
  const originals = new Map<string, EpcisEvent>();
  for (const o of options.originals ?? []) originals.set(epcisCommitment(o).toLowerCase(), o);
  const commissioned = history.find((e) => e.kind === "commissioned");
  if (commissioned === undefined || commissioned.kind !== "commissioned") {
    throw new EpcisError("The history has no commissioning: read it with traceBatch on the batch's contract");
  }
  const lot = decodeLot(commissioned.lot);
  const cls = lgtinUri(commissioned.gtin, lot);
  const shipments = new Map<string, { from: string; to: string; quantity: bigint }>();
  const out: EpcisEvent[] = [];
  for (const e of history) {
    const committed = commitmentOf(e);
    const original = committed === undefined ? undefined : originals.get(committed.toLowerCase());
    if (original !== undefined) {
      out.push({ ...original, eventID: eventHashId(original) });
      if (e.kind === "shipped")
        shipments.set(e.shipmentId, { from: e.shipment.from, to: e.shipment.to, quantity: e.shipment.quantity });
      continue;
    }
    const map = EPCIS_MAPPING[e.kind];
    if (map === undefined) continue; // anchored subtrees
    const base: EpcisEvent = {
      type: "ObjectEvent",
      eventTime: isoOfSeconds(options.blockTime(e.blockNumber)),
      eventTimeZoneOffset: "+00:00",
      action: map.action,
      bizStep: map.bizStep,
      disposition: map.disposition,
    };
    const unit = (position: bigint): Partial<EpcisEvent> => {
      const serial = options.serialOf?.(position);
      return serial !== undefined
        ? { epcList: [sgtinUri(commissioned.gtin, serial)] }
        : { quantityList: [{ epcClass: cls, quantity: 1 }] };
    };
    let event: EpcisEvent;
    switch (e.kind) {
      case "commissioned":
        event = {
          ...base,
          quantityList: [{ epcClass: cls, quantity: Number(e.unitCount) }],
          sourceList: [{ type: "owning_party", source: party(e.manufacturer) }],
          ilmd: {
            "cbvmda:lotNumber": lot,
            "cbvmda:itemExpirationDate": isoOfSeconds(Number(e.expiresAt) - 1).slice(0, 10),
          },
        };
        break;
      case "shipped":
        shipments.set(e.shipmentId, { from: e.shipment.from, to: e.shipment.to, quantity: e.shipment.quantity });
        event = {
          ...base,
          quantityList: [{ epcClass: cls, quantity: Number(e.shipment.quantity) }],
          bizTransactionList: [{ type: "desadv", bizTransaction: shipmentTransaction(e.shipmentId) }],
          sourceList: [{ type: "owning_party", source: party(e.shipment.from) }],
          destinationList: [{ type: "owning_party", destination: party(e.shipment.to) }],
        };
        break;
      case "accepted":
      case "rejected":
      case "cancelled": {
        const s = shipments.get(e.shipmentId);
        if (s === undefined)
          throw new EpcisError(`Shipment ${e.shipmentId} settled before it was sent: the history is incomplete`);
        event = {
          ...base,
          quantityList: [{ epcClass: cls, quantity: Number(s.quantity) }],
          bizTransactionList: [{ type: "desadv", bizTransaction: shipmentTransaction(e.shipmentId) }],
          sourceList: [{ type: "owning_party", source: party(s.from) }],
          destinationList: [{ type: "owning_party", destination: party(s.to) }],
        };
        break;
      }
      case "dispensed":
        event = {
          ...base,
          ...unit(e.position),
          sourceList: [{ type: "possessing_party", source: party(e.dispenser) }],
        };
        break;
      case "destroyed":
        event = {
          ...base,
          quantityList: [{ epcClass: cls, quantity: Number(e.quantity) }],
          sourceList: [{ type: "possessing_party", source: party(e.holder) }],
        };
        break;
      case "unitDestroyed":
        event = { ...base, ...unit(e.position), sourceList: [{ type: "possessing_party", source: party(e.holder) }] };
        break;
      case "suspectReported":
        event = { ...base, ...unit(e.position), sourceList: [{ type: "possessing_party", source: party(e.reporter) }] };
        break;
      default:
        // recalled, quarantined, cleared, illegitimate: the whole batch.
        event = { ...base, quantityList: [{ epcClass: cls }] };
    }
    out.push({ ...event, eventID: eventHashId(event) });
  }
  return out;
}

/** An EPCIS 2.0 document of events (`creationDate` now unless given). */
export function epcisDocument(events: EpcisEvent[], creationDate: string = new Date().toISOString()): EpcisDocument {
  return {
    "@context": [EPCIS_CONTEXT],
    type: "EPCISDocument",
    schemaVersion: "2.0",
    creationDate,
    epcisBody: { eventList: events },
  };
}

/** Reads a batch's history from the chain and exports it as an EPCIS 2.0 document (block times from the node). */
export async function exportBatchEpcis(
  provenance: DrugProvenance,
  batchId: string,
  options: Omit<EpcisExportOptions, "blockTime"> & { fromBlock?: number } = {},
): Promise<EpcisDocument> {
  const history = await traceBatch(provenance, batchId, options.fromBlock ?? 0);
  const provider = provenance.runner?.provider;
  if (provider == null) throw new EpcisError("The provenance contract must be connected to a provider");
  const times = new Map<number, number>();
  for (const n of new Set(history.map((e) => e.blockNumber))) {
    const block = await provider.getBlock(n);
    if (block === null) throw new EpcisError(`Block ${n} is not available from the provider`);
    times.set(n, block.timestamp);
  }
  return epcisDocument(epcisEventsOf(history, { ...options, blockTime: (n) => times.get(n)! }));
}

// ---------------------------------------------------------------------------------------------------------------
// Import: a partner's EPCIS document checked against the chain
// ---------------------------------------------------------------------------------------------------------------

/** The verdict on one partner event. */
export interface EpcisEventCheck {
  index: number;
  hashId: string;
  status: "anchored" | "not anchored" | "contradicting";
  /** How the chain event was found: its commitment is this event's hash, or it is the same shipment, batch or unit. */
  matchedBy?: "hash" | "facts";
  /** The chain event it was compared with. */
  chainEvent?: { kind: string; transactionHash: string; logIndex: number };
  /** Why: the differences for "contradicting", what is missing for "not anchored". */
  reasons: string[];
}

/** The facts of an EPCIS event that the chain also records. */
interface Facts {
  kind?: string;
  batchId?: string;
  quantity?: bigint;
  shipmentId?: string;
  serial?: string;
  from?: string;
  to?: string;
  expiry?: string;
  gtin?: bigint;
}

/** The GTIN and lot (or serial) in a canonical GS1 web URI. */
function keyOfUri(uri: string): { gtin?: bigint; lot?: string; serial?: string } {
  const c = canonicalGs1Uri(uri) ?? uri;
  const m = /^https:\/\/id\.gs1\.org\/01\/(\d{14})(?:\/(10|21)\/([^/]+))?$/.exec(c);
  if (m === null) return {};
  const value = m[3] === undefined ? undefined : decodeURIComponent(m[3]);
  return { gtin: BigInt(m[1]), ...(m[2] === "10" ? { lot: value } : m[2] === "21" ? { serial: value } : {}) };
}

function kindOf(e: EpcisEvent): string | undefined {
  const step = (e.bizStep ?? "").replace(/^.*BizStep-/, "").replace(/^urn:epcglobal:cbv:bizstep:/, "");
  const disp = (e.disposition ?? "").replace(/^.*Disp-/, "").replace(/^urn:epcglobal:cbv:disp:/, "");
  const found = Object.entries(EPCIS_MAPPING).filter(([, m]) => m.bizStep === step);
  if (found.length === 1) return found[0][0];
  const exact = found.find(([, m]) => m.disposition === disp);
  if (exact !== undefined) return exact[0];
  if (step === "destroying") return "destroyed";
  return undefined;
}

function factsOf(
  e: EpcisEvent,
  lotOf: (gtin: bigint) => string | undefined,
  party: (id: string) => string | undefined,
): Facts {
  const facts: Facts = { kind: kindOf(e) };
  const q = e.quantityList?.[0];
  const epc = e.epcList?.[0];
  const key = q !== undefined ? keyOfUri(q.epcClass) : epc !== undefined ? keyOfUri(epc) : {};
  if (key.gtin !== undefined) {
    facts.gtin = key.gtin;
    const lot =
      key.lot ??
      (typeof e.ilmd?.["cbvmda:lotNumber"] === "string" ? (e.ilmd["cbvmda:lotNumber"] as string) : lotOf(key.gtin));
    if (lot !== undefined) facts.batchId = batchIdOf(key.gtin, lot);
  }
  if (q?.quantity !== undefined) facts.quantity = BigInt(q.quantity);
  else if (e.epcList !== undefined) facts.quantity = BigInt(e.epcList.length);
  if (key.serial !== undefined) facts.serial = key.serial;
  const tx = e.bizTransactionList?.find((b) => b.bizTransaction.startsWith("urn:health-ledger:shipment:"));
  if (tx !== undefined) facts.shipmentId = tx.bizTransaction.slice("urn:health-ledger:shipment:".length);
  const from = e.sourceList?.[0]?.source;
  const to = e.destinationList?.[0]?.destination;
  if (from !== undefined) facts.from = party(from);
  if (to !== undefined) facts.to = party(to);
  const expiry = e.ilmd?.["cbvmda:itemExpirationDate"];
  if (typeof expiry === "string") facts.expiry = expiry;
  return facts;
}

/** Differences between what the event says and what the chain event records. */
function differences(
  f: Facts,
  c: CustodyEvent,
  shipments: Map<string, { from: string; to: string; quantity: bigint }>,
  serialAt: (p: bigint) => string | undefined,
): string[] {
  const d: string[] = [];
  const eq = (a: string | undefined, b: string) => a === undefined || a.toLowerCase() === b.toLowerCase();
  const checkQty = (q: bigint) => {
    if (f.quantity !== undefined && f.quantity !== q) d.push(`quantity ${f.quantity}, the chain records ${q}`);
  };
  if (f.kind !== undefined && f.kind !== c.kind) d.push(`the event is ${f.kind}, the chain records ${c.kind}`);
  switch (c.kind) {
    case "commissioned":
      checkQty(c.unitCount);
      if (f.expiry !== undefined && f.expiry !== isoOfSeconds(Number(c.expiresAt) - 1).slice(0, 10)) {
        d.push(`expiry ${f.expiry}, the chain records ${isoOfSeconds(Number(c.expiresAt) - 1).slice(0, 10)}`);
      }
      if (!eq(f.from, c.manufacturer)) d.push(`manufacturer ${f.from}, the chain records ${c.manufacturer}`);
      break;
    case "shipped":
    case "accepted":
    case "rejected":
    case "cancelled": {
      const s = c.kind === "shipped" ? c.shipment : shipments.get(c.shipmentId);
      if (s !== undefined) {
        checkQty(s.quantity);
        if (!eq(f.from, s.from)) d.push(`source ${f.from}, the chain records ${s.from}`);
        if (!eq(f.to, s.to)) d.push(`destination ${f.to}, the chain records ${s.to}`);
      }
      break;
    }
    case "destroyed":
      checkQty(c.quantity);
      break;
    case "dispensed":
    case "unitDestroyed":
    case "suspectReported": {
      const serial = serialAt(c.position);
      if (f.serial !== undefined && serial !== undefined && f.serial !== serial)
        d.push(`serial ${f.serial}, the chain records ${serial}`);
      break;
    }
    default:
      break;
  }
  return d;
}

/** What the checker needs besides the document and the histories. */
export interface EpcisCheckOptions {
  /** Account of a party identifier used in the partner's events (its PGLN, say); default reads `urn:ethereum:`. */
  accountOf?: (partyId: string) => string | undefined;
  /** The lot of a GTIN when an event names packs by SGTIN only. */
  lotOf?: (gtin: bigint) => string | undefined;
  /** Position of a serial, and serial at a position, in the batch's serial tree (for unit events). */
  positionOf?: (serial: string) => bigint | undefined;
  serialAt?: (position: bigint) => string | undefined;
}

/**
 * Checks a partner's EPCIS document against batch histories (`histories` by batch id, from {@link traceBatch}),
 * event by event:
 * - **anchored**: a chain event carries this event's commitment (its hash), or, for steps the chain records with
 *   no commitment (receiving, dispensing, unit destruction), a chain event records the same facts; and nothing the
 *   event says contradicts the chain;
 * - **contradicting**: the chain records the same step (same hash, shipment, batch or unit) with other facts
 *   (quantity, parties, expiry, step);
 * - **not anchored**: the chain has no such event, or has it under another commitment with the same facts.
 */
export function checkEpcisDocument(
  doc: EpcisDocument,
  histories: ReadonlyMap<string, readonly CustodyEvent[]>,
  options: EpcisCheckOptions = {},
): EpcisEventCheck[] {
  if (doc?.type !== "EPCISDocument" || !Array.isArray(doc.epcisBody?.eventList)) {
    throw new EpcisError('Not an EPCIS document: expected { type: "EPCISDocument", epcisBody: { eventList: [...] } }');
  }
  const prefixes = contextPrefixes(doc);
  const party = (id: string) => {
    const m = /^urn:ethereum:(0x[0-9a-fA-F]{40})$/.exec(id);
    return m !== null ? getAddress(m[1]) : options.accountOf?.(id);
  };
  const lowerHistories = new Map([...histories].map(([k, v]) => [k.toLowerCase(), v]));
  const byCommitment = new Map<string, CustodyEvent>();
  const shipments = new Map<string, { from: string; to: string; quantity: bigint }>();
  for (const events of lowerHistories.values()) {
    for (const e of events) {
      const c = commitmentOf(e);
      if (c !== undefined) byCommitment.set(c.toLowerCase(), e);
      if (e.kind === "shipped") shipments.set(e.shipmentId.toLowerCase(), e.shipment);
    }
  }
  const serialAt = options.serialAt ?? (() => undefined);
  const ref = (c: CustodyEvent) => ({ kind: c.kind, transactionHash: c.transactionHash, logIndex: c.logIndex });
  return doc.epcisBody.eventList.map((event, index): EpcisEventCheck => {
    const hashId = eventHashId(event, prefixes);
    const commitment = eventDigest(event, prefixes).toLowerCase();
    const facts = factsOf(event, options.lotOf ?? (() => undefined), party);
    const hashed = byCommitment.get(commitment);
    if (hashed !== undefined) {
      const diff = differences(facts, hashed, shipments, serialAt);
      return {
        index,
        hashId,
        status: diff.length === 0 ? "anchored" : "contradicting",
        matchedBy: "hash",
        chainEvent: ref(hashed),
        reasons: diff,
      };
    }
    if (facts.batchId === undefined && facts.gtin !== undefined) {
      // A pack named by SGTIN alone: the one given batch of that GTIN, if there is exactly one.
      const same = [...lowerHistories].filter(([, h]) =>
        h.some((e) => e.kind === "commissioned" && e.gtin === facts.gtin),
      );
      if (same.length === 1) facts.batchId = same[0][0];
    }
    if (facts.batchId === undefined) {
      return {
        index,
        hashId,
        status: "not anchored",
        reasons: ["the event names no batch the chain knows (GTIN and lot)"],
      };
    }
    const history = lowerHistories.get(facts.batchId.toLowerCase());
    if (history === undefined) {
      return {
        index,
        hashId,
        status: "not anchored",
        reasons: [`batch ${facts.batchId} is not on chain (or its history was not given)`],
      };
    }
    // Correlate by the identifiers both sides hold.
    let candidates: CustodyEvent[] = [];
    if (facts.shipmentId !== undefined) {
      const sid = facts.shipmentId.toLowerCase();
      candidates = history.filter((e) => "shipmentId" in e && e.shipmentId.toLowerCase() === sid);
      const same = candidates.filter((e) => e.kind === facts.kind);
      candidates = same.length > 0 ? same : candidates.filter((e) => e.kind !== "shipped" || facts.kind === "shipped");
    } else if (facts.serial !== undefined && options.positionOf !== undefined) {
      const p = options.positionOf(facts.serial);
      candidates = history.filter(
        (e) => "position" in e && e.position === p && (facts.kind === undefined || e.kind === facts.kind),
      );
    } else if (facts.kind === "commissioned" || facts.kind === "recalled") {
      candidates = history.filter((e) => e.kind === facts.kind);
    }
    const chain = candidates[0];
    if (chain === undefined) {
      return {
        index,
        hashId,
        status: "not anchored",
        reasons: [
          `the chain records no ${facts.kind ?? "such"} event for this ${facts.shipmentId ? "shipment" : "batch"}`,
        ],
      };
    }
    const diff = differences(facts, chain, shipments, serialAt);
    if (diff.length > 0)
      return { index, hashId, status: "contradicting", matchedBy: "facts", chainEvent: ref(chain), reasons: diff };
    if (commitmentOf(chain) === undefined)
      return { index, hashId, status: "anchored", matchedBy: "facts", chainEvent: ref(chain), reasons: [] };
    return {
      index,
      hashId,
      status: "not anchored",
      matchedBy: "facts",
      chainEvent: ref(chain),
      reasons: ["the chain event agrees with it but commits to another document: this event's hash is not on chain"],
    };
  });
}

/** Reads the histories of every batch a partner document names and checks it ({@link checkEpcisDocument}). */
export async function checkEpcisAgainstChain(
  provenance: DrugProvenance,
  doc: EpcisDocument,
  options: EpcisCheckOptions & { batchIds?: readonly string[]; fromBlock?: number } = {},
): Promise<EpcisEventCheck[]> {
  const ids = new Set((options.batchIds ?? []).map((b) => b.toLowerCase()));
  const party = (id: string) => options.accountOf?.(id);
  for (const e of doc.epcisBody?.eventList ?? []) {
    const f = factsOf(e, options.lotOf ?? (() => undefined), party);
    if (f.batchId !== undefined) ids.add(f.batchId.toLowerCase());
  }
  const histories = new Map<string, CustodyEvent[]>();
  for (const id of ids) {
    const history = await traceBatch(provenance, id, options.fromBlock ?? 0);
    if (history.length > 0) histories.set(id, history);
  }
  return checkEpcisDocument(doc, histories, options);
}

/** A partner's check as text: a summary line, then one line per event (status, step, hash, why). */
export function renderEpcisCheckReport(doc: EpcisDocument, checks: readonly EpcisEventCheck[]): string[] {
  const count = (s: EpcisEventCheck["status"]) => checks.filter((c) => c.status === s).length;
  const lines = [
    `${checks.length} event(s): ${count("anchored")} anchored, ${count("not anchored")} not anchored, ` +
      `${count("contradicting")} contradicting`,
  ];
  for (const c of checks) {
    const e = doc.epcisBody.eventList[c.index];
    const step = (e.bizStep ?? e.type).replace(/^.*BizStep-/, "");
    const how = c.matchedBy === undefined ? "" : ` (by ${c.matchedBy})`;
    const why = c.reasons.length > 0 ? `: ${c.reasons.join("; ")}` : "";
    lines.push(`#${c.index} ${step} ${e.eventTime} ${c.status}${how} ${c.hashId.slice(14, 30)}…${why}`);
  }
  return lines;
}
