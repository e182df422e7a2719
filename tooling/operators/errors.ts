/**
 * Errors for people: every operator task runs through {@link runOperatorTask}, which prints one line that says
 * what is wrong and how to fix it, and exits non-zero; the stack trace only with `--verbose` (or
 * `--show-stack-traces`). Reverts are decoded against every shipped ABI to the custom error's name and arguments.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { decodeRevert, revertDataOf } from "../../src/abi";

/** A mistake by the operator (bad input, wrong chain, missing key): its message is the whole story. */
export class UserError extends Error {
  override name = "UserError";
}

/** The one line that explains an error from a task. */
export function explain(error: unknown, nodeUrl?: string): string {
  if (error instanceof UserError) return error.message;
  const data = revertDataOf(error);
  if (data !== undefined) {
    const decoded = decodeRevert(data);
    return decoded === undefined
      ? `The transaction reverted with unknown error ${data.slice(0, 10)} (not in any Health Ledger ABI): is this the right contract?`
      : `The transaction reverted: ${decoded.text} (see docs/errors.md for why and how to fix it)`;
  }
  const text = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string }).code ?? (error as { cause?: { code?: string } }).cause?.code;
  if (code === "ECONNREFUSED" || /ECONNREFUSED|Cannot connect to the network|fetch failed/.test(text)) {
    return `Cannot reach the node${nodeUrl ? ` at ${nodeUrl}` : ""}: is it running, and is its RPC URL right?`;
  }
  if (/insufficient funds/i.test(text)) {
    return "The sending account has too little ether for gas: fund it, or use another DEPLOYER_PRIVATE_KEY";
  }
  return text.split("\n")[0];
}

/** Runs a task's action; on failure prints one line (plus the stack with `--verbose`) and sets exit code 1. */
export async function runOperatorTask<T>(
  hre: HardhatRuntimeEnvironment,
  action: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await action();
  } catch (error) {
    const url = "url" in hre.network.config ? hre.network.config.url : undefined;
    console.error(`Error: ${explain(error, url)}`);
    const args = hre.hardhatArguments as { verbose?: boolean; showStackTraces?: boolean };
    if (args.verbose || args.showStackTraces) console.error(error);
    process.exitCode = 1;
    return undefined;
  }
}
