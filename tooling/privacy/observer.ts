/**
 * The chain observer of docs/privacy.md, as code: it reads every block, transaction and log of a Health Ledger
 * deployment and tries to tell who is whose patient. The linkage test (test/privacy/linkage.test.ts) plays a month
 * of use under three designs and runs this against each; the demo's last chapter runs it over the demo's chain.
 *
 * It knows only what anyone knows: the contracts' addresses and ABIs, the public constants (purposes, service-code
 * names), and the chain. Its heuristics, each the way deanonymisation of public ledgers is done in practice:
 * - **shared account**: every relationship an account appears in (consents to several grantees, a policy, a trial,
 *   an emergency card) belongs to one person;
 * - **shared funder**: accounts that received ETH from the same account belong together;
 * - **shared sender**: accounts whose events were sent by the same account belong together;
 * - **brute-forced research purposes**: `keccak256(abi.encode(RESEARCH, trialId, version, salt))` over every trial,
 *   small versions and the salts an unsalted design would use, to tell which trial a consent is for;
 * - **plain service codes**: claim lines read as if their codes were the public plain codes.
 * The funder and sender heuristics ignore accounts shared by more than `anonymitySet` accounts (a relayer or an
 * organisation with many patients says nothing about any one of them): the observer keeps only evidence that
 * narrows a person down.
 */
import { AbiCoder, keccak256, toBeHex, ZeroHash, type Log, type Provider } from "ethers";
import { ClaimsManager__factory, ConsentRegistry__factory, TrialRegistry__factory } from "../../typechain-types";
import { PURPOSES } from "../../src/consent/purposes";

/** Where the deployment is and how far to read. */
export interface ObserverOptions {
  consentRegistry: string;
  claimsManager: string;
  trialRegistry: string;
  /** First block to read (the deployment's). */
  fromBlock: number;
  /** Last block to read (default: the head). */
  toBlock?: number;
  /** Funders and senders shared by more accounts than this are ignored (default 6). */
  anonymitySet?: number;
  /** Research purposes are brute-forced over versions 1..maxVersion (default 5). */
  maxVersion?: number;
  /** Salts an unsalted or carelessly salted design would use (default: 0 to 255). */
  guessedSalts?: readonly string[];
}

/** What the observer saw of one account that appears as a patient, a member, a participant or a card. */
export interface AccountView {
  address: string;
  /** `consent:<grantee>`, `policy:<id>`, `trial:<id>`, `emergency:<provider>` — its relationships as seen. */
  seenIn: Set<string>;
  /** The account that first sent it ETH, if any. */
  funder?: string;
  /** Transactions it sent itself. */
  sent: number;
}

/** A claim line as the observer reads it: the code on chain, taken for a plain code. */
export interface ServiceReading {
  claimId: string;
  policyId: bigint;
  member: string;
  /** The code on chain. */
  code: number;
}

/** A research consent whose trial the observer worked out. */
export interface BruteForcedPurpose {
  account: string;
  trialId: bigint;
  version: number;
}

/** Everything the observer concludes. */
export interface Observation {
  accounts: Map<string, AccountView>;
  /** Accounts the heuristics put together, each cluster sorted; singletons included. */
  clusters: string[][];
  /** Which heuristic joined which accounts (for reports). */
  joins: { heuristic: "shared funder" | "shared sender"; via: string; accounts: string[] }[];
  bruteForced: BruteForcedPurpose[];
  serviceReadings: ServiceReading[];
  blocksRead: number;
  transactionsRead: number;
  logsRead: number;
}

const SMALL_SALTS = [ZeroHash, ...Array.from({ length: 255 }, (_, i) => toBeHex(i + 1, 32))];

