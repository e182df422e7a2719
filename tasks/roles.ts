import { task } from "hardhat/config";

task("roles:grant", "Grants a Health Ledger role to an account (scheduled when the admin has a delay)")
  .addParam("role", "Role name, e.g. PROVIDER")
  .addParam("account", "Account that receives the role")
  .addOptionalParam("delay", "Execution delay in seconds for the member", "0")
  .addOptionalParam("authority", "HealthLedgerAuthority address (default: from the address book)")
  .addOptionalParam("deploymentId", "Deployment in the address book, when the chain has several")
  .addFlag("allowMainnet", "Allow a value-bearing chain")
  .setAction(async (args, hre) => {
    const { runOperatorTask } = await import("../tooling/operators/errors");
    const { grantRolesTask } = await import("../tooling/roles-tasks");
    const out = await runOperatorTask(hre, () => grantRolesTask(hre, args));
    if (out !== undefined) console.log(out);
  });

task("roles:list", "Lists every role's members with their delays, and the admin delay, rebuilt from events")
  .addOptionalParam("authority", "HealthLedgerAuthority address (default: from the address book)")
  .addOptionalParam("deploymentId", "Deployment in the address book, when the chain has several")
  .setAction(async (args, hre) => {
    const { runOperatorTask } = await import("../tooling/operators/errors");
    const { listRolesTask } = await import("../tooling/roles-tasks");
    const out = await runOperatorTask(hre, () => listRolesTask(hre, args));
    if (out !== undefined) console.log(out);
  });
