import { id, type ContractRunner, type Signer } from "ethers";
import type { HealthLedgerAuthority } from "../../typechain-types";
import { CONSENT_PERMISSIONS } from "../consent/permissions";
import { PROVENANCE_PERMISSIONS } from "../provenance/permissions";
import { ROLES, PUBLIC_ROLE, roleLabel, type RoleName } from "./roles";
import { CLAIMS_PERMISSIONS } from "../claims/permissions";
import { TRIAL_PERMISSIONS } from "../trials/permissions";

/**
 * The one declarative table of function permissions. Every restricted function of every Health Ledger contract
 * is mapped to exactly one role here; the deployment module, the demo and the tests all wire the authority from
 * this table, and `docs/roles.md` is rendered from it (a test fails when they disagree).
 *
 * Each domain keeps its rows beside its SDK (`src/<domain>/permissions.ts`) and adds them to {@link PERMISSIONS}.
 */
export interface FunctionRule {
  /** Contract name as compiled (the artifact name), e.g. `"ConsentRegistry"`. */
  contract: string;
  /** Solidity function signatures, e.g. `"breakGlass(address,bytes32)"`. */
  functions: readonly string[];
  /** The role a caller must hold. */
  role: RoleName | "PUBLIC";
  /** Who this is for and why, in one sentence; shown in docs/roles.md. */
  why: string;
}

/** Every rule of the system, domain by domain. */
export const PERMISSIONS: readonly FunctionRule[] = [
  ...CONSENT_PERMISSIONS,
  ...PROVENANCE_PERMISSIONS,
  ...CLAIMS_PERMISSIONS,
  ...TRIAL_PERMISSIONS,
];

/** The 4-byte selector of a function signature. */
export function selectorOf(signature: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*\(.*\)$/.test(signature)) {
    throw new Error(`"${signature}" is not a function signature such as "transfer(address,uint256)"`);
  }
  return id(signature).slice(0, 10);
}

/** Role id required by a rule. */
export function ruleRoleId(rule: FunctionRule): bigint {
  return rule.role === "PUBLIC" ? PUBLIC_ROLE : ROLES[rule.role];
}

/** A deployed contract as the wiring helper needs it: an address and an ABI to check signatures against. */
export interface WiringTarget {
  getAddress(): Promise<string>;
  interface: { getFunction(nameOrSignature: string): unknown };
}

/** Outcome of an admin call: done now, or scheduled because the admin has an execution delay. */
export type AdminCallResult = { status: "executed"; txHash: string } | { status: "scheduled"; operationId: string };

/**
 * Sends one admin operation on the authority: directly when the signer may call it immediately, through
 * `schedule` when the signer's execution delay requires it (then someone calls `execute` once the delay passes).
 */
export async function adminCall(authority: HealthLedgerAuthority, data: string): Promise<AdminCallResult> {
  const runner = authority.runner as (ContractRunner & Signer) | null;
  if (runner === null || typeof runner.getAddress !== "function") {
    throw new Error("The authority contract must be connected to a signer to send admin operations");
  }
  const caller = await runner.getAddress();
  const target = await authority.getAddress();
  const [immediate, delay] = await authority.canCall(caller, target, data.slice(0, 10));
  if (immediate) {
    const tx = await runner.sendTransaction({ to: target, data });
    const receipt = await tx.wait();
    return { status: "executed", txHash: receipt!.hash };
  }
  if (delay === 0n) {
    throw new Error(`${caller} is not allowed to call ${data.slice(0, 10)} on the authority ${target}`);
  }
  const operationId = await authority.hashOperation(caller, target, data);
  await (await authority.schedule(target, data, 0)).wait();
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
  for (const rule of rules) {
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
  const lines = [
    "# Roles: who may call what",
    "",
    "<!-- Generated by `npm run docs` from src/authority/permissions.ts. Do not edit by hand: a test compares. -->",
    "",
    "All roles live in one contract, `HealthLedgerAuthority` (an OpenZeppelin AccessManager). Each restricted",
    "function of every Health Ledger contract is mapped to exactly one role; an auditor lists every grant and",
    "mapping from the authority's `RoleGranted`, `RoleRevoked` and `TargetFunctionRoleUpdated` events.",
    "",
    "## Roles",
    "",
    "| id | role |",
    "|---:|---|",
    ...Object.entries(ROLES).map(([name, value]) => `| ${value} | ${name} |`),
    `| 2^64-1 | PUBLIC (every account) |`,
    "",
    "ADMIN configures roles and mappings, behind an execution delay on public networks; GUARDIAN can cancel any",
    "scheduled operation, including the admin's. Functions not listed below are either open to everyone",
    "(they check their own callers, e.g. a patient acting on her own consent) or views.",
    "",
    "## Function permissions",
    "",
    "| contract | function | role | why |",
    "|---|---|---|---|",
    ...rules.flatMap((r) =>
      r.functions.map((f) => `| ${r.contract} | \`${f}\` | ${roleLabel(ruleRoleId(r))} | ${r.why} |`),
    ),
    "",
  ];
  return lines.join("\n");
}
