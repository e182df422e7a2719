/**
 * A real `hardhat node` process for tests and benchmarks that must talk JSON-RPC to a separate node (the record vault,
 * the auditor, the operators' end-to-end run). Started on a free loopback port, stopped by its process id.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import type { DeploymentAddresses } from "../../src/addresses/types";

/** The repository root, and Hardhat's CLI entry point (child processes run it with this Node). */
export const ROOT = join(__dirname, "..", "..");
export const HARDHAT_CLI = join(ROOT, "node_modules", "hardhat", "internal", "cli", "cli.js");

/** A running node. */
export interface HardhatNode {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** The node's process id. */
  pid: number;
  /** Stops the node (SIGTERM to its process id) and waits for it to exit. */
  stop(): Promise<void>;
}

/** A TCP port that nothing listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Starts `hardhat node` on a free port and resolves once it answers JSON-RPC. */
export async function startHardhatNode(options: { port?: number; timeoutMs?: number } = {}): Promise<HardhatNode> {
  const port = options.port ?? (await freePort());
  const child = spawn(process.execPath, [HARDHAT_CLI, "node", "--hostname", "127.0.0.1", "--port", String(port)], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, HARDHAT_DISABLE_TELEMETRY_PROMPT: "true" },
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForOutput(child, /Started HTTP and WebSocket JSON-RPC server/, options.timeoutMs ?? 120_000);
  // Keep the pipes drained so that a chatty node never blocks on a full pipe.
  child.stdout?.resume();
  child.stderr?.resume();
  return { url, pid: child.pid!, stop: () => stopProcess(child) };
}

/**
 * Runs a Hardhat script against a node (`hardhat run --network localhost <script>` with `HEALTH_LEDGER_NODE_URL`
 * pointing at it) and gives back its standard output. Throws with the script's standard error if it fails.
 */
export async function runOnNode(url: string, script: string, env: NodeJS.ProcessEnv = {}): Promise<string> {
  const child = spawn(process.execPath, [HARDHAT_CLI, "run", "--network", "localhost", script], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env, HEALTH_LEDGER_NODE_URL: url },
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk) => (stdout += chunk));
  child.stderr!.on("data", (chunk) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  if (code !== 0) throw new Error(`${script} failed on ${url} (exit ${code}):\n${stderr || stdout}`);
  return stdout;
}

/** The addresses of a system deployed on a node by {@link deployOnNode}. */
/** A deployment on a node: its addresses (the payment token always deployed) and the block it started at. */
export type NodeSystem = DeploymentAddresses & { paymentToken: string; fromBlock: number };

/**
 * Deploys the whole system (Ignition, with a `TestToken` payment token) on a node from its first default account,
 * the admin, and gives back the addresses.
 */
export async function deployOnNode(url: string): Promise<NodeSystem> {
  const out = await runOnNode(url, join(ROOT, "tooling", "deploy-on-node.ts"));
  const line = out.split("\n").find((l) => l.startsWith("{"));
  if (!line) throw new Error(`deploy-on-node printed no addresses:\n${out}`);
  return JSON.parse(line) as NodeSystem;
}

/** Resolves once a child prints `pattern` (on stdout); rejects with everything it printed if it exits or times out. */
export function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs = 120_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`hardhat node did not start within ${timeoutMs} ms:\n${seen}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      if (pattern.test(seen)) {
        clearTimeout(timer);
        child.stdout?.off("data", onData);
        resolve();
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (chunk: Buffer) => (seen += chunk.toString()));
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`hardhat node exited with ${code} before it started:\n${seen}`));
    });
  });
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  process.kill(child.pid!, "SIGTERM");
  const timer = setTimeout(() => child.exitCode === null && process.kill(child.pid!, "SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}
