import { getAddress, isAddress } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { grantRoles } from "../src/authority/permissions";
import { ROLE_NAMES, type RoleName } from "../src/authority/roles";
import { deploymentFor, type TargetArgs } from "./operators/admin";
import { UserError } from "./operators/errors";
import { operatorSigner } from "./operators/network";

export { listRolesTask } from "./operators/admin";

/** `roles:grant`: grants one role with the first configured signer as admin (scheduled when it has a delay). */
export async function grantRolesTask(
  hre: HardhatRuntimeEnvironment,
  args: TargetArgs & { role: string; account: string; delay: string },
): Promise<string> {
  if (!(ROLE_NAMES as string[]).includes(args.role)) {
    throw new UserError(`Unknown role "${args.role}": expected one of ${ROLE_NAMES.join(", ")}`);
  }
  if (!/^(0|[1-9][0-9]*)$/.test(args.delay)) throw new UserError(`--delay must be whole seconds; got "${args.delay}"`);
  if (args.authority !== undefined && !isAddress(args.authority)) {
    throw new UserError(`--authority must be an address (0x + 40 hex digits); got "${args.authority}"`);
  }
  if (!isAddress(args.account)) {
    throw new UserError(`--account must be an address (0x + 40 hex digits); got "${args.account}"`);
  }
  const account = getAddress(args.account);
  const { authority } = await deploymentFor(hre, args);
  const signer = await operatorSigner(hre);
  const [result] = await grantRoles(authority.connect(signer), [
    { role: args.role as RoleName, account, executionDelay: Number(args.delay) },
  ]);
  if (result === undefined) return `${account} already holds ${args.role}`;
  return result.status === "executed"
    ? `Granted ${args.role} to ${account} (tx ${result.txHash})`
    : `Scheduled: grant ${args.role} to ${account} (operation ${result.operationId}); run admin:execute --operation ${result.operationId} after the delay`;
}
