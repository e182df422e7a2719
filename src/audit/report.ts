/**
 * The audit's reports: JSON (everything, for machines), CSV (one table per entity) and one self-contained HTML page
 * (no network, no external assets: inline CSS and SVG) with the pictures people would rather look at than read.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { AuditAddresses } from "./abi";
import type { CheckResult } from "./checks";
import { VIEW_TRANSPORT_TEXT, type ViewTransport } from "./views";
import { CLAIM_STATUS, SHIPMENT_STATUS, TRIAL_STATUS, type AuditState, type Finding } from "./state";

/** A table row: flat values only. */
export type Row = Record<string, string | number | boolean | null>;

/** The complete report. */
export interface AuditReport {
  generatedAt: string;
  chainId: number;
  addresses: AuditAddresses;
  scan: {
    fromBlock: number;
    toBlock: number;
    checkpoint: number;
    newEvents: number;
    events: number;
    rewoundTo?: number;
    /**
     * How the contracts' views were read: `override` (a few hundred per `eth_call`, through the view batch placed by
     * state override), `batch` (JSON-RPC batches), `single` (one call each); absent when none was.
     */
    viewTransport?: ViewTransport;
  };
  summary: {
    events: number;
    eventsByName: Record<string, number>;
    entities: Record<string, number>;
    findings: { error: number; warning: number; info: number };
    views: CheckResult["views"];
    commitments: { verified: number; missing: number; tampered: number; erased: number };
  };
  findings: Finding[];
  tables: Record<string, Row[]>;
  pictures: {
    custody: { batchId: string; manufacturer: string; edges: { from: string; to: string; units: number }[] }[];
    timelines: { patient: string; events: { kind: string; grantee: string; block: number }[] }[];
    outcomes: {
      trialId: string;
      versions: {
        protocolVersion: number;
        afterEnrolment: boolean;
        block: number;
        outcomes: { commitment: string; primary: boolean }[];
      }[];
    }[];
    claimsLifecycle: { from: string; to: string; count: number }[];
  };
}

