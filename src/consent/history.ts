import { readContractEvents, type ReadEventsOptions } from "../chain/contract-events";
import type { ConsentRegistry } from "../../typechain-types";

/** One change of a patient's consents or delegations, as read from the registry's events. */
export type ConsentEvent =
  | {
      kind: "granted";
      patient: string;
      grantee: string;
      actor: string;
      purpose: string;
      categories: bigint;
      startsAt: bigint;
      expiresAt: bigint;
      version: bigint;
      documentCommitment: string;
      blockNumber: number;
      logIndex: number;
      txHash: string;
    }
  | {
      kind: "revoked" | "renounced";
      patient: string;
      grantee: string;
      actor: string;
      purpose: string;
      version: bigint;
      blockNumber: number;
      logIndex: number;
      txHash: string;
    }
  | {
      kind: "delegateAppointed";
      patient: string;
      delegate: string;
      actor: string;
      delegateKind: number;
      expiresAt: bigint;
      /** The delegation's epoch: the delegate's signed requests must carry it. */
      epoch: bigint;
      blockNumber: number;
      logIndex: number;
      txHash: string;
    }
  | {
      kind: "delegateRemoved";
      patient: string;
      delegate: string;
      actor: string;
      blockNumber: number;
      logIndex: number;
      txHash: string;
    }
  | {
      kind: "emergencyAccess";
      patient: string;
      provider: string;
      actor: string;
      count: bigint;
      reasonCommitment: string;
      blockNumber: number;
      logIndex: number;
      txHash: string;
    };

/** A consent's state rebuilt from events, including the document commitment (which only events carry). */
export interface ConsentRecord {
  patient: string;
  grantee: string;
  purpose: string;
  categories: bigint;
  startsAt: bigint;
  expiresAt: bigint;
  version: bigint;
  revoked: boolean;
  documentCommitment: string;
  /** Who last granted or changed it (the patient or her delegate). */
  grantedBy: string;
}

/** A delegation rebuilt from events. */
export interface DelegateRecord {
  patient: string;
  delegate: string;
  kind: number;
  expiresAt: bigint;
  /** The delegation's epoch, which the delegate's signed requests carry. */
  epoch: bigint;
}

/**
 * Every event about `patient`, oldest first: grants, revocations, renunciations, delegate changes and emergency
 * accesses, read in one paged log scan (adaptive block ranges, see `src/chain/logs.ts`). `fromBlock` lets an indexer
 * resume (default: the genesis block).
 */
export async function consentHistory(
  registry: ConsentRegistry,
  patient: string,
  fromBlock: number = 0,
  options: Omit<ReadEventsOptions, "fromBlock"> = {},
): Promise<ConsentEvent[]> {
  const logs = await readContractEvents(
    registry,
    [
      "ConsentGranted",
      "ConsentRevoked",
      "ConsentRenounced",
      "DelegateAppointed",
      "DelegateRemoved",
      "EmergencyAccessRecorded",
    ],
    [patient],
    { ...options, fromBlock },
  );
  return logs.map((e): ConsentEvent => {
    const at = { blockNumber: e.blockNumber, logIndex: e.logIndex, txHash: e.transactionHash };
    switch (e.name) {
      case "ConsentGranted":
        return {
          kind: "granted",
          patient: e.args.patient,
          grantee: e.args.grantee,
          actor: e.args.actor,
          purpose: e.args.purpose,
          categories: e.args.categories,
          startsAt: e.args.startsAt,
          expiresAt: e.args.expiresAt,
          version: e.args.version,
          documentCommitment: e.args.documentCommitment,
          ...at,
        };
      case "ConsentRevoked":
        return {
          kind: "revoked",
          patient: e.args.patient,
          grantee: e.args.grantee,
          actor: e.args.actor,
          purpose: e.args.purpose,
          version: e.args.version,
          ...at,
        };
      case "ConsentRenounced":
        return {
          kind: "renounced",
          patient: e.args.patient,
          grantee: e.args.grantee,
          actor: e.args.grantee,
          purpose: e.args.purpose,
          version: e.args.version,
          ...at,
        };
      case "DelegateAppointed":
        return {
          kind: "delegateAppointed",
          patient: e.args.patient,
          delegate: e.args.delegate,
          actor: e.args.actor,
          delegateKind: Number(e.args.kind),
          expiresAt: e.args.expiresAt,
          epoch: e.args.epoch,
          ...at,
        };
      case "DelegateRemoved":
        return {
          kind: "delegateRemoved",
          patient: e.args.patient,
          delegate: e.args.delegate,
          actor: e.args.actor,
          ...at,
        };
      case "EmergencyAccessRecorded":
        return {
          kind: "emergencyAccess",
          patient: e.args.patient,
          provider: e.args.provider,
          actor: e.args.provider,
          count: e.args.count,
          reasonCommitment: e.args.reasonCommitment,
          ...at,
        };
    }
  });
}

function consentKey(grantee: string, purpose: string): string {
  return `${grantee.toLowerCase()}:${purpose.toLowerCase()}`;
}

/** Folds a history (oldest first) into every consent's latest state, revoked ones included. */
export function foldConsents(history: readonly ConsentEvent[]): ConsentRecord[] {
  const byKey = new Map<string, ConsentRecord>();
  for (const e of history) {
    if (e.kind === "granted") {
      byKey.set(consentKey(e.grantee, e.purpose), {
        patient: e.patient,
        grantee: e.grantee,
        purpose: e.purpose,
        categories: e.categories,
        startsAt: e.startsAt,
        expiresAt: e.expiresAt,
        version: e.version,
        revoked: false,
        documentCommitment: e.documentCommitment,
        grantedBy: e.actor,
      });
    } else if (e.kind === "revoked" || e.kind === "renounced") {
      const record = byKey.get(consentKey(e.grantee, e.purpose));
      if (record === undefined) throw new Error(`History is incomplete: ${e.kind} without a prior grant`);
      byKey.set(consentKey(e.grantee, e.purpose), { ...record, version: e.version, revoked: true });
    }
  }
  return [...byKey.values()];
}

/** Folds a history into the patient's delegations that were not removed (check `expiresAt` for validity). */
export function foldDelegates(history: readonly ConsentEvent[]): DelegateRecord[] {
  const byDelegate = new Map<string, DelegateRecord>();
  for (const e of history) {
    if (e.kind === "delegateAppointed") {
      byDelegate.set(e.delegate.toLowerCase(), {
        patient: e.patient,
        delegate: e.delegate,
        kind: e.delegateKind,
        expiresAt: e.expiresAt,
        epoch: e.epoch,
      });
    } else if (e.kind === "delegateRemoved") {
      byDelegate.delete(e.delegate.toLowerCase());
    }
  }
  return [...byDelegate.values()];
}

/** True when a consent record is in force at `now` (unix seconds) for every category of `required`. */
export function inForce(record: ConsentRecord, now: bigint, required: bigint = record.categories): boolean {
  return (
    !record.revoked &&
    record.startsAt <= now &&
    now < record.expiresAt &&
    required !== 0n &&
    (required & ~record.categories) === 0n
  );
}

/**
 * A patient's consents that are in force now (at the latest block's time), rebuilt from events, with the
 * document commitment of each.
 */
export async function currentConsents(registry: ConsentRegistry, patient: string): Promise<ConsentRecord[]> {
  const provider = registry.runner?.provider;
  if (provider == null) throw new Error("The registry must be connected to a provider to read the chain");
  const block = await provider.getBlock("latest");
  const now = BigInt(block!.timestamp);
  return foldConsents(await consentHistory(registry, patient)).filter((c) => inForce(c, now));
}
