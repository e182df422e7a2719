import type { Hex32 } from "../records";
import type { TrialRegistry } from "../../typechain-types";
import { TrialStatus } from "../constants";
import { RESULTS_DEADLINE_SECONDS } from "./ethics";
import { outcomeSetHash, type Outcome } from "./outcomes";

/** The registry events an outcome-switching report is built from, normalised (block time in seconds). */
export type TrialEvent =
  | { kind: "registered"; timestamp: number }
  | { kind: "outcomeSet"; protocolVersion: number; hash: Hex32; outcomes: Outcome[]; timestamp: number }
  | { kind: "amended"; protocolVersion: number; reasonCommitment: Hex32; timestamp: number }
  | { kind: "enrolled"; timestamp: number }
  | { kind: "switchedAfterEnrolment"; protocolVersion: number; enrolledSoFar: number; changeCount: number }
  | { kind: "finished"; status: "completed" | "terminated"; timestamp: number }
  | { kind: "results"; resultsCommitment: Hex32; reported: Hex32[]; timestamp: number }
  | { kind: "notReported"; outcome: Hex32; primary: boolean }
  | { kind: "unregistered"; outcome: Hex32 };

/** One replacement of the outcome set by an amendment. */
export interface OutcomeChange {
  protocolVersion: number;
  timestamp: number;
  /** Commitment of the amendment's stated reason. */
  reasonCommitment: Hex32 | null;
  /** True when participants were already enrolled (the registry flagged it). */
  afterEnrolment: boolean;
  enrolledSoFar: number;
  added: Outcome[];
  removed: Outcome[];
  promotedToPrimary: Hex32[];
  demotedToSecondary: Hex32[];
}

/** The results as posted, compared with the current and with the originally registered outcome set. */
export interface ResultsComparison {
  resultsCommitment: Hex32;
  timestamp: number;
  reported: Hex32[];
  /** Outcomes of the current set not reported (as the registry emitted them). */
  notReported: Outcome[];
  /** Reported outcomes not in the current set (as the registry emitted them). */
  unregistered: Hex32[];
  /** Outcomes registered at version 1 that the results do not report. */
  originalNotReported: Outcome[];
  /** Reported outcomes that were not in the version-1 set. */
  notOriginallyPrespecified: Hex32[];
}

/** What was pre-specified, what changed when, and what was reported. */
export interface OutcomeSwitchingReport {
  trialId: bigint;
  registeredAt: number | null;
  firstEnrolmentAt: number | null;
  /** The set registered with protocol version 1. */
  prespecified: Outcome[];
  /** The set in force now. */
  current: Outcome[];
  changes: OutcomeChange[];
  changesAfterEnrolment: number;
  results: ResultsComparison | null;
  /** Block time the trial completed or was terminated (`Trial.finishedAt`), or null while unfinished. */
  finishedAt: number | null;
  /** When results are due: `finishedAt + RESULTS_DEADLINE` (`resultsDueAt`), or null while unfinished. */
  resultsDueAt: number | null;
  /**
   * Whole days the results are overdue at the report's `now` (unfinished: null; posted, or not yet due: 0), or the
   * days they were posted after the deadline when they were posted late.
   */
  resultsDaysLate: number | null;
  /** Plain-language findings, one a line; empty when nothing switched and no results are late. */
  findings: string[];
}

const DAY = 86_400;

const short = (h: string) => `${h.slice(0, 10)}…`;

/**
 * Builds the report from normalised events (in chain order). Pure: no network access.
 * @param now Block time the report is as of (the latest block's), for the results deadline; without it, unposted
 *        results of a finished trial are not judged (`resultsDaysLate` 0).
 */
