import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import { ZeroHash, id } from "ethers";

async function deployFixture() {
  const [writer, operator, other] = await ethers.getSigners();
  const anchor = await ethers.deployContract("VaultAnchor");
  return { anchor, writer, operator, other };
}

const C1 = id("commitment 1");
const C2 = id("commitment 2");

describe("VaultAnchor", function () {
  describe("anchorRecords", function () {
    it("anchors commitments at the block's time, emitting RecordAnchored for each", async function () {
      const { anchor, writer } = await loadFixture(deployFixture);
      await expect(anchor.connect(writer).anchorRecords([C1, C2]))
        .to.emit(anchor, "RecordAnchored")
        .withArgs(C1)
        .and.to.emit(anchor, "RecordAnchored")
        .withArgs(C2);
      const at = await time.latest();
      expect(await anchor.recordAnchoredAt(C1)).to.equal(at);
      expect(await anchor.recordAnchoredAt(C2)).to.equal(at);
      expect(await anchor.recordAnchoredAt(id("never"))).to.equal(0);
    });

    it("keeps the first time of a commitment anchored again, and emits nothing for it", async function () {
      const { anchor, writer, other } = await loadFixture(deployFixture);
      await anchor.connect(writer).anchorRecords([C1]);
      const first = await anchor.recordAnchoredAt(C1);
      await time.increase(100);
      await expect(anchor.connect(other).anchorRecords([C1])).to.not.emit(anchor, "RecordAnchored");
      expect(await anchor.recordAnchoredAt(C1)).to.equal(first);
    });

    it("lets any account anchor (no role): an account with no role anchors", async function () {
      const { anchor, other } = await loadFixture(deployFixture);
      await expect(anchor.connect(other).anchorRecords([C1]))
        .to.emit(anchor, "RecordAnchored")
        .withArgs(C1);
    });

    it("refuses a zero commitment (VaultAnchorCommitmentZero), anchoring none of the batch", async function () {
      const { anchor, writer } = await loadFixture(deployFixture);
      await expect(anchor.connect(writer).anchorRecords([C1, ZeroHash])).to.be.revertedWithCustomError(
        anchor,
        "VaultAnchorCommitmentZero",
      );
      expect(await anchor.recordAnchoredAt(C1)).to.equal(0);
    });

    it("refuses an empty or oversized batch (VaultAnchorBatchSizeInvalid)", async function () {
      const { anchor, writer } = await loadFixture(deployFixture);
      const max = await anchor.MAX_ANCHOR_BATCH();
      await expect(anchor.connect(writer).anchorRecords([]))
        .to.be.revertedWithCustomError(anchor, "VaultAnchorBatchSizeInvalid")
        .withArgs(0, max);
      const big = Array.from({ length: Number(max) + 1 }, (_, i) => id(`c${i}`));
      await expect(anchor.connect(writer).anchorRecords(big))
        .to.be.revertedWithCustomError(anchor, "VaultAnchorBatchSizeInvalid")
        .withArgs(max + 1n, max);
    });
  });

  describe("anchorLog", function () {
    it("stores the caller's head and emits LogAnchored", async function () {
      const { anchor, operator } = await loadFixture(deployFixture);
      await expect(anchor.connect(operator).anchorLog(3, C1))
        .to.emit(anchor, "LogAnchored")
        .withArgs(operator.address, 3, C1);
      const head = await anchor.logHead(operator.address);
      expect(head.head).to.equal(C1);
      expect(head.count).to.equal(3);
      expect(head.anchoredAt).to.equal(await time.latest());
      await anchor.connect(operator).anchorLog(5, C2);
      expect((await anchor.logHead(operator.address)).count).to.equal(5);
    });

    it("keys each log by its sender: another account cannot touch an operator's log", async function () {
      const { anchor, operator, other } = await loadFixture(deployFixture);
      await anchor.connect(operator).anchorLog(3, C1);
      await anchor.connect(other).anchorLog(1, C2);
      expect((await anchor.logHead(operator.address)).head).to.equal(C1);
      expect((await anchor.logHead(other.address)).head).to.equal(C2);
    });

    it("refuses a zero head (VaultAnchorLogHeadZero)", async function () {
      const { anchor, operator } = await loadFixture(deployFixture);
      await expect(anchor.connect(operator).anchorLog(1, ZeroHash)).to.be.revertedWithCustomError(
        anchor,
        "VaultAnchorLogHeadZero",
      );
    });

    it("refuses a head that does not lengthen the log (VaultAnchorLogNotLonger)", async function () {
      const { anchor, operator } = await loadFixture(deployFixture);
      await expect(anchor.connect(operator).anchorLog(0, C1))
        .to.be.revertedWithCustomError(anchor, "VaultAnchorLogNotLonger")
        .withArgs(operator.address, 0, 0);
      await anchor.connect(operator).anchorLog(4, C1);
      await expect(anchor.connect(operator).anchorLog(4, C2))
        .to.be.revertedWithCustomError(anchor, "VaultAnchorLogNotLonger")
        .withArgs(operator.address, 4, 4);
      expect((await anchor.logHead(operator.address)).head).to.equal(C1);
    });
  });
});
