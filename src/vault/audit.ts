/**
 * FHIR AuditEvents of the disclosure log (R4): one for every request the vault answers or refuses, about the
 * patient the request names. Events hold addresses, record ids, purposes and outcomes: no health data.
 */
import type { AuditEvent } from "@medplum/fhirtypes";
import { purposeName, PURPOSE_OF_USE } from "../consent/purposes";

/** What a log entry records. */
export interface Disclosure {
  /** The request kind (`Read`, `Write`, `AddReaders`, `Erase`, `AuditLog`). */
  kind: string;
  /** The patient the request is about. */
  patient: string;
  /** The account that signed (or claimed to sign) the request. */
  agent: string;
  /** The record concerned, when one is. */
  recordId?: string;
  /** The purpose of use (bytes32), when the request names one. */
  purpose?: string;
  /** Unix milliseconds. */
  at: number;
  /** `undefined` when served; otherwise the refusal's problem type (e.g. `consent-missing`) and detail. */
  refusal?: { type: string; detail: string };
  /** The request's EIP-712 digest (identifies it without repeating it). */
  requestId?: string;
  /** The chain id, for the agents' `eip155:` identifiers. */
  chainId: bigint;
}

const ACTION: Record<string, AuditEvent["action"]> = {
  Read: "R",
  Write: "C",
  AddReaders: "U",
  Erase: "D",
  AuditLog: "R",
};

/** The AuditEvent for a disclosure (served: outcome `0`; refused: `4`, with the reason). */
export function auditEvent(d: Disclosure): AuditEvent {
  const account = (a: string) => ({
    identifier: { system: "urn:ietf:rfc:3986", value: `eip155:${d.chainId}:${a.toLowerCase()}` },
  });
  const name = d.purpose === undefined ? undefined : purposeName(d.purpose);
  const event: AuditEvent = {
    resourceType: "AuditEvent",
    type: {
      system: "http://terminology.hl7.org/CodeSystem/audit-event-type",
      code: "rest",
      display: "RESTful Operation",
    },
    subtype: [{ system: "urn:health-ledger:vault", code: d.kind }],
    action: ACTION[d.kind] ?? "E",
    recorded: new Date(d.at).toISOString(),
    outcome: d.refusal === undefined ? "0" : "4",
    ...(d.refusal === undefined ? {} : { outcomeDesc: `${d.refusal.type}: ${d.refusal.detail}` }),
    ...(d.purpose === undefined
      ? {}
      : {
          purposeOfEvent: [
            {
              coding: [
                name === undefined
                  ? { system: "urn:health-ledger:purpose", code: d.purpose }
                  : { system: "http://terminology.hl7.org/CodeSystem/v3-ActReason", code: PURPOSE_OF_USE[name] },
              ],
            },
          ],
        }),
    agent: [{ who: account(d.agent), requestor: true }],
    source: { observer: { display: "health-ledger-vault" } },
    entity: [
      {
        what: account(d.patient),
        role: { system: "http://terminology.hl7.org/CodeSystem/object-role", code: "1", display: "Patient" },
      },
      ...(d.recordId === undefined
        ? []
        : [{ what: { identifier: { system: "urn:health-ledger:record", value: d.recordId.toLowerCase() } } }]),
      ...(d.requestId === undefined
        ? []
        : [{ what: { identifier: { system: "urn:health-ledger:vault-request", value: d.requestId } } }]),
    ],
  };
  return event;
}