/** Builds the report from the rebuilt state and the checks' results. */
export function buildReport(
  state: AuditState,
  checks: CheckResult,
  context: { chainId: number; addresses: AuditAddresses; scan: AuditReport["scan"]; now?: Date },
): AuditReport {
  const tables: Record<string, Row[]> = {
    consents: [...state.consents.values()].map(({ at, ...c }) => ({
      ...c,
      block: at.block,
      tx: at.tx,
      event: at.event,
    })),
    delegations: [...state.delegations.values()].map(({ at, ...d }) => ({
      ...d,
      block: at.block,
      tx: at.tx,
      event: at.event,
    })),
    breakGlass: state.breakGlass.map(({ at, ...g }) => ({ ...g, block: at.block, tx: at.tx, event: at.event })),
    batches: [...state.batches.values()].map(({ at, holdings, edges, ...b }) => ({
      ...b,
      holders: holdings.size,
      custodyMoves: edges.size,
      block: at.block,
      tx: at.tx,
      event: at.event,
    })),
    holdings: [...state.batches.values()].flatMap((b) => [...b.holdings.values()].map((h) => ({ ...h }))),
    shipments: [...state.shipments.values()].map(({ at, status, ...s }) => ({
      ...s,
      status: SHIPMENT_STATUS[status],
      block: at.block,
      tx: at.tx,
      event: at.event,
    })),
    policies: [...state.policies.values()].map(({ at, ...p }) => ({
      ...p,
      block: at.block,
      tx: at.tx,
      event: at.event,
    })),
    claims: [...state.claims.values()].map(({ at, status, ...c }) => ({
      ...c,
      status: CLAIM_STATUS[status],
      block: at.block,
      tx: at.tx,
      event: at.event,
    })),
    escrows: [...state.escrows.values()].map(({ at, balance, owed, insurer }) => ({
      insurer,
      balance: balance.toString(),
      owed: owed.toString(),
      block: at.block,
      tx: at.tx,
      event: at.event,
    })),
    trials: [...state.trials.values()].map(({ at, outcomeVersions, status, ...t }) => ({
      trialId: t.trialId,
      sponsor: t.sponsor,
      status: TRIAL_STATUS[status],
      protocolVersion: t.protocolVersion,
      outcomeSets: outcomeVersions.length,
      outcomeChangesAfterEnrolment: t.outcomeChangesAfterEnrolment,
      enrolled: t.enrolled,
      withdrawn: t.withdrawn,
      funded: t.funded.toString(),
      accrued: t.accrued.toString(),
      claimed: t.claimed.toString(),
      recovered: t.recovered.toString(),
      unallocated: t.unallocated.toString(),
      outstanding: t.outstanding.toString(),
      resultsCommitment: t.resultsCommitment,
      ethicsApproved: t.ethicsApproved,
      ethicsApprovals: t.ethicsApprovalCommitments.length,
      finishedBlock: t.finishedBlock,
      block: at.block,
      tx: at.tx,
      event: at.event,
    })),
    participants: [...state.participants.values()].map(({ at, accrued, ...p }) => ({
      ...p,
      accrued: accrued.toString(),
      block: at.block,
      tx: at.tx,
      event: at.event,
    })),
    roleMembers: [...state.roles].flatMap(([roleId, members]) =>
      [...members].map(([account, at]) => ({ roleId, account, block: at.block, tx: at.tx, event: at.event })),
    ),
    operations: [...state.operations.values()].map(({ at, scheduledAt, ...o }) => ({
      ...o,
      block: scheduledAt.block,
      tx: scheduledAt.tx,
      lastBlock: at.block,
      lastEvent: at.event,
    })),
    commitments: checks.commitments.map(({ evidence, ...c }) => ({
      ...c,
      block: evidence.block,
      tx: evidence.tx,
      event: evidence.event,
    })),
    findings: checks.findings.map(({ evidence, ...f }) => ({
      ...f,
      block: evidence?.block ?? null,
      tx: evidence?.tx ?? null,
      event: evidence?.event ?? null,
    })),
  };
  const bySeverity = { error: 0, warning: 0, info: 0 };
  for (const f of checks.findings) bySeverity[f.severity]++;
  const commitments = { verified: 0, missing: 0, tampered: 0, erased: 0 };
  for (const c of checks.commitments) commitments[c.status]++;
  const batches = [...state.batches.values()].sort((a, b) => b.edges.size - a.edges.size).slice(0, 3);
  const trials = [...state.trials.values()]
    .sort((a, b) => b.outcomeVersions.length - a.outcomeVersions.length)
    .slice(0, 4);
  return {
    generatedAt: (context.now ?? new Date()).toISOString(),
    chainId: context.chainId,
    addresses: context.addresses,
    scan: context.scan,
    summary: {
      events: state.events,
      eventsByName: Object.fromEntries([...state.counts].sort()),
      entities: Object.fromEntries(
        Object.entries(tables)
          .filter(([name]) => name !== "findings" && name !== "commitments")
          .map(([name, rows]) => [name, rows.length]),
      ),
      findings: bySeverity,
      views: checks.views,
      commitments,
    },
    findings: checks.findings,
    tables,
    pictures: {
      custody: batches.map((b) => ({
        batchId: b.batchId,
        manufacturer: b.manufacturer,
        edges: [...b.edges].map(([key, units]) => {
          const [from, to] = key.split(">");
          return { from, to, units };
        }),
      })),
      timelines: [...state.timelines].map(([patient, events]) => ({ patient, events })),
      outcomes: trials.map((t) => ({
        trialId: t.trialId,
        versions: t.outcomeVersions.map((v) => ({
          protocolVersion: v.protocolVersion,
          afterEnrolment: v.afterEnrolment,
          block: v.at.block,
          outcomes: v.outcomes,
        })),
      })),
      claimsLifecycle: [...state.claimTransitions].map(([key, count]) => {
        const [from, to] = key.split(">");
        return { from, to, count };
      }),
    },
  };
}

/** The report as JSON text (bigints never reach it: amounts are decimal strings). */
export function reportJson(report: AuditReport): string {
  return JSON.stringify(report, null, 2);
}

