import type { ContractTransactionReceipt } from "ethers";
import type { DrugProvenance } from "../../typechain-types";
import { commit, type RecordCommitment } from "../records";
import type { UnitProof } from "./serials";
import { ShipmentStatus, shipmentIdOf, UnitStatus, type Shipment } from "./trace";

/** The shipment(s) a `ship` transaction sent, read from its receipt's `ShipmentSent` events. */
export function shipmentsFromReceipt(
  provenance: DrugProvenance,
  receipt: ContractTransactionReceipt | null,
): { shipmentId: string; shipment: Shipment }[] {
  if (receipt === null) throw new Error("The ship transaction has no receipt: was it mined?");
  const found: { shipmentId: string; shipment: Shipment }[] = [];
  for (const log of receipt.logs) {
    const parsed = provenance.interface.parseLog(log);
    if (parsed === null || parsed.name !== "ShipmentSent") continue;
    const shipment: Shipment = {
      batchId: parsed.args.batchId as string,
      from: parsed.args.from as string,
      to: parsed.args.to as string,
      quantity: parsed.args.quantity as bigint,
      documentsCommitment: parsed.args.documentsCommitment as string,
    };
    found.push({ shipmentId: shipmentIdOf(shipment), shipment });
  }
  return found;
}

/** Ships units and returns the shipment to hand to the receiver (and the receipt). */
export async function shipUnits(
  provenance: DrugProvenance,
  batchId: string,
  to: string,
  quantity: bigint | number,
  documentsCommitment: string,
): Promise<{ shipmentId: string; shipment: Shipment; receipt: ContractTransactionReceipt }> {
  const receipt = await (await provenance.ship(batchId, to, quantity, documentsCommitment)).wait();
  const [sent] = shipmentsFromReceipt(provenance, receipt);
  if (sent === undefined) throw new Error("The ship transaction emitted no ShipmentSent event");
  return { ...sent, receipt: receipt! };
}

/** Shipments addressed to `receiver` that are still in transit (what its receiving dock should expect). */
export async function incomingShipments(provenance: DrugProvenance, receiver: string): Promise<Shipment[]> {
  const sent = await provenance.queryFilter(provenance.filters.ShipmentSent(undefined, undefined, undefined, receiver));
  const open: Shipment[] = [];
  for (const l of sent) {
    const shipment: Shipment = {
      batchId: l.args.batchId,
      from: l.args.from,
      to: l.args.to,
      quantity: l.args.quantity,
      documentsCommitment: l.args.documentsCommitment,
    };
    if ((await provenance.shipmentStatus(shipmentIdOf(shipment))) === BigInt(ShipmentStatus.InTransit))
      open.push(shipment);
  }
  return open;
}

/** What a pharmacist saw when a pack was refused: the report that goes to the regulator, committed. */
export interface SuspectReport {
  gtin: string;
  lot: string;
  serial: string;
  /** What verification answered. */
  status: UnitStatus;
  /** Free text: where and how the pack was found. */
  note: string;
  /** ISO date-time of the finding. */
  observedAt: string;
}

/** Builds and commits the FHIR DetectedIssue of a suspect pack (the report's `evidenceCommitment`). */
export function commitSuspectReport(report: SuspectReport, salt?: string): RecordCommitment {
  return commit(
    {
      resourceType: "DetectedIssue",
      status: "preliminary",
      code: { text: "Suspect product (DSCSA / EU FMD alert)" },
      identifiedDateTime: report.observedAt,
      detail: `${report.note} [GTIN ${report.gtin} lot ${report.lot} serial ${report.serial}: ${UnitStatus[report.status]}]`,
    },
    salt,
  );
}

/** Outcome of {@link dispenseOrReport}. */
export type DispenseOutcome =
  | { dispensed: true; receipt: ContractTransactionReceipt }
  | {
      dispensed: false;
      status: UnitStatus;
      report: RecordCommitment | null;
      receipt: ContractTransactionReceipt | null;
    };

/** Statuses that mean the pack in hand is not what the chain knows: a clone or a fake. */
const SUSPECT: readonly UnitStatus[] = [UnitStatus.Unknown, UnitStatus.Dispensed, UnitStatus.Destroyed];

/**
 * The pharmacist's one call: verifies the pack; dispenses it when authentic; when its serial is unknown, already
 * dispensed (a cloned serial) or destroyed, does not dispense and reports the pack as suspect on chain (when
 * `report` is given); for a recalled, quarantined, illegitimate or expired batch returns the status without
 * dispensing (there is nothing suspect about the pack itself).
 */
export async function dispenseOrReport(
  provenance: DrugProvenance,
  batchId: string,
  unit: UnitProof,
  report?: Omit<SuspectReport, "status" | "serial">,
): Promise<DispenseOutcome> {
  const status = Number(await provenance.verifyUnit(batchId, unit.position, unit.serial, unit.proof)) as UnitStatus;
  if (status === UnitStatus.Authentic) {
    const receipt = await (await provenance.dispense(batchId, unit.position, unit.serial, unit.proof)).wait();
    return { dispensed: true, receipt: receipt! };
  }
  if (!SUSPECT.includes(status) || report === undefined) {
    return { dispensed: false, status, report: null, receipt: null };
  }
  const evidence = commitSuspectReport({ ...report, serial: unit.serial, status });
  const receipt = await (await reportSuspect(provenance, batchId, unit, evidence.commitment)).wait();
  return { dispensed: false, status, report: evidence, receipt };
}

/**
 * Reports a suspect pack on chain (any trading partner or regulator). This is how a holder raises an alarm about a
 * batch a regulator already cleared: the report goes to the regulator and the manufacturer, who may quarantine it.
 */
export function reportSuspect(
  provenance: DrugProvenance,
  batchId: string,
  unit: UnitProof,
  evidenceCommitment: string,
) {
  return provenance.reportSuspect(batchId, unit, evidenceCommitment);
}