export function buildOutcomeSwitchingReport(
  trialId: bigint,
  events: readonly TrialEvent[],
  now?: number,
): OutcomeSwitchingReport {
  const sets = events.filter((e) => e.kind === "outcomeSet");
  if (sets.length === 0) throw new Error(`Trial ${trialId} has no OutcomeSetDeclared event: is it registered?`);
  for (const s of sets) {
    if (outcomeSetHash(s.outcomes) !== s.hash) {
      throw new Error(`The outcome set of protocol version ${s.protocolVersion} does not match its hash`);
    }
  }
  const registered = events.find((e) => e.kind === "registered");
  const firstEnrolment = events.find((e) => e.kind === "enrolled");
  const amendments = new Map(
    events.flatMap((e) => (e.kind === "amended" ? [[e.protocolVersion, e.reasonCommitment] as const] : [])),
  );
  const flagged = new Map(
    events.flatMap((e) => (e.kind === "switchedAfterEnrolment" ? [[e.protocolVersion, e] as const] : [])),
  );

  const changes: OutcomeChange[] = [];
  for (let i = 1; i < sets.length; i++) {
    const before = sets[i - 1].outcomes;
    const after = sets[i].outcomes;
    const has = (list: Outcome[], c: string) => list.find((o) => o.commitment === c);
    const flag = flagged.get(sets[i].protocolVersion);
    changes.push({
      protocolVersion: sets[i].protocolVersion,
      timestamp: sets[i].timestamp,
      reasonCommitment: amendments.get(sets[i].protocolVersion) ?? null,
      afterEnrolment: flag !== undefined,
      enrolledSoFar: flag?.enrolledSoFar ?? 0,
      added: after.filter((o) => !has(before, o.commitment)),
      removed: before.filter((o) => !has(after, o.commitment)),
      promotedToPrimary: after
        .filter((o) => o.primary && has(before, o.commitment)?.primary === false)
        .map((o) => o.commitment),
      demotedToSecondary: after
        .filter((o) => !o.primary && has(before, o.commitment)?.primary === true)
        .map((o) => o.commitment),
    });
  }

  const prespecified = sets[0].outcomes;
  const current = sets[sets.length - 1].outcomes;
  const posted = events.find((e) => e.kind === "results");
  let results: ResultsComparison | null = null;
  if (posted !== undefined) {
    results = {
      resultsCommitment: posted.resultsCommitment,
      timestamp: posted.timestamp,
      reported: posted.reported,
      notReported: events.flatMap((e) =>
        e.kind === "notReported" ? [{ commitment: e.outcome, primary: e.primary }] : [],
      ),
      unregistered: events.flatMap((e) => (e.kind === "unregistered" ? [e.outcome] : [])),
      originalNotReported: prespecified.filter((o) => !posted.reported.includes(o.commitment)),
      notOriginallyPrespecified: posted.reported.filter((c) => !prespecified.some((o) => o.commitment === c)),
    };
  }

  // The results deadline (TRDS item 23), as `resultsDueAt` / `resultsOverdue` compute it: overdue strictly after.
  const finished = events.find((e) => e.kind === "finished");
  const finishedAt = finished?.timestamp ?? null;
  const resultsDueAt = finishedAt === null ? null : finishedAt + RESULTS_DEADLINE_SECONDS;
  let resultsDaysLate: number | null = null;
  if (resultsDueAt !== null) {
    const at = posted?.timestamp ?? now ?? resultsDueAt;
    resultsDaysLate = at > resultsDueAt ? Math.ceil((at - resultsDueAt) / DAY) : 0;
  }

  const report: OutcomeSwitchingReport = {
    trialId,
    registeredAt: registered?.timestamp ?? null,
    firstEnrolmentAt: firstEnrolment?.timestamp ?? null,
    prespecified,
    current,
    changes,
    changesAfterEnrolment: changes.filter((c) => c.afterEnrolment).length,
    results,
    finishedAt,
    resultsDueAt,
    resultsDaysLate,
    findings: [],
  };
  report.findings = describeFindings(report);
  return report;
}

/**
 * Plain-language findings of a report, one a line: each outcome-set change (when, what), then each registered
 * outcome the results leave out and each reported outcome that was never registered.
 * @param names Optional display names of outcome commitments (e.g. the titles the sponsor published); the
 *        commitment's first bytes otherwise.
 */
