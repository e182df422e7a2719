import { zeroPadValue, type Provider } from "ethers";
import type { ClaimsManager, ConsentRegistry, HealthLedgerAuthority, TrialRegistry } from "../../typechain-types";
import { ROLES } from "../authority/roles";
import type { PatientIdentity, Relationship } from "./derive";

/**
 * Recovery of a patient's relationship accounts from her mnemonic and the public chain alone (docs/privacy.md,
 * "Recovery"): the wallet derives the account of every possible counterparty and keeps those with history.
 */

/** The contracts recovery reads (a deployed system, connected to a provider). */
export interface RecoverySources {
  authority: HealthLedgerAuthority;
  consentRegistry: ConsentRegistry;
  claimsManager: ClaimsManager;
  trialRegistry: TrialRegistry;
}

/** One recovered relationship: its description, its account, and what shows it was used. */
export interface RecoveredRelationship {
  relationship: Relationship;
  address: string;
  /** The events found for the account, by name. */
  evidence: string[];
}

export interface RecoveryOptions {
  /** Consecutive unused policy indexes (per insurer) or emergency epochs after which the scan stops (default 5). */
  gap?: number;
  /** First block to scan (default 0: the whole chain; use the deployment block on a long chain). */
  fromBlock?: number;
}

type Candidate = { relationship: Relationship; address: string };

/**
 * Finds every relationship of `identity` that left a trace on chain: consents given or signed (providers), policies
 * issued to it (for each insurer, indexes 0, 1, … until `gap` unused in a row), trials it consented to or joined
 * (ids 1 to `trialCount()`), and emergency cards hospitals recorded access against (epochs until `gap` unused).
 * Counterparties are read from the authority's role grants, so nothing but the mnemonic is needed.
 */
export async function recoverRelationships(
  identity: PatientIdentity,
  sources: RecoverySources,
  options: RecoveryOptions = {},
): Promise<RecoveredRelationship[]> {
  const gap = options.gap ?? 5;
  if (!Number.isInteger(gap) || gap < 1) throw new Error(`gap must be a whole number of at least 1; got ${gap}`);
  const provider = sources.consentRegistry.runner?.provider as Provider | null | undefined;
  if (!provider) throw new Error("The contracts must be connected to a provider to recover relationships");
  const scan = new LogScan(provider, options.fromBlock ?? 0);
  const found: RecoveredRelationship[] = [];
  const keep = async (candidates: Candidate[]) => {
    const hits = await scan.history(
      sources,
      candidates.map((c) => c.address),
    );
    const used = candidates.filter((c) => hits.has(c.address.toLowerCase()));
    for (const c of used) found.push({ ...c, evidence: [...hits.get(c.address.toLowerCase())!].sort() });
    return used;
  };
  const derive = (relationship: Relationship): Candidate => ({
    relationship,
    address: identity.derive(relationship).address,
  });

  const providers = await scan.roleMembers(sources.authority, ROLES.PROVIDER);
  await keep(providers.map((p) => derive({ kind: "provider", provider: p })));

  const registry = await sources.trialRegistry.getAddress();
  const trialCount = Number(await sources.trialRegistry.trialCount());
  await keep(Array.from({ length: trialCount }, (_, i) => derive({ kind: "trial", registry, trialId: BigInt(i + 1) })));

  const insurers = await scan.roleMembers(sources.authority, ROLES.INSURER);
  for (const insurer of insurers) {
    await scanIndexes(gap, (index) => derive({ kind: "policy", insurer, index }), keep);
  }
  await scanIndexes(gap, (epoch) => derive({ kind: "emergency", epoch }), keep);
  return found;
}

/** Derives indexes in windows of `gap` until a whole window is unused. */
async function scanIndexes(
  gap: number,
  derive: (index: number) => Candidate,
  keep: (candidates: Candidate[]) => Promise<Candidate[]>,
): Promise<void> {
  for (let start = 0; ; start += gap) {
    const used = await keep(Array.from({ length: gap }, (_, i) => derive(start + i)));
    if (used.length === 0) return;
  }
}

/** Log queries that ask for many accounts at once (one `eth_getLogs` per event, topics OR-ed). */
class LogScan {
  constructor(
    private readonly provider: Provider,
    private readonly fromBlock: number,
  ) {}

  /** Accounts that ever held `roleId` (from `RoleGranted`). */
  async roleMembers(authority: HealthLedgerAuthority, roleId: bigint): Promise<string[]> {
    const logs = await authority.queryFilter(authority.filters.RoleGranted(roleId), this.fromBlock);
    return [...new Set(logs.map((l) => l.args.account))];
  }

  /** For each of `addresses` that has history, the names of the events that show it. */
  async history(sources: RecoverySources, addresses: string[]): Promise<Map<string, Set<string>>> {
    const hits = new Map<string, Set<string>>();
    if (addresses.length === 0) return hits;
    const topics = addresses.map((a) => zeroPadValue(a, 32));
    const { consentRegistry: consent, claimsManager: claims, trialRegistry: trials } = sources;
    const queries = [
      {
        address: consent,
        event: "ConsentGranted",
        topic0: consent.interface.getEvent("ConsentGranted").topicHash,
        position: 1,
      },
      { address: consent, event: "NonceUsed", topic0: consent.interface.getEvent("NonceUsed").topicHash, position: 1 },
      {
        address: consent,
        event: "EmergencyAccessRecorded",
        topic0: consent.interface.getEvent("EmergencyAccessRecorded").topicHash,
        position: 1,
      },
      {
        address: claims,
        event: "PolicyCreated",
        topic0: claims.interface.getEvent("PolicyCreated").topicHash,
        position: 3,
      },
      {
        address: trials,
        event: "ParticipantEnrolled",
        topic0: trials.interface.getEvent("ParticipantEnrolled").topicHash,
        position: 2,
      },
    ];
    for (const q of queries) {
      const filterTopics: (string | string[] | null)[] = [q.topic0, null, null, null].slice(0, q.position + 1);
      filterTopics[q.position] = topics;
      const logs = await this.provider.getLogs({
        address: await q.address.getAddress(),
        topics: filterTopics,
        fromBlock: this.fromBlock,
        toBlock: "latest",
      });
      for (const log of logs) {
        const account = `0x${log.topics[q.position].slice(26)}`.toLowerCase();
        const set = hits.get(account) ?? new Set<string>();
        set.add(q.event);
        hits.set(account, set);
      }
    }
    return hits;
  }
}
