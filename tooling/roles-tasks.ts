import { isAddress } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { HealthLedgerAuthority__factory } from "../typechain-types";
import { grantRoles } from "../src/authority/permissions";
import { roleId, roleLabel, type RoleName } from "../src/authority/roles";

function requireAddress(label: string, value: string): string {
  if (!isAddress(value)) throw new Error(`--${label} must be an address (0x + 40 hex digits); got "${value}"`);
  return value;
}

/** `roles:grant`: grants one role with the first configured signer as admin. */
export async function grantRolesTask(
  hre: HardhatRuntimeEnvironment,
  args: { authority: string; role: string; account: string; delay: string },
): Promise<string> {
  roleId(args.role);
  const delay = Number(args.delay);
  const [signer] = await hre.ethers.getSigners();
  const authority = HealthLedgerAuthority__factory.connect(requireAddress("authority", args.authority), signer);
  const account = requireAddress("account", args.account);
  const [result] = await grantRoles(authority, [{ role: args.role as RoleName, account, executionDelay: delay }]);
  if (result === undefined) return `${account} already holds ${args.role}`;
  return result.status === "executed"
    ? `Granted ${args.role} to ${account} (tx ${result.txHash})`
    : `Scheduled: grant ${args.role} to ${account} (operation ${result.operationId}); execute it after the delay`;
}

/** `roles:list`: current members and function mappings, rebuilt from the authority's events. */
export async function listRolesTask(hre: HardhatRuntimeEnvironment, address: string): Promise<string> {
  const authority = HealthLedgerAuthority__factory.connect(requireAddress("authority", address), hre.ethers.provider);
  const members = new Map<string, Set<string>>();
  const events = [
    ...(await authority.queryFilter(authority.filters.RoleGranted())),
    ...(await authority.queryFilter(authority.filters.RoleRevoked())),
  ].sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index);
  for (const e of events) {
    const label = roleLabel(e.args.roleId);
    const set = members.get(label) ?? new Set<string>();
    if (e.eventName === "RoleGranted") set.add(e.args.account);
    else set.delete(e.args.account);
    members.set(label, set);
  }
  const lines = [...members].map(([role, set]) => `${role}: ${[...set].join(", ") || "(none)"}`);
  const mappings = await authority.queryFilter(authority.filters.TargetFunctionRoleUpdated());
  for (const m of mappings) lines.push(`${m.args.target} ${m.args.selector} -> ${roleLabel(m.args.roleId)}`);
  return lines.join("\n");
}
