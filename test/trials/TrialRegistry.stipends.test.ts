import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { BUDGET, STIPEND, deployTrialsFixture, h, saltOf } from "./fixture";

const E18 = 10n ** 18n;

/**
 * Stipend payments against hostile tokens (the one configurable `TestToken`): one that calls back into the registry
 * while it is paying out, one that takes a fee on every transfer, and one that rebases every balance.
 */
describe("TrialRegistry stipends with hostile tokens", function () {
  async function hostileFixture() {
    const f = await deployTrialsFixture();
    const evil = await ethers.deployContract("TestToken", ["EVIL", 18]);
    await evil.mint(f.sponsor.address, BUDGET * 10n);
    await evil.connect(f.sponsor).approve(await f.registry.getAddress(), ethers.MaxUint256);
    const id = await f.recruitingTrial({ stipendToken: await evil.getAddress() });
    await f.consent(f.alice.address, id);
    await f.registry.connect(f.investigator).enroll(id, f.alice.address, saltOf(f.alice.address, id), h("s"));
    await f.registry.connect(f.investigator).recordVisit(id, f.alice.address, saltOf(f.alice.address, id));
    return { ...f, evil, id };
  }

  describe("claimStipend", function () {
    context("when the token re-enters claimStipend and swallows the failure", function () {
      it("pays once and keeps the books balanced", async function () {
        const { registry, evil, alice, id } = await loadFixture(hostileFixture);
        const claim = registry.interface.encodeFunctionData("claimStipend", [id, alice.address]);
        await evil.arm(await registry.getAddress(), await registry.getAddress(), claim, false);
        await expect(registry.connect(alice).claimStipend(id, alice.address)).to.changeTokenBalance(
          evil,
          alice,
          STIPEND,
        );
        expect(await evil.reentrySucceeded()).to.equal(0n);
        expect(await evil.reentryFailed()).to.equal(1n);
        const t = await registry.trial(id);
        expect(t.outstanding).to.equal(0n);
        expect(await evil.balanceOf(await registry.getAddress())).to.equal(t.unallocated + t.outstanding);
      });
    });

    context("when the token re-enters and bubbles the failure", function () {
      it("reverts the whole claim with ReentrancyGuardReentrantCall, nothing changed", async function () {
        const { registry, evil, alice, id } = await loadFixture(hostileFixture);
        const claim = registry.interface.encodeFunctionData("claimStipend", [id, alice.address]);
        await evil.arm(await registry.getAddress(), await registry.getAddress(), claim, true);
        await expect(registry.connect(alice).claimStipend(id, alice.address)).to.be.revertedWithCustomError(
          registry,
          "ReentrancyGuardReentrantCall",
        );
        expect((await registry.participant(id, alice.address)).accrued).to.equal(STIPEND);
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
        const before = (await registry.trial(id)).unallocated;
        await registry.connect(sponsor).fundBudget(id, 5n);
        expect((await registry.trial(id)).unallocated).to.equal(before + 5n);
        expect(await evil.reentryFailed()).to.equal(1n);
      });
    });
  });
  /**
   * Two trials that pay in the same token, each funded with BUDGET, with stipends accrued in both: trial 1 (sponsor,
   * Alice: two visits) and trial 2 (the other sponsor, Bob: one visit).
   */
  async function sharedTokenFixture() {
    const f = await deployTrialsFixture();
    const { registry, otherSponsor, investigator, alice, bob } = f;
    const first = await f.enrolledTrial();
    await registry.connect(otherSponsor).register(f.registration());
    const second = await registry.trialCount();
    await registry.connect(otherSponsor).authorizeSite(second, investigator.address);
    await registry.connect(otherSponsor).fundBudget(second, BUDGET);
    await registry.connect(otherSponsor).startRecruitment(second);
    await f.consent(bob.address, second);
    const site = registry.connect(investigator);
    await site.enroll(second, bob.address, saltOf(bob.address, second), h("subject-bob"));
    await site.recordVisit(first, alice.address, saltOf(alice.address, first));
    await site.recordVisit(first, alice.address, saltOf(alice.address, first));
    await site.recordVisit(second, bob.address, saltOf(bob.address, second));
    return { ...f, first, second, site };
  }

  describe("a rebasing token shared by two trials", function () {
    // Before: the pool paid whoever came first in full. After a rebase to half, the first sponsor took back 950 of
    // the 1,000 tokens the registry still held, Alice took 50, and the other sponsor and Bob were left with nothing
    // (their transfers reverted for ever).
    context("after a negative rebase", function () {
      it("makes every claimant and both sponsors bear the shortfall pro rata, the last claimant included", async function () {
        const { registry, token, sponsor, otherSponsor, alice, bob, first, second } =
          await loadFixture(sharedTokenFixture);
        const pool = await registry.getAddress();
        expect(await registry.liabilities(token)).to.equal(2n * BUDGET);
        await token.rebase(1, 2);
        expect(await token.balanceOf(pool)).to.equal(BUDGET);
        await registry.connect(sponsor).terminate(first, h("stop"));
        await registry.connect(otherSponsor).terminate(second, h("stop"));

        const rest1 = BUDGET - 2n * STIPEND;
        await expect(registry.connect(sponsor).recoverBudget(first))
          .to.emit(registry, "BudgetRecovered")
          .withArgs(first, sponsor.address, rest1, rest1 / 2n);
        await expect(registry.connect(alice).claimStipend(first, alice.address))
          .to.emit(registry, "StipendClaimed")
          .withArgs(first, alice.address, alice.address, 2n * STIPEND, STIPEND);
        const rest2 = BUDGET - STIPEND;
        await expect(registry.connect(otherSponsor).recoverBudget(second)).to.changeTokenBalance(
          token,
          otherSponsor,
          rest2 / 2n,
        );
        await expect(
          registry.connect(bob).claimStipend(second, bob.address),
          "the last claimant is paid her share",
        ).to.changeTokenBalance(token, bob, STIPEND / 2n);
        expect(await token.balanceOf(pool)).to.equal(0n);
        expect(await registry.liabilities(token)).to.equal(0n);
      });

      it("credits a later deposit at the pool's rate, so it neither pays for the shortfall nor bears it", async function () {
        const { registry, token, sponsor, otherSponsor, alice, first, registration } =
          await loadFixture(sharedTokenFixture);
        await token.rebase(1, 2); // the registry holds 1,000 of the 2,000 it owes
        await registry.connect(otherSponsor).register(registration());
        const third = await registry.trialCount();
        await expect(registry.connect(otherSponsor).fundBudget(third, 100n * E18))
          .to.emit(registry, "BudgetFunded")
          .withArgs(third, otherSponsor.address, 100n * E18, 200n * E18);
        expect((await registry.trial(third)).unallocated).to.equal(200n * E18);
        await registry.connect(otherSponsor).terminate(third, h("stop"));
        await expect(registry.connect(otherSponsor).recoverBudget(third), "its own money back").to.changeTokenBalance(
          token,
          otherSponsor,
          100n * E18,
        );
        await expect(
          registry.connect(alice).claimStipend(first, alice.address),
          "half, as before the deposit",
        ).to.changeTokenBalance(token, alice, STIPEND);
        await registry.connect(sponsor).terminate(first, h("stop"));
        await expect(registry.connect(sponsor).recoverBudget(first)).to.changeTokenBalance(
          token,
          sponsor,
          (BUDGET - 2n * STIPEND) / 2n,
        );
      });

      it("refuses payouts and deposits while the registry holds none of the token, and keeps the claims owed", async function () {
        const { registry, token, sponsor, alice, first } = await loadFixture(sharedTokenFixture);
        await token.rebase(0, 1);
        const owed = 2n * BUDGET;
        await expect(registry.connect(alice).claimStipend(first, alice.address))
          .to.be.revertedWithCustomError(registry, "TrialStipendPoolEmpty")
          .withArgs(await token.getAddress(), owed);
        await expect(registry.connect(sponsor).fundBudget(first, STIPEND))
          .to.be.revertedWithCustomError(registry, "TrialStipendPoolEmpty")
          .withArgs(await token.getAddress(), owed);
        expect((await registry.participant(first, alice.address)).accrued).to.equal(2n * STIPEND);
        expect(await registry.liabilities(token)).to.equal(owed);
      });
    });

    context("with amounts of a few units", function () {
      it("settles a claim or a recovery that rounds to nothing without a transfer, and the last claimant takes the rest", async function () {
        const { registry, token, sponsor, investigator, alice, bob, registerTrial, consent } =
          await loadFixture(deployTrialsFixture);
        const id = await registerTrial({ stipendPerVisit: 1n });
        await registry.connect(sponsor).authorizeSite(id, investigator.address);
        await registry.connect(sponsor).fundBudget(id, 3n);
        await registry.connect(sponsor).startRecruitment(id);
        for (const p of [alice, bob]) {
          await consent(p.address, id);
          await registry.connect(investigator).enroll(id, p.address, saltOf(p.address, id), h(p.address));
          await registry.connect(investigator).recordVisit(id, p.address, saltOf(p.address, id));
        }
        await token.rebase(2, 3); // the registry holds 1 unit of the 3 it owes
        expect(await token.balanceOf(await registry.getAddress())).to.equal(1n);
        const claim = registry.connect(alice).claimStipend(id, alice.address);
        await expect(claim).to.emit(registry, "StipendClaimed").withArgs(id, alice.address, alice.address, 1n, 0n);
        await expect(claim).not.to.emit(token, "Transfer");
        await registry.connect(sponsor).terminate(id, h("stop"));
        const recover = registry.connect(sponsor).recoverBudget(id);
        await expect(recover).to.emit(registry, "BudgetRecovered").withArgs(id, sponsor.address, 1n, 0n);
        await expect(recover).not.to.emit(token, "Transfer");
        await expect(registry.connect(bob).claimStipend(id, bob.address))
          .to.emit(registry, "StipendClaimed")
          .withArgs(id, bob.address, bob.address, 1n, 1n);
        expect(await registry.liabilities(token)).to.equal(0n);
      });
    });

    context("after a positive rebase", function () {
      it("pays each claimant what it is owed and no more, keeping the surplus as a cushion", async function () {
        const { registry, token, sponsor, alice, bob, first, second } = await loadFixture(sharedTokenFixture);
        await token.rebase(2, 1);
        await expect(registry.connect(alice).claimStipend(first, alice.address)).to.changeTokenBalance(
          token,
          alice,
          2n * STIPEND,
        );
        await expect(registry.connect(bob).claimStipend(second, bob.address)).to.changeTokenBalance(
          token,
          bob,
          STIPEND,
        );
        await registry.connect(sponsor).terminate(first, h("stop"));
        await expect(registry.connect(sponsor).recoverBudget(first))
          .to.emit(registry, "BudgetRecovered")
          .withArgs(first, sponsor.address, BUDGET - 2n * STIPEND, BUDGET - 2n * STIPEND);
        expect(await registry.liabilities(token)).to.equal(BUDGET - STIPEND);
        expect(await token.balanceOf(await registry.getAddress())).to.equal(3n * BUDGET - STIPEND);
      });
    });
  });

  describe("a token that takes a fee on every transfer", function () {
    it("credits what arrived, leaves a payout's fee to its payee, and keeps the pool whole for the other trial", async function () {
      const { registry, token, sponsor, otherSponsor, alice, bob, first, second } =
        await loadFixture(sharedTokenFixture);
      const pool = await registry.getAddress();
      await token.setFee(100); // 1%
      await expect(registry.connect(sponsor).fundBudget(first, 100n * E18))
        .to.emit(registry, "BudgetFunded")
        .withArgs(first, sponsor.address, 99n * E18, 99n * E18);
      expect(await registry.liabilities(token)).to.equal(await token.balanceOf(pool));
      await expect(registry.connect(alice).claimStipend(first, alice.address))
        .to.emit(registry, "StipendClaimed")
        .withArgs(first, alice.address, alice.address, 2n * STIPEND, 2n * STIPEND);
      expect(await token.balanceOf(alice.address), "less the fee on her transfer").to.equal(
        (2n * STIPEND * 99n) / 100n,
      );
      expect(await registry.liabilities(token)).to.equal(await token.balanceOf(pool));
      await registry.connect(otherSponsor).terminate(second, h("stop"));
      await expect(registry.connect(otherSponsor).recoverBudget(second))
        .to.emit(registry, "BudgetRecovered")
        .withArgs(second, otherSponsor.address, BUDGET - STIPEND, BUDGET - STIPEND);
      await expect(registry.connect(bob).claimStipend(second, bob.address))
        .to.emit(registry, "StipendClaimed")
        .withArgs(second, bob.address, bob.address, STIPEND, STIPEND);
      expect(await registry.liabilities(token)).to.equal(await token.balanceOf(pool));
    });
  });
});
