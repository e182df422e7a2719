import { task } from "hardhat/config";

task("roles:grant", "Grants a Health Ledger role to an account (scheduled when the admin has a delay)")
  .addParam("authority", "Address of the HealthLedgerAuthority")
  .addParam("role", "Role name, e.g. PROVIDER")
  .addParam("account", "Account that receives the role")
  .addOptionalParam("delay", "Execution delay in seconds for the member", "0")
  .setAction(async (args: { authority: string; role: string; account: string; delay: string }, hre) => {
    const { grantRolesTask } = await import("../tooling/roles-tasks");
    console.log(await grantRolesTask(hre, args));
  });

task("roles:list", "Lists every role, its members and the function mappings, rebuilt from the authority's events")
  .addParam("authority", "Address of the HealthLedgerAuthority")
  .setAction(async (args: { authority: string }, hre) => {
    const { listRolesTask } = await import("../tooling/roles-tasks");
    console.log(await listRolesTask(hre, args.authority));
  });
