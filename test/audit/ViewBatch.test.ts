import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import { id } from "ethers";

async function deployFixture() {
  const batch = await ethers.deployContract("ViewBatch");
  const anchor = await ethers.deployContract("VaultAnchor");
  await anchor.anchorRecords([id("anchored")]);
  return { batch, anchor };
}

describe("ViewBatch", function () {
  describe("read", function () {
    it("answers every call in order, with whether it reverted and its return or revert data", async function () {
      const { batch, anchor } = await loadFixture(deployFixture);
      const to = await anchor.getAddress();
      const asked = anchor.interface.encodeFunctionData("recordAnchoredAt", [id("anchored")]);
      const never = anchor.interface.encodeFunctionData("recordAnchoredAt", [id("never")]);
      const [ok, answers] = await batch.read([to, to, to], [asked, "0xdeadbeef", never]);
      expect(ok).to.deep.equal([true, false, true]);
      expect(answers[0]).to.equal(ethers.toBeHex(await anchor.recordAnchoredAt(id("anchored")), 32));
      expect(answers[1]).to.equal("0x"); // no such function and no fallback: an empty revert
      expect(BigInt(answers[2])).to.equal(0n);
    });

    it("answers nothing for no calls", async function () {
      const { batch } = await loadFixture(deployFixture);
      const [ok, answers] = await batch.read([], []);
      expect([ok, answers]).to.deep.equal([[], []]);
    });
  });
});
