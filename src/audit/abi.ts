/**
 * One decoder for every Health Ledger event: the contracts' ABIs (from TypeChain's factories) keyed by topic, and the
 * deployment's addresses keyed to their domain. Arguments become plain JSON (integers as decimal strings, structs as
 * objects with their field names) so that the index stores them the same way in SQLite and PostgreSQL.
 *
 * Decoding is the auditor's hottest loop (a profile of 26,000 logs spent three quarters of the index phase in ethers'
 * ABI coder: Result objects, checksum hashing, property definitions). Each event's inputs are therefore compiled once
 * into a small reader of the hex words that yields the JSON directly; ethers' coder remains the reference that the
 * tests compare it with, and the fallback for types the reader does not know.
 */
import { AbiCoder, Interface, getAddress, type EventFragment, type ParamType, type Result } from "ethers";
import {
  ClaimsManager__factory,
  ConsentRegistry__factory,
  DrugProvenance__factory,
  HealthLedgerAuthority__factory,
  TrialRegistry__factory,
} from "../../typechain-types";

/** The contracts an audit reads. */
export const DOMAINS = ["authority", "consent", "trials", "provenance", "claims"] as const;
export type Domain = (typeof DOMAINS)[number];

/** A deployment's addresses: where the audit's addresses come from (options, a JSON file, or an address book). */
export interface AuditAddresses {
  authority: string;
  consentRegistry: string;
  trialRegistry: string;
  drugProvenance: string;
  claimsManager: string;
  /** The block the deployment started at (the scan's first block). */
  fromBlock?: number;
}

/** The address field of each domain. */
export const ADDRESS_FIELD: Record<Domain, keyof Omit<AuditAddresses, "fromBlock">> = {
  authority: "authority",
  consent: "consentRegistry",
  trials: "trialRegistry",
  provenance: "drugProvenance",
  claims: "claimsManager",
};

/** Each domain's ABI interface. */
export const INTERFACES: Record<Domain, Interface> = {
  authority: new Interface(HealthLedgerAuthority__factory.abi),
  consent: new Interface(ConsentRegistry__factory.abi),
  trials: new Interface(TrialRegistry__factory.abi),
  provenance: new Interface(DrugProvenance__factory.abi),
  claims: new Interface(ClaimsManager__factory.abi),
};

/** JSON value of a decoded argument. */
export type ArgValue = string | boolean | ArgValue[] | { [name: string]: ArgValue };

/** A log decoded with its contract's ABI. */
export interface DecodedEvent {
  domain: Domain;
  name: string;
  args: Record<string, ArgValue>;
}

function toJson(type: ParamType, value: unknown): ArgValue {
  if (type.isTuple()) {
    const r = value as Result;
    return Object.fromEntries(type.components.map((c, i) => [c.name || String(i), toJson(c, r[i])]));
  }
  if (type.isArray()) return [...(value as Result)].map((v) => toJson(type.arrayChildren, v));
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "boolean") return value;
  return String(value);
}

/** Reads one ABI value from a hex string (no `0x`) at a character position. */
interface WordReader {
  /** Encoded out of line, behind an offset. */
  dynamic: boolean;
  /** Characters the value takes in its parent's head (64 for a dynamic value's offset). */
  size: number;
  read(hex: string, at: number): ArgValue;
}

/** Malformed log data (truncated, an offset out of bounds). */
export class LogDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LogDataError";
  }
}

function word(hex: string, at: number): string {
  const w = hex.slice(at, at + 64);
  if (w.length !== 64) throw new LogDataError(`log data ends at character ${hex.length}, a word was expected at ${at}`);
  return w;
}

/** A length or an offset: a small integer. */
function small(hex: string, at: number): number {
  const w = word(hex, at);
  const n = Number.parseInt(w.slice(48), 16);
  if (!/^0{48}$/.test(w.slice(0, 48)) || !Number.isSafeInteger(n)) {
    throw new LogDataError(`an offset or length at character ${at} is out of range`);
  }
  return n;
}

/**
 * Checksummed addresses, memoised: the same few accounts recur in every log, and EIP-55 costs a keccak each. Cleared
 * when it grows large, so that memory stays bounded on chains with many accounts.
 */
const CHECKSUMS = new Map<string, string>();
function checksum(lower: string): string {
  let out = CHECKSUMS.get(lower);
  if (out === undefined) {
    if (CHECKSUMS.size >= 100_000) CHECKSUMS.clear();
    out = getAddress(lower);
    CHECKSUMS.set(lower, out);
  }
  return out;
}

function sequence(children: readonly WordReader[], names: readonly string[] | undefined) {
  return (hex: string, start: number): ArgValue => {
    const values: ArgValue[] = [];
    let head = start;
    for (const child of children) {
      values.push(child.dynamic ? child.read(hex, start + 2 * small(hex, head)) : child.read(hex, head));
      head += child.size;
    }
    if (names === undefined) return values;
    const out: Record<string, ArgValue> = {};
    names.forEach((name, i) => (out[name] = values[i]));
    return out;
  };
}

