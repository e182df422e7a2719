import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { id } from "ethers";
import { grantRoles } from "../../src/authority/permissions";
import { blindLines, ClaimStatus, policyMember, SERVICE, signPaymentConsent } from "../../src/claims";
import { relayGrant } from "../../src/consent";
import { PatientIdentity } from "../../src/identity";
import { deployTestSystem } from "../../tooling/system";
import { ALICE_MNEMONIC, ALL_DATA, DAY, USD, defaultTerms } from "./fixture";

/** A claims manager paying in a hostile token that calls back into it during transfers. */
async function hostileFixture() {
  const [, insurer, hospital, relayer] = await ethers.getSigners();
  const system = await deployTestSystem(hre, {
    grants: [
      { role: "INSURER", account: insurer.address },
      { role: "PROVIDER", account: hospital.address },
    ],
  });
  const { consentRegistry: consent, token, claimsManager: manager } = system;
  // The token itself holds both roles, so that only the reentrancy guard can stop it.
  await grantRoles(system.authority, [
    { role: "INSURER", account: await token.getAddress() },
    { role: "PROVIDER", account: await token.getAddress() },
  ]);
  await token.mint(insurer.address, 10_000n * USD);
  await token.connect(insurer).approve(await manager.getAddress(), ethers.MaxUint256);
  await manager.connect(insurer).fundEscrow(10_000n * USD);
  const now = BigInt(await time.latest());
  const { chainId } = await ethers.provider.getNetwork();
  const alice = policyMember(PatientIdentity.fromMnemonic(ALICE_MNEMONIC, chainId), insurer.address);
  const { signed } = await signPaymentConsent(alice.member, consent, {
    provider: hospital.address,
    blinding: alice.blinding,
    dataCategories: ALL_DATA,
    startsAt: now,
    expiresAt: now + DAY,
  });
  await relayGrant(consent.connect(relayer), signed);
  await manager
    .connect(insurer)
    .createPolicy({ ...(await defaultTerms(alice.member.address, alice.blinding)), deductible: 0 });
  const lines = blindLines(alice.blinding, [{ category: SERVICE.CONSULTATION, amount: 100n * USD }]);
  await manager.connect(hospital).submitClaim(1, id("c1"), lines, now - DAY, 0);
  return { insurer, hospital, token, manager };
}

describe("ClaimsManager reentrancy", function () {
  describe("withdraw", function () {
    context("when the token re-enters withdraw during the payout", function () {
      it("reverts the whole payout with ReentrancyGuardReentrantCall", async function () {
        const { manager, token, hospital } = await loadFixture(hostileFixture);
        await token.arm(
          ethers.ZeroAddress,
          await manager.getAddress(),
          manager.interface.encodeFunctionData("withdraw", [id("c1")]),
          true,
        );
        await expect(manager.connect(hospital).withdraw(id("c1"))).to.be.revertedWithCustomError(
          manager,
          "ReentrancyGuardReentrantCall",
        );
        expect((await manager.claim(id("c1"))).status).to.equal(BigInt(ClaimStatus.Approved));
      });
    });

    context("when the token swallows the failed re-entry", function () {
      it("pays exactly once and keeps the escrow whole", async function () {
        const { manager, token, hospital, insurer } = await loadFixture(hostileFixture);
        await token.arm(
          ethers.ZeroAddress,
          await manager.getAddress(),
          manager.interface.encodeFunctionData("withdraw", [id("c1")]),
          false,
        );
        await manager.connect(hospital).withdraw(id("c1"));
        expect(await token.reentryFailed()).to.equal(1n);
        expect(await token.reentrySucceeded()).to.equal(0n);
        expect(await token.balanceOf(hospital.address)).to.equal(80n * USD);
        expect(await manager.escrow(insurer.address)).to.deep.equal([10_000n * USD - 80n * USD, 0n]);
        expect(await token.balanceOf(await manager.getAddress())).to.equal(10_000n * USD - 80n * USD);
      });
    });
  });

  describe("withdrawEscrow", function () {
    it("cannot be re-entered to take out what approved claims need", async function () {
      const { manager, token, insurer } = await loadFixture(hostileFixture);
      const drain = manager.interface.encodeFunctionData("withdrawEscrow", [100n * USD, await token.getAddress()]);
      await token.arm(ethers.ZeroAddress, await manager.getAddress(), drain, true);
      await expect(
        manager.connect(insurer).withdrawEscrow(10_000n * USD - 80n * USD, insurer.address),
      ).to.be.revertedWithCustomError(manager, "ReentrancyGuardReentrantCall");
    });
  });

  describe("fundEscrow", function () {
    it("cannot be re-entered during the deposit", async function () {
      const { manager, token, insurer } = await loadFixture(hostileFixture);
      await token.mint(insurer.address, 1n);
      await token.arm(
        ethers.ZeroAddress,
        await manager.getAddress(),
        manager.interface.encodeFunctionData("fundEscrow", [1n]),
        true,
      );
      await expect(manager.connect(insurer).fundEscrow(1n)).to.be.revertedWithCustomError(
        manager,
        "ReentrancyGuardReentrantCall",
      );
    });
  });
});
