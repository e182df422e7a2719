import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { PatientIdentity } from "../../src/identity";
import { relayForwardRequest, signForwardRequest } from "../../src/relay";
import { deployTestSystem } from "../../tooling/system";

/** A patient whose relationship accounts hold no ETH, a relayer that pays, and the whole system. */
async function relayFixture() {
  const [, relayer, hospital] = await ethers.getSigners();
  const system = await deployTestSystem(hre, { grants: [{ role: "PROVIDER", account: hospital.address }] });
  const { chainId } = await ethers.provider.getNetwork();
  const { identity } = PatientIdentity.generate(chainId);
  const patient = identity.account({ kind: "provider", provider: hospital.address }).connect(ethers.provider);
  return { ...system, relayer, hospital, patient };
}

describe("relaying through the HealthLedgerForwarder (src/relay)", function () {
  it("lets an account with no ETH act as itself, the relayer paying", async function () {
    const { forwarder, consentRegistry, relayer, patient } = await loadFixture(relayFixture);
    expect(await ethers.provider.getBalance(patient.address)).to.equal(0n);
    // cancelNonce() has no signed variant: only a relayed call lets a patient without ETH make it.
    const call = {
      to: await consentRegistry.getAddress(),
      data: consentRegistry.interface.encodeFunctionData("cancelNonce"),
    };
    const request = await signForwardRequest(patient, forwarder, call);
    const receipt = await relayForwardRequest(forwarder.connect(relayer), request);
    expect(receipt.from).to.equal(relayer.address);
    await expect(receipt).to.emit(consentRegistry, "NonceUsed").withArgs(patient.address, 0n);
    expect(await consentRegistry.nonces(patient.address)).to.equal(1n);
    expect(await ethers.provider.getBalance(patient.address)).to.equal(0n);
  });

  it("throws the target's named error before signing a call that would fail", async function () {
    const { forwarder, consentRegistry, patient, hospital } = await loadFixture(relayFixture);
    const data = consentRegistry.interface.encodeFunctionData("removeDelegate", [patient.address, hospital.address]);
    await expect(signForwardRequest(patient, forwarder, { to: await consentRegistry.getAddress(), data }))
      .to.be.revertedWithCustomError(consentRegistry, "ConsentDelegateUnknown")
      .withArgs(patient.address, hospital.address);
  });

  it("refuses a request that was already relayed, or that another key signed", async function () {
    const { forwarder, consentRegistry, relayer, patient, hospital } = await loadFixture(relayFixture);
    const call = {
      to: await consentRegistry.getAddress(),
      data: consentRegistry.interface.encodeFunctionData("cancelNonce"),
    };
    const request = await signForwardRequest(patient, forwarder, call);
    await relayForwardRequest(forwarder.connect(relayer), request);
    await expect(relayForwardRequest(forwarder.connect(relayer), request)).to.be.rejectedWith(
      /is not valid now \(expired, used, or not signed by its sender\): sign it again/,
    );
    const forged = { ...(await signForwardRequest(patient, forwarder, call)), from: hospital.address };
    await expect(relayForwardRequest(forwarder.connect(relayer), forged)).to.be.rejectedWith(/is not valid now/);
  });

  it("needs a forwarder connected to a provider", async function () {
    const { forwarder, patient } = await loadFixture(relayFixture);
    const detached = forwarder.connect(null);
    await expect(signForwardRequest(patient, detached, { to: patient.address, data: "0x" })).to.be.rejectedWith(
      /must be connected to a provider/,
    );
  });
});
