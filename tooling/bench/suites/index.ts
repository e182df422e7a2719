import type { BenchSuite } from "../types";
import { consentSuite } from "./consent";
import { easSuite } from "./eas";
import { erc1155Suite } from "./erc1155";
import { provenanceSuite } from "./provenance";
import { claimsSuite } from "./claims";
import { trialsSuite } from "./trials";

/**
 * Every suite `npm run bench:gas` runs, each on a fresh chain. Peers first; each domain adds one line
 * (and one import) for its `tooling/bench/suites/<domain>.ts`.
 */
export const SUITES: BenchSuite[] = [
  // Peers: real, widely deployed contracts our operations are compared with.
  easSuite,
  erc1155Suite,
  // Health Ledger domains.
  consentSuite,
  provenanceSuite,
  claimsSuite,
  trialsSuite,
];
