import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { AddressBookEntry } from "../../src/addresses/types";
import { connectSystem, deploySystem } from "../deploy";
import { castFromSigners } from "./cast";
import { authorityChapter } from "./chapters/authority";
import { consentChapter } from "./chapters/consent";
import { trialsChapter } from "./chapters/trials";
import { provenanceChapter } from "./chapters/provenance";
import { claimsChapter } from "./chapters/claims";
import { privacyChapter } from "./chapters/privacy";
import { vaultChapter } from "./chapters/vault";
import { Narrator } from "./narrator";
import type { Chapter } from "./types";

/** The demo's chapters, in order. Each domain adds one. */
export const CHAPTERS: readonly Chapter[] = [
  authorityChapter,
  consentChapter,
  provenanceChapter,
  claimsChapter,
  trialsChapter,
  vaultChapter,
  privacyChapter,
];

/**
 * Deploys Health Ledger on the given network through Ignition and runs every chapter; or, given a `deployment`
 * from the address book (made by the `deploy` task with the cast's guardian), runs them against it.
 */
export async function runDemo(
  hre: HardhatRuntimeEnvironment,
  out: (line: string) => void = console.log,
  options: { deployment?: AddressBookEntry } = {},
): Promise<void> {
  const narrator = new Narrator(out);
  const cast = castFromSigners(await hre.ethers.getSigners());
  out("Health Ledger demo: one tamper-evident record of consent, provenance, trials and claims.");
  out(`Network: ${hre.network.name} (chain ${(await hre.ethers.provider.getNetwork()).chainId})`);
  const system =
    options.deployment === undefined
      ? await deploySystem(hre, { guardian: await cast.guardian.getAddress() })
      : connectSystem(options.deployment, cast.admin);
  if (options.deployment !== undefined) out(`Deployment: ${options.deployment.deploymentId} (address book)`);
  for (const [i, chapter] of CHAPTERS.entries()) {
    narrator.chapter(`Chapter ${i + 1}: ${chapter.title}`);
    await chapter.run({ hre, system, cast, narrator });
  }
  out("");
  out("Demo complete.");
}
