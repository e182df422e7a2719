/**
 * One decoder for every Health Ledger event: the contracts' ABIs (from TypeChain's factories) keyed by topic, and the
 * deployment's addresses keyed to their domain. Arguments become plain JSON (integers as decimal strings, structs as
 * objects with their field names) so that the index stores them the same way in SQLite and PostgreSQL.
 */
import { Interface, type EventFragment, type ParamType, type Result } from "ethers";
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

/** Decodes logs of a deployment's contracts. */
export class EventDecoder {
  private readonly byAddress = new Map<string, Domain>();
  private readonly fragments = new Map<Domain, Map<string, EventFragment>>();

  constructor(addresses: AuditAddresses) {
    for (const domain of DOMAINS) {
      this.byAddress.set(addresses[ADDRESS_FIELD[domain]].toLowerCase(), domain);
      const map = new Map<string, EventFragment>();
      INTERFACES[domain].forEachEvent((f) => map.set(f.topicHash, f));
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
    const fragment = this.fragments.get(domain)!.get(log.topics[0]);
    if (fragment === undefined) return undefined;
    const result = INTERFACES[domain].decodeEventLog(fragment, log.data, log.topics);
    const args: Record<string, ArgValue> = {};
    fragment.inputs.forEach((input, i) => (args[input.name || String(i)] = toJson(input, result[i])));
    return { domain, name: fragment.name, args };
  }
}
