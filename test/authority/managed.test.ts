import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { deployTestSystem } from "../../tooling/system";

/** The shared base of every domain contract: its deployment-time probe of the authority. */
describe("HealthLedgerManaged", function () {
  describe("constructor", function () {
    it("refuses an authority that is not one: no code, the wrong contract, or one that answers too little", async function () {
      const [, someone] = await ethers.getSigners();
      const system = await deployTestSystem(hre);
      const factory = await ethers.getContractFactory("DrugProvenance");
      // An account with no code (here an externally owned account), and the zero address.
      for (const account of [someone.address, ethers.ZeroAddress]) {
        await expect(factory.deploy(account))
          .to.be.revertedWithCustomError(factory, "HealthLedgerContractInvalid")
          .withArgs(account);
      }
      // A contract that does not answer `expiration()`: the payment token.
      const token = await system.token.getAddress();
      await expect(factory.deploy(token))
        .to.be.revertedWithCustomError(factory, "HealthLedgerContractInvalid")
        .withArgs(token);
      // A contract that accepts every call but answers nothing.
      const silent = await (await ethers.deployContract("SilentContract")).getAddress();
      await expect(factory.deploy(silent))
        .to.be.revertedWithCustomError(factory, "HealthLedgerContractInvalid")
        .withArgs(silent);
      // The real authority is accepted.
      const provenance = await factory.deploy(await system.authority.getAddress());
      expect(await provenance.authority()).to.equal(await system.authority.getAddress());
    });
  });
});
