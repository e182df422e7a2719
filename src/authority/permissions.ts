import type { ContractRunner, Signer } from "ethers";
import type { HealthLedgerAuthority } from "../../typechain-types";
import { CONSENT_PERMISSIONS } from "../consent/permissions";
import { PROVENANCE_PERMISSIONS } from "../provenance/permissions";
import { ROLES, type RoleName } from "./roles";
import { ruleRoleId, selectorOf, type FunctionRule } from "./rules";
import { CLAIMS_PERMISSIONS } from "../claims/permissions";
import { TRIAL_PERMISSIONS } from "../trials/permissions";
import { VAULT_PERMISSIONS } from "../vault/permissions";

/**
 * The one permission table of the system: every state-changing external function of every Health Ledger contract,
 * with where its role is checked (see {@link FunctionRule}). The deployment module, the demo and the tests wire the
 * authority from its `authority` rows; `docs/roles.md` is rendered from all rows; tests check both against the
 * contracts (a selector the authority must map, a role a contract checks itself).
 *
 * Each domain keeps its rows beside its SDK (`src/<domain>/permissions.ts`).
 */
export const PERMISSIONS: readonly FunctionRule[] = [
  ...CONSENT_PERMISSIONS,
  ...PROVENANCE_PERMISSIONS,
  ...CLAIMS_PERMISSIONS,
  ...TRIAL_PERMISSIONS,
  ...VAULT_PERMISSIONS,
];

/** The rows the authority enforces: the selectors `wirePermissions` and the Ignition modules map to roles. */
export function authorityRules(rules: readonly FunctionRule[] = PERMISSIONS): FunctionRule[] {
  return rules.filter((r) => r.enforcedBy === "authority");
}

/** A deployed contract as the wiring helper needs it: an address and an ABI to check signatures against. */
export interface WiringTarget {
  getAddress(): Promise<string>;
  interface: { getFunction(nameOrSignature: string): unknown };
}

/** Outcome of an admin call: done now, or scheduled because the admin has an execution delay. */
export type AdminCallResult = { status: "executed"; txHash: string } | { status: "scheduled"; operationId: string };

/** Seconds added to a guardian-proof schedule, so that it stays guardian-proof when mined a few blocks later. */
export const GUARDIAN_PROOF_MARGIN = 900n;

/** How an admin operation that must wait is scheduled. */
export interface AdminCallOptions {
  /**
   * Schedule it on the guardian-proof slow path (`guardianProofDelay()` ahead), so that a guardian cannot cancel
   * it: the way out when a guardian vetoes an operation that must happen (see docs/roles.md).
   */
  guardianProof?: boolean;
}

/**
 * Sends one admin operation on the authority: directly when the signer may call it immediately, through
 * `schedule` when the signer's execution delay requires it (then the same signer calls `execute` once the delay
 * passes; an operation's id binds the account that scheduled it).
 */
export async function adminCall(
  authority: HealthLedgerAuthority,
  data: string,
  options: AdminCallOptions = {},
): Promise<AdminCallResult> {
  const runner = authority.runner as (ContractRunner & Signer) | null;
  if (runner === null || typeof runner.getAddress !== "function") {
    throw new Error("The authority contract must be connected to a signer to send admin operations");
  }
  const caller = await runner.getAddress();
  const target = await authority.getAddress();
  const [immediate, delay] = await authority.canCall(caller, target, data.slice(0, 10));
  if (immediate && options.guardianProof !== true) {
    const tx = await runner.sendTransaction({ to: target, data });
    const receipt = await tx.wait();
    return { status: "executed", txHash: receipt!.hash };
  }
  if (delay === 0n) {
    throw new Error(`${caller} is not allowed to call ${data.slice(0, 10)} on the authority ${target}`);
  }
  let when = 0n;
  if (options.guardianProof === true) {
    const latest = await runner.provider!.getBlock("latest");
    // The schedule is mined in a later block than the one read here: a margin keeps it on the slow path.
    when = BigInt(latest!.timestamp) + (await authority.guardianProofDelay()) + GUARDIAN_PROOF_MARGIN;
  }
  const operationId = await authority.hashOperation(caller, target, data);
  const receipt = await (await authority.schedule(target, data, when)).wait();
  if (options.guardianProof === true) {
    const proof = authority.interface.getEvent("OperationGuardianProof").topicHash;
    if (!receipt!.logs.some((log) => log.topics[0] === proof)) {
      throw new Error(
        `Operation ${operationId} was mined too late to be guardian-proof: cancel it and schedule it again`,
      );
    }
  }
  return { status: "scheduled", operationId };
}

/**
 * Maps every function of `rules` to its role on the authority, for the contracts given in `targets`
 * (keyed by contract name). Rules of contracts not in `targets` are skipped, so a partial system can be wired.
 * Throws, before sending anything, if a signature does not exist in the target's ABI.
 */
export async function wirePermissions(
  authority: HealthLedgerAuthority,
  targets: Readonly<Record<string, WiringTarget>>,
  rules: readonly FunctionRule[] = PERMISSIONS,
): Promise<AdminCallResult[]> {
  const planned: { target: string; selectors: string[]; role: bigint }[] = [];
  for (const rule of authorityRules(rules)) {
    const contract = targets[rule.contract];
    if (contract === undefined) continue;
    for (const signature of rule.functions) {
      if (contract.interface.getFunction(signature) === null) {
        throw new Error(`${rule.contract} has no function ${signature}: fix the permission table`);
      }
    }
    planned.push({
      target: await contract.getAddress(),
      selectors: rule.functions.map(selectorOf),
      role: ruleRoleId(rule),
    });
  }
  const results: AdminCallResult[] = [];
  for (const p of planned) {
    const data = authority.interface.encodeFunctionData("setTargetFunctionRole", [p.target, p.selectors, p.role]);
    results.push(await adminCall(authority, data));
  }
  return results;
}

