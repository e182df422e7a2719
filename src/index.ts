/**
 * Health Ledger SDK: consent, records, drug provenance, trials and claims on Ethereum, for ethers v6 and viem.
 * Each domain is also its own entry point (`health-ledger/consent`, `health-ledger/records`, ...).
 */
export * from "./abi";
export * from "./addresses";
export * from "./authority";
export * from "./claims";
export * from "./constants";
export * from "./consent";
export * from "./crypto";
export * from "./identity";
export * from "./provenance";
export * from "./records";
export * from "./relay";
export * from "./trials";

// Both domains name an `Outcome`: a trial's reported outcome keeps the name, a claim line's adjudication is renamed.
export type { Outcome } from "./trials/outcomes";
export type { Outcome as AdjudicationOutcome } from "./claims/adjudication";
