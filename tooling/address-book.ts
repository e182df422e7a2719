/**
 * The address book on the operator's machine: every Ignition deployment under `ignition/deployments/`, keyed by
 * chain id. The `deploy` task writes `address-book.json` beside Ignition's own files; older folders without it are
 * read from Ignition's `deployed_addresses.json` and the chain id in its journal.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { AddressBookEntry } from "../src/addresses/types";

export const DEPLOYMENTS_DIR = join(__dirname, "..", "ignition", "deployments");
export const ADDRESS_BOOK_FILE = "address-book.json";

/** Ignition future ids of the contracts, by address-book name. */
export const FUTURE_IDS = {
  authority: "Authority#HealthLedgerAuthority",
  forwarder: "Forwarder#HealthLedgerForwarder",
  consentRegistry: "Consent#ConsentRegistry",
  trialRegistry: "Trials#TrialRegistry",
  drugProvenance: "Provenance#DrugProvenance",
  claimsManager: "Claims#ClaimsManager",
  vaultAnchor: "Vault#VaultAnchor",
} as const;

/** Every complete deployment under `dir` (folders missing a contract, i.e. partial deployments, are left out). */
export function readDeployments(dir: string = DEPLOYMENTS_DIR): AddressBookEntry[] {
  if (!existsSync(dir)) return [];
  const entries: AddressBookEntry[] = [];
  for (const deploymentId of readdirSync(dir).sort()) {
    const entry = readDeployment(join(dir, deploymentId), deploymentId);
    if (entry !== undefined) entries.push(entry);
  }
  return entries;
}

/**
 * One deployment folder as an address-book entry, or `undefined` when it is not a complete system (or is being
 * written right now: a deployment in progress has a journal but no complete set of addresses yet).
 */
export function readDeployment(folder: string, deploymentId: string): AddressBookEntry | undefined {
  try {
    return readDeploymentFiles(folder, deploymentId);
  } catch {
    return undefined;
  }
}

function readDeploymentFiles(folder: string, deploymentId: string): AddressBookEntry | undefined {
  const book = join(folder, ADDRESS_BOOK_FILE);
  if (existsSync(book)) return JSON.parse(readFileSync(book, "utf8")) as AddressBookEntry;
  const addressesFile = join(folder, "deployed_addresses.json");
  const journal = join(folder, "journal.jsonl");
  if (!existsSync(addressesFile) || !existsSync(journal)) return undefined;
  const deployed = JSON.parse(readFileSync(addressesFile, "utf8")) as Record<string, string>;
  const first = JSON.parse(readFileSync(journal, "utf8").split("\n")[0]) as { chainId?: number };
  if (typeof first.chainId !== "number") return undefined;
  const entry: Partial<AddressBookEntry> = { chainId: first.chainId, deploymentId, fromBlock: 0 };
  for (const [name, futureId] of Object.entries(FUTURE_IDS)) {
    const address = deployed[futureId];
    if (address === undefined) return undefined;
    entry[name as keyof typeof FUTURE_IDS] = address;
  }
  return entry as AddressBookEntry;
}

/** Writes a deployment's address-book record beside Ignition's files. */
export function writeAddressBookEntry(entry: AddressBookEntry, dir: string = DEPLOYMENTS_DIR): string {
  const file = join(dir, entry.deploymentId, ADDRESS_BOOK_FILE);
  writeFileSync(file, `${JSON.stringify(entry, null, 2)}\n`);
  return file;
}

/**
 * The deployment to use on a chain: the one named by `deploymentId`, else the only one on that chain, else
 * Ignition's default `chain-<id>`. Throws a one-line message saying what to pass when there is none or several.
 */
export function deploymentOn(chainId: number, deploymentId?: string, dir: string = DEPLOYMENTS_DIR): AddressBookEntry {
  const onChain = readDeployments(dir).filter((e) => e.chainId === chainId);
  if (deploymentId !== undefined) {
    const named = onChain.find((e) => e.deploymentId === deploymentId);
    if (named === undefined) {
      throw new Error(
        `No complete deployment "${deploymentId}" on chain ${chainId} in ignition/deployments/: run the deploy task first, or pick one of: ${onChain.map((e) => e.deploymentId).join(", ") || "(none)"}`,
      );
    }
    return named;
  }
  if (onChain.length === 1) return onChain[0];
  const byDefault = onChain.find((e) => e.deploymentId === `chain-${chainId}`);
  if (byDefault !== undefined) return byDefault;
  if (onChain.length === 0) {
    throw new Error(
      `No Health Ledger deployment on chain ${chainId} in ignition/deployments/: run \`npx hardhat deploy --network <name>\` first`,
    );
  }
  throw new Error(
    `Several deployments on chain ${chainId} (${onChain.map((e) => e.deploymentId).join(", ")}): pass --deployment-id`,
  );
}
