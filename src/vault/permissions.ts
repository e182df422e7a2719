import type { FunctionRule } from "../authority/rules";

/**
 * Every state-changing function of the vault anchor. Neither checks a role: a record anchor is a salted commitment
 * that names no one, and a log head is keyed by the account that sends it.
 */
export const VAULT_PERMISSIONS: readonly FunctionRule[] = [
  {
    contract: "VaultAnchor",
    functions: ["anchorRecords(bytes32[])"],
    enforcedBy: "contract",
    roles: ["PUBLIC"],
    why: "A record's writer anchors its salted commitment, which the vault requires and a reader checks against",
  },
  {
    contract: "VaultAnchor",
    functions: ["anchorLog(uint64,bytes32)"],
    enforcedBy: "contract",
    roles: ["PUBLIC"],
    caller: "the log is the caller's own; it only grows",
    why: "A vault operator anchors its disclosure log's head, so it cannot rewrite history unseen",
  },
];
