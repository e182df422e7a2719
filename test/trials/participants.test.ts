import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { AbiCoder, keccak256, Wallet, ZeroAddress } from "ethers";
import { relayGrant } from "../../src/consent/relayer";
import { PURPOSES } from "../../src/consent/purposes";
import { PatientIdentity } from "../../src/identity";
import { relayForwardRequest } from "../../src/relay";
import {
  ParticipantStatus,
  enrolmentCard,
  enrollParticipant,
  hasResearchConsent,
  recordParticipantVisit,
  recoverParticipations,
  researchConsentTerms,
  signClaimStipend,
  signResearchConsent,
  signWithdraw,
  trialParticipant,
  trialResearchPurpose,
} from "../../src/trials";
import { STIPEND, deployTrialsFixture, h } from "./fixture";

/** docs/privacy.md's test-vector mnemonic: Alice's one secret. */
const ALICE_MNEMONIC = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";

/** The trials fixture, plus Alice's identity (her accounts hold no ETH) and a relayer that pays for her. */
async function participantsFixture() {
  const f = await deployTrialsFixture();
  const signers = await ethers.getSigners();
  const relayer = signers[10];
  const { chainId } = await ethers.provider.getNetwork();
  const identity = PatientIdentity.fromMnemonic(ALICE_MNEMONIC, chainId);
  const registryAddress = await f.registry.getAddress();
  return { ...f, relayer, identity, chainId, registryAddress };
}

/** Alice, as her trial account, consents to research in `trialId` through the relayer. */
async function relayedConsent(f: Awaited<ReturnType<typeof participantsFixture>>, trialId: bigint) {
  const participant = trialParticipant(f.identity, f.registryAddress, trialId);
  const signed = await signResearchConsent(participant, f.consentRegistry, f.registry, {
    documentCommitment: h(`consent form of trial ${trialId}`),
  });
  const { receipt } = await relayGrant(f.consentRegistry.connect(f.relayer), signed);
  return { participant, signed, receipt };
}