export function describeFindings(
  report: Omit<OutcomeSwitchingReport, "findings">,
  names: Readonly<Record<string, string>> = {},
): string[] {
  const name = (c: string) => names[c] ?? names[c.toLowerCase()] ?? short(c);
  const outcome = (o: Outcome) => `${name(o.commitment)}${o.primary ? " (primary)" : ""}`;
  const findings: string[] = [];
  for (const c of report.changes) {
    const what = [
      c.added.length ? `added ${c.added.map(outcome).join(", ")}` : "",
      c.removed.length ? `removed ${c.removed.map(outcome).join(", ")}` : "",
      c.promotedToPrimary.length ? `promoted ${c.promotedToPrimary.map(name).join(", ")} to primary` : "",
      c.demotedToSecondary.length ? `demoted ${c.demotedToSecondary.map(name).join(", ")} to secondary` : "",
    ].filter((s) => s !== "");
    const when = c.afterEnrolment ? `AFTER ${c.enrolledSoFar} participant(s) were enrolled` : "before enrolment";
    findings.push(`Protocol version ${c.protocolVersion} changed the outcome set ${when}: ${what.join("; ")}.`);
  }
  if (report.results !== null) {
    for (const o of report.results.originalNotReported) {
      findings.push(`Registered ${o.primary ? "primary" : "secondary"} outcome ${name(o.commitment)} is not reported.`);
    }
    for (const c of report.results.notOriginallyPrespecified) {
      findings.push(`Reported outcome ${name(c)} was not in the registered outcome set.`);
    }
  }
  const late = report.resultsDaysLate ?? 0;
  if (late > 0 && report.resultsDueAt != null) {
    const due = new Date(report.resultsDueAt * 1000).toISOString().slice(0, 10);
    findings.push(
      report.results === null
        ? `Results overdue by ${late} day(s): due ${due}, 12 months after the trial finished, and not posted.`
        : `Results were posted ${late} day(s) late: due ${due}, 12 months after the trial finished.`,
    );
  }
  return findings;
}

const toOutcomes = (list: readonly { commitment: string; primary: boolean }[]): Outcome[] =>
  list.map((o) => ({ commitment: o.commitment as Hex32, primary: o.primary }));

/** Reads the registry's events for one trial, in chain order, with block times. */
export async function readTrialEvents(registry: TrialRegistry, trialId: bigint): Promise<TrialEvent[]> {
  const provider = registry.runner?.provider;
  if (provider === null || provider === undefined) throw new Error("The registry contract needs a provider");
  const times = new Map<number, number>();
  const timeOf = async (blockNumber: number) => {
    if (!times.has(blockNumber)) {
      const block = await provider.getBlock(blockNumber);
      if (block === null) throw new Error(`Block ${blockNumber} not found`);
      times.set(blockNumber, block.timestamp);
    }
    return times.get(blockNumber)!;
  };
  const f = registry.filters;
  const queries = await Promise.all([
    registry.queryFilter(f.TrialRegistered(trialId)),
    registry.queryFilter(f.OutcomeSetDeclared(trialId)),
    registry.queryFilter(f.TrialAmended(trialId)),
    registry.queryFilter(f.ParticipantEnrolled(trialId)),
    registry.queryFilter(f.OutcomesSwitchedAfterEnrolment(trialId)),
    registry.queryFilter(f.ResultsPosted(trialId)),
    registry.queryFilter(f.PrespecifiedOutcomeNotReported(trialId)),
    registry.queryFilter(f.UnregisteredOutcomeReported(trialId)),
    registry.queryFilter(f.TrialStatusChanged(trialId)),
  ]);
  const [registered, sets, amended, enrolled, switched, results, notReported, unregistered, statuses] = queries;
  const out: { order: [number, number]; event: TrialEvent }[] = [];
  const push = (log: { blockNumber: number; index: number }, event: TrialEvent) =>
    out.push({ order: [log.blockNumber, log.index], event });
  for (const e of registered) push(e, { kind: "registered", timestamp: Number(e.args.registeredAt) });
  for (const e of sets) {
    push(e, {
      kind: "outcomeSet",
      protocolVersion: Number(e.args.protocolVersion),
      hash: e.args.outcomeSetHash as Hex32,
      outcomes: toOutcomes(e.args.outcomes),
      timestamp: await timeOf(e.blockNumber),
    });
  }
  for (const e of amended) {
    push(e, {
      kind: "amended",
      protocolVersion: Number(e.args.protocolVersion),
      reasonCommitment: e.args.reasonCommitment as Hex32,
      timestamp: await timeOf(e.blockNumber),
    });
  }
  for (const e of enrolled) push(e, { kind: "enrolled", timestamp: await timeOf(e.blockNumber) });
  for (const e of switched) {
    push(e, {
      kind: "switchedAfterEnrolment",
      protocolVersion: Number(e.args.protocolVersion),
      enrolledSoFar: Number(e.args.enrolledSoFar),
      changeCount: Number(e.args.changeCount),
    });
  }
  for (const e of results) {
    push(e, {
      kind: "results",
      resultsCommitment: e.args.resultsCommitment as Hex32,
      reported: e.args.reported.map((c) => c as Hex32),
      timestamp: await timeOf(e.blockNumber),
    });
  }
  for (const e of notReported) {
    push(e, { kind: "notReported", outcome: e.args.outcome as Hex32, primary: e.args.primary });
  }
  for (const e of unregistered) push(e, { kind: "unregistered", outcome: e.args.outcome as Hex32 });
  for (const e of statuses) {
    const to = Number(e.args.to);
    if (to !== TrialStatus.Completed && to !== TrialStatus.Terminated) continue;
    push(e, {
      kind: "finished",
      status: to === TrialStatus.Completed ? "completed" : "terminated",
      timestamp: await timeOf(e.blockNumber),
    });
  }
  out.sort((a, b) => a.order[0] - b.order[0] || a.order[1] - b.order[1]);
  return out.map((o) => o.event);
}