/** Compiles a reader for `type`, or `undefined` for a type it does not handle (ethers decodes those). */
function compile(type: ParamType): WordReader | undefined {
  if (type.isTuple()) {
    const children = type.components.map(compile);
    if (children.some((c) => c === undefined)) return undefined;
    const all = children as WordReader[];
    const dynamic = all.some((c) => c.dynamic);
    const names = type.components.map((c, i) => c.name || String(i));
    return { dynamic, size: dynamic ? 64 : all.reduce((n, c) => n + c.size, 0), read: sequence(all, names) };
  }
  if (type.isArray()) {
    const child = compile(type.arrayChildren);
    if (child === undefined) return undefined;
    if (type.arrayLength === -1) {
      return {
        dynamic: true,
        size: 64,
        read: (hex, at) => {
          const n = small(hex, at);
          if (n * Math.max(child.size, 64) > hex.length)
            throw new LogDataError(`an array of ${n} does not fit the data`);
          return sequence(Array<WordReader>(n).fill(child), undefined)(hex, at + 64);
        },
      };
    }
    const children = Array<WordReader>(type.arrayLength).fill(child);
    return {
      dynamic: child.dynamic,
      size: child.dynamic ? 64 : child.size * type.arrayLength,
      read: sequence(children, undefined),
    };
  }
  const base = type.baseType;
  if (base === "address")
    return { dynamic: false, size: 64, read: (hex, at) => checksum(`0x${word(hex, at).slice(24)}`) };
  if (base === "bool") return { dynamic: false, size: 64, read: (hex, at) => !/^0{64}$/.test(word(hex, at)) };
  const integer = /^(u?)int(\d*)$/.exec(base);
  if (integer !== null) {
    const bits = Number(integer[2] || "256");
    const signed = integer[1] === "";
    return {
      dynamic: false,
      size: 64,
      read: (hex, at) => {
        const value = BigInt(`0x${word(hex, at)}`);
        return (signed ? BigInt.asIntN(bits, value) : BigInt.asUintN(bits, value)).toString();
      },
    };
  }
  const fixed = /^bytes(\d+)$/.exec(base);
  if (fixed !== null) {
    const chars = 2 * Number(fixed[1]);
    return { dynamic: false, size: 64, read: (hex, at) => `0x${word(hex, at).slice(0, chars)}` };
  }
  if (base === "bytes" || base === "string") {
    return {
      dynamic: true,
      size: 64,
      read: (hex, at) => {
        const length = small(hex, at);
        const body = hex.slice(at + 64, at + 64 + 2 * length);
        if (body.length !== 2 * length) throw new LogDataError(`${length} bytes announced at ${at}, fewer in the data`);
        return base === "bytes" ? `0x${body}` : Buffer.from(body, "hex").toString("utf8");
      },
    };
  }
  return undefined;
}

/** Decodes one event's topics and data straight into JSON. */
type CompiledEvent = (topics: readonly string[], data: string) => Record<string, ArgValue>;

/** Compiles `fragment`, or `undefined` when one of its types needs ethers' coder. */
export function compileEvent(fragment: EventFragment): CompiledEvent | undefined {
  const names = fragment.inputs.map((input, i) => input.name || String(i));
  const indexed: { name: string; topic: number; reader: WordReader }[] = [];
  const body: WordReader[] = [];
  const bodyNames: string[] = [];
  let topic = fragment.anonymous ? 0 : 1;
  for (const [i, input] of fragment.inputs.entries()) {
    const reader = compile(input);
    if (reader === undefined) return undefined;
    if (input.indexed) {
      // A dynamic indexed value is only its hash in the topic; ethers gives an Indexed object there.
      if (reader.dynamic) return undefined;
      indexed.push({ name: names[i], topic: topic++, reader });
    } else {
      body.push(reader);
      bodyNames.push(names[i]);
    }
  }
  const readBody = sequence(body, bodyNames);
  return (topics, data) => {
    if (topics.length !== topic)
      throw new LogDataError(`${fragment.name} has ${topic} topics, the log ${topics.length}`);
    const fromBody = readBody(data.startsWith("0x") ? data.slice(2) : data, 0) as Record<string, ArgValue>;
    const args: Record<string, ArgValue> = {};
    for (const name of names) args[name] = fromBody[name];
    for (const { name, topic: t, reader } of indexed) args[name] = reader.read(topics[t].slice(2), 0);
    return args;
  };
}

/** Decodes logs of a deployment's contracts. */
export class EventDecoder {
  private readonly byAddress = new Map<string, Domain>();
  private readonly fragments = new Map<Domain, Map<string, { fragment: EventFragment; fast?: CompiledEvent }>>();

  constructor(addresses: AuditAddresses) {
    for (const domain of DOMAINS) {
      this.byAddress.set(addresses[ADDRESS_FIELD[domain]].toLowerCase(), domain);
      const map = new Map<string, { fragment: EventFragment; fast?: CompiledEvent }>();
      INTERFACES[domain].forEachEvent((f) => map.set(f.topicHash, { fragment: f, fast: compileEvent(f) }));
      this.fragments.set(domain, map);
    }
  }

