/**
 * The auditor's checks over a rebuilt state: the contracts' views at the indexed block must equal the state rebuilt
 * from events; batches must conserve their units; every commitment is looked up in a record store; every break-glass
 * access and every admin operation is listed with who could have cancelled it. Each result is a {@link Finding}.
 */
import type { Interface } from "ethers";
import { BatchFlags } from "../constants";
import { withRetries } from "../chain/logs";
import type { Rpc } from "../chain/rpc";
import { RpcError, toQuantity } from "../chain/rpc";
import { RecordErasedError, RecordNotFoundError, RecordTamperedError, type RecordStore } from "../records";
import { INTERFACES, compileView, type AuditAddresses } from "./abi";
import { ViewReader, type ViewTransport } from "./views";
import type { AuditState, Evidence, Finding } from "./state";

/** A commitment found on chain and what the record store says of it. */
export interface CommitmentCheck {
  commitment: string;
  /** What it commits to (`consent document`, `batch metadata`, …). */
  kind: string;
  status: "verified" | "missing" | "tampered" | "erased";
  evidence: Evidence;
}

/** How many entities of a kind were compared with the contract's view, and how many differed. */
export interface ViewStats {
  compared: number;
  mismatched: number;
  /** Entities not compared because of `viewLimit`. */
  skipped: number;
}

/** Options of {@link runChecks}. */
export interface CheckOptions {
  rpc: Rpc;
  addresses: AuditAddresses;
  /** The block the views are read at: the index's checkpoint, so views and events describe the same state. */
  block: number;
  /** The record store to check commitments against; none: commitments are listed but not checked. */
  records?: RecordStore;
  /** Compare at most this many entities of each kind with the views (default: all). */
  viewLimit?: number;
  /** Concurrent reads of blocks and record-store lookups; view requests go two at a time. Default 16. */
  concurrency?: number;
  /** Views per request (one `eth_call` of the view batch, or one JSON-RPC batch): see {@link ViewReader}. Default 250. */
  batchSize?: number;
  /** Views already read (at `block`) while the index was built; only the others are asked for. */
  prefetched?: ViewPrefetch;
}

/** What the checks found. */
export interface CheckResult {
  findings: Finding[];
  views: Record<string, ViewStats>;
  commitments: CommitmentCheck[];
  /** How the views were read (`undefined`: none was). */
  viewTransport: ViewTransport | undefined;
}

const ZERO = /^0x0{64}$/;

/** Runs `work` over `items`, at most `limit` at a time. */
async function pool<T>(items: Iterable<T>, limit: number, work: (item: T) => Promise<void>): Promise<void> {
  const iterator = items[Symbol.iterator]();
  const runners = Array.from({ length: limit }, async () => {
    for (let next = iterator.next(); !next.done; next = iterator.next()) await work(next.value);
  });
  await Promise.all(runners);
}

/** Compares one kind of entity with one view function (or, for {@link ViewPrefetch}, only reads the views). */
type CompareViews = <T>(
  kind: string,
  entities: Iterable<T>,
  iface: Interface,
  to: string,
  fn: string,
  args: (e: T) => unknown[],
  expect: (e: T) => Record<string, string | number | boolean>,
  describe: (e: T) => { subject: string; evidence: Evidence },
) => Promise<void>;

/** An entity's view, without ABI-encoding it (encoding every entity after every page cost seconds). */
const viewKey = (to: string, fn: string, args: readonly unknown[]) => `${to.toLowerCase()}|${fn}|${args.join(",")}`;

/**
 * Reads the contracts' views while the index is still being built: the views are read at the scan's last block,
 * which is known before the scan starts, so each entity's view can be asked for as soon as its first event is
 * folded. The node answers them between the log pages, while the auditor decodes and stores; the checks then ask only
 * for what was not read yet. Holds one answer per entity (as the state does).
 */
export class ViewPrefetch {
  /** Raw `eth_call` answers by target and calldata. */
  readonly results = new Map<string, string>();
  /** The reader the checks go on with (its transport is known by then). */
  readonly reader: ViewReader;
  private readonly asked = new Set<string>();
  private queue: { key: string; to: string; data: string }[] = [];
  private inFlight: Promise<void> = Promise.resolve();
  private busy = false;
  private draining = false;

  constructor(
    rpc: Rpc,
    private readonly addresses: AuditAddresses,
    readonly block: number,
    private readonly batchSize = 250,
  ) {
    this.reader = new ViewReader(rpc, block, batchSize);
  }

