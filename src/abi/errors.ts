import { Interface, type ErrorDescription } from "ethers";
import { ABIS } from "../generated/abi";

/** Every custom error of every shipped contract (OpenZeppelin's AccessManager errors come with the authority's ABI). */
const ALL_ERRORS = new Interface(
  Object.values(ABIS)
    .flat()
    .filter((item) => item.type === "error"),
);

/** A decoded revert: the custom error's name and arguments, and the one line `Name(arg, ...)`. */
export interface DecodedRevert {
  name: string;
  args: readonly unknown[];
  /** `ConsentSignatureExpired(0xAb…, 1700000000, 1700000100)`. */
  text: string;
}

function formatArg(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(formatArg).join(", ")}]`;
  return String(value);
}

/**
 * Decodes revert data (`0x` + selector + arguments) against every Health Ledger ABI, including the standard
 * `Error(string)` and `Panic(uint256)`. Returns `undefined` for data no ABI knows (then print the selector).
 */
export function decodeRevert(data: string | null | undefined): DecodedRevert | undefined {
  if (typeof data !== "string" || !/^0x[0-9a-fA-F]{8}/.test(data)) return undefined;
  let parsed: ErrorDescription | null;
  try {
    parsed = ALL_ERRORS.parseError(data);
  } catch {
    return undefined;
  }
  if (parsed === null) return undefined;
  const args = [...parsed.args];
  return { name: parsed.name, args, text: `${parsed.name}(${args.map(formatArg).join(", ")})` };
}

/** The revert data carried by an error from ethers (or a JSON-RPC error nested in it), if any. */
export function revertDataOf(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  const stack: unknown[] = [error];
  while (stack.length > 0) {
    const current = stack.pop();
    if (current === null || typeof current !== "object" || seen.has(current)) continue;
    seen.add(current);
    const record = current as Record<string, unknown>;
    if (typeof record.data === "string" && /^0x[0-9a-fA-F]{8}/.test(record.data)) return record.data;
    for (const key of ["error", "info", "cause", "data", "revert"]) stack.push(record[key]);
  }
  return undefined;
}