function csvCell(value: Row[string]): string {
  const text = value === null ? "" : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV document for a table (header from the union of the rows' columns). */
export function toCsv(rows: readonly Row[]): string {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const lines = [columns.join(",")];
  for (const r of rows) lines.push(columns.map((c) => csvCell(r[c] ?? null)).join(","));
  return `${lines.join("\n")}\n`;
}

const esc = (s: unknown) =>
  String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
const short = (h: string) => (h.length > 14 ? `${h.slice(0, 8)}…${h.slice(-4)}` : h);

/** The custody graph of a batch: holders as boxes, accepted shipments as arrows labelled with units. */
function custodySvg(p: AuditReport["pictures"]["custody"][number]): string {
  const nodes = [p.manufacturer, ...new Set(p.edges.flatMap((e) => [e.from, e.to]))].filter(
    (v, i, a) => a.indexOf(v) === i,
  );
  // Depth: the manufacturer at 0, each receiver one more than its first supplier.
  const depth = new Map<string, number>([[p.manufacturer, 0]]);
  for (let changed = true, guard = 0; changed && guard < nodes.length; guard++) {
    changed = false;
    for (const e of p.edges) {
      if (depth.has(e.from) && !depth.has(e.to)) {
        depth.set(e.to, depth.get(e.from)! + 1);
        changed = true;
      }
    }
  }
  const columns = new Map<number, string[]>();
  for (const n of nodes) {
    const d = depth.get(n) ?? 0;
    columns.set(d, [...(columns.get(d) ?? []), n]);
  }
  const pos = new Map<string, [number, number]>();
  for (const [d, list] of columns) list.forEach((n, i) => pos.set(n, [20 + d * 190, 20 + i * 60]));
  const width = 40 + (Math.max(...columns.keys()) + 1) * 190;
  const height = 40 + Math.max(...[...columns.values()].map((l) => l.length)) * 60;
  const arrows = p.edges
    .map((e) => {
      const [x1, y1] = pos.get(e.from)!;
      const [x2, y2] = pos.get(e.to)!;
      return (
        `<line x1="${x1 + 140}" y1="${y1 + 18}" x2="${x2}" y2="${y2 + 18}" stroke="#555" marker-end="url(#arrow)"/>` +
        `<text x="${(x1 + 140 + x2) / 2}" y="${(y1 + y2) / 2 + 12}" font-size="11" fill="#a33">${e.units}</text>`
      );
    })
    .join("");
  const boxes = nodes
    .map((n) => {
      const [x, y] = pos.get(n)!;
      return (
        `<rect x="${x}" y="${y}" width="140" height="36" rx="6" fill="${n === p.manufacturer ? "#dbeafe" : "#f1f5f9"}" stroke="#334155"/>` +
        `<text x="${x + 70}" y="${y + 22}" font-size="11" text-anchor="middle">${esc(short(n))}</text>`
      );
    })
    .join("");
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="custody graph of batch ${esc(p.batchId)}" width="${width}" height="${height}">` +
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0L10,5L0,10z" fill="#555"/></marker></defs>${arrows}${boxes}</svg>`
  );
}

const KIND_COLOUR: Record<string, string> = {
  granted: "#16a34a",
  revoked: "#dc2626",
  renounced: "#f59e0b",
  breakGlass: "#7c3aed",
};

/** A patient's consent timeline: one lane per grantee, a mark per event along the blocks. */
function timelineSvg(t: AuditReport["pictures"]["timelines"][number], scan: AuditReport["scan"]): string {
  const grantees = [...new Set(t.events.map((e) => e.grantee))];
  const width = 720;
  const height = 30 + grantees.length * 26;
  const span = Math.max(1, scan.toBlock - scan.fromBlock);
  const x = (block: number) => 150 + ((block - scan.fromBlock) / span) * (width - 170);
  const lanes = grantees
    .map(
      (g, i) =>
        `<text x="4" y="${34 + i * 26}" font-size="11">${esc(short(g))}</text><line x1="150" x2="${width - 20}" y1="${30 + i * 26}" y2="${30 + i * 26}" stroke="#ddd"/>`,
    )
    .join("");
  const marks = t.events
    .map(
      (e) =>
        `<circle cx="${x(e.block).toFixed(1)}" cy="${30 + grantees.indexOf(e.grantee) * 26}" r="5" fill="${KIND_COLOUR[e.kind] ?? "#000"}"><title>${esc(e.kind)} at block ${e.block}</title></circle>`,
    )
    .join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="consent timeline of ${esc(t.patient)}" width="${width}" height="${height}">${lanes}${marks}</svg>`;
}

/** A trial's outcome sets across protocol versions: one column per version, primary outcomes filled. */
function outcomesSvg(t: AuditReport["pictures"]["outcomes"][number]): string {
  const all = [...new Set(t.versions.flatMap((v) => v.outcomes.map((o) => o.commitment)))];
  const width = 160 + t.versions.length * 90;
  const height = 40 + all.length * 22;
  const header = t.versions
    .map(
      (v, i) =>
        `<text x="${170 + i * 90}" y="16" font-size="11" fill="${v.afterEnrolment ? "#dc2626" : "#000"}">v${v.protocolVersion}${v.afterEnrolment ? " ⚠" : ""}</text>`,
    )
    .join("");
  const rows = all
    .map((c, r) => {
      const cells = t.versions
        .map((v, i) => {
          const o = v.outcomes.find((x) => x.commitment === c);
          if (o === undefined) return "";
          return `<rect x="${170 + i * 90}" y="${26 + r * 22}" width="60" height="14" rx="3" fill="${o.primary ? "#2563eb" : "#fff"}" stroke="#2563eb"><title>${o.primary ? "primary" : "secondary"} in v${v.protocolVersion}</title></rect>`;
        })
        .join("");
      return `<text x="4" y="${37 + r * 22}" font-size="11">${esc(short(c))}</text>${cells}`;
    })
    .join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="outcome history of trial ${esc(t.trialId)}" width="${width}" height="${height}">${header}${rows}</svg>`;
}

const LIFECYCLE = ["Submitted", "Pended", "Approved", "Denied", "Appealed", "FinalDenied", "Paid"];

/** The claims lifecycle: the statuses as boxes, transitions as arrows as thick as their counts. */
function lifecycleSvg(transitions: AuditReport["pictures"]["claimsLifecycle"]): string {
  const pos: Record<string, [number, number]> = {
    Submitted: [20, 90],
    Pended: [170, 20],
    Approved: [340, 20],
    Denied: [170, 160],
    Appealed: [340, 160],
    FinalDenied: [510, 160],
    Paid: [510, 20],
  };
  const max = Math.max(1, ...transitions.map((t) => t.count));
  const arrows = transitions
    .filter((t) => pos[t.from] && pos[t.to])
    .map((t) => {
      const [x1, y1] = pos[t.from];
      const [x2, y2] = pos[t.to];
      const w = 1 + (6 * t.count) / max;
      return (
        `<line x1="${x1 + 110}" y1="${y1 + 16}" x2="${x2}" y2="${y2 + 16}" stroke="#64748b" stroke-width="${w.toFixed(1)}" marker-end="url(#arr2)"/>` +
        `<text x="${(x1 + 110 + x2) / 2}" y="${(y1 + y2) / 2 + 10}" font-size="11" fill="#0f172a" data-transition="${t.from}>${t.to}">${t.count}</text>`
      );
    })
    .join("");
  const boxes = LIFECYCLE.map((s) => {
    const [x, y] = pos[s];
    return `<rect x="${x}" y="${y}" width="110" height="32" rx="6" fill="#fef3c7" stroke="#92400e"/><text x="${x + 55}" y="${y + 20}" font-size="12" text-anchor="middle">${s}</text>`;
  }).join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="claims lifecycle" width="650" height="210"><defs><marker id="arr2" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="5" markerHeight="5" orient="auto"><path d="M0,0L10,5L0,10z" fill="#64748b"/></marker></defs>${arrows}${boxes}</svg>`;
}

