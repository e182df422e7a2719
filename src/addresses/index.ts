import { getAddress } from "ethers";
import { ADDRESS_BOOK } from "../generated/addresses";
import type { AddressBookEntry, DeploymentAddresses } from "./types";

export type { AddressBookEntry, DeploymentAddresses } from "./types";
export { ADDRESS_BOOK };

/** The contract names of a deployment, in the order tools print them. */
export const CONTRACT_NAMES = [
  "authority",
  "forwarder",
  "consentRegistry",
  "trialRegistry",
  "drugProvenance",
  "claimsManager",
  "vaultAnchor",
] as const satisfies readonly (keyof DeploymentAddresses)[];

/**
 * The Health Ledger addresses on a chain: the deployment baked into this package at build time (read from the
 * project's Ignition deployments), with `overrides` on top (your own deployment, a fork, a local node). Every
 * address is checked and returned checksummed. Throws, naming the chain and what to pass, when the chain has no
 * known deployment and the overrides do not name every contract.
 */
export function addressesFor(
  chainId: number | bigint,
  overrides: Partial<DeploymentAddresses> & { fromBlock?: number } = {},
): AddressBookEntry {
  const id = Number(chainId);
  if (!Number.isSafeInteger(id) || id <= 0) throw new Error(`A chain id is a positive integer; got ${chainId}`);
  const known: Partial<AddressBookEntry> = ADDRESS_BOOK[id] ?? {};
  const merged: Partial<AddressBookEntry> = { ...known, ...definedOnly(overrides) };
  const missing = CONTRACT_NAMES.filter((name) => merged[name] === undefined);
  if (missing.length > 0) {
    throw new Error(
      `No Health Ledger deployment is known on chain ${id}` +
        (Object.keys(known).length > 0 ? "" : ` (known: ${knownChains()})`) +
        `: pass the addresses of ${missing.join(", ")} as overrides to addressesFor(${id}, { ... })`,
    );
  }
  const entry: AddressBookEntry = {
    chainId: id,
    deploymentId: merged.deploymentId ?? "overrides",
    fromBlock: merged.fromBlock ?? 0,
    authority: "",
    forwarder: "",
    consentRegistry: "",
    trialRegistry: "",
    drugProvenance: "",
    claimsManager: "",
    vaultAnchor: "",
  };
  for (const name of [...CONTRACT_NAMES, "paymentToken"] as const) {
    const value = merged[name];
    if (value === undefined) continue;
    try {
      entry[name] = getAddress(value);
    } catch {
      throw new Error(`${name} must be an address (0x and 40 hex digits, checksummed if mixed-case); got "${value}"`);
    }
  }
  return entry;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function knownChains(): string {
  const chains = Object.keys(ADDRESS_BOOK);
  return chains.length > 0 ? chains.join(", ") : "none";
}