  /** Queues the views of every entity of `state` not asked for yet; sends a batch when enough are queued. */
  async update(state: AuditState): Promise<void> {
    await eachView(state, this.addresses, async (_kind, entities, iface, to, fn, args) => {
      const view = compileView(iface, fn);
      for (const entity of entities) {
        const values = args(entity);
        const key = viewKey(to, fn, values);
        if (this.asked.has(key)) continue;
        this.asked.add(key);
        this.queue.push({ key, to, data: view.encode(values) });
      }
    });
    // One batch at a time, beside the log fetch: the node is single-threaded.
    if (!this.busy && this.queue.length >= this.batchSize) this.flush();
  }

  /**
   * Sends a batch, and the next one as soon as it is answered while a full batch is queued: the node reads views
   * while the auditor decodes and stores, rather than waiting for the next page (one batch per page left most views
   * to the checks phase, with the auditor idle).
   */
  private flush() {
    if (this.draining) return;
    const chunk = this.queue.splice(0, this.batchSize);
    if (chunk.length === 0) return;
    this.busy = true;
    this.inFlight = this.reader
      .read(chunk)
      .then((answers) => {
        chunk.forEach(({ key }, i) => {
          if (typeof answers[i] === "string") this.results.set(key, answers[i]);
        });
      })
      // A failed batch is only a cache miss: the checks ask again, with retries.
      .catch(() => undefined)
      .finally(() => {
        this.busy = false;
        if (this.queue.length >= this.batchSize) this.flush();
      });
  }

  /** Waits for the batch in flight and sends no more; what is still queued is left to the checks. */
  async drain(): Promise<void> {
    this.draining = true;
    await this.inFlight;
  }
}

