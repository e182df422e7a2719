import { id } from "ethers";
import { PUBLIC_ROLE, ROLES, type RoleName } from "./roles";

/**
 * The shape of a row of the permission table (src/authority/permissions.ts). Domain tables
 * (`src/<domain>/permissions.ts`) import this module only, so the table and the domains do not import each other.
 *
 * Every external function of every domain contract that changes state has exactly one row. A row says where the
 * role is checked:
 * - `authority`: the function is `restricted`; the wiring maps its selector to the row's one role in the
 *   HealthLedgerAuthority, and a member with an execution delay schedules the call there first;
 * - `contract`: the contract checks the roles itself (`_requireRole` / `_hasRole` of `HealthLedgerManaged`),
 *   accepting a member only without an execution delay. A test reads the compiled AST and fails when a contract
 *   checks a role that its row does not declare, or declares one it does not check.
 * Either kind may add a condition on the caller that the contract checks against the record (`caller`).
 */
export interface FunctionRule {
  /** Contract name as compiled (the artifact name), e.g. `"ConsentRegistry"`. */
  contract: string;
  /** Solidity function signatures, e.g. `"breakGlass(address,bytes32)"`. */
  functions: readonly string[];
  /** Who checks the role: the authority (`restricted`) or the contract itself. */
  enforcedBy: "authority" | "contract";
  /**
   * The roles the function checks: for `authority` rows exactly one, the role a caller needs; for `contract` rows
   * every role the contract checks (of the caller, or of an account it names, as `caller` says). `["PUBLIC"]`: no
   * role is checked.
   */
  roles: readonly (RoleName | "PUBLIC")[];
  /** What the contract checks about the caller beyond roles, e.g. "the trial's sponsor"; omitted when nothing. */
  caller?: string;
  /** Who this is for and why, in one sentence; shown in docs/roles.md. */
  why: string;
}

/** The 4-byte selector of a function signature. */
export function selectorOf(signature: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*\(.*\)$/.test(signature)) {
    throw new Error(`"${signature}" is not a function signature such as "transfer(address,uint256)"`);
  }
  return id(signature).slice(0, 10);
}

/** Role id an `authority` row maps its functions to. */
export function ruleRoleId(rule: FunctionRule): bigint {
  if (rule.enforcedBy !== "authority" || rule.roles.length !== 1) {
    throw new Error(`Only an authority row with exactly one role maps to a role id (${rule.contract}: ${rule.why})`);
  }
  const role = rule.roles[0];
  return role === "PUBLIC" ? PUBLIC_ROLE : ROLES[role];
}
