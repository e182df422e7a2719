import { AbiCoder, keccak256 } from "ethers";
import type { DrugProvenance } from "../../typechain-types";
import type { Bytes32 } from "./gs1";
import { BatchFlags, ShipmentStatus, UnitStatus } from "../constants";
import { verifySerialProof, type UnitProof } from "./serials";
import { readContractEvents, rpcOf, type ReadEventsOptions } from "../chain/contract-events";
import { headBlock } from "../chain/logs";

export { BatchFlags, ShipmentStatus, UnitStatus } from "../constants";

/** A shipment as the contract hashes it (`IDrugProvenance.Shipment`). */
export interface Shipment {
  batchId: string;
  from: string;
  to: string;
  quantity: bigint;
  documentsCommitment: string;
}

/** The shipment id the contract derives: `keccak256(abi.encode(shipment))`. */
export function shipmentIdOf(s: Shipment): Bytes32 {
  return keccak256(
    AbiCoder.defaultAbiCoder().encode(
      ["tuple(bytes32,address,address,uint32,bytes32)"],
      [[s.batchId, s.from, s.to, s.quantity, s.documentsCommitment]],
    ),
  ) as Bytes32;
}

interface At {
  blockNumber: number;
  logIndex: number;
  transactionHash: string;
}

/** One step of a batch's history, as read from the contract's events. */
export type CustodyEvent = At &
  (
    | {
        kind: "commissioned";
        manufacturer: string;
        gtin: bigint;
        lot: string;
        expiresAt: bigint;
        unitCount: bigint;
        serialRoot: string;
        metadataCommitment: string;
      }
    | { kind: "shipped"; shipmentId: string; shipment: Shipment }
    | { kind: "accepted" | "rejected" | "cancelled"; shipmentId: string; by: string }
    | { kind: "dispensed"; dispenser: string; position: bigint }
    | { kind: "destroyed"; holder: string; by: string; quantity: bigint; evidenceCommitment: string }
    | { kind: "unitDestroyed"; holder: string; position: bigint }
    | { kind: "anchored"; by: string; node: string }
    | { kind: "recalled" | "quarantined" | "cleared" | "illegitimate"; by: string; reasonCommitment: string }
    | {
        kind: "suspectReported";
        reporter: string;
        position: bigint;
        status: UnitStatus;
        evidenceCommitment: string;
      }
  );

/**
 * Every event of one batch, in chain order (block, then log index): the whole chain of custody. Two paged log scans
 * (adaptive block ranges, see `src/chain/logs.ts`) from `fromBlock` (default 0): the events indexed by batch first,
 * and the shipments, which index the batch second.
 */