/** One role membership: `account` holds `role`, optionally with an execution delay in seconds. */
export interface RoleGrant {
  role: RoleName;
  account: string;
  executionDelay?: number;
}

/** Grants each role (idempotent: a membership that already exists with the same delay is left alone). */
export async function grantRoles(
  authority: HealthLedgerAuthority,
  grants: readonly RoleGrant[],
): Promise<AdminCallResult[]> {
  const results: AdminCallResult[] = [];
  for (const g of grants) {
    const delay = g.executionDelay ?? 0;
    if (!Number.isInteger(delay) || delay < 0 || delay > 0xffffffff) {
      throw new Error(`executionDelay for ${g.role} ${g.account} must be a whole number of seconds (uint32)`);
    }
    const [isMember, currentDelay] = await authority.hasRole(ROLES[g.role], g.account);
    if (isMember && currentDelay === BigInt(delay)) continue;
    const data = authority.interface.encodeFunctionData("grantRole", [ROLES[g.role], g.account, delay]);
    results.push(await adminCall(authority, data));
  }
  return results;
}

/**
 * Puts admin power behind a delay: from now on every admin operation of `admin` must be scheduled and waits
 * `delaySeconds` before it can be executed, during which a GUARDIAN can cancel it. Raising a delay takes effect
 * at once; lowering one only after the difference has elapsed (AccessManager's rule).
 */
export async function setAdminDelay(
  authority: HealthLedgerAuthority,
  admin: string,
  delaySeconds: number,
): Promise<AdminCallResult[]> {
  return grantRoles(authority, [{ role: "ADMIN", account: admin, executionDelay: delaySeconds }]);
}

/** docs/roles.md, rendered from the role list and the permission table. */
export function renderRolesDoc(rules: readonly FunctionRule[] = PERMISSIONS): string {
  const roleCell = (r: FunctionRule) => (r.roles[0] === "PUBLIC" ? "everyone" : r.roles.join(" or "));
  const lines = [
    "# Roles: who may call what",
    "",
    "<!-- Generated by `npm run docs` from src/authority/permissions.ts. Do not edit by hand: a test compares. -->",
    "",
    "All roles live in one contract, `HealthLedgerAuthority` (an OpenZeppelin AccessManager); an auditor lists every",
    "grant and mapping from its `RoleGranted`, `RoleRevoked` and `TargetFunctionRoleUpdated` events. Every function",
    "that changes state in a Health Ledger contract is listed below, with where its role is checked:",
    "",
    "- **authority**: the function is `restricted`. The authority maps its selector to the one role; a member with an",
    "  execution delay schedules the call through the authority (`schedule`), and only that member executes it once",
    "  the delay has passed.",
    "- **contract**: the contract checks the role itself, through the one check of `HealthLedgerManaged`. It accepts a",
    "  member only when the membership has no execution delay (such a check has no scheduling path), and it reads",
    "  the role at every call: an account whose role is revoked loses these functions at once, also on the records",
    "  it created. A test reads the compiled contracts and fails when a contract checks a role its row does not",
    "  declare.",
    "",
    "The **caller** column is what the contract further checks against the record (the trial's sponsor, the policy's",
    "insurer). Views, and functions inherited from OpenZeppelin (`setAuthority`, callable only by the authority),",
    "are not listed.",
    "",
    "## Roles",
    "",
    "| id | role |",
    "|---:|---|",
    ...Object.entries(ROLES).map(([name, value]) => `| ${value} | ${name} |`),
    `| 2^64-1 | PUBLIC (every account) |`,
    "",
    "## The admin and the guardian",
    "",
    "ADMIN grants roles and maps functions, behind an execution delay on public networks: it schedules each",
    "operation (`schedule`), and executes it itself once the delay has passed (`execute`; an operation's id binds",
    "the account that scheduled it, so no one else can execute it). GUARDIAN may cancel any scheduled operation,",
    "the admin's included, so that one bad admin operation is stopped during its delay.",
    "",
    "A guardian cannot freeze the system for ever: an operation scheduled to run at least `guardianProofDelay()`",
    "after it was scheduled (a deployment parameter, 30 days by default) is **guardian-proof**: only its scheduler",
    "or an ADMIN may cancel it, and the authority emits `OperationGuardianProof` for it. The authority refuses an",
    "admin execution delay at or above that delay, so the admin's fast path always stays cancellable. The",
    "trade-off: a guardian's veto is a delay, not a block. A contested operation (for instance the removal of a",
    "rogue guardian) waits the guardian-proof delay instead of the admin delay; and a compromised admin key can",
    "push any operation through that slow path, in public view for the whole guardian-proof delay, during which",
    "another ADMIN (if the deployment has one) may cancel it, and users may leave.",
    "",
    "## Function permissions",
    "",
    "| contract | function | checked by | role | caller | why |",
    "|---|---|---|---|---|---|",
    ...rules.flatMap((r) =>
      r.functions.map(
        (f) => `| ${r.contract} | \`${f}\` | ${r.enforcedBy} | ${roleCell(r)} | ${r.caller ?? ""} | ${r.why} |`,
      ),
    ),
    "",
  ];
  return lines.join("\n");
}

export { ruleRoleId, selectorOf, type FunctionRule } from "./rules";
