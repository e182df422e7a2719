/**
 * Admin operations behind the authority's delay, and the roles view, for operators. Every address comes from the
 * address book by chain id (tooling/address-book.ts), so no task needs an address typed by hand on a known
 * deployment; `--authority` still overrides it.
 */
import { Interface, getAddress, isAddress, type Result } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { ABIS } from "../../src/abi";
import { CONTRACT_NAMES, type AddressBookEntry } from "../../src/addresses";
import { ROLE_NAMES, roleId, roleLabel } from "../../src/authority/roles";
import { HealthLedgerAuthority__factory, type HealthLedgerAuthority } from "../../typechain-types";
import { deploymentOn } from "../address-book";
import { UserError } from "./errors";
import { checkNetwork, operatorSigner } from "./network";

/** Contract names in the address book, with the ABI each is decoded with. */
const ABI_OF: Record<(typeof CONTRACT_NAMES)[number], keyof typeof ABIS> = {
  authority: "HealthLedgerAuthority",
  forwarder: "HealthLedgerForwarder",
  consentRegistry: "ConsentRegistry",
  trialRegistry: "TrialRegistry",
  drugProvenance: "DrugProvenance",
  claimsManager: "ClaimsManager",
  vaultAnchor: "VaultAnchor",
};

export interface TargetArgs {
  authority?: string;
  deploymentId?: string;
  allowMainnet?: boolean;
}

/** The deployment a task works on: from the address book by chain id, or from `--authority`. */
export async function deploymentFor(hre: HardhatRuntimeEnvironment, args: TargetArgs) {
  const chainId = await checkNetwork(hre, { allowMainnet: args.allowMainnet });
  let entry: AddressBookEntry | undefined;
  let authorityAddress: string;
  if (args.authority !== undefined) {
    if (!isAddress(args.authority)) {
      throw new UserError(`--authority must be an address (0x and 40 hex digits); got "${args.authority}"`);
    }
    authorityAddress = getAddress(args.authority);
  } else {
    try {
      entry = deploymentOn(chainId, args.deploymentId);
    } catch (error) {
      throw new UserError(`${(error as Error).message}, or pass --authority`);
    }
    authorityAddress = entry.authority;
  }
  const authority = HealthLedgerAuthority__factory.connect(authorityAddress, hre.ethers.provider);
  try {
    await authority.guardianProofDelay();
  } catch {
    throw new UserError(
      `${authorityAddress} on chain ${chainId} is not a HealthLedgerAuthority (no code, or another contract): check the address book or --authority`,
    );
  }
  return { chainId, entry, authority };
}

/** Names a target address and decodes calldata to `contract.function(arg, ...)`, roles by name. */
export function describeCall(entry: AddressBookEntry | undefined, authority: string, target: string, data: string) {
  const names: [string, keyof typeof ABIS][] = [["authority", "HealthLedgerAuthority"]];
  let name = getAddress(target) === getAddress(authority) ? "authority" : target;
  if (entry !== undefined) {
    for (const contract of CONTRACT_NAMES) {
      if (getAddress(entry[contract]) === getAddress(target)) {
        name = contract;
        names.unshift([contract, ABI_OF[contract]]);
      }
    }
  }
  const abi = names.find(([n]) => n === name)?.[1];
  if (abi !== undefined) {
    const parsed = new Interface(ABIS[abi]).parseTransaction({ data });
    if (parsed !== null) {
      const args = parsed.fragment.inputs.map((input, i) =>
        input.name === "roleId" ? roleNameOr(parsed.args[i] as bigint) : formatValue(parsed.args[i]),
      );
      return `${name}.${parsed.name}(${args.join(", ")})`;
    }
  }
  return `${name} ${data.slice(0, 10)}`;
}

function roleNameOr(id: bigint): string {
  try {
    return roleLabel(id);
  } catch {
    return String(id);
  }
}

function formatValue(value: unknown): string {
  if (Array.isArray(value) || (value as Result)?.toArray !== undefined) {
    return `[${[...(value as unknown[])].map(formatValue).join(", ")}]`;
  }
  return String(value);
}

