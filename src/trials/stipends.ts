import type { ContractRunner } from "ethers";
import { IERC20__factory, type TrialRegistry } from "../../typechain-types";

/**
 * The stipend pool of one token in the trial registry: what the registry holds of the token and what it owes in it
 * (the unallocated budgets and unclaimed stipends of every trial that pays in it).
 */
export interface StipendPool {
  token: string;
  /** The registry's balance of the token. */
  balance: bigint;
  /** `TrialRegistry.liabilities(token)`. */
  liabilities: bigint;
}

/**
 * Tokens a settlement of `amount` (a claim, or a sponsor's recovery) pays from `pool` now, as `TrialRegistry`
 * computes it: `amount`, or `amount * balance / liabilities` (rounded down) while the pool is short.
 * Throws when the registry holds none of the token, where the contract reverts `TrialStipendPoolEmpty`.
 */
export function poolPayout(pool: StipendPool, amount: bigint): bigint {
  if (amount < 0n || amount > pool.liabilities) {
    throw new Error(`amount must be between 0 and the pool's liabilities (${pool.liabilities}); got ${amount}`);
  }
  if (pool.balance === 0n) {
    throw new Error(`The registry holds none of ${pool.token}: payouts wait until it holds the token again`);
  }
  return pool.balance < pool.liabilities ? (amount * pool.balance) / pool.liabilities : amount;
}

/**
 * What a deposit of `received` tokens (after any transfer fee) credits to a trial's budget, as `fundBudget`
 * computes it: `received`, or `received * liabilities / balance` (rounded down) while the pool is short, so that
 * the deposit neither pays for the shortfall nor bears it.
 */
export function poolCredit(pool: StipendPool, received: bigint): bigint {
  if (pool.balance === 0n && pool.liabilities !== 0n) {
    throw new Error(`The registry holds none of ${pool.token} but owes some: deposits are refused until it does`);
  }
  return pool.balance < pool.liabilities ? (received * pool.liabilities) / pool.balance : received;
}

/** Whether the pool holds less than it owes, so that every payout from it is scaled down. */
export function isPoolShort(pool: StipendPool): boolean {
  return pool.balance < pool.liabilities;
}

/** Reads the stipend pool of `token` in `registry` (the token's `balanceOf` and the registry's `liabilities`). */
export async function readStipendPool(registry: TrialRegistry, token: string): Promise<StipendPool> {
  const runner: ContractRunner | null = registry.runner;
  if (runner === null) throw new Error("The registry contract needs a provider or signer to read the pool");
  const address = await registry.getAddress();
  const [balance, liabilities] = await Promise.all([
    IERC20__factory.connect(token, runner).balanceOf(address),
    registry.liabilities(token),
  ]);
  return { token, balance, liabilities };
}
