import type { FunctionRule } from "../authority/rules";

const PARTNERS = ["MANUFACTURER", "DISTRIBUTOR", "DISPENSER"] as const;

/**
 * Every state-changing function of `DrugProvenance`. Commissioning and the regulator's verdicts go through the
 * authority; the custody functions check the caller against the batch and its roles themselves, because they need
 * any one of several roles (a trading partner) or a role of another account (the receiver), and `dispense`, the
 * hottest path, spends one role read instead of `restricted`'s three.
 */
export const PROVENANCE_PERMISSIONS: readonly FunctionRule[] = [
  {
    contract: "DrugProvenance",
    functions: ["commission(uint64,bytes32,uint40,uint32,bytes32,bytes32)"],
    enforcedBy: "authority",
    roles: ["MANUFACTURER"],
    why: "Only a marketing-authorisation holder commissions serialized batches",
  },
  {
    contract: "DrugProvenance",
    functions: ["clearQuarantine(bytes32,bytes32)", "confirmIllegitimate(bytes32,bytes32)"],
    enforcedBy: "authority",
    roles: ["REGULATOR"],
    why: "Only the medicines regulator decides whether a quarantined batch is legitimate",
  },
  {
    contract: "DrugProvenance",
    functions: ["ship(bytes32,address,uint32,bytes32)"],
    enforcedBy: "contract",
    roles: PARTNERS,
    caller: "a holder of enough units; the receiver must be a trading partner too",
    why: "Custody moves only between authorised trading partners",
  },
  {
    contract: "DrugProvenance",
    functions: ["accept((bytes32,address,address,uint32,bytes32))"],
    enforcedBy: "contract",
    roles: PARTNERS,
    caller: "the shipment's receiver",
    why: "A receiver takes custody only while it is an authorised trading partner",
  },
  {
    contract: "DrugProvenance",
    functions: ["reject((bytes32,address,address,uint32,bytes32))"],
    enforcedBy: "contract",
    roles: ["PUBLIC"],
    caller: "the shipment's receiver",
    why: "A receiver refuses a shipment, which returns to the sender",
  },
  {
    contract: "DrugProvenance",
    functions: ["cancel((bytes32,address,address,uint32,bytes32))"],
    enforcedBy: "contract",
    roles: ["PUBLIC"],
    caller: "the shipment's sender",
    why: "A sender calls back a shipment still in transit",
  },
  {
    contract: "DrugProvenance",
    functions: ["dispense(bytes32,uint256,string,bytes32[])"],
    enforcedBy: "contract",
    roles: ["DISPENSER"],
    caller: "a holder of the batch",
    why: "Pharmacies dispense verified units to patients",
  },
  {
    contract: "DrugProvenance",
    functions: ["destroy(bytes32,uint32,bytes32)", "destroyUnits(bytes32,(uint256,string,bytes32[])[],bytes32)"],
    enforcedBy: "contract",
    roles: ["PUBLIC"],
    caller: "a holder of enough units",
    why: "A holder records units it destroyed",
  },
  {
    contract: "DrugProvenance",
    functions: ["anchorSubtree(bytes32,bytes32,bytes32[])"],
    enforcedBy: "contract",
    roles: ["PUBLIC"],
    why: "Anyone may pre-verify an inner node of a serial tree so that later proofs are shorter",
  },
  {
    contract: "DrugProvenance",
    functions: ["recall(bytes32,bytes32)"],
    enforcedBy: "contract",
    roles: ["REGULATOR"],
    caller: "the batch's manufacturer, or a regulator",
    why: "The manufacturer or the regulator withdraws a batch from the market",
  },
  {
    contract: "DrugProvenance",
    functions: ["quarantine(bytes32,bytes32)"],
    enforcedBy: "contract",
    roles: ["REGULATOR"],
    caller: "the batch's manufacturer, a holder, or a regulator",
    why: "A suspect batch is stopped until the regulator decides",
  },
  {
    contract: "DrugProvenance",
    functions: ["reportSuspect(bytes32,(uint256,string,bytes32[]),bytes32)"],
    enforcedBy: "contract",
    roles: [...PARTNERS, "REGULATOR"],
    why: "Trading partners and regulators report a suspect unit with evidence",
  },
];