  /** The addresses to scan. */
  get addresses(): string[] {
    return [...this.byAddress.keys()];
  }

  /** Decodes a log, or `undefined` when it is not one of the contracts' events (an address or topic we do not know). */
  decode(log: { address: string; topics: readonly string[]; data: string }): DecodedEvent | undefined {
    const domain = this.byAddress.get(log.address.toLowerCase());
    if (domain === undefined || log.topics.length === 0) return undefined;
    const known = this.fragments.get(domain)!.get(log.topics[0]);
    if (known === undefined) return undefined;
    const { fragment, fast } = known;
    if (fast !== undefined) return { domain, name: fragment.name, args: fast(log.topics, log.data) };
    return { domain, name: fragment.name, args: decodeWithEthers(domain, fragment, log) };
  }
}

/** The reference decoding: ethers' ABI coder, its Result turned into JSON. */
export function decodeWithEthers(
  domain: Domain,
  fragment: EventFragment,
  log: { topics: readonly string[]; data: string },
): Record<string, ArgValue> {
  const result = INTERFACES[domain].decodeEventLog(fragment, log.data, log.topics);
  const args: Record<string, ArgValue> = {};
  fragment.inputs.forEach((input, i) => (args[input.name || String(i)] = toJson(input, result[i])));
  return args;
}

/** A view function compiled once: its calldata written directly for static arguments, its answer read from hex. */
export interface CompiledView {
  encode(args: readonly unknown[]): string;
  /** The answer as JSON: a single struct's fields, else the outputs by name and by position. */
  decode(answer: string): Record<string, ArgValue>;
}

const HEX_ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const HEX_WORD = /^0x[0-9a-fA-F]{64}$/;

/** Writes one static argument as its 64 hex characters, or `undefined` when ethers must (a type or value we do not). */
function staticWord(type: ParamType, value: unknown): string | undefined {
  if (type.baseType === "address" && typeof value === "string" && HEX_ADDRESS.test(value)) {
    return value.slice(2).toLowerCase().padStart(64, "0");
  }
  if (type.baseType === "bytes32" && typeof value === "string" && HEX_WORD.test(value)) {
    return value.slice(2).toLowerCase();
  }
  if (type.baseType === "bool" && typeof value === "boolean") return value ? "1".padStart(64, "0") : "0".repeat(64);
  const integer = /^uint(\d*)$/.exec(type.baseType);
  if (integer !== null && (typeof value === "bigint" || typeof value === "number" || typeof value === "string")) {
    let n: bigint;
    try {
      n = BigInt(value);
    } catch {
      return undefined;
    }
    if (n >= 0n && n < 1n << BigInt(integer[1] || "256")) return n.toString(16).padStart(64, "0");
  }
  return undefined;
}

const VIEWS = new WeakMap<Interface, Map<string, CompiledView>>();

/**
 * Compiles view `fn` of `iface` (memoised). The audit reads thousands of views; ethers' `encodeFunctionData` and
 * `decodeFunctionResult` recompute the selector's keccak and every address checksum on each call, which took a
 * second of a 100,000-event audit. Types the word reader does not handle go through ethers' coder, as before.
 */
export function compileView(iface: Interface, fn: string): CompiledView {
  let views = VIEWS.get(iface);
  if (views === undefined) VIEWS.set(iface, (views = new Map()));
  const known = views.get(fn);
  if (known !== undefined) return known;
  const fragment = iface.getFunction(fn);
  if (fragment === null) throw new Error(`${fn} is not a function of this interface`);
  const selector = fragment.selector;
  const coder = AbiCoder.defaultAbiCoder();
  const outputs = fragment.outputs.map(compile);
  const names = fragment.outputs.map((o, i) => o.name || String(i));
  const single = fragment.outputs.length === 1 && fragment.outputs[0].isTuple();
  const read = outputs.every((o) => o !== undefined) ? sequence(outputs as WordReader[], undefined) : undefined;
  const view: CompiledView = {
    encode(args) {
      let data = selector;
      for (let i = 0; i < fragment.inputs.length; i++) {
        const w = staticWord(fragment.inputs[i], args[i]);
        if (w === undefined) return selector + coder.encode(fragment.inputs, args).slice(2);
        data += w;
      }
      return data;
    },
    decode(answer) {
      let values: ArgValue[];
      if (read !== undefined) {
        const hex = answer.startsWith("0x") ? answer.slice(2) : answer;
        values = read(hex, 0) as ArgValue[];
      } else {
        const result = iface.decodeFunctionResult(fragment, answer);
        values = fragment.outputs.map((o, i) => toJson(o, result[i]));
      }
      if (single) return values[0] as Record<string, ArgValue>;
      const out: Record<string, ArgValue> = {};
      for (let i = 0; i < values.length; i++) {
        out[String(i)] = values[i];
        out[names[i]] = values[i];
      }
      return out;
    },
  };
  views.set(fn, view);
  return view;
}