/** Every view comparison, in one place: the checks compare with it, the prefetch only reads. */
async function eachView(
  state: AuditState,
  addresses: AuditAddresses,
  compare: CompareViews,
  /** Each finished trial's finishing time (block reads the checks make; the prefetch, which only reads, has none). */
  finishedAt: ReadonlyMap<string, number> = new Map(),
): Promise<void> {
  const consent = INTERFACES.consent;
  await compare(
    "consents",
    state.consents.values(),
    consent,
    addresses.consentRegistry,
    "consent",
    (c) => [c.patient, c.grantee, c.purpose],
    (c) => ({
      categories: c.categories,
      startsAt: c.startsAt,
      expiresAt: c.expiresAt,
      version: c.version,
      revoked: c.revoked,
    }),
    (c) => ({ subject: `consent ${c.patient} → ${c.grantee}`, evidence: c.at }),
  );
  await compare(
    "delegations",
    [...state.delegations.values()].filter((d) => !d.removed),
    consent,
    addresses.consentRegistry,
    "delegation",
    (d) => [d.patient, d.delegate],
    (d) => ({ kind: d.kind, expiresAt: d.expiresAt, epoch: d.epoch }),
    (d) => ({ subject: `delegation ${d.patient} → ${d.delegate}`, evidence: d.at }),
  );
  await compare(
    "emergencyCounts",
    [
      ...state.breakGlass
        .reduce((m, g) => m.set(g.patient, g), new Map<string, (typeof state.breakGlass)[number]>())
        .values(),
    ],
    consent,
    addresses.consentRegistry,
    "emergencyAccessCount",
    (g) => [g.patient],
    (g) => ({ 0: state.emergencyCounts.get(g.patient) ?? 0 }),
    (g) => ({ subject: `patient ${g.patient}`, evidence: g.at }),
  );

  const provenance = INTERFACES.provenance;
  await compare(
    "batches",
    state.batches.values(),
    provenance,
    addresses.drugProvenance,
    "batch",
    (b) => [b.batchId],
    (b) => ({
      manufacturer: b.manufacturer,
      unitCount: b.unitCount,
      flags:
        (b.recalled ? BatchFlags.RECALLED : 0) |
        (b.quarantined ? BatchFlags.QUARANTINED : 0) |
        (b.illegitimate ? BatchFlags.ILLEGITIMATE : 0) |
        (b.cleared ? BatchFlags.CLEARED : 0),
    }),
    (b) => ({ subject: `batch ${b.batchId}`, evidence: b.at }),
  );
  await compare(
    "holdings",
    [...state.batches.values()].flatMap((b) => [...b.holdings.values()].map((h) => ({ h, at: b.at }))),
    provenance,
    addresses.drugProvenance,
    "holding",
    ({ h }) => [h.batchId, h.holder],
    ({ h }) => ({ quantity: h.quantity, dispensed: h.dispensed, destroyed: h.destroyed }),
    ({ h, at }) => ({ subject: `holding of ${h.holder} in batch ${h.batchId}`, evidence: at }),
  );
  await compare(
    "shipments",
    state.shipments.values(),
    provenance,
    addresses.drugProvenance,
    "shipmentStatus",
    (s) => [s.shipmentId],
    (s) => ({ 0: s.status }),
    (s) => ({ subject: `shipment ${s.shipmentId}`, evidence: s.at }),
  );

  const claims = INTERFACES.claims;
  await compare(
    "claims",
    state.claims.values(),
    claims,
    addresses.claimsManager,
    "claim",
    (c) => [c.claimId],
    (c) => ({ status: c.status, amount: c.amount, provider: c.provider }),
    (c) => ({ subject: `claim ${c.claimId}`, evidence: c.at }),
  );
  await compare(
    "escrows",
    state.escrows.values(),
    claims,
    addresses.claimsManager,
    "escrow",
    (e) => [e.insurer],
    (e) => ({ balance: e.balance.toString(), owed: e.owed.toString() }),
    (e) => ({ subject: `escrow of ${e.insurer}`, evidence: e.at }),
  );

  const trials = INTERFACES.trials;
  await compare(
    "trials",
    state.trials.values(),
    trials,
    addresses.trialRegistry,
    "trial",
    (t) => [t.trialId],
    (t) => ({
      status: t.status,
      sponsor: t.sponsor,
      enrolled: t.enrolled,
      withdrawn: t.withdrawn,
      protocolVersion: t.protocolVersion,
      outcomeChangesAfterEnrolment: t.outcomeChangesAfterEnrolment,
      unallocated: t.unallocated.toString(),
      outstanding: t.outstanding.toString(),
      outcomeSetHash: t.outcomeVersions.at(-1)?.hash ?? "",
      ethicsApproved: t.ethicsApproved,
      finishedAt: finishedAt.get(t.trialId) ?? 0,
    }),
    (t) => ({ subject: `trial ${t.trialId}`, evidence: t.at }),
  );
  await compare(
    "participants",
    state.participants.values(),
    trials,
    addresses.trialRegistry,
    "participant",
    (p) => [p.trialId, p.participant],
    (p) => ({ status: p.status, visits: p.visits, accrued: p.accrued.toString() }),
    (p) => ({ subject: `participant ${p.participant} of trial ${p.trialId}`, evidence: p.at }),
  );

  const authority = INTERFACES.authority;
  await compare(
    "roleMembers",
    [...state.roles].flatMap(([roleId, members]) => [...members].map(([account, at]) => ({ roleId, account, at }))),
    authority,
    addresses.authority,
    "hasRole",
    (m) => [m.roleId, m.account],
    () => ({ isMember: true }),
    (m) => ({ subject: `role ${m.roleId} member ${m.account}`, evidence: m.at }),
  );
  await compare(
    "pendingOperations",
    [...state.operations.values()].filter((o) => o.status === "scheduled"),
    authority,
    addresses.authority,
    "getSchedule",
    (o) => [o.operationId],
    (o) => ({ 0: o.schedule }),
    (o) => ({ subject: `operation ${o.operationId}`, evidence: o.at }),
  );
}

