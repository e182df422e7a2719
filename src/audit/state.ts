/**
 * The system's state rebuilt from the index's events alone, folded one event at a time (memory grows with the
 * number of entities, never with the number of events), and the invariant breaks seen on the way. Every entity keeps
 * the evidence of its last change: block, transaction and event.
 */
import type { ArgValue } from "./abi";
import type { StoredEvent } from "./store";

/** Where a fact comes from. */
export interface Evidence {
  block: number;
  tx: string;
  event: string;
}

/** A problem or a fact an auditor must see. `error`: the system is inconsistent; `warning`: allowed but flagged. */
export interface Finding {
  check: string;
  severity: "error" | "warning" | "info";
  subject: string;
  message: string;
  evidence: Evidence | null;
}

export interface ConsentState {
  patient: string;
  grantee: string;
  purpose: string;
  categories: string;
  startsAt: string;
  expiresAt: string;
  version: number;
  revoked: boolean;
  documentCommitment: string;
  actor: string;
  at: Evidence;
}

export interface DelegationState {
  patient: string;
  delegate: string;
  kind: number;
  expiresAt: string;
  epoch: number;
  removed: boolean;
  at: Evidence;
}

export interface BreakGlass {
  patient: string;
  provider: string;
  count: number;
  reasonCommitment: string;
  at: Evidence;
}

export interface HoldingState {
  batchId: string;
  holder: string;
  quantity: number;
  dispensed: number;
  destroyed: number;
}

export interface BatchState {
  batchId: string;
  manufacturer: string;
  unitCount: number;
  expiresAt: string;
  metadataCommitment: string;
  recalled: boolean;
  quarantined: boolean;
  illegitimate: boolean;
  cleared: boolean;
  inTransit: number;
  dispensed: number;
  destroyed: number;
  holdings: Map<string, HoldingState>;
  /** Custody moves accepted, `from>to` → units. */
  edges: Map<string, number>;
  at: Evidence;
}

export const SHIPMENT_STATUS = ["None", "InTransit", "Accepted", "Rejected", "Cancelled"] as const;

export interface ShipmentState {
  shipmentId: string;
  batchId: string;
  from: string;
  to: string;
  quantity: number;
  status: number;
  documentsCommitment: string;
  at: Evidence;
}

export const CLAIM_STATUS = ["None", "Pended", "Approved", "Denied", "Appealed", "FinalDenied", "Paid"] as const;

export interface ClaimState {
  claimId: string;
  policyId: string;
  provider: string;
  insurer: string;
  status: number;
  amount: string;
  paid: string;
  appealed: boolean;
  at: Evidence;
}

export interface PolicyState {
  policyId: string;
  insurer: string;
  member: string;
  termsCommitment: string;
  at: Evidence;
}

export interface EscrowState {
  insurer: string;
  balance: bigint;
  owed: bigint;
  at: Evidence;
}

export const TRIAL_STATUS = [
  "None",
  "Registered",
  "Recruiting",
  "EnrolmentClosed",
  "Completed",
  "Suspended",
  "Terminated",
] as const;

export interface OutcomeVersion {
  protocolVersion: number;
  hash: string;
  outcomes: { commitment: string; primary: boolean }[];
  afterEnrolment: boolean;
  at: Evidence;
}

export interface TrialState {
  trialId: string;
  sponsor: string;
  status: number;
  protocolVersion: number;
  enrolled: number;
  withdrawn: number;
  outcomeChangesAfterEnrolment: number;
  funded: bigint;
  accrued: bigint;
  claimed: bigint;
  recovered: bigint;
  unallocated: bigint;
  outstanding: bigint;
  protocolCommitment: string;
  researchStudyCommitment: string;
  resultsCommitment: string | null;
  /** Whether an ethics approval was recorded (`Trial.ethicsApproved`). */
  ethicsApproved: boolean;
  /** Every approval commitment, in chain order (the registry keeps them in `EthicsApprovalRecorded` only). */
  ethicsApprovalCommitments: string[];
  /**
   * Block of the completion or termination, or null while unfinished: `Trial.finishedAt` is its time (events carry
   * no times; the checks read it).
   */
  finishedBlock: number | null;
  outcomeVersions: OutcomeVersion[];
  at: Evidence;
}