function htmlTable(rows: readonly Row[], limit: number): string {
  if (rows.length === 0) return "<p>none</p>";
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const body = rows
    .slice(0, limit)
    .map((r) => `<tr>${columns.map((c) => `<td>${esc(r[c] ?? "")}</td>`).join("")}</tr>`)
    .join("");
  const more = rows.length > limit ? `<p>${rows.length - limit} more rows in the CSV and JSON reports.</p>` : "";
  return `<table><thead><tr>${columns.map((c) => `<th>${esc(c)}</th>`).join("")}</tr></thead><tbody>${body}</tbody></table>${more}`;
}

/** The self-contained HTML report. Numbers carry `data-metric` so that a test can compare them with the JSON. */
export function toHtml(report: AuditReport): string {
  const s = report.summary;
  const metric = (name: string, value: number, label: string) =>
    `<div class="metric"><span class="value" data-metric="${name}">${value}</span><span class="label">${esc(label)}</span></div>`;
  const entities = Object.entries(s.entities)
    .map(([name, n]) => metric(`entities.${name}`, n, name))
    .join("");
  const views = Object.entries(s.views)
    .map(
      ([kind, v]) =>
        `<tr><td>${esc(kind)}</td><td data-metric="views.${kind}.compared">${v.compared}</td><td data-metric="views.${kind}.mismatched">${v.mismatched}</td><td>${v.skipped}</td></tr>`,
    )
    .join("");
  const p = report.pictures;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Health Ledger audit, chain ${report.chainId}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#0f172a;max-width:1200px}
h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #cbd5e1}
.metrics{display:flex;flex-wrap:wrap;gap:12px}.metric{border:1px solid #cbd5e1;border-radius:8px;padding:8px 12px;min-width:110px}
.metric .value{display:block;font-size:20px;font-weight:600}.metric .label{color:#475569;font-size:12px}
.error{color:#b91c1c}.warning{color:#b45309}.info{color:#1d4ed8}
table{border-collapse:collapse;font-size:12px;margin:8px 0}td,th{border:1px solid #e2e8f0;padding:3px 6px;text-align:left;max-width:360px;overflow-wrap:anywhere}
figure{margin:12px 0}figcaption{color:#475569;font-size:12px}
</style></head><body>
<h1>Health Ledger audit</h1>
<p>Chain ${report.chainId}, blocks ${report.scan.fromBlock}–${report.scan.checkpoint}, generated ${esc(report.generatedAt)}. Authority ${esc(report.addresses.authority)}.${report.scan.viewTransport === undefined ? "" : ` Views read at block ${report.scan.checkpoint} ${VIEW_TRANSPORT_TEXT[report.scan.viewTransport]}.`}</p>
<h2>Summary</h2>
<div class="metrics">${metric("events", s.events, "events indexed")}${metric("findings.error", s.findings.error, "errors")}${metric("findings.warning", s.findings.warning, "warnings")}${metric("findings.info", s.findings.info, "notices")}</div>
<div class="metrics">${entities}</div>
<h2>State rebuilt from events against the contracts' views</h2>
<table><thead><tr><th>entity</th><th>compared</th><th>differing</th><th>not compared</th></tr></thead><tbody>${views}</tbody></table>
<h2>Commitments against the record store</h2>
<div class="metrics">${metric("commitments.verified", s.commitments.verified, "verified")}${metric("commitments.missing", s.commitments.missing, "missing")}${metric("commitments.tampered", s.commitments.tampered, "tampered")}${metric("commitments.erased", s.commitments.erased, "erased")}</div>
<h2>Findings</h2>
${htmlTable(report.tables.findings, 500)}
<h2>Custody of batches</h2>
${p.custody.map((c) => `<figure>${custodySvg(c)}<figcaption>Batch ${esc(c.batchId)}: accepted shipments, units on the arrows.</figcaption></figure>`).join("") || "<p>no batches</p>"}
<h2>Consent timelines</h2>
<p>Green: granted; red: revoked; amber: renounced; purple: break-glass. One lane per grantee, blocks left to right.</p>
${p.timelines.map((t) => `<figure>${timelineSvg(t, report.scan)}<figcaption>Patient account ${esc(t.patient)}</figcaption></figure>`).join("") || "<p>no consents</p>"}
<h2>Trial outcomes across protocol versions</h2>
<p>Filled: primary outcome; outlined: secondary; a red version changed the set after enrolment.</p>
${p.outcomes.map((t) => `<figure>${outcomesSvg(t)}<figcaption>Trial ${esc(t.trialId)}</figcaption></figure>`).join("") || "<p>no trials</p>"}
<h2>Claims lifecycle</h2>
<figure>${lifecycleSvg(p.claimsLifecycle)}<figcaption>Claims moving between statuses; arrow width and label: how many.</figcaption></figure>
${Object.entries(report.tables)
  .filter(([name]) => name !== "findings")
  .map(([name, rows]) => `<h2>${esc(name)} (${rows.length})</h2>${htmlTable(rows, 100)}`)
  .join("\n")}
</body></html>
`;
}

/** Writes `audit.json`, `audit.html` and one `<table>.csv` per table into `dir`; returns the paths. */
export async function writeReports(report: AuditReport, dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const files: [string, string][] = [
    ["audit.json", reportJson(report)],
    ["audit.html", toHtml(report)],
    ...Object.entries(report.tables).map(([name, rows]): [string, string] => [`${name}.csv`, toCsv(rows)]),
  ];
  for (const [name, text] of files) await writeFile(join(dir, name), text);
  return files.map(([name]) => join(dir, name));
}
