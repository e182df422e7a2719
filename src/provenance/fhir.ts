import type { Medication, SupplyDelivery } from "@medplum/fhirtypes";
import { commit, type RecordCommitment } from "../records";
import { formatGtin, parseGtin } from "./gs1";

/** GS1 GTIN identifier system (FHIR's recommended URI for GS1 identifiers). */
export const GS1_GTIN_SYSTEM = "https://www.gs1.org/gtin";
/** Identifier system of shipment documents in Health Ledger payloads. */
export const SHIPMENT_ID_SYSTEM = "urn:health-ledger:provenance:shipment";

/** What describes a batch: the product and its GS1 identity. */
export interface BatchDescription {
  /** GTIN as printed (check digit validated). */
  gtin: string;
  /** GS1 lot (AI 10). */
  lot: string;
  /** Expiry date, ISO `YYYY-MM-DD`. */
  expirationDate: string;
  /** Product name, e.g. "Amoxicillin 500 mg capsules". */
  productName: string;
  /** Manufacturer's organisation name. */
  manufacturerName: string;
  /** Number of units (packs) in the batch. */
  unitCount: number;
  /** Dose form, e.g. "capsule" (optional). */
  form?: string;
}

/** Builds the FHIR R4 Medication that describes a batch (its commitment is `commission`'s `metadataCommitment`). */
export function medicationResource(batch: BatchDescription): Medication {
  const gtin = formatGtin(parseGtin(batch.gtin));
  if (!/^\d{4}-\d{2}-\d{2}$/.test(batch.expirationDate)) {
    throw new Error(`expirationDate "${batch.expirationDate}" must be an ISO date YYYY-MM-DD`);
  }
  if (!Number.isInteger(batch.unitCount) || batch.unitCount <= 0) {
    throw new Error(`unitCount ${batch.unitCount} must be a positive whole number`);
  }
  if (batch.productName.trim() === "" || batch.manufacturerName.trim() === "") {
    throw new Error("productName and manufacturerName must not be empty");
  }
  const medication: Medication = {
    resourceType: "Medication",
    identifier: [{ system: GS1_GTIN_SYSTEM, value: gtin }],
    code: { coding: [{ system: GS1_GTIN_SYSTEM, code: gtin, display: batch.productName }], text: batch.productName },
    status: "active",
    manufacturer: { display: batch.manufacturerName },
    batch: { lotNumber: batch.lot, expirationDate: batch.expirationDate },
    amount: { numerator: { value: batch.unitCount, unit: "pack" }, denominator: { value: 1, unit: "batch" } },
  };
  if (batch.form !== undefined) medication.form = { text: batch.form };
  return medication;
}

/** What a shipment's documents say (DSCSA transaction information, summarised). */
export interface ShipmentDescription {
  /** The sender's own reference for the shipment (e.g. an advance shipping notice number). */
  reference: string;
  gtin: string;
  lot: string;
  quantity: number;
  supplierName: string;
  receiverName: string;
  /** ISO date-time of dispatch. */
  shippedAt: string;
}

/** Builds the FHIR R4 SupplyDelivery of a shipment (its commitment is `ship`'s `documentsCommitment`). */
export function supplyDeliveryResource(shipment: ShipmentDescription): SupplyDelivery {
  const gtin = formatGtin(parseGtin(shipment.gtin));
  if (!Number.isInteger(shipment.quantity) || shipment.quantity <= 0) {
    throw new Error(`quantity ${shipment.quantity} must be a positive whole number`);
  }
  if (shipment.reference.trim() === "") throw new Error("reference must not be empty");
  return {
    resourceType: "SupplyDelivery",
    identifier: [{ system: SHIPMENT_ID_SYSTEM, value: shipment.reference }],
    status: "in-progress",
    suppliedItem: {
      quantity: { value: shipment.quantity, unit: "pack" },
      itemCodeableConcept: {
        coding: [{ system: GS1_GTIN_SYSTEM, code: gtin }],
        text: `GTIN ${gtin} lot ${shipment.lot}`,
      },
    },
    occurrenceDateTime: shipment.shippedAt,
    supplier: { display: shipment.supplierName },
    destination: { display: shipment.receiverName },
  };
}

/** Builds and commits a batch's Medication; pass `.commitment` to `commission`, keep the rest off chain. */
export function commitMedication(batch: BatchDescription, salt?: string): RecordCommitment {
  return commit(medicationResource(batch), salt);
}

/** Builds and commits a shipment's SupplyDelivery; pass `.commitment` to `ship`, send the rest with the goods. */
export function commitSupplyDelivery(shipment: ShipmentDescription, salt?: string): RecordCommitment {
  return commit(supplyDeliveryResource(shipment), salt);
}
