import type { FloorSpec } from "./types";

/** Gas constants of the EVM floor (Yellow Paper / EIP-2028 / EIP-2929 / EIP-2200 figures). */
export const FLOOR_GAS = {
  /** Every transaction (G_transaction). */
  txBase: 21_000,
  /** Per zero calldata byte (G_txdatazero). */
  zeroByte: 4,
  /** Per non-zero calldata byte (G_txdatanonzero, EIP-2028). */
  nonZeroByte: 16,
  /** Cold SSTORE of a zero slot to non-zero: 20,000 + 2,100 cold access (EIP-2929). */
  newSlot: 22_100,
  /** Cold SSTORE of a non-zero slot to another non-zero value: 2,900 + 2,100 cold access. */
  changedSlot: 5_000,
  /** Cold account access (EIP-2929 COLD_ACCOUNT_ACCESS_COST). */
  coldAccount: 2_600,
  /** Cold storage read (EIP-2929 COLD_SLOAD_COST). */
  coldSlotRead: 2_100,
  /** Per log (G_log). */
  log: 375,
  /** Per log topic (G_logtopic). */
  logTopic: 375,
  /** Per byte of log data (G_logdata). */
  logDataByte: 8,
} as const;

/** Calldata gas of 0x-prefixed hex: 16 per non-zero byte, 4 per zero byte. */
export function calldataGas(calldata: string): number {
  if (typeof calldata !== "string" || !/^0x([0-9a-fA-F]{2})*$/.test(calldata)) {
    throw new Error(
      `Calldata must be 0x-prefixed hex with whole bytes (e.g. tx.data); got ${JSON.stringify(calldata)}`,
    );
  }
  let gas = 0;
  for (let i = 2; i < calldata.length; i += 2) {
    gas += calldata.slice(i, i + 2) === "00" ? FLOOR_GAS.zeroByte : FLOOR_GAS.nonZeroByte;
  }
  return gas;
}

/** Gas of one log: 375 + 375 per topic + 8 per data byte. */
export function logGas(log: { topics: number; dataBytes: number }): number {
  assertCount(log.topics, "log topics", 4);
  assertCount(log.dataBytes, "log dataBytes");
  return FLOOR_GAS.log + FLOOR_GAS.logTopic * log.topics + FLOOR_GAS.logDataByte * log.dataBytes;
}

/**
 * The least gas any implementation of an operation can use, from what it must do: the transaction base
 * (unless `includeTxBase` is false), its calldata, the storage slots it must create or change, and the logs
 * it must emit. Execution (opcodes, memory, hashing, warm reads) is deliberately left out, so that
 * `gas / floor` measures an implementation's overhead.
 */
export function evmFloor(spec: FloorSpec): number {
  assertCount(spec.newSlots, "newSlots");
  assertCount(spec.changedSlots, "changedSlots");
  assertCount(spec.coldAccounts ?? 0, "coldAccounts");
  assertCount(spec.coldSlotReads ?? 0, "coldSlotReads");
  if (!Array.isArray(spec.logs)) throw new Error("FloorSpec.logs must be an array of { topics, dataBytes }");
  return (
    (spec.includeTxBase === false ? 0 : FLOOR_GAS.txBase) +
    calldataGas(spec.calldata) +
    FLOOR_GAS.newSlot * spec.newSlots +
    FLOOR_GAS.changedSlot * spec.changedSlots +
    FLOOR_GAS.coldAccount * (spec.coldAccounts ?? 0) +
    FLOOR_GAS.coldSlotRead * (spec.coldSlotReads ?? 0) +
    spec.logs.reduce((sum, log) => sum + logGas(log), 0)
  );
}

function assertCount(value: number, what: string, max?: number): void {
  if (!Number.isInteger(value) || value < 0 || (max !== undefined && value > max)) {
    const range = max === undefined ? "a whole number >= 0" : `a whole number from 0 to ${max}`;
    throw new Error(`FloorSpec ${what} must be ${range}; got ${String(value)}`);
  }
}
