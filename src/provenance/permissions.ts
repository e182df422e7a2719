import type { FunctionRule } from "../authority/permissions";

/**
 * Who may call the restricted functions of `DrugProvenance`. Shipping, accepting, rejecting, cancelling,
 * dispensing, destroying, recalling, quarantining and reporting are open functions that check their caller
 * themselves (holder, receiver, sender, the batch's manufacturer; trading partners, DISPENSER and REGULATOR via the
 * authority's `hasRole`), because no single role fits them — and `dispense`, the hottest path, saves ~5,000 gas
 * with one `hasRole` read instead of `restricted`'s `canCall`.
 */
export const PROVENANCE_PERMISSIONS: readonly FunctionRule[] = [
  {
    contract: "DrugProvenance",
    functions: ["commission(uint64,bytes32,uint40,uint32,bytes32,bytes32)"],
    role: "MANUFACTURER",
    why: "Only a marketing-authorisation holder commissions serialized batches.",
  },
  {
    contract: "DrugProvenance",
    functions: ["clearQuarantine(bytes32,bytes32)", "confirmIllegitimate(bytes32,bytes32)"],
    role: "REGULATOR",
    why: "Only the medicines regulator decides whether a quarantined batch is legitimate.",
  },
];