export async function traceBatch(
  provenance: DrugProvenance,
  batchId: string,
  fromBlock: number = 0,
  options: Omit<ReadEventsOptions, "fromBlock"> = {},
): Promise<CustodyEvent[]> {
  const toBlock = options.toBlock ?? (await headBlock(options.rpc ?? rpcOf(provenance), options.fetch));
  const scan = { ...options, fromBlock, toBlock };
  const [own, shipments] = await Promise.all([
    readContractEvents(
      provenance,
      [
        "BatchCommissioned",
        "UnitDispensed",
        "UnitsDestroyed",
        "UnitDestroyed",
        "SubtreeAnchored",
        "BatchRecalled",
        "BatchQuarantined",
        "QuarantineCleared",
        "BatchIllegitimate",
        "SuspectUnitReported",
      ],
      [batchId],
      scan,
    ),
    readContractEvents(
      provenance,
      ["ShipmentSent", "ShipmentAccepted", "ShipmentRejected", "ShipmentCancelled"],
      [null, batchId],
      scan,
    ),
  ]);
  const at = (l: { blockNumber: number; logIndex: number; transactionHash: string }): At => ({
    blockNumber: l.blockNumber,
    logIndex: l.logIndex,
    transactionHash: l.transactionHash,
  });
  const events: CustodyEvent[] = [];
  for (const l of own) {
    switch (l.name) {
      case "BatchCommissioned":
        events.push({
          ...at(l),
          kind: "commissioned",
          manufacturer: l.args.manufacturer,
          gtin: l.args.gtin,
          lot: l.args.lot,
          expiresAt: l.args.expiresAt,
          unitCount: l.args.unitCount,
          serialRoot: l.args.serialRoot,
          metadataCommitment: l.args.metadataCommitment,
        });
        break;
      case "UnitDispensed":
        events.push({ ...at(l), kind: "dispensed", dispenser: l.args.dispenser, position: l.args.position });
        break;
      case "UnitsDestroyed":
        events.push({
          ...at(l),
          kind: "destroyed",
          holder: l.args.holder,
          by: l.args.by,
          quantity: l.args.quantity,
          evidenceCommitment: l.args.evidenceCommitment,
        });
        break;
      case "UnitDestroyed":
        events.push({ ...at(l), kind: "unitDestroyed", holder: l.args.holder, position: l.args.position });
        break;
      case "SubtreeAnchored":
        events.push({ ...at(l), kind: "anchored", by: l.args.by, node: l.args.node });
        break;
      case "BatchRecalled":
        events.push({ ...at(l), kind: "recalled", by: l.args.by, reasonCommitment: l.args.reasonCommitment });
        break;
      case "BatchQuarantined":
        events.push({ ...at(l), kind: "quarantined", by: l.args.by, reasonCommitment: l.args.reasonCommitment });
        break;
      case "QuarantineCleared":
        events.push({ ...at(l), kind: "cleared", by: l.args.regulator, reasonCommitment: l.args.reasonCommitment });
        break;
      case "BatchIllegitimate":
        events.push({
          ...at(l),
          kind: "illegitimate",
          by: l.args.regulator,
          reasonCommitment: l.args.reasonCommitment,
        });
        break;
      case "SuspectUnitReported":
        events.push({
          ...at(l),
          kind: "suspectReported",
          reporter: l.args.reporter,
          position: l.args.position,
          status: Number(l.args.status) as UnitStatus,
          evidenceCommitment: l.args.evidenceCommitment,
        });
        break;
    }
  }
  for (const l of shipments) {
    switch (l.name) {
      case "ShipmentSent":
        events.push({
          ...at(l),
          kind: "shipped",
          shipmentId: l.args.shipmentId,
          shipment: {
            batchId: l.args.batchId,
            from: l.args.from,
            to: l.args.to,
            quantity: l.args.quantity,
            documentsCommitment: l.args.documentsCommitment,
          },
        });
        break;
      case "ShipmentAccepted":
        events.push({ ...at(l), kind: "accepted", shipmentId: l.args.shipmentId, by: l.args.to });
        break;
      case "ShipmentRejected":
        events.push({ ...at(l), kind: "rejected", shipmentId: l.args.shipmentId, by: l.args.to });
        break;
      case "ShipmentCancelled":
        events.push({ ...at(l), kind: "cancelled", shipmentId: l.args.shipmentId, by: l.args.from });
        break;
    }
  }
  return events.sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex);
}

/** One account's custody, as rebuilt from events (mirror of `IDrugProvenance.Holding`). */
export interface HoldingState {
  quantity: bigint;
  dispensed: bigint;
  destroyed: bigint;
  supplier: string;
}

/** A batch's whole state, rebuilt from its events alone. */
export interface BatchState {
  batchId: string;
  manufacturer: string;
  gtin: bigint;
  lot: string;
  expiresAt: bigint;
  unitCount: bigint;
  serialRoot: string;
  metadataCommitment: string;
  recalled: boolean;
  quarantined: boolean;
  illegitimate: boolean;
  /** A regulator cleared a quarantine of it at least once: only its manufacturer or a regulator may quarantine it. */
  cleared: boolean;
  /** Keyed by checksummed address. */
  holdings: Map<string, HoldingState>;
  shipments: Map<string, { shipment: Shipment; status: ShipmentStatus }>;
  dispensedUnits: Set<bigint>;
  destroyedUnits: Set<bigint>;
  /** Anchored subtree nodes (lower-case hex). */
  anchors: Set<string>;
}