export interface ParticipantState {
  trialId: string;
  participant: string;
  status: number;
  visits: number;
  accrued: bigint;
  at: Evidence;
}

export interface OperationState {
  operationId: string;
  nonce: number;
  schedule: number;
  caller: string;
  target: string;
  data: string;
  status: "scheduled" | "executed" | "canceled";
  at: Evidence;
  scheduledAt: Evidence;
}

/** Caps on what is kept for pictures only (the tables and checks keep everything). */
const TIMELINE_PATIENTS = 6;
const TIMELINE_EVENTS = 60;

/** The rebuilt system. Maps are keyed by lower-case ids. */
export class AuditState {
  readonly consents = new Map<string, ConsentState>();
  readonly delegations = new Map<string, DelegationState>();
  readonly emergencyCounts = new Map<string, number>();
  readonly breakGlass: BreakGlass[] = [];
  readonly batches = new Map<string, BatchState>();
  readonly shipments = new Map<string, ShipmentState>();
  readonly policies = new Map<string, PolicyState>();
  readonly claims = new Map<string, ClaimState>();
  readonly escrows = new Map<string, EscrowState>();
  readonly trials = new Map<string, TrialState>();
  readonly participants = new Map<string, ParticipantState>();
  /** roleId → members. */
  readonly roles = new Map<string, Map<string, Evidence>>();
  readonly roleGuardians = new Map<string, string>();
  /** `target|selector` → roleId. */
  readonly targetRoles = new Map<string, string>();
  readonly operations = new Map<string, OperationState>();
  /** Claim status transitions `from>to` → count, for the lifecycle picture. */
  readonly claimTransitions = new Map<string, number>();
  /** A few patients' consent events, for the timeline picture. */
  readonly timelines = new Map<string, { kind: string; grantee: string; block: number }[]>();
  /** Invariant breaks and flagged facts seen while folding. */
  readonly findings: Finding[] = [];
  events = 0;
  counts = new Map<string, number>();

