import { mine, time } from "@nomicfoundation/hardhat-network-helpers";
import hre, { ethers } from "hardhat";
import { categorySet } from "../../src/consent/categories";
import { PURPOSES } from "../../src/consent/purposes";
import { ConsentRegistry__factory, ConsentWallet__factory } from "../../typechain-types";
import { deployTestSystem } from "../../tooling/system";

export const DAY = 24n * 3600n;
export const CARE = categorySet("DEMOGRAPHICS", "CONDITIONS", "MEDICATIONS", "ALLERGIES");
export const TREATMENT = PURPOSES.TREATMENT;
export const DOC = ethers.id("consent document commitment");

/** The whole system as operators deploy it; the hospital holds PROVIDER; a contract wallet; a second registry. */
export async function deployFixture() {
  const [admin, patient, hospital, relayer, guardian, stranger, researcher, walletOwner] = await ethers.getSigners();
  const system = await deployTestSystem(hre, { grants: [{ role: "PROVIDER", account: hospital.address }] });
  const { authority, consentRegistry: registry } = system;
  const wallet = await new ConsentWallet__factory(admin).deploy(walletOwner.address);
  const other = await new ConsentRegistry__factory(admin).deploy(
    await authority.getAddress(),
    await system.forwarder.getAddress(),
  );
  return {
    authority,
    forwarder: system.forwarder,
    registry,
    other,
    wallet,
    admin,
    patient,
    hospital,
    relayer,
    guardian,
    stranger,
    researcher,
    walletOwner,
  };
}

/**
 * The current chain time. A block is mined first: after `loadFixture` reverts to a snapshot taken earlier, the
 * latest block is as old as the snapshot while the next one follows the wall clock, so a time read without mining
 * could be minutes behind the next transaction's.
 */
export async function now(): Promise<bigint> {
  await mine();
  return BigInt(await time.latest());
}