/** Rebuilds a batch's state from its history ({@link traceBatch}); throws if the history does not start with it. */
export function rebuildBatch(batchId: string, events: readonly CustodyEvent[]): BatchState {
  // Suspect reports may name a batch before it exists; everything else follows its commissioning.
  const start = events.findIndex((e) => e.kind !== "suspectReported");
  const first = start === -1 ? undefined : events[start];
  if (first === undefined || first.kind !== "commissioned") {
    throw new Error(`Batch ${batchId} has no BatchCommissioned event: is it commissioned on this contract?`);
  }
  const state: BatchState = {
    batchId,
    manufacturer: first.manufacturer,
    gtin: first.gtin,
    lot: first.lot,
    expiresAt: first.expiresAt,
    unitCount: first.unitCount,
    serialRoot: first.serialRoot,
    metadataCommitment: first.metadataCommitment,
    recalled: false,
    quarantined: false,
    illegitimate: false,
    cleared: false,
    holdings: new Map(),
    shipments: new Map(),
    dispensedUnits: new Set(),
    destroyedUnits: new Set(),
    anchors: new Set(),
  };
  const holding = (account: string): HoldingState => {
    let h = state.holdings.get(account);
    if (h === undefined) {
      h = { quantity: 0n, dispensed: 0n, destroyed: 0n, supplier: "0x0000000000000000000000000000000000000000" };
      state.holdings.set(account, h);
    }
    return h;
  };
  const shipmentOf = (id: string) => {
    const s = state.shipments.get(id);
    if (s === undefined) throw new Error(`Shipment ${id} settled before it was sent: the history is incomplete`);
    return s;
  };
  holding(first.manufacturer).quantity = first.unitCount;
  holding(first.manufacturer).supplier = first.manufacturer;
  for (const e of events.slice(start + 1)) {
    switch (e.kind) {
      case "shipped":
        holding(e.shipment.from).quantity -= e.shipment.quantity;
        state.shipments.set(e.shipmentId, { shipment: e.shipment, status: ShipmentStatus.InTransit });
        break;
      case "accepted": {
        const s = shipmentOf(e.shipmentId);
        s.status = ShipmentStatus.Accepted;
        const h = holding(s.shipment.to);
        h.quantity += s.shipment.quantity;
        if (/^0x0{40}$/.test(h.supplier)) h.supplier = s.shipment.from;
        break;
      }
      case "rejected":
      case "cancelled": {
        const s = shipmentOf(e.shipmentId);
        s.status = e.kind === "rejected" ? ShipmentStatus.Rejected : ShipmentStatus.Cancelled;
        holding(s.shipment.from).quantity += s.shipment.quantity;
        break;
      }
      case "dispensed":
        holding(e.dispenser).quantity -= 1n;
        holding(e.dispenser).dispensed += 1n;
        state.dispensedUnits.add(e.position);
        break;
      case "destroyed":
        holding(e.holder).quantity -= e.quantity;
        holding(e.holder).destroyed += e.quantity;
        break;
      case "unitDestroyed":
        state.destroyedUnits.add(e.position);
        break;
      case "anchored":
        state.anchors.add(e.node.toLowerCase());
        break;
      case "recalled":
        state.recalled = true;
        break;
      case "quarantined":
        state.quarantined = true;
        break;
      case "cleared":
        state.quarantined = false;
        state.cleared = true;
        break;
      case "illegitimate":
        state.quarantined = false;
        state.illegitimate = true;
        break;
      case "commissioned":
        throw new Error(`Batch ${batchId} is commissioned twice in its history`);
      case "suspectReported":
        break;
    }
  }
  return state;
}

/** The `flags` the contract stores for a rebuilt batch (`Batch.flags`, bits of {@link BatchFlags}). */
export function batchFlagsOf(state: BatchState): number {
  return (
    (state.recalled ? BatchFlags.RECALLED : 0) |
    (state.quarantined ? BatchFlags.QUARANTINED : 0) |
    (state.illegitimate ? BatchFlags.ILLEGITIMATE : 0) |
    (state.cleared ? BatchFlags.CLEARED : 0)
  );
}

/** Units in transit: the sum of shipments not yet accepted, rejected or cancelled. */
export function inTransit(state: BatchState): bigint {
  let total = 0n;
  for (const { shipment, status } of state.shipments.values()) {
    if (status === ShipmentStatus.InTransit) total += shipment.quantity;
  }
  return total;
}

/**
 * The status of a unit from a rebuilt batch state at time `now` (unix seconds), decided exactly as the contract's
 * `verifyUnit`: unit facts first (unknown, dispensed, destroyed), then the batch (illegitimate, recalled,
 * quarantined, expired).
 */
export function unitStatusOf(state: BatchState | undefined, unit: UnitProof, now: bigint): UnitStatus {
  if (state === undefined || unit.position < 0n || unit.position >= state.unitCount) return UnitStatus.Unknown;
  if (!verifySerialProof(state.serialRoot, unit, state.anchors)) return UnitStatus.Unknown;
  if (state.destroyedUnits.has(unit.position)) return UnitStatus.Destroyed;
  if (state.dispensedUnits.has(unit.position)) return UnitStatus.Dispensed;
  if (state.illegitimate) return UnitStatus.Illegitimate;
  if (state.recalled) return UnitStatus.Recalled;
  if (state.quarantined) return UnitStatus.Quarantined;
  if (now >= state.expiresAt) return UnitStatus.Expired;
  return UnitStatus.Authentic;
}

/**
 * Verifies a unit off chain from the batch's events and the latest block's time: the same answer as the contract's
 * `verifyUnit`, computed from the history an auditor can replay.
 */
export async function verifyUnit(provenance: DrugProvenance, batchId: string, unit: UnitProof): Promise<UnitStatus> {
  const events = await traceBatch(provenance, batchId);
  const state = events.some((e) => e.kind === "commissioned") ? rebuildBatch(batchId, events) : undefined;
  const runner = provenance.runner;
  const provider = runner?.provider ?? null;
  if (provider === null) throw new Error("The provenance contract must be connected to a provider");
  const block = await provider.getBlock("latest");
  if (block === null) throw new Error("The provider returned no latest block");
  return unitStatusOf(state, unit, BigInt(block.timestamp));
}