  /** Folds one event (chain order). */
  apply(e: StoredEvent): void {
    this.events++;
    this.counts.set(`${e.domain}.${e.name}`, (this.counts.get(`${e.domain}.${e.name}`) ?? 0) + 1);
    const at: Evidence = { block: e.block, tx: e.tx, event: e.name };
    const a = e.args;
    const s = (k: string) => String(a[k]).toLowerCase();
    const n = (k: string) => Number(a[k] as string);
    const b = (k: string) => BigInt(a[k] as string);
    const finding = (check: string, severity: Finding["severity"], subject: string, message: string) =>
      this.findings.push({ check, severity, subject, message, evidence: at });
    switch (`${e.domain}.${e.name}`) {
      // ---------------------------------------------------------------- consent
      case "consent.ConsentGranted": {
        const key = `${s("patient")}|${s("grantee")}|${s("purpose")}`;
        this.consents.set(key, {
          patient: s("patient"),
          grantee: s("grantee"),
          purpose: s("purpose"),
          categories: a.categories as string,
          startsAt: a.startsAt as string,
          expiresAt: a.expiresAt as string,
          version: n("version"),
          revoked: false,
          documentCommitment: s("documentCommitment"),
          actor: s("actor"),
          at,
        });
        this.timeline(s("patient"), "granted", s("grantee"), e.block);
        break;
      }
      case "consent.ConsentRevoked":
      case "consent.ConsentRenounced": {
        const key = `${s("patient")}|${s("grantee")}|${s("purpose")}`;
        const c = this.consents.get(key);
        if (c === undefined) {
          finding("history", "error", key, `${e.name} of a consent that was never granted`);
          break;
        }
        Object.assign(c, { version: n("version"), revoked: true, at });
        this.timeline(s("patient"), e.name === "ConsentRevoked" ? "revoked" : "renounced", s("grantee"), e.block);
        break;
      }
      case "consent.DelegateAppointed":
        this.delegations.set(`${s("patient")}|${s("delegate")}`, {
          patient: s("patient"),
          delegate: s("delegate"),
          kind: n("kind"),
          expiresAt: a.expiresAt as string,
          epoch: n("epoch"),
          removed: false,
          at,
        });
        break;
      case "consent.DelegateRemoved": {
        const d = this.delegations.get(`${s("patient")}|${s("delegate")}`);
        if (d !== undefined) Object.assign(d, { removed: true, at });
        break;
      }
      case "consent.EmergencyAccessRecorded": {
        const count = n("count");
        const before = this.emergencyCounts.get(s("patient")) ?? 0;
        if (count !== before + 1) {
          finding("history", "error", s("patient"), `emergency-access count jumped from ${before} to ${count}`);
        }
        this.emergencyCounts.set(s("patient"), count);
        this.breakGlass.push({
          patient: s("patient"),
          provider: s("provider"),
          count,
          reasonCommitment: s("reasonCommitment"),
          at,
        });
        this.timeline(s("patient"), "breakGlass", s("provider"), e.block);
        break;
      }
      // ---------------------------------------------------------------- provenance
      case "provenance.BatchCommissioned": {
        const id = s("batchId");
        const unitCount = n("unitCount");
        this.batches.set(id, {
          batchId: id,
          manufacturer: s("manufacturer"),
          unitCount,
          expiresAt: a.expiresAt as string,
          metadataCommitment: s("metadataCommitment"),
          recalled: false,
          quarantined: false,
          illegitimate: false,
          cleared: false,
          inTransit: 0,
          dispensed: 0,
          destroyed: 0,
          holdings: new Map([
            [
              s("manufacturer"),
              { batchId: id, holder: s("manufacturer"), quantity: unitCount, dispensed: 0, destroyed: 0 },
            ],
          ]),
          edges: new Map(),
          at,
        });
        break;
      }
      case "provenance.ShipmentSent": {
        const batch = this.batch(s("batchId"), at);
        if (batch === undefined) break;
        const q = n("quantity");
        this.holding(batch, s("from")).quantity -= q;
        batch.inTransit += q;
        batch.at = at;
        this.shipments.set(s("shipmentId"), {
          shipmentId: s("shipmentId"),
          batchId: batch.batchId,
          from: s("from"),
          to: s("to"),
          quantity: q,
          status: 1,
          documentsCommitment: s("documentsCommitment"),
          at,
        });
        if (this.holding(batch, s("from")).quantity < 0) {
          finding("units-conserved", "error", batch.batchId, `${s("from")} shipped more units than it held`);
        }
        break;
      }
      case "provenance.ShipmentAccepted":
      case "provenance.ShipmentRejected":
      case "provenance.ShipmentCancelled": {
        const sh = this.shipments.get(s("shipmentId"));
        const batch = this.batch(s("batchId"), at);
        if (sh === undefined || batch === undefined || sh.status !== 1) {
          finding("history", "error", s("shipmentId"), `${e.name} of a shipment that is not in transit`);
          break;
        }
        batch.inTransit -= sh.quantity;
        batch.at = at;
        sh.at = at;
        if (e.name === "ShipmentAccepted") {
          sh.status = 2;
          this.holding(batch, sh.to).quantity += sh.quantity;
          const edge = `${sh.from}>${sh.to}`;
          batch.edges.set(edge, (batch.edges.get(edge) ?? 0) + sh.quantity);
        } else {
          sh.status = e.name === "ShipmentRejected" ? 3 : 4;
          this.holding(batch, sh.from).quantity += sh.quantity;
        }
        break;
      }
      case "provenance.UnitDispensed": {
        const batch = this.batch(s("batchId"), at);
        if (batch === undefined) break;
        if (batch.recalled || batch.quarantined || batch.illegitimate) {
          const why = batch.illegitimate ? "illegitimate" : batch.recalled ? "recalled" : "quarantined";
          finding(
            "no-dispense-of-blocked-batch",
            "error",
            batch.batchId,
            `unit ${String(a.position)} was dispensed from a ${why} batch`,
          );
        }
        const h = this.holding(batch, s("dispenser"));
        h.quantity -= 1;
        h.dispensed += 1;
        batch.dispensed += 1;
        batch.at = at;
        break;
      }
      case "provenance.UnitsDestroyed": {
        const batch = this.batch(s("batchId"), at);
        if (batch === undefined) break;
        const h = this.holding(batch, s("holder"));
        h.quantity -= n("quantity");
        h.destroyed += n("quantity");
        batch.destroyed += n("quantity");
        batch.at = at;
        break;
      }
      case "provenance.BatchRecalled":
      case "provenance.BatchQuarantined":
      case "provenance.QuarantineCleared":
      case "provenance.BatchIllegitimate": {
        const batch = this.batch(s("batchId"), at);
        if (batch === undefined) break;
        if (e.name === "BatchRecalled") batch.recalled = true;
        if (e.name === "BatchQuarantined") batch.quarantined = true;
        if (e.name === "QuarantineCleared") Object.assign(batch, { quarantined: false, cleared: true });
        if (e.name === "BatchIllegitimate") Object.assign(batch, { quarantined: false, illegitimate: true });
        batch.at = at;
        break;
      }
      // ---------------------------------------------------------------- claims
      case "claims.PolicyCreated": {
        const terms = a.terms as Record<string, ArgValue>;
        this.policies.set(String(a.policyId), {
          policyId: String(a.policyId),
          insurer: s("insurer"),
          member: s("member"),
          termsCommitment: String(terms.termsCommitment).toLowerCase(),
          at,
        });
        break;
      }
      case "claims.ClaimSubmitted": {
        const adj = a.adjudication as Record<string, string>;
        const status = Number(adj.status);
        const policy = this.policies.get(String(a.policyId));
        const insurer = policy?.insurer ?? "";
        this.claims.set(s("claimId"), {
          claimId: s("claimId"),
          policyId: String(a.policyId),
          provider: s("provider"),
          insurer,
          status,
          amount: status === 3 ? adj.billed : adj.benefit,
          paid: "0",
          appealed: false,
          at,
        });
        this.transition("Submitted", status);
        if (status === 2) this.escrow(insurer, at).owed += BigInt(adj.benefit);
        this.checkEscrow(insurer, at);
        break;
      }
      case "claims.ClaimApproved":
      case "claims.ClaimDenied":
      case "claims.ClaimAppealed":
      case "claims.ClaimPaid": {
        const c = this.claims.get(s("claimId"));
        if (c === undefined) {
          finding("history", "error", s("claimId"), `${e.name} of a claim that was never submitted`);
          break;
        }
        const from = c.status;
        if (e.name === "ClaimApproved") {
          c.status = 2;
          c.amount = a.amount as string;
          this.escrow(c.insurer, at).owed += b("amount");
        } else if (e.name === "ClaimDenied") {
          c.status = a.onAppeal === true ? 5 : 3;
        } else if (e.name === "ClaimAppealed") {
          c.status = 4;
          c.appealed = true;
        } else {
          c.status = 6;
          c.paid = a.amount as string;
          const escrow = this.escrow(c.insurer, at);
          escrow.owed -= b("amount");
          escrow.balance -= b("amount");
        }
        c.at = at;
        this.transition(CLAIM_STATUS[from], c.status);
        this.checkEscrow(c.insurer, at);
        break;
      }
      case "claims.EscrowFunded":
      case "claims.EscrowWithdrawn": {
        const escrow = this.escrow(s("insurer"), at);
        escrow.balance = b("balance");
        this.checkEscrow(s("insurer"), at);
        break;
      }
      // ---------------------------------------------------------------- trials
      case "trials.TrialRegistered":
        this.trials.set(String(a.trialId), {
          trialId: String(a.trialId),
          sponsor: s("sponsor"),
          status: 1,
          protocolVersion: 1,
          enrolled: 0,
          withdrawn: 0,
          outcomeChangesAfterEnrolment: 0,
          funded: 0n,
          accrued: 0n,
          claimed: 0n,
          recovered: 0n,
          unallocated: 0n,
          outstanding: 0n,
          protocolCommitment: s("protocolCommitment"),
          researchStudyCommitment: s("researchStudyCommitment"),
          resultsCommitment: null,
          ethicsApproved: false,
          ethicsApprovalCommitments: [],
          finishedBlock: null,
          outcomeVersions: [],
          at,
        });
        break;
      case "trials.EthicsApprovalRecorded": {
        const t = this.trial(String(a.trialId), at);
        if (t === undefined) break;
        t.ethicsApproved = true;
        t.ethicsApprovalCommitments.push(s("approvalCommitment"));
        t.at = at;
        break;
      }
      case "trials.OutcomeSetDeclared": {
        const t = this.trial(String(a.trialId), at);
        if (t === undefined) break;
        const outcomes = (a.outcomes as Record<string, ArgValue>[]).map((o) => ({
          commitment: String(o.commitment).toLowerCase(),
          primary: o.primary === true,
        }));
        t.outcomeVersions.push({
          protocolVersion: n("protocolVersion"),
          hash: s("outcomeSetHash"),
          outcomes,
          afterEnrolment: false,
          at,
        });
        break;
      }
      case "trials.TrialAmended": {
        const t = this.trial(String(a.trialId), at);
        if (t === undefined) break;
        t.protocolVersion = n("protocolVersion");
        t.protocolCommitment = s("protocolCommitment");
        t.at = at;
        break;
      }
      case "trials.OutcomesSwitchedAfterEnrolment": {
        const t = this.trial(String(a.trialId), at);
        if (t === undefined) break;
        t.outcomeChangesAfterEnrolment = n("changeCount");
        const v = t.outcomeVersions.find((o) => o.protocolVersion === n("protocolVersion"));
        if (v !== undefined) v.afterEnrolment = true;
        finding(
          "outcome-switching",
          "warning",
          `trial ${t.trialId}`,
          `protocol version ${n("protocolVersion")} replaced the outcome set after ${n("enrolledSoFar")} participant(s) were enrolled`,
        );
        break;
      }
      case "trials.TrialStatusChanged": {
        const t = this.trial(String(a.trialId), at);
        if (t === undefined) break;
        t.status = n("to");
        // Completed (4) or Terminated (6): the results deadline runs from this block's time.
        if (t.status === 4 || t.status === 6) t.finishedBlock = e.block;
        if (t.status === 2 && !t.ethicsApproved) {
          finding("ethics-approval", "error", `trial ${t.trialId}`, "recruitment opened without an ethics approval");
        }
        t.at = at;
        break;
      }
      case "trials.ParticipantEnrolled": {
        const t = this.trial(String(a.trialId), at);
        if (t === undefined) break;
        t.enrolled = n("enrolled");
        this.participants.set(`${t.trialId}|${s("participant")}`, {
          trialId: t.trialId,
          participant: s("participant"),
          status: 1,
          visits: 0,
          accrued: 0n,
          at,
        });
        break;
      }
      case "trials.ParticipantWithdrawn": {
        const t = this.trial(String(a.trialId), at);
        const p = this.participants.get(`${String(a.trialId)}|${s("participant")}`);
        if (t === undefined || p === undefined) break;
        t.withdrawn += 1;
        Object.assign(p, { status: 2, at });
        break;
      }
      case "trials.BudgetFunded": {
        const t = this.trial(String(a.trialId), at);
        if (t === undefined) break;
        t.funded += b("credited");
        t.unallocated += b("credited");
        break;
      }
      case "trials.VisitRecorded": {
        const t = this.trial(String(a.trialId), at);
        const p = this.participants.get(`${String(a.trialId)}|${s("participant")}`);
        if (t === undefined || p === undefined) break;
        const stipend = b("stipend");
        p.visits = n("visit");
        p.accrued += stipend;
        p.at = at;
        t.accrued += stipend;
        t.unallocated -= stipend;
        t.outstanding += stipend;
        if (t.unallocated < 0n) {
          finding(
            "stipends-within-budget",
            "error",
            `trial ${t.trialId}`,
            `stipends accrued (${t.accrued}) exceed the budget funded (${t.funded})`,
          );
        }
        break;
      }
      case "trials.StipendClaimed": {
        const t = this.trial(String(a.trialId), at);
        const p = this.participants.get(`${String(a.trialId)}|${s("participant")}`);
        if (t === undefined || p === undefined) break;
        p.accrued -= b("amount");
        t.outstanding -= b("amount");
        t.claimed += b("amount");
        if (p.accrued < 0n)
          finding(
            "stipends-within-budget",
            "error",
            `trial ${t.trialId}`,
            `${p.participant} claimed more than accrued`,
          );
        break;
      }
      case "trials.BudgetRecovered": {
        const t = this.trial(String(a.trialId), at);
        if (t === undefined) break;
        t.unallocated -= b("amount");
        t.recovered += b("amount");
        break;
      }
      case "trials.ResultsPosted": {
        const t = this.trial(String(a.trialId), at);
        if (t !== undefined) t.resultsCommitment = s("resultsCommitment");
        break;
      }
      case "trials.PrespecifiedOutcomeNotReported":
        finding(
          "outcome-switching",
          "warning",
          `trial ${String(a.trialId)}`,
          `${a.primary === true ? "primary" : "secondary"} outcome ${s("outcome")} of the set in force is not reported`,
        );
        break;
      case "trials.UnregisteredOutcomeReported":
        finding(
          "outcome-switching",
          "warning",
          `trial ${String(a.trialId)}`,
          `reported outcome ${s("outcome")} is not in the set in force`,
        );
        break;
      // ---------------------------------------------------------------- authority
      case "authority.RoleGranted": {
        let members = this.roles.get(String(a.roleId));
        if (members === undefined) this.roles.set(String(a.roleId), (members = new Map()));
        members.set(s("account"), at);
        break;
      }
      case "authority.RoleRevoked":
        this.roles.get(String(a.roleId))?.delete(s("account"));
        break;
      case "authority.RoleGuardianChanged":
        this.roleGuardians.set(String(a.roleId), String(a.guardian));
        break;
      case "authority.TargetFunctionRoleUpdated":
        this.targetRoles.set(`${s("target")}|${s("selector")}`, String(a.roleId));
        break;
      case "authority.OperationScheduled":
        this.operations.set(s("operationId"), {
          operationId: s("operationId"),
          nonce: n("nonce"),
          schedule: n("schedule"),
          caller: s("caller"),
          target: s("target"),
          data: s("data"),
          status: "scheduled",
          at,
          scheduledAt: at,
        });
        break;
      case "authority.OperationExecuted":
      case "authority.OperationCanceled": {
        const op = this.operations.get(s("operationId"));
        if (op !== undefined)
          Object.assign(op, { status: e.name === "OperationExecuted" ? "executed" : "canceled", at });
        break;
      }
    }
  }

