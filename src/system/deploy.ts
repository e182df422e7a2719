import type { HardhatRuntimeEnvironment } from "hardhat/types";
import HealthLedgerModule from "../../ignition/modules/HealthLedger";
import {
  ConsentRegistry__factory,
  HealthLedgerAuthority__factory,
  type ConsentRegistry,
  DrugProvenance__factory,
  type DrugProvenance,
  type HealthLedgerAuthority,
} from "../../typechain-types";

/** The deployed Health Ledger contracts, typed. Each domain adds its contract here. */
export interface System {
  authority: HealthLedgerAuthority;
  consentRegistry: ConsentRegistry;
  drugProvenance: DrugProvenance;
}

export interface DeployOptions {
  guardian?: string;
  adminDelay?: number;
}

/** Deploys the whole system through its Ignition module (the same one operators run against a testnet). */
export async function deploySystem(hre: HardhatRuntimeEnvironment, options: DeployOptions = {}): Promise<System> {
  const [deployer] = await hre.ethers.getSigners();
  const parameters: Record<string, string | number> = {};
  if (options.guardian !== undefined) parameters.guardian = options.guardian;
  if (options.adminDelay !== undefined) parameters.adminDelay = options.adminDelay;
  const deployed = await hre.ignition.deploy(HealthLedgerModule, { parameters: { HealthLedger: parameters } });
  return {
    authority: HealthLedgerAuthority__factory.connect(await deployed.authority.getAddress(), deployer),
    consentRegistry: ConsentRegistry__factory.connect(await deployed.consentRegistry.getAddress(), deployer),
    drugProvenance: DrugProvenance__factory.connect(await deployed.drugProvenance.getAddress(), deployer),
  };
}