/** Runs every check (see the module comment). */
export async function runChecks(state: AuditState, options: CheckOptions): Promise<CheckResult> {
  const findings: Finding[] = [...state.findings];
  const views: Record<string, ViewStats> = {};
  const { rpc, addresses } = options;
  const tag = toQuantity(options.block);
  // Reads are idempotent: a kept-alive connection the node closed meanwhile is simply asked again.
  const retrying = <R>(work: () => Promise<R>) => withRetries(work, { retries: 4, backoffMs: 100 });
  const limit = options.viewLimit ?? Number.POSITIVE_INFINITY;
  const reader = options.prefetched?.reader ?? new ViewReader(rpc, options.block, options.batchSize ?? 250);

  /** One kind of entity compared with one view function. */
  const compare: CompareViews = async (kind, entities, iface, to, fn, args, expect, describe) => {
    type T = Parameters<typeof args>[0];
    const stats: ViewStats = { compared: 0, mismatched: 0, skipped: 0 };
    views[kind] = stats;
    const chosen: T[] = [];
    for (const e of entities) {
      if (chosen.length < limit) chosen.push(e);
      else stats.skipped++;
    }
    const view = compileView(iface, fn);
    const check = (entity: T, raw: string) => {
      const value = view.decode(raw);
      stats.compared++;
      const differences: string[] = [];
      for (const [field, expected] of Object.entries(expect(entity))) {
        const actual = value[field];
        const same =
          typeof expected === "boolean"
            ? actual === expected
            : String(actual).toLowerCase() === String(expected).toLowerCase();
        if (!same) differences.push(`${field}: events say ${String(expected)}, contract says ${String(actual)}`);
      }
      if (differences.length > 0) {
        stats.mismatched++;
        const { subject, evidence } = describe(entity);
        findings.push({
          check: `state-matches-views.${kind}`,
          severity: "error",
          subject,
          message: `${fn}(${args(entity).map(String).join(", ")}) differs from the events: ${differences.join("; ")}`,
          evidence,
        });
      }
    };
    const request = (entity: T) => ({ to, data: view.encode(args(entity)) });
    if (options.prefetched !== undefined) {
      await options.prefetched.drain();
      const cache = options.prefetched.results;
      const missing: T[] = [];
      for (const entity of chosen) {
        const raw = cache.get(viewKey(to, fn, args(entity)));
        if (raw === undefined) missing.push(entity);
        else check(entity, raw);
      }
      chosen.length = 0;
      chosen.push(...missing);
    }
    // A few hundred views per request (one eth_call through the view batch, or a JSON-RPC batch), two in flight.
    const chunks = Array.from({ length: Math.ceil(chosen.length / reader.size) }, (_, i) =>
      chosen.slice(i * reader.size, (i + 1) * reader.size),
    );
    await pool(chunks, Math.min(2, options.concurrency ?? 16), async (chunk) => {
      const answers = await reader.read(chunk.map(request));
      chunk.forEach((entity, i) => {
        const answer = answers[i];
        if (answer instanceof RpcError) throw answer;
        check(entity, answer);
      });
    });
  };

  // `finishedAt` is the time of the finishing block, which events do not carry: one block read per finished trial.
  const finishedAt = new Map<string, number>();
  await pool(state.trials.values(), options.concurrency ?? 16, async (t) => {
    if (t.finishedBlock === null) return;
    const finished = toQuantity(t.finishedBlock);
    const block = (await retrying(() => rpc.send("eth_getBlockByNumber", [finished, false]))) as {
      timestamp: string;
    } | null;
    if (block !== null) finishedAt.set(t.trialId, Number(block.timestamp));
  });
  await eachView(state, addresses, compare, finishedAt);
  // Results due 12 months after finishing (WHO TRDS item 23): lateness is flagged, as the registry reports it.
  await pool(
    [...state.trials.values()].filter((t) => t.finishedBlock !== null && t.resultsCommitment === null),
    options.concurrency ?? 16,
    async (t) => {
      const call = async (fn: "resultsOverdue" | "resultsDueAt") =>
        INTERFACES.trials.decodeFunctionResult(
          fn,
          (await retrying(() =>
            rpc.send("eth_call", [
              { to: addresses.trialRegistry, data: INTERFACES.trials.encodeFunctionData(fn, [t.trialId]) },
              tag,
            ]),
          )) as string,
        )[0] as boolean | bigint;
      if ((await call("resultsOverdue")) !== true) return;
      const due = new Date(Number(await call("resultsDueAt")) * 1000).toISOString().slice(0, 10);
      findings.push({
        check: "results-deadline",
        severity: "warning",
        subject: `trial ${t.trialId}`,
        message: `results overdue: due ${due}, 12 months after the trial finished, and not posted`,
        evidence: t.at,
      });
    },
  );

  // Units conserved per batch: held + in transit + dispensed + destroyed = commissioned.
  for (const b of state.batches.values()) {
    let held = 0;
    for (const h of b.holdings.values()) held += h.quantity;
    const total = held + b.inTransit + b.dispensed + b.destroyed;
    if (total !== b.unitCount) {
      findings.push({
        check: "units-conserved",
        severity: "error",
        subject: `batch ${b.batchId}`,
        message: `${held} held + ${b.inTransit} in transit + ${b.dispensed} dispensed + ${b.destroyed} destroyed = ${total}, not the ${b.unitCount} commissioned`,
        evidence: b.at,
      });
    }
  }

  // Every break-glass access, listed for review.
  for (const g of state.breakGlass) {
    findings.push({
      check: "break-glass",
      severity: "info",
      subject: `patient ${g.patient}`,
      message: `provider ${g.provider} recorded emergency access #${g.count} without consent (reason ${g.reasonCommitment})`,
      evidence: g.at,
    });
  }

  // Every admin operation, and who could cancel it: its caller, ADMIN members, and the guardians of the target's role.
  for (const op of state.operations.values()) {
    const selector = op.data.slice(0, 10);
    const role = state.targetRoles.get(`${op.target}|${selector}`) ?? "0";
    const guardian = state.roleGuardians.get(role) ?? "0";
    const cancellers = new Set<string>([op.caller]);
    for (const r of new Set(["0", guardian]))
      for (const account of state.roles.get(r)?.keys() ?? []) cancellers.add(account);
    findings.push({
      check: "admin-operation",
      severity: op.status === "scheduled" ? "warning" : "info",
      subject: `operation ${op.operationId}`,
      message:
        `${op.caller} scheduled ${selector} on ${op.target} for ${new Date(op.schedule * 1000).toISOString()}: ${op.status}; ` +
        `could cancel: ${[...cancellers].join(", ")} (caller, ADMIN role 0, guardian role ${guardian} of role ${role})`,
      evidence: op.scheduledAt,
    });
  }

  const commitments = await checkCommitments(state, options.records, options.concurrency ?? 16);
  for (const c of commitments) {
    if (c.status === "verified") continue;
    findings.push({
      check: "commitments",
      severity: c.status === "tampered" ? "error" : c.status === "erased" ? "info" : "warning",
      subject: `${c.kind} ${c.commitment}`,
      message: `the record store ${c.status === "missing" ? "does not hold" : c.status === "erased" ? "erased" : "holds a tampered copy of"} this ${c.kind}`,
      evidence: c.evidence,
    });
  }
  return { findings, views, commitments, viewTransport: reader.using };
}