/**
 * The outcome-switching report of a trial, read from the registry's events, as of the latest block (whose time
 * decides whether unposted results are overdue, as `resultsOverdue` does).
 */
export async function readOutcomeSwitchingReport(
  registry: TrialRegistry,
  trialId: bigint,
): Promise<OutcomeSwitchingReport> {
  const events = await readTrialEvents(registry, trialId);
  const latest = await registry.runner!.provider!.getBlock("latest");
  if (latest === null) throw new Error("The latest block was not found");
  return buildOutcomeSwitchingReport(trialId, events, latest.timestamp);
}

/**
 * The outcome set in force, read from the last `OutcomeSetDeclared` event and checked against the hash the registry
 * stores: what `postResults` needs as its `prespecified` argument.
 */
export async function currentOutcomes(registry: TrialRegistry, trialId: bigint): Promise<Outcome[]> {
  const sets = await registry.queryFilter(registry.filters.OutcomeSetDeclared(trialId));
  if (sets.length === 0) throw new Error(`Trial ${trialId} is not registered in this registry`);
  const outcomes = toOutcomes(sets[sets.length - 1].args.outcomes);
  const stored = (await registry.trial(trialId)).outcomeSetHash;
  if (outcomeSetHash(outcomes) !== stored) {
    throw new Error(`The last declared outcome set of trial ${trialId} does not match the stored hash ${stored}`);
  }
  return outcomes;
}

/**
 * The report as readable lines, for the demo and CLI output.
 * @param names Optional display names of outcome commitments (see {@link describeFindings}).
 */
export function renderOutcomeSwitchingReport(
  report: OutcomeSwitchingReport,
  names: Readonly<Record<string, string>> = {},
): string[] {
  const name = (c: string) => names[c] ?? names[c.toLowerCase()] ?? short(c);
  const list = (os: Outcome[]) => os.map((o) => `${name(o.commitment)}${o.primary ? " (primary)" : ""}`).join(", ");
  const findings = describeFindings(report, names);
  return [
    `Trial ${report.trialId}: outcome switching report`,
    `pre-specified at registration: ${list(report.prespecified)}`,
    `in force now: ${list(report.current)}`,
    `outcome-set changes: ${report.changes.length} (after enrolment: ${report.changesAfterEnrolment})`,
    ...(report.results === null
      ? ["results: not posted"]
      : [`results: ${short(report.results.resultsCommitment)} reporting ${report.results.reported.length} outcome(s)`]),
    ...(report.resultsDueAt == null
      ? []
      : [
          `results due: ${new Date(report.resultsDueAt * 1000).toISOString().slice(0, 10)} (12 months after finishing)`,
        ]),
    ...(findings.length === 0 ? ["findings: none"] : findings.map((f) => `finding: ${f}`)),
  ];
}
