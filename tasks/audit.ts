import { task } from "hardhat/config";

task("audit", "Rebuilds a Health Ledger deployment from its events, checks it against the contracts and writes reports")
  .addOptionalParam("rpc", "JSON-RPC URL of the node (default: the --network's)")
  .addOptionalParam("addresses", "JSON file of the deployment's addresses (authority, consentRegistry, …, fromBlock)")
  .addOptionalParam("authority", "HealthLedgerAuthority address")
  .addOptionalParam("consentRegistry", "ConsentRegistry address")
  .addOptionalParam("trialRegistry", "TrialRegistry address")
  .addOptionalParam("drugProvenance", "DrugProvenance address")
  .addOptionalParam("claimsManager", "ClaimsManager address")
  .addOptionalParam("fromBlock", "The deployment's first block")
  .addOptionalParam("chainId", "Refuse a node on another chain")
  .addOptionalParam("confirmations", "Blocks to leave below the head", "0")
  .addOptionalParam("db", "Index: SQLite file (default .health-ledger/audit.sqlite) or postgres:// URL")
  .addOptionalParam("tablePrefix", "Table prefix in the index database", "audit_")
  .addOptionalParam("records", "Record store folder to check commitments against")
  .addOptionalParam("out", "Report folder", "reports/audit")
  .addOptionalParam("viewLimit", "Compare at most this many entities of each kind with the contracts' views")
  .setAction(async (args: Record<string, string | boolean | undefined>, hre) => {
    const { auditCommand } = await import("../src/audit/cli");
    const { asRpc } = await import("../src/chain/rpc");
    const url = (hre.network.config as { url?: string }).url;
    const rpc =
      url !== undefined ? undefined : asRpc({ send: (method, params) => hre.network.provider.send(method, params) });
    // Hardhat's own --verbose also prints the stack of a failure.
    const verbose = hre.hardhatArguments.verbose;
    const { code } = await auditCommand({ ...args, verbose, rpc: (args.rpc as string | undefined) ?? url }, { rpc });
    process.exitCode = code;
  });