  private timeline(patient: string, kind: string, grantee: string, block: number) {
    let list = this.timelines.get(patient);
    if (list === undefined) {
      if (this.timelines.size >= TIMELINE_PATIENTS) return;
      this.timelines.set(patient, (list = []));
    }
    if (list.length < TIMELINE_EVENTS) list.push({ kind, grantee, block });
  }

  private batch(id: string, at: Evidence): BatchState | undefined {
    const batch = this.batches.get(id);
    if (batch === undefined) {
      this.findings.push({
        check: "history",
        severity: "error",
        subject: id,
        message: `${at.event} for a batch that was never commissioned`,
        evidence: at,
      });
    }
    return batch;
  }

  private holding(batch: BatchState, holder: string): HoldingState {
    let h = batch.holdings.get(holder);
    if (h === undefined)
      batch.holdings.set(holder, (h = { batchId: batch.batchId, holder, quantity: 0, dispensed: 0, destroyed: 0 }));
    return h;
  }

  private escrow(insurer: string, at: Evidence): EscrowState {
    let e = this.escrows.get(insurer);
    if (e === undefined) this.escrows.set(insurer, (e = { insurer, balance: 0n, owed: 0n, at }));
    e.at = at;
    return e;
  }

  private checkEscrow(insurer: string, at: Evidence) {
    const e = this.escrows.get(insurer);
    if (e !== undefined && e.owed > e.balance) {
      this.findings.push({
        check: "escrow-owed-within-balance",
        severity: "error",
        subject: insurer,
        message: `escrow owes ${e.owed} but holds ${e.balance}`,
        evidence: at,
      });
    }
  }

  private trial(id: string, at: Evidence): TrialState | undefined {
    const t = this.trials.get(id);
    if (t === undefined) {
      this.findings.push({
        check: "history",
        severity: "error",
        subject: `trial ${id}`,
        message: `${at.event} for a trial that was never registered`,
        evidence: at,
      });
    }
    return t;
  }

  private transition(from: string, to: number) {
    const key = `${from}>${CLAIM_STATUS[to]}`;
    this.claimTransitions.set(key, (this.claimTransitions.get(key) ?? 0) + 1);
  }
}
