import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { grantRoles, type RoleGrant } from "../src/authority/permissions";
import { deploySystem, type DeployOptions, type System } from "./deploy";
import { TestToken__factory, type TestToken } from "../typechain-types";

/** A deployed system for tests, benches and the demo: the contracts, their test payment token, and the admin. */
export interface TestSystem extends System {
  /** The mintable `TestToken` that claims pay in (and that trials may use for stipends). */
  token: TestToken;
}

/**
 * The one way tests and gas benches get a system: the operators' Ignition deployment (`deploySystem`), with a
 * `TestToken` as payment token, then the given role grants made by the deployer (the admin).
 */
export async function deployTestSystem(
  hre: HardhatRuntimeEnvironment,
  options: DeployOptions & { grants?: readonly RoleGrant[] } = {},
): Promise<TestSystem> {
  const { grants = [], ...deployOptions } = options;
  const system = await deploySystem(hre, deployOptions);
  const [deployer] = await hre.ethers.getSigners();
  await grantRoles(system.authority, grants);
  return { ...system, token: TestToken__factory.connect(system.paymentToken, deployer) };
}
