import type { Signer } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { AddressBookEntry } from "../src/addresses/types";
import TestTokenModule from "../ignition/modules/TestToken";
import HealthLedgerModule from "../ignition/modules/HealthLedger";
import {
  ClaimsManager__factory,
  ConsentRegistry__factory,
  HealthLedgerAuthority__factory,
  type ClaimsManager,
  TrialRegistry__factory,
  type ConsentRegistry,
  DrugProvenance__factory,
  type DrugProvenance,
  type HealthLedgerAuthority,
  type TrialRegistry,
  HealthLedgerForwarder__factory,
  type HealthLedgerForwarder,
  VaultAnchor__factory,
  type VaultAnchor,
} from "../typechain-types";

/** The deployed Health Ledger contracts, typed, connected to the deploying signer. */
export interface System {
  authority: HealthLedgerAuthority;
  /** The ERC-2771 forwarder that relays patients' signed calls to every domain contract. */
  forwarder: HealthLedgerForwarder;
  consentRegistry: ConsentRegistry;
  trialRegistry: TrialRegistry;
  drugProvenance: DrugProvenance;
  claimsManager: ClaimsManager;
  /** Public anchors of record commitments and vault disclosure-log heads (docs/vault.md). */
  vaultAnchor: VaultAnchor;
  /** The ERC-20 the claims escrow pays in. */
  paymentToken: string;
}

export interface DeployOptions {
  /** Account that may cancel scheduled operations (default: the deployer). */
  guardian?: string;
  /** Seconds every admin operation waits once wiring is done (default 0). */
  adminDelay?: number;
  /** Seconds ahead an operation must be scheduled for no guardian to cancel it (default 30 days). */
  guardianProofDelay?: number;
  /** ERC-20 the claims escrow pays in; omitted, a mintable `TestToken` is deployed (local networks only). */
  paymentToken?: string;
  /**
   * Ignition deployment id (its journal folder under `ignition/deployments/`); by default Ignition's
   * `chain-<chainId>`. Give a fresh one to deploy a second system on the same chain.
   */
  deploymentId?: string;
}

/**
 * Deploys the whole system through its Ignition module (the same one operators run against a testnet), so that
 * the demo, the tests and the gas bench all run the deployment users run.
 */
export async function deploySystem(hre: HardhatRuntimeEnvironment, options: DeployOptions = {}): Promise<System> {
  const [deployer] = await hre.ethers.getSigners();
  const parameters: Record<string, string | number> = {};
  if (options.guardian !== undefined) parameters.guardian = options.guardian;
  if (options.adminDelay !== undefined) parameters.adminDelay = options.adminDelay;
  const authorityParameters: Record<string, number> = {};
  if (options.guardianProofDelay !== undefined) authorityParameters.guardianProofDelay = options.guardianProofDelay;
  const paymentToken =
    options.paymentToken ??
    (await (
      await hre.ignition.deploy(TestTokenModule, {
        deploymentId: options.deploymentId && `${options.deploymentId}-token`,
      })
    ).paymentToken.getAddress());
  const deployed = await hre.ignition.deploy(HealthLedgerModule, {
    parameters: { HealthLedger: parameters, Authority: authorityParameters, Claims: { paymentToken } },
    deploymentId: options.deploymentId,
  });
  return {
    authority: HealthLedgerAuthority__factory.connect(await deployed.authority.getAddress(), deployer),
    forwarder: HealthLedgerForwarder__factory.connect(await deployed.forwarder.getAddress(), deployer),
    consentRegistry: ConsentRegistry__factory.connect(await deployed.consentRegistry.getAddress(), deployer),
    trialRegistry: TrialRegistry__factory.connect(await deployed.trialRegistry.getAddress(), deployer),
    drugProvenance: DrugProvenance__factory.connect(await deployed.drugProvenance.getAddress(), deployer),
    claimsManager: ClaimsManager__factory.connect(await deployed.claimsManager.getAddress(), deployer),
    vaultAnchor: VaultAnchor__factory.connect(await deployed.vaultAnchor.getAddress(), deployer),
    paymentToken,
  };
}

/** A system already deployed (an address-book entry), typed and connected to `signer`. */
export function connectSystem(entry: AddressBookEntry, signer: Signer): System {
  if (entry.paymentToken === undefined) {
    throw new Error(`The address book entry ${entry.deploymentId} names no payment token`);
  }
  return {
    authority: HealthLedgerAuthority__factory.connect(entry.authority, signer),
    forwarder: HealthLedgerForwarder__factory.connect(entry.forwarder, signer),
    consentRegistry: ConsentRegistry__factory.connect(entry.consentRegistry, signer),
    trialRegistry: TrialRegistry__factory.connect(entry.trialRegistry, signer),
    drugProvenance: DrugProvenance__factory.connect(entry.drugProvenance, signer),
    claimsManager: ClaimsManager__factory.connect(entry.claimsManager, signer),
    vaultAnchor: VaultAnchor__factory.connect(entry.vaultAnchor, signer),
    paymentToken: entry.paymentToken,
  };
}
