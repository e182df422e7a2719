/** The addresses of one Health Ledger deployment. */
export interface DeploymentAddresses {
  authority: string;
  forwarder: string;
  consentRegistry: string;
  trialRegistry: string;
  drugProvenance: string;
  claimsManager: string;
  /** Record commitments and vault disclosure-log heads (docs/vault.md). */
  vaultAnchor: string;
  /** The ERC-20 the claims escrow pays in (absent when the deployment record does not name it). */
  paymentToken?: string;
}

/** One entry of the address book: a deployment on one chain. */
export interface AddressBookEntry extends DeploymentAddresses {
  chainId: number;
  /** The Ignition deployment id it came from (`chain-<id>` by default). */
  deploymentId: string;
  /** The block the deployment started at: event readers start there (0 when unknown). */
  fromBlock: number;
}
