import type { FunctionRule } from "../authority/rules";

const PARTNERS = ["MANUFACTURER", "DISTRIBUTOR", "DISPENSER"] as const;

/**
 * Every state-changing function of `DrugProvenance`. Commissioning and the regulator's verdicts go through the
 * authority; the custody functions check the caller against the batch and its roles themselves, because they need
 * any one of several roles (a trading partner) or a role of another account (the receiver), and `dispense`, the
 * hottest path, spends one role read instead of `restricted`'s three. Roles are read at every call: an account that
 * loses its role loses its powers over the stock it holds at once; it may still reject and cancel shipments, which
 * only return goods to their sender.
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
    caller: "a trading partner holding enough units; the receiver must be a trading partner too",
    why: "Custody moves only between authorised trading partners",
  },
  {
    contract: "DrugProvenance",
    functions: ["accept((bytes32,address,address,uint32,bytes32))"],
    enforcedBy: "contract",
    roles: PARTNERS,
    caller: "the shipment's receiver, while it is a trading partner",
    why: "A receiver takes custody only while it is an authorised trading partner",
  },
  {
    contract: "DrugProvenance",
    functions: ["reject((bytes32,address,address,uint32,bytes32))"],
    enforcedBy: "contract",
    roles: ["PUBLIC"],
    caller: "the shipment's receiver, also after losing its role (wind-down: the goods go back to the sender)",
    why: "A receiver refuses a shipment, which returns to the sender",
  },
  {
    contract: "DrugProvenance",
    functions: ["cancel((bytes32,address,address,uint32,bytes32))"],
    enforcedBy: "contract",
    roles: ["PUBLIC"],
    caller: "the shipment's sender, also after losing its role (wind-down: the goods come back to it)",
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
    functions: ["destroy(bytes32,uint32,bytes32)"],
    enforcedBy: "contract",
    roles: PARTNERS,
    caller: "a trading partner holding enough units",
    why: "A holder records units it destroyed, by quantity (their serials keep verifying as before)",
  },
  {
    contract: "DrugProvenance",
    functions: ["destroyUnits(bytes32,address,(uint256,string,bytes32[])[],bytes32)"],
    enforcedBy: "contract",
    roles: ["MANUFACTURER", "REGULATOR"],
    caller: "the batch's manufacturer, from its own stock; or a regulator, from any holder's stock",
    why: "Only the parties accountable for a batch's serials mark identified packs destroyed: custody is tracked by quantity, so a holder could name packs another holds",
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
    roles: ["MANUFACTURER", "REGULATOR"],
    caller: "the batch's manufacturer while it holds MANUFACTURER, or any regulator",
    why: "The manufacturer or the regulator withdraws a batch from the market",
  },
  {
    contract: "DrugProvenance",
    functions: ["quarantine(bytes32,bytes32)"],
    enforcedBy: "contract",
    roles: [...PARTNERS, "REGULATOR"],
    caller:
      "any regulator; the batch's manufacturer while it holds MANUFACTURER; or, until a regulator first clears the batch, a trading partner holding units of it",
    why: "A suspect batch is stopped until the regulator decides; once cleared, a holder reports with evidence instead of overruling the verdict",
  },
  {
    contract: "DrugProvenance",
    functions: ["reportSuspect(bytes32,(uint256,string,bytes32[]),bytes32)"],
    enforcedBy: "contract",
    roles: [...PARTNERS, "REGULATOR"],
    why: "Trading partners and regulators report a suspect unit with evidence",
  },
];
