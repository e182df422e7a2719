import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { BUDGET, STIPEND, deployTrialsFixture, h } from "./fixture";

/** Stipend payments against a hostile token that calls back into the registry while it is paying out. */
describe("TrialRegistry stipends with a reentrant token", function () {
  async function hostileFixture() {
    const f = await deployTrialsFixture();
    const evil = await ethers.deployContract("TestToken", ["EVIL", 18]);
    await evil.mint(f.sponsor.address, BUDGET * 10n);
    await evil.connect(f.sponsor).approve(await f.registry.getAddress(), ethers.MaxUint256);
    const id = await f.recruitingTrial({ stipendToken: await evil.getAddress() });
    await f.consent(f.alice.address, id);
    await f.registry.connect(f.investigator).enroll(id, f.alice.address, h("s"));
    await f.registry.connect(f.investigator).recordVisit(id, f.alice.address);
    return { ...f, evil, id };
  }

  describe("claimStipend", function () {
    context("when the token re-enters claimStipend and swallows the failure", function () {
      it("pays once and keeps the books balanced", async function () {
        const { registry, evil, alice, id } = await loadFixture(hostileFixture);
        const claim = registry.interface.encodeFunctionData("claimStipend", [id]);
        await evil.arm(await registry.getAddress(), await registry.getAddress(), claim, false);
        await expect(registry.connect(alice).claimStipend(id)).to.changeTokenBalance(evil, alice, STIPEND);
        expect(await evil.reentrySucceeded()).to.equal(0n);
        expect(await evil.reentryFailed()).to.equal(1n);
        const t = await registry.getTrial(id);
        expect(t.outstanding).to.equal(0n);
        expect(await evil.balanceOf(await registry.getAddress())).to.equal(t.unallocated + t.outstanding);
      });
    });

    context("when the token re-enters and bubbles the failure", function () {
      it("reverts the whole claim with ReentrancyGuardReentrantCall, nothing changed", async function () {
        const { registry, evil, alice, id } = await loadFixture(hostileFixture);
        const claim = registry.interface.encodeFunctionData("claimStipend", [id]);
        await evil.arm(await registry.getAddress(), await registry.getAddress(), claim, true);
        await expect(registry.connect(alice).claimStipend(id)).to.be.revertedWithCustomError(
          registry,
          "ReentrancyGuardReentrantCall",
        );
        expect((await registry.getParticipant(id, alice.address)).accrued).to.equal(STIPEND);
      });
    });
  });

  describe("recoverBudget", function () {
    context("when the token re-enters recoverBudget", function () {
      it("returns the unallocated budget once", async function () {
        const { registry, evil, sponsor, id } = await loadFixture(hostileFixture);
        await registry.connect(sponsor).terminate(id, h("stop"));
        const rest = BUDGET - STIPEND;
        const target = await registry.getAddress();
        await evil.arm(target, target, registry.interface.encodeFunctionData("recoverBudget", [id]), false);
        await expect(registry.connect(sponsor).recoverBudget(id)).to.changeTokenBalance(evil, sponsor, rest);
        expect(await evil.reentryFailed()).to.equal(1n);
        expect(await evil.balanceOf(await registry.getAddress())).to.equal(STIPEND);
      });
    });
  });

  describe("fundBudget", function () {
    context("when the token re-enters fundBudget during transferFrom", function () {
      it("credits only what arrived in the outer call", async function () {
        const { registry, evil, sponsor, id } = await loadFixture(hostileFixture);
        // transferFrom moves tokens from the sponsor, not the registry, so arm on the sponsor as source.
        await evil.arm(
          sponsor.address,
          await registry.getAddress(),
          registry.interface.encodeFunctionData("fundBudget", [id, 1n]),
          false,
        );
        const before = (await registry.getTrial(id)).unallocated;
        await registry.connect(sponsor).fundBudget(id, 5n);
        expect((await registry.getTrial(id)).unallocated).to.equal(before + 5n);
        expect(await evil.reentryFailed()).to.equal(1n);
      });
    });
  });
});
