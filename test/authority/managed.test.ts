import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { deployTestSystem } from "../../tooling/system";

/** The shared base of every domain contract: its deployment-time probe of the authority. */
describe("HealthLedgerManaged", function () {
  describe("constructor", function () {
    it("refuses an authority or forwarder that is not one: no code, the wrong contract, or one that answers too little", async function () {
      const [, someone] = await ethers.getSigners();
      const system = await deployTestSystem(hre);
      const factory = await ethers.getContractFactory("DrugProvenance");
      const forwarder = await system.forwarder.getAddress();
      // An account with no code (here an externally owned account), and the zero address.
      for (const account of [someone.address, ethers.ZeroAddress]) {
        await expect(factory.deploy(account, forwarder))
          .to.be.revertedWithCustomError(factory, "HealthLedgerContractInvalid")
          .withArgs(account);
      }
      // A contract that does not answer `expiration()`: the payment token.
      const token = await system.token.getAddress();
      await expect(factory.deploy(token, forwarder))
        .to.be.revertedWithCustomError(factory, "HealthLedgerContractInvalid")
        .withArgs(token);
      // A contract that accepts every call but answers nothing.
      const silent = await (await ethers.deployContract("SilentContract")).getAddress();
      await expect(factory.deploy(silent, forwarder))
        .to.be.revertedWithCustomError(factory, "HealthLedgerContractInvalid")
        .withArgs(silent);
      // The same probes guard the forwarder: an empty account, or a contract that is not one.
      const authority = await system.authority.getAddress();
      for (const bad of [someone.address, token, await system.consentRegistry.getAddress()]) {
        await expect(factory.deploy(authority, bad))
          .to.be.revertedWithCustomError(factory, "HealthLedgerContractInvalid")
          .withArgs(bad);
      }
      // The real authority is accepted.
      const provenance = await factory.deploy(await system.authority.getAddress(), forwarder);
      expect(await provenance.authority()).to.equal(await system.authority.getAddress());
    });
  });
});
