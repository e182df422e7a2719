import { ClaimsConstants } from "../constants";
import { assertServiceCategory } from "./categories";

/**
 * The limits of claims (from `contracts/claims/ClaimsConstants.sol`, through the generated src/constants.ts) and the
 * checks the contract makes on a claim's lines, so that the SDK refuses what the contract would refuse, saying what
 * to fix.
 */

/** Largest amount the contract accepts (amounts are stored in 96 bits). */
export const MAX_AMOUNT = ClaimsConstants.MAX_AMOUNT;
/** Most lines per claim. */
export const MAX_LINES = Number(ClaimsConstants.MAX_LINES);
/** Most policy years a coverage period may span. */
export const MAX_YEARS = ClaimsConstants.MAX_YEARS;
/** Claims are accepted until this long after coverage ends (seconds). */
export const FILING_WINDOW = ClaimsConstants.FILING_WINDOW;
/** A denial may be appealed until this long after it (seconds). */
export const APPEAL_WINDOW = ClaimsConstants.APPEAL_WINDOW;

/** One line of a claim: a service-category code and the billed amount in the token's smallest unit. */
export interface ClaimLine {
  category: number;
  amount: bigint;
}

/** Sorts lines into the canonical order the contract requires (by category, then amount). */
export function sortLines(lines: readonly ClaimLine[]): ClaimLine[] {
  return [...lines].sort((a, b) =>
    a.category !== b.category ? a.category - b.category : a.amount < b.amount ? -1 : a.amount > b.amount ? 1 : 0,
  );
}

/** Checks lines as the contract does, throwing a message that says what to fix. */
export function assertLines(lines: readonly ClaimLine[]): void {
  if (lines.length === 0 || lines.length > MAX_LINES) {
    throw new Error(`A claim needs 1 to ${MAX_LINES} lines; got ${lines.length}. Split a larger bill into claims.`);
  }
  let total = 0n;
  lines.forEach((line, i) => {
    assertServiceCategory(line.category);
    if (line.amount <= 0n) throw new Error(`Line ${i} bills ${line.amount}: amounts must be positive`);
    if (line.amount > MAX_AMOUNT) throw new Error(`Line ${i} bills ${line.amount}: at most ${MAX_AMOUNT} (96 bits)`);
    if (i > 0) {
      const prev = lines[i - 1];
      if (prev.category > line.category || (prev.category === line.category && prev.amount > line.amount)) {
        throw new Error(`Line ${i} is out of order: sort the lines with sortLines() (by category, then amount)`);
      }
    }
    total += line.amount;
  });
  if (total > MAX_AMOUNT) throw new Error(`The claim bills ${total} in total: at most ${MAX_AMOUNT} (96 bits)`);
}