/** Encodes `--function` with `--args` (a JSON array; role arguments by name) against a contract of the book. */
export function encodeCall(contract: string, fn: string, argsJson: string): string {
  if (!(CONTRACT_NAMES as readonly string[]).includes(contract)) {
    throw new UserError(`--contract must be one of ${CONTRACT_NAMES.join(", ")}; got "${contract}"`);
  }
  const iface = new Interface(ABIS[ABI_OF[contract as (typeof CONTRACT_NAMES)[number]]]);
  const fragment = iface.getFunction(fn);
  if (fragment === null) throw new UserError(`${contract} has no function "${fn}"`);
  let args: unknown[];
  try {
    args = JSON.parse(argsJson) as unknown[];
    if (!Array.isArray(args)) throw new Error();
  } catch {
    throw new UserError(`--args must be a JSON array, e.g. '["PROVIDER", "0xAb…", 0]'; got ${argsJson}`);
  }
  if (args.length !== fragment.inputs.length) {
    throw new UserError(`${fragment.format()} takes ${fragment.inputs.length} arguments; --args has ${args.length}`);
  }
  const values = fragment.inputs.map((input, i) => {
    const value = args[i];
    if (input.name === "roleId" && typeof value === "string" && !/^[0-9]/.test(value)) {
      try {
        return roleId(value);
      } catch {
        throw new UserError(`Unknown role "${value}": expected one of ${ROLE_NAMES.join(", ")}`);
      }
    }
    return value;
  });
  try {
    return iface.encodeFunctionData(fragment, values);
  } catch (error) {
    throw new UserError(`--args do not fit ${fragment.format()}: ${(error as Error).message.split(" (")[0]}`);
  }
}

/** A scheduled operation, rebuilt from the authority's events. */
export interface PendingOperation {
  operationId: string;
  caller: string;
  target: string;
  data: string;
  /** Unix seconds from which it may be executed. */
  executableAt: number;
  description: string;
}

/** Operations scheduled and neither executed, cancelled nor expired. */
export async function pendingOperations(
  authority: HealthLedgerAuthority,
  entry: AddressBookEntry | undefined,
): Promise<PendingOperation[]> {
  const fromBlock = entry?.fromBlock ?? 0;
  const scheduled = await authority.queryFilter(authority.filters.OperationScheduled(), fromBlock);
  const pending: PendingOperation[] = [];
  const authorityAddress = await authority.getAddress();
  for (const event of scheduled) {
    const { operationId, schedule, caller, target, data } = event.args;
    const current = await authority.getSchedule(operationId);
    // Executed, cancelled or expired operations read 0; a rescheduled one lists only its current schedule.
    if (current === 0n || current !== schedule) continue;
    if (pending.some((p) => p.operationId === operationId)) continue;
    pending.push({
      operationId,
      caller,
      target,
      data,
      executableAt: Number(schedule),
      description: describeCall(entry, authorityAddress, target, data),
    });
  }
  return pending;
}

function when(executableAt: number, now: number): string {
  const iso = new Date(executableAt * 1000).toISOString();
  if (executableAt <= now) return `${iso} (executable now)`;
  const wait = executableAt - now;
  return `${iso} (in ${wait >= 3600 ? `${(wait / 3600).toFixed(1)} h` : `${wait} s`})`;
}

async function latestTimestamp(hre: HardhatRuntimeEnvironment): Promise<number> {
  return (await hre.ethers.provider.getBlock("latest"))!.timestamp;
}

export async function listPendingTask(hre: HardhatRuntimeEnvironment, args: TargetArgs): Promise<string> {
  const { entry, authority } = await deploymentFor(hre, args);
  const pending = await pendingOperations(authority, entry);
  if (pending.length === 0) return "No pending admin operations";
  const now = await latestTimestamp(hre);
  return pending
    .map((p) => `${p.operationId}  ${p.description}  by ${p.caller}  executable at ${when(p.executableAt, now)}`)
    .join("\n");
}