/** Every off-chain document the chain commits to, with where it appears. */
export function* commitmentsOf(state: AuditState): Generator<{ commitment: string; kind: string; evidence: Evidence }> {
  for (const c of state.consents.values())
    yield { commitment: c.documentCommitment, kind: "consent document", evidence: c.at };
  for (const g of state.breakGlass)
    yield { commitment: g.reasonCommitment, kind: "break-glass reason", evidence: g.at };
  for (const b of state.batches.values())
    yield { commitment: b.metadataCommitment, kind: "batch metadata", evidence: b.at };
  for (const s of state.shipments.values())
    yield { commitment: s.documentsCommitment, kind: "shipment documents", evidence: s.at };
  for (const p of state.policies.values())
    yield { commitment: p.termsCommitment, kind: "policy terms", evidence: p.at };
  for (const c of state.claims.values()) yield { commitment: c.claimId, kind: "claim", evidence: c.at };
  for (const t of state.trials.values()) {
    yield { commitment: t.protocolCommitment, kind: "trial protocol", evidence: t.at };
    yield { commitment: t.researchStudyCommitment, kind: "research study", evidence: t.at };
    if (t.resultsCommitment !== null) yield { commitment: t.resultsCommitment, kind: "trial results", evidence: t.at };
    for (const c of t.ethicsApprovalCommitments) yield { commitment: c, kind: "ethics approval", evidence: t.at };
  }
}

async function checkCommitments(
  state: AuditState,
  records: RecordStore | undefined,
  concurrency: number,
): Promise<CommitmentCheck[]> {
  if (records === undefined) return [];
  const out: CommitmentCheck[] = [];
  const items = [...commitmentsOf(state)].filter((c) => !ZERO.test(c.commitment));
  await pool(items, concurrency, async (item) => {
    let status: CommitmentCheck["status"];
    try {
      await records.get(item.commitment);
      status = "verified";
    } catch (error) {
      if (error instanceof RecordNotFoundError) status = "missing";
      else if (error instanceof RecordErasedError) status = "erased";
      else if (error instanceof RecordTamperedError) status = "tampered";
      else throw error;
    }
    out.push({ ...item, status });
  });
  return out.sort((a, b) => a.evidence.block - b.evidence.block || a.commitment.localeCompare(b.commitment));
}
