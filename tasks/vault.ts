import { task } from "hardhat/config";

task("vault", "Runs the record vault (docs/vault.md): ciphertext only, reads checked against consent on chain")
  .addParam("registry", "Address of the ConsentRegistry")
  .addParam("anchor", "Address of the VaultAnchor")
  .addOptionalParam("rpc", "JSON-RPC URL of the chain node", "http://127.0.0.1:8545")
  .addOptionalParam("db", "Database: a file path, sqlite:<path> or postgres://…", "vault.sqlite")
  .addOptionalParam("prefix", "Table name prefix", "vault_")
  .addOptionalParam("host", "Address to listen on", "127.0.0.1")
  .addOptionalParam("port", "Port to listen on", "8700")
  .addOptionalParam("head", "How reads learn the head block: fresh (0-block bound) or polled (1-block bound)", "fresh")
  .addOptionalParam("pollMs", "Milliseconds between head polls with --head polled (below the block time)", "100")
  .addOptionalParam(
    "anchorEvery",
    "Seconds between log-head anchors (operator key: HEALTH_LEDGER_VAULT_OPERATOR_KEY)",
    "60",
  )
  .setAction(async (args: Record<string, string>, hre) => {
    const { startVault } = await import("../src/vault/service");
    const port = Number(args.port);
    try {
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new Error(`--port ${args.port} is not a port number`);
      const running = await startVault({
        rpcUrl: String(args.rpc),
        consentRegistry: String(args.registry),
        vaultAnchor: String(args.anchor),
        db: String(args.db),
        prefix: String(args.prefix),
        host: String(args.host),
        port,
        head: args.head as "fresh" | "polled",
        pollMs: Number(args.pollMs),
        operatorKey: process.env.HEALTH_LEDGER_VAULT_OPERATOR_KEY,
        anchorIntervalMs: Number(args.anchorEvery) * 1000,
      });
      console.log(`vault listening on ${running.url}`);
      const stop = () => void running.close().then(() => process.exit(0));
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      await new Promise(() => undefined);
    } catch (error) {
      if (hre.hardhatArguments.verbose) console.error(error);
      else console.error(`vault: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    }
  });
