import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { policyMember } from "../../src/claims";
import { categorySet, NO_EXPIRY, PURPOSES, relayGrant, signGrant } from "../../src/consent";
import { PatientIdentity, recoverRelationships } from "../../src/identity";
import { deployTestSystem } from "../../tooling/system";
import { defaultTerms } from "../claims/fixture";

/**
 * A patient who used a provider, her second policy with an insurer (index 1: index 0 was never used), a trial and
 * her emergency card; then lost her device.
 */
async function historyFixture() {
  const [, relayer, hospital, clinic, insurer, insurer2, sponsor] = await ethers.getSigners();
  const system = await deployTestSystem(hre, {
    grants: [
      { role: "PROVIDER", account: hospital.address },
      { role: "PROVIDER", account: clinic.address },
      { role: "INSURER", account: insurer.address },
      { role: "INSURER", account: insurer2.address },
      { role: "SPONSOR", account: sponsor.address },
    ],
  });
  const { chainId } = await ethers.provider.getNetwork();
  const { identity, mnemonic } = PatientIdentity.generate(chainId);
  const registry = system.consentRegistry.connect(relayer);
  const consentTo = async (account: ReturnType<typeof identity.account>, grantee: string, purpose: string) => {
    const terms = { patient: account.address, grantee, purpose, categories: categorySet("CONDITIONS") };
    const signed = await signGrant(account, registry, {
      ...terms,
      startsAt: 0n,
      expiresAt: NO_EXPIRY,
      documentCommitment: ethers.id("consent"),
    });
    await relayGrant(registry, signed);
  };
  // A provider relationship: a treatment consent, signed by the relationship account and relayed.
  await consentTo(
    identity.account({ kind: "provider", provider: hospital.address }),
    hospital.address,
    PURPOSES.TREATMENT,
  );
  // A policy at index 1 with the second insurer.
  const { member, blinding } = policyMember(identity, insurer2.address, 1);
  await system.claimsManager.connect(insurer2).createPolicy(await defaultTerms(member.address, blinding));
  // A trial: a research consent from the trial account to the registry.
  const registryAddress = await system.trialRegistry.getAddress();
  const trialAccount = identity.account({ kind: "trial", registry: registryAddress, trialId: 1n });
  await consentTo(trialAccount, registryAddress, PURPOSES.RESEARCH);
  // An emergency: the hospital records break-glass against her card's account.
  const card = identity.account({ kind: "emergency", epoch: 0 });
  await system.consentRegistry.connect(hospital).breakGlass(card.address, ethers.id("unconscious on arrival"));
  return { system, mnemonic, chainId, hospital, insurer2, registryAddress, sponsor };
}

describe("recovering relationship accounts (src/identity)", function () {
  it("finds every relationship with history from the mnemonic and the chain alone", async function () {
    const { system, mnemonic, chainId, hospital, insurer2, registryAddress, sponsor } =
      await loadFixture(historyFixture);
    // One trial must exist for trial ids to be scanned.
    await system.trialRegistry.connect(sponsor).register({
      protocolCommitment: ethers.id("protocol"),
      researchStudyCommitment: ethers.id("study"),
      ethicsApprovalCommitment: ethers.ZeroHash,
      targetEnrolment: 10,
      consentFormVersion: 1,
      requiredCategories: categorySet("CONDITIONS"),
      stipendToken: ethers.ZeroAddress,
      stipendPerVisit: 0,
      outcomes: [{ commitment: ethers.id("outcome"), primary: true }],
    });
    const restored = PatientIdentity.fromMnemonic(mnemonic, chainId);
    const found = await recoverRelationships(restored, system);
    const summary = found.map((f) => [f.relationship, f.evidence]);
    expect(summary).to.deep.equal([
      [{ kind: "provider", provider: hospital.address }, ["ConsentGranted", "NonceUsed"]],
      [{ kind: "trial", registry: registryAddress, trialId: 1n }, ["ConsentGranted", "NonceUsed"]],
      [{ kind: "policy", insurer: insurer2.address, index: 1 }, ["PolicyCreated"]],
      [{ kind: "emergency", epoch: 0 }, ["EmergencyAccessRecorded"]],
    ]);
    for (const f of found) expect(f.address).to.equal(restored.derive(f.relationship).address);
  });

  it("finds nothing for a patient with no history, and says what is wrong with a bad gap", async function () {
    const { system, chainId } = await loadFixture(historyFixture);
    const stranger = PatientIdentity.generate(chainId).identity;
    expect(await recoverRelationships(stranger, system)).to.deep.equal([]);
    await expect(recoverRelationships(stranger, system, { gap: 0 })).to.be.rejectedWith(/gap must be a whole number/);
  });
});
