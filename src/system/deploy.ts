import type { HardhatRuntimeEnvironment } from "hardhat/types";
import ClaimsTestTokenModule from "../../ignition/modules/ClaimsTestToken";
import HealthLedgerModule from "../../ignition/modules/HealthLedger";
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
} from "../../typechain-types";

/** The deployed Health Ledger contracts, typed. Each domain adds its contract here. */
export interface System {
  authority: HealthLedgerAuthority;
  consentRegistry: ConsentRegistry;
  trialRegistry: TrialRegistry;
  drugProvenance: DrugProvenance;
  claimsManager: ClaimsManager;
}

export interface DeployOptions {
  guardian?: string;
  adminDelay?: number;
  /** ERC-20 the claims escrow pays in; omitted, a `ClaimsTestToken` is deployed (local networks only). */
  paymentToken?: string;
}

/** Deploys the whole system through its Ignition module (the same one operators run against a testnet). */
export async function deploySystem(hre: HardhatRuntimeEnvironment, options: DeployOptions = {}): Promise<System> {
  const [deployer] = await hre.ethers.getSigners();
  const parameters: Record<string, string | number> = {};
  if (options.guardian !== undefined) parameters.guardian = options.guardian;
  if (options.adminDelay !== undefined) parameters.adminDelay = options.adminDelay;
  const paymentToken =
    options.paymentToken ?? (await (await hre.ignition.deploy(ClaimsTestTokenModule)).paymentToken.getAddress());
  const deployed = await hre.ignition.deploy(HealthLedgerModule, {
    parameters: { HealthLedger: parameters, Claims: { paymentToken } },
  });
  return {
    authority: HealthLedgerAuthority__factory.connect(await deployed.authority.getAddress(), deployer),
    consentRegistry: ConsentRegistry__factory.connect(await deployed.consentRegistry.getAddress(), deployer),
    trialRegistry: TrialRegistry__factory.connect(await deployed.trialRegistry.getAddress(), deployer),
    drugProvenance: DrugProvenance__factory.connect(await deployed.drugProvenance.getAddress(), deployer),
    claimsManager: ClaimsManager__factory.connect(await deployed.claimsManager.getAddress(), deployer),
  };
}