describe("trial participants (src/trials/participants.ts)", function () {
  describe("trialParticipant", function () {
    it("is the patient's trial relationship account and secret, one per trial, unlinkable to her others", async function () {
      const { identity, registryAddress, investigator } = await loadFixture(participantsFixture);
      const first = trialParticipant(identity, registryAddress.toLowerCase(), 1n);
      const keys = identity.derive({ kind: "trial", registry: registryAddress, trialId: 1n });
      expect(first.address).to.equal(keys.address);
      expect(first.salt).to.equal(keys.secret);
      expect(first.registry, "checksummed").to.equal(registryAddress);
      const second = trialParticipant(identity, registryAddress, 2n);
      const provider = identity.derive({ kind: "provider", provider: investigator.address });
      expect(new Set([first.address, second.address, provider.address]).size).to.equal(3);
      expect(new Set([first.salt, second.salt, provider.secret]).size).to.equal(3);
      const recovered = PatientIdentity.fromMnemonic(ALICE_MNEMONIC, identity.chainId);
      expect(trialParticipant(recovered, registryAddress, 1n)).to.deep.include({
        address: first.address,
        salt: first.salt,
      });
      expect(enrolmentCard(first)).to.deep.equal({
        registry: registryAddress,
        trialId: 1n,
        account: first.address,
        salt: first.salt,
      });
    });
  });

  describe("the path: identity → trial account + salt → relayed consent → enrolment → visits → relayed claim and withdrawal", function () {
    it("works end to end while the trial account holds no ETH and never sends a transaction", async function () {
      const f = await loadFixture(participantsFixture);
      const { registry, consentRegistry, forwarder, token, investigator, relayer } = f;
      const id = await f.recruitingTrial();
      const { participant, receipt: consented } = await relayedConsent(f, id);
      expect(consented.from).to.equal(relayer.address);
      await expect(consented)
        .to.emit(consentRegistry, "ConsentGranted")
        .withArgs(
          participant.address,
          f.registryAddress,
          participant.address,
          trialResearchPurpose(id, 1, participant.salt),
          (await registry.trial(id)).requiredCategories,
          0,
          2n ** 40n - 1n,
          1,
          h(`consent form of trial ${id}`),
        );

      const card = enrolmentCard(participant); // handed to the site off chain
      expect(await hasResearchConsent(registry, card)).to.equal(true);
      const site = registry.connect(investigator);
      const enrolled = await enrollParticipant(site, card, h("subject"));
      await expect(enrolled)
        .to.emit(registry, "ParticipantEnrolled")
        .withArgs(id, participant.address, investigator.address, h("subject"), 1, 1);
      await recordParticipantVisit(site, card);
      await expect(recordParticipantVisit(site, card))
        .to.emit(registry, "VisitRecorded")
        .withArgs(id, participant.address, investigator.address, 2, STIPEND);

      // She names a fresh account of hers for the tokens (naming her main wallet would link it to this trial).
      const fresh = Wallet.createRandom().address;
      const claim = await signClaimStipend(participant, forwarder, registry, fresh);
      const claimed = await relayForwardRequest(forwarder.connect(relayer), claim);
      expect(claimed.from).to.equal(relayer.address);
      await expect(claimed)
        .to.emit(registry, "StipendClaimed")
        .withArgs(id, participant.address, fresh, 2n * STIPEND, 2n * STIPEND);
      expect(await token.balanceOf(fresh)).to.equal(2n * STIPEND);
      expect(await token.balanceOf(participant.address)).to.equal(0n);

      const withdrawal = await relayForwardRequest(
        forwarder.connect(relayer),
        await signWithdraw(participant, forwarder, registry),
      );
      await expect(withdrawal)
        .to.emit(registry, "ParticipantWithdrawn")
        .withArgs(id, participant.address, participant.address);
      expect((await registry.participant(id, participant.address)).status).to.equal(ParticipantStatus.Withdrawn);

      expect(await ethers.provider.getBalance(participant.address), "never funded").to.equal(0n);
      expect(await ethers.provider.getTransactionCount(participant.address), "never a sender").to.equal(0);
    });

    it("re-consents through the relayer after a new consent-form version, and visits resume", async function () {
      const f = await loadFixture(participantsFixture);
      const { registry, sponsor, investigator } = f;
      const id = await f.recruitingTrial();
      const { participant } = await relayedConsent(f, id);
      const card = enrolmentCard(participant);
      const site = registry.connect(investigator);
      await enrollParticipant(site, card, h("subject"));
      await registry.connect(sponsor).amend(id, {
        protocolCommitment: h("p2"),
        reasonCommitment: h("r2"),
        consentFormVersion: 2,
        outcomes: [],
      });
      expect(await hasResearchConsent(registry, card)).to.equal(false);
      await expect(recordParticipantVisit(site, card)).to.be.rejectedWith(/no research consent in force/);
      const terms = await researchConsentTerms(registry, id, participant.salt);
      expect(terms.consentFormVersion).to.equal(2n);
      expect(terms.purpose).to.equal(trialResearchPurpose(id, 2, participant.salt));
      await relayedConsent(f, id);
      await expect(recordParticipantVisit(site, card)).to.emit(registry, "VisitRecorded");
    });
  });

  describe("what an observer learns", function () {
    it("cannot link a screened-out patient's consent to the trial: brute force over trial ids and versions finds nothing", async function () {
      const f = await loadFixture(participantsFixture);
      const { consentRegistry, registry } = f;
      for (let i = 0; i < 3; i++) await f.recruitingTrial();
      const id = 2n;
      const { participant } = await relayedConsent(f, id);
      // The site finds her ineligible: it never enrols her, so her salt is never sent anywhere.
      const before = await ethers.provider.getBlockNumber();

      const [event] = await consentRegistry.queryFilter(consentRegistry.filters.ConsentGranted(participant.address));
      const observed = event.args.purpose;
      const coder = AbiCoder.defaultAbiCoder();
      const guesses: string[] = [];
      for (let trialId = 1n; trialId <= 50n; trialId++) {
        for (let version = 1; version <= 5; version++) {
          guesses.push(
            keccak256(coder.encode(["bytes32", "uint256", "uint32"], [PURPOSES.RESEARCH, trialId, version])),
          );
          guesses.push(
            keccak256(
              coder.encode(
                ["bytes32", "uint256", "uint32", "bytes32"],
                [PURPOSES.RESEARCH, trialId, version, ethers.ZeroHash],
              ),
            ),
          );
        }
      }
      expect(guesses, "the v1 attack, and the salted formula with a zero salt").not.to.include(observed);
      expect(observed, "only the salt's holders can confirm it").to.equal(
        trialResearchPurpose(id, 1, participant.salt),
      );
      expect(await ethers.provider.getBlockNumber()).to.equal(before);
      expect((await registry.participant(id, participant.address)).status).to.equal(ParticipantStatus.None);
    });

    it("after enrolment, reads the salt from the enrolment's calldata: the consent is then linked, as the enrolment already is", async function () {
      const f = await loadFixture(participantsFixture);
      const { registry, consentRegistry, investigator } = f;
      const id = await f.recruitingTrial();
      const { participant } = await relayedConsent(f, id);
      const receipt = await enrollParticipant(registry.connect(investigator), enrolmentCard(participant), h("s"));
      const tx = await ethers.provider.getTransaction(receipt.hash);
      const call = registry.interface.parseTransaction({ data: tx!.data });
      expect(call?.name).to.equal("enroll");
      const [trialId, account, salt] = call!.args as unknown as [bigint, string, string];
      const [event] = await consentRegistry.queryFilter(consentRegistry.filters.ConsentGranted(account));
      expect(event.args.purpose).to.equal(trialResearchPurpose(trialId, 1, salt));
    });
  });

  describe("enrollParticipant / recordParticipantVisit", function () {
    it("refuse a patient without consent under her salt without any transaction (no salt leaves the site)", async function () {
      const f = await loadFixture(participantsFixture);
      const { registry, investigator, identity, registryAddress } = f;
      const id = await f.recruitingTrial();
      const participant = trialParticipant(identity, registryAddress, id);
      const card = enrolmentCard(participant);
      const before = await ethers.provider.getBlockNumber();
      await expect(enrollParticipant(registry.connect(investigator), card, h("s"))).to.be.rejectedWith(
        /Cannot enrol 0x[0-9a-fA-F]{40} in trial \d+: no research consent in force under this salt.*TrialConsentMissing/,
      );
      await relayedConsent(f, id);
      const wrongSalt = { ...card, salt: h("not her secret") };
      await expect(enrollParticipant(registry.connect(investigator), wrongSalt, h("s"))).to.be.rejectedWith(
        /no research consent/,
      );
      expect(await ethers.provider.getBlockNumber(), "only the relayed consent was mined").to.equal(before + 1);
      await expect(recordParticipantVisit(registry.connect(investigator), wrongSalt)).to.be.rejectedWith(
        /Cannot record a visit of/,
      );
    });

    it("throw the registry's named error when the enrolment fails for another reason", async function () {
      const f = await loadFixture(participantsFixture);
      const { registry, investigator2 } = f;
      const id = await f.recruitingTrial();
      const { participant } = await relayedConsent(f, id);
      await expect(enrollParticipant(registry.connect(investigator2), enrolmentCard(participant), h("s")))
        .to.be.revertedWithCustomError(registry, "TrialSiteNotAuthorized")
        .withArgs(id, investigator2.address);
    });
  });

  describe("signClaimStipend / signWithdraw", function () {
    it("throw the registry's named error before anything is relayed", async function () {
      const f = await loadFixture(participantsFixture);
      const { registry, forwarder, investigator } = f;
      const id = await f.recruitingTrial();
      const { participant } = await relayedConsent(f, id);
      await expect(signWithdraw(participant, forwarder, registry))
        .to.be.revertedWithCustomError(registry, "TrialParticipantNotEnrolled")
        .withArgs(id, participant.address);
      await enrollParticipant(registry.connect(investigator), enrolmentCard(participant), h("s"));
      await expect(signClaimStipend(participant, forwarder, registry, Wallet.createRandom().address))
        .to.be.revertedWithCustomError(registry, "TrialStipendNotAccrued")
        .withArgs(id, participant.address);
      await recordParticipantVisit(registry.connect(investigator), enrolmentCard(participant));
      await expect(signClaimStipend(participant, forwarder, registry, ZeroAddress))
        .to.be.revertedWithCustomError(registry, "TrialStipendRecipientMissing")
        .withArgs(id);
      await expect(signClaimStipend(participant, forwarder, registry, "alice.eth")).to.be.rejectedWith(
        /stipend recipient must be an address/,
      );
    });

    it("refuse a participant of another registry", async function () {
      const f = await loadFixture(participantsFixture);
      const { registry, forwarder, consentRegistry, identity } = f;
      const elsewhere = trialParticipant(identity, Wallet.createRandom().address, 1n);
      await expect(signWithdraw(elsewhere, forwarder, registry)).to.be.rejectedWith(/belongs to the trial registry/);
      await expect(
        signResearchConsent(elsewhere, consentRegistry, registry, { documentCommitment: h("d") }),
      ).to.be.rejectedWith(/derive her account for this registry/);
      await expect(hasResearchConsent(registry, enrolmentCard(elsewhere))).to.be.rejectedWith(/belongs to/);
      await expect(researchConsentTerms(registry, 99n, h("salt"))).to.be.rejectedWith(/not registered/);
    });
  });

  describe("recoverParticipations", function () {
    it("finds, from the mnemonic alone, exactly the trials she was enrolled in", async function () {
      const f = await loadFixture(participantsFixture);
      const { registry, investigator } = f;
      const ids = [await f.recruitingTrial(), await f.recruitingTrial(), await f.recruitingTrial()];
      const { participant } = await relayedConsent(f, ids[1]);
      await relayedConsent(f, ids[2]); // consented, never enrolled: not a participation
      await enrollParticipant(registry.connect(investigator), enrolmentCard(participant), h("s"));
      const recovered = PatientIdentity.fromMnemonic(ALICE_MNEMONIC, f.chainId);
      const found = await recoverParticipations(recovered, registry);
      expect(found.map((p) => p.participant.trialId)).to.deep.equal([ids[1]]);
      expect(found[0].participant.salt).to.equal(participant.salt);
      expect(found[0].record.status).to.equal(ParticipantStatus.Enrolled);
    });
  });
});