export async function scheduleTask(
  hre: HardhatRuntimeEnvironment,
  args: TargetArgs & { contract: string; function: string; args: string },
): Promise<string> {
  const { entry, authority } = await deploymentFor(hre, args);
  const data = encodeCall(args.contract, args.function, args.args);
  const target = args.contract === "authority" ? await authority.getAddress() : entry?.[args.contract as "authority"];
  if (target === undefined)
    throw new UserError(`--contract ${args.contract} needs the address book (drop --authority)`);
  const signer = await operatorSigner(hre);
  const connected = authority.connect(signer);
  const [, delay] = await connected.canCall(signer.address, target, data.slice(0, 10));
  const operationId = await connected.hashOperation(signer.address, target, data);
  await (await connected.schedule(target, data, 0)).wait();
  const executableAt = Number(await connected.getSchedule(operationId));
  return `Scheduled ${describeCall(entry, await authority.getAddress(), target, data)} as ${operationId} (delay ${delay} s): executable at ${when(executableAt, await latestTimestamp(hre))}; run admin:execute --operation ${operationId} then`;
}

async function findPending(hre: HardhatRuntimeEnvironment, args: TargetArgs & { operation: string }) {
  if (!/^0x[0-9a-fA-F]{64}$/.test(args.operation)) {
    throw new UserError(`--operation must be an operation id (0x and 64 hex digits, from admin:pending)`);
  }
  const { entry, authority } = await deploymentFor(hre, args);
  const operation = (await pendingOperations(authority, entry)).find(
    (p) => p.operationId.toLowerCase() === args.operation.toLowerCase(),
  );
  if (operation === undefined) {
    throw new UserError(
      `No pending operation ${args.operation}: it was executed, cancelled or expired (see admin:pending)`,
    );
  }
  return { authority, operation };
}

export async function executeTask(hre: HardhatRuntimeEnvironment, args: TargetArgs & { operation: string }) {
  const { authority, operation } = await findPending(hre, args);
  const now = await latestTimestamp(hre);
  if (operation.executableAt > now) {
    throw new UserError(
      `${operation.description} is not executable yet: wait until ${when(operation.executableAt, now)}`,
    );
  }
  const signer = await operatorSigner(hre);
  if (getAddress(signer.address) !== getAddress(operation.caller)) {
    throw new UserError(
      `Only its scheduler ${operation.caller} may execute ${operation.operationId}; you are ${signer.address}`,
    );
  }
  const receipt = await (await authority.connect(signer).execute(operation.target, operation.data)).wait();
  return `Executed ${operation.description} (tx ${receipt!.hash})`;
}

export async function cancelTask(hre: HardhatRuntimeEnvironment, args: TargetArgs & { operation: string }) {
  const { authority, operation } = await findPending(hre, args);
  const signer = await operatorSigner(hre);
  const receipt = await (
    await authority.connect(signer).cancel(operation.caller, operation.target, operation.data)
  ).wait();
  return `Cancelled ${operation.description} (tx ${receipt!.hash})`;
}

/** `roles:list`: each role's members with their execution delays, the admin delay and the guardian-proof delay. */
export async function listRolesTask(hre: HardhatRuntimeEnvironment, args: TargetArgs): Promise<string> {
  const { entry, authority } = await deploymentFor(hre, args);
  const fromBlock = entry?.fromBlock ?? 0;
  const events = [
    ...(await authority.queryFilter(authority.filters.RoleGranted(), fromBlock)),
    ...(await authority.queryFilter(authority.filters.RoleRevoked(), fromBlock)),
  ].sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index);
  const members = new Map<string, Set<string>>();
  for (const e of events) {
    const label = roleNameOr(e.args.roleId);
    const set = members.get(label) ?? new Set<string>();
    if (e.eventName === "RoleGranted") set.add(e.args.account);
    else set.delete(e.args.account);
    members.set(label, set);
  }
  const lines: string[] = [];
  let adminDelay: bigint | undefined;
  for (const [role, accounts] of members) {
    const list: string[] = [];
    for (const account of accounts) {
      const [, delay] = await authority.getAccess(roleId(role), account);
      if (role === "ADMIN") adminDelay = adminDelay === undefined || delay < adminDelay ? delay : adminDelay;
      list.push(delay === 0n ? account : `${account} (delay ${delay} s)`);
    }
    lines.push(`${role}: ${list.join(", ") || "(none)"}`);
  }
  lines.push(`Admin delay: ${adminDelay ?? 0n} s; guardian-proof delay: ${await authority.guardianProofDelay()} s`);
  return lines.join("\n");
}
