import type { HardhatRuntimeEnvironment } from "hardhat/types";

/**
 * What an operation must write, from first principles, used to compute its EVM floor:
 * 21,000 + calldata (16 gas per non-zero byte, 4 per zero byte) + 22,100 per new storage slot
 * + 5,000 per changed slot + for each log 375 + 375 × topics + 8 × data bytes.
 */
export interface FloorSpec {
  /** The transaction's calldata (0x-prefixed hex), as sent. */
  calldata: string;
  /** Storage slots that go from zero to non-zero (cold SSTORE set: 22,100 each). */
  newSlots: number;
  /** Storage slots that change from one non-zero value to another (cold SSTORE reset: 5,000 each). */
  changedSlots: number;
  /** Logs the operation must emit: number of topics (including the event signature) and data bytes. */
  logs: readonly { topics: number; dataBytes: number }[];
  /** Whether the 21,000 transaction base cost applies (false for a call measured inside a contract). */
  includeTxBase?: boolean;
  /** Accounts the op must touch cold besides the transaction's own (EIP-2929: 2,600 each), e.g. a called contract. */
  coldAccounts?: number;
  /** Slots the op must read cold without writing them (EIP-2929: 2,100 each), e.g. a view's record. */
  coldSlotReads?: number;
}

/** One measured operation, as written to reports/gas.json. */
export interface GasResult {
  /** `<domain>.<operation>`, e.g. `consent.grant` or `eas.attest`. */
  op: string;
  /** Gas used, as measured (a receipt's gasUsed, an estimate, or a gasleft() difference). */
  gas: number;
  /** The EVM floor computed from a {@link FloorSpec}. */
  floor: number;
  /** The budget the issue sets for this op, or null for peers and ops without one. */
  budget: number | null;
  /** The op of a real peer this one is compared with (e.g. `eas.attest`), or null. */
  peerOp: string | null;
  /** That peer's measured gas in the same run, filled in by the harness; null when there is no peer. */
  peerGas: number | null;
}

/** What a suite returns for each of its operations; the harness computes the floor and fills `peerGas`. */
export interface Measurement {
  op: string;
  gas: number | bigint;
  floor: FloorSpec;
  budget?: number;
  peerOp?: string;
}

/** A group of operations measured together, one per domain (`tooling/bench/suites/<domain>.ts`). */
export interface BenchSuite {
  name: string;
  run(hre: HardhatRuntimeEnvironment): Promise<Measurement[]>;
}