/** Reads the chain and clusters the accounts it finds. */
export async function observe(provider: Provider, options: ObserverOptions): Promise<Observation> {
  const anonymitySet = options.anonymitySet ?? 6;
  const toBlock = options.toBlock ?? (await provider.getBlockNumber());
  const consent = ConsentRegistry__factory.createInterface();
  const claims = ClaimsManager__factory.createInterface();
  const trials = TrialRegistry__factory.createInterface();
  const accounts = new Map<string, AccountView>();
  const view = (address: string): AccountView => {
    let v = accounts.get(address);
    if (!v) accounts.set(address, (v = { address, seenIn: new Set(), sent: 0 }));
    return v;
  };

  // 1. Every transaction: who funded whom, who sent what.
  const firstFunder = new Map<string, string>();
  const senderOf = new Map<string, string>();
  const sentBy = new Map<string, number>();
  let transactionsRead = 0;
  for (let n = options.fromBlock; n <= toBlock; n++) {
    const block = await provider.getBlock(n, true);
    for (const tx of block?.prefetchedTransactions ?? []) {
      transactionsRead++;
      senderOf.set(tx.hash, tx.from);
      sentBy.set(tx.from, (sentBy.get(tx.from) ?? 0) + 1);
      if (tx.value > 0n && tx.to && !firstFunder.has(tx.to)) firstFunder.set(tx.to, tx.from);
    }
  }

  // 2. Every log of the three domain contracts that names a patient's account.
  const logs = await provider.getLogs({
    address: [options.consentRegistry, options.claimsManager, options.trialRegistry],
    fromBlock: options.fromBlock,
    toBlock,
  });
  const memberOf = new Map<bigint, string>();
  const mentions: { account: string; tx: string }[] = [];
  const researchConsents: { account: string; purpose: string }[] = [];
  const serviceReadings: ServiceReading[] = [];
  const trialCount = { max: 0n };
  const mention = (account: string, seenIn: string, log: Log) => {
    view(account).seenIn.add(seenIn);
    mentions.push({ account, tx: log.transactionHash });
  };
  for (const log of logs) {
    const address = log.address.toLowerCase();
    if (address === options.consentRegistry.toLowerCase()) {
      const parsed = consent.parseLog(log);
      if (parsed?.name === "ConsentGranted") {
        mention(parsed.args.patient, `consent:${parsed.args.grantee}`, log);
        if (parsed.args.grantee.toLowerCase() === options.trialRegistry.toLowerCase()) {
          researchConsents.push({ account: parsed.args.patient, purpose: parsed.args.purpose });
        }
      } else if (parsed?.name === "EmergencyAccessRecorded") {
        mention(parsed.args.patient, `emergency:${parsed.args.provider}`, log);
      }
    } else if (address === options.claimsManager.toLowerCase()) {
      const parsed = claims.parseLog(log);
      if (parsed?.name === "PolicyCreated") {
        memberOf.set(parsed.args.policyId, parsed.args.member);
        mention(parsed.args.member, `policy:${parsed.args.policyId}`, log);
      } else if (parsed?.name === "ClaimSubmitted") {
        const member = memberOf.get(parsed.args.policyId);
        if (member) {
          mention(member, `policy:${parsed.args.policyId}`, log);
          for (const line of parsed.args.lines) {
            serviceReadings.push({
              claimId: parsed.args.claimId,
              policyId: parsed.args.policyId,
              member,
              code: Number(line.category),
            });
          }
        }
      }
    } else {
      const parsed = trials.parseLog(log);
      if (parsed?.name === "TrialRegistered" && parsed.args.trialId > trialCount.max)
        trialCount.max = parsed.args.trialId;
      if (parsed?.name === "ParticipantEnrolled") {
        mention(parsed.args.participant, `trial:${parsed.args.trialId}`, log);
      }
    }
  }
  for (const v of accounts.values()) {
    v.funder = firstFunder.get(v.address);
    v.sent = sentBy.get(v.address) ?? 0;
  }

  // 3. Cluster: shared funder, shared sender (only when narrow enough to mean something).
  const parent = new Map<string, string>([...accounts.keys()].map((a) => [a, a]));
  const find = (a: string): string => {
    let root = a;
    while (parent.get(root) !== root) root = parent.get(root)!;
    parent.set(a, root);
    return root;
  };
  const union = (a: string, b: string) => parent.set(find(a), find(b));
  const joins: Observation["joins"] = [];
  const joinGroups = (heuristic: "shared funder" | "shared sender", groups: Map<string, Set<string>>) => {
    for (const [via, members] of groups) {
      const list = [...members];
      if (list.length < 2 || list.length > anonymitySet) continue;
      list.slice(1).forEach((a) => union(list[0], a));
      joins.push({ heuristic, via, accounts: list.sort() });
    }
  };
  const byFunder = new Map<string, Set<string>>();
  for (const v of accounts.values()) {
    if (!v.funder) continue;
    if (accounts.has(v.funder)) union(v.address, v.funder);
    byFunder.set(v.funder, (byFunder.get(v.funder) ?? new Set()).add(v.address));
  }
  joinGroups("shared funder", byFunder);
  const bySender = new Map<string, Set<string>>();
  for (const { account, tx } of mentions) {
    const sender = senderOf.get(tx);
    if (!sender || sender === account) continue;
    // An account of a patient sending for another is a link whatever the numbers.
    if (accounts.has(sender)) union(sender, account);
    bySender.set(sender, (bySender.get(sender) ?? new Set()).add(account));
  }
  joinGroups("shared sender", bySender);
  const clusterMap = new Map<string, string[]>();
  for (const a of accounts.keys()) clusterMap.set(find(a), [...(clusterMap.get(find(a)) ?? []), a]);
  const clusters = [...clusterMap.values()].map((c) => c.sort());

  // 4. Brute-force research purposes over every registered trial, small versions and guessable salts.
  const coder = AbiCoder.defaultAbiCoder();
  const guesses = new Map<string, { trialId: bigint; version: number }>();
  for (let trialId = 1n; trialId <= trialCount.max; trialId++) {
    for (let version = 1; version <= (options.maxVersion ?? 5); version++) {
      for (const salt of options.guessedSalts ?? SMALL_SALTS) {
        const purpose = keccak256(
          coder.encode(["bytes32", "uint256", "uint32", "bytes32"], [PURPOSES.RESEARCH, trialId, version, salt]),
        );
        guesses.set(purpose, { trialId, version });
      }
    }
  }
  const bruteForced = researchConsents.flatMap(({ account, purpose }) => {
    const hit = guesses.get(purpose);
    return hit ? [{ account, ...hit }] : [];
  });

  return {
    accounts,
    clusters,
    joins,
    bruteForced,
    serviceReadings,
    blocksRead: toBlock - options.fromBlock + 1,
    transactionsRead,
    logsRead: logs.length,
  };
}

/** The ground truth a test or the demo holds: whose each account is, and for which relationship. */
export type GroundTruth = Map<string, { person: string; relationships: readonly string[] }>;

/** A link the observer found: two relationships of one person in one cluster. */
export interface Link {
  person: string;
  relationships: [string, string];
}

/**
 * Scores an observation against the truth: every pair of one person's relationships that the observer put in one
 * cluster (through one shared account or through its heuristics) is a link she did not choose to reveal.
 */
export function linksFound(observation: Observation, truth: GroundTruth): Link[] {
  const links: Link[] = [];
  for (const cluster of observation.clusters) {
    const byPerson = new Map<string, Set<string>>();
    for (const account of cluster) {
      const t = truth.get(account);
      if (!t) continue;
      const set = byPerson.get(t.person) ?? new Set<string>();
      t.relationships.forEach((r) => set.add(r));
      byPerson.set(t.person, set);
    }
    for (const [person, relationships] of byPerson) {
      const list = [...relationships].sort();
      for (let i = 0; i < list.length; i++) {
        for (let j = i + 1; j < list.length; j++) links.push({ person, relationships: [list[i], list[j]] });
      }
    }
  }
  return links;
}
