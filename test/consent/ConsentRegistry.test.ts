import { loadFixture, mine, time } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { Signature, ZeroAddress, ZeroHash, concat, toBeHex } from "ethers";
import { ALL_CATEGORIES, CATEGORIES } from "../../src/consent/categories";
import { NO_EXPIRY } from "../../src/consent/fhir";
import { PURPOSES, trialResearch } from "../../src/consent/purposes";
import { relayGrant } from "../../src/consent/relayer";
import {
  CONSENT_TYPES,
  DelegateKind,
  consentDomain,
  signDelegateAppointment,
  signGrant,
  signRevoke,
} from "../../src/consent/signing";
import { ConsentCheckProbe__factory, type ConsentRegistry } from "../../typechain-types";
import { isInstrumented } from "../shared/instrumented";
import { shouldBehaveLikeRestricted } from "../shared/restricted";
import { CARE, DAY, DOC, TREATMENT, deployFixture, now } from "./fixture";

const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

type Fixture = Awaited<ReturnType<typeof deployFixture>>;

async function withGrant() {
  const f = await deployFixture();
  const t = await now();
  await f.registry.connect(f.patient).grant(f.patient, f.hospital, TREATMENT, CARE, t, t + DAY, DOC);
  return { ...f, startsAt: t, expiresAt: t + DAY };
}

async function withGuardian() {
  const f = await deployFixture();
  const t = await now();
  await f.registry.connect(f.patient).appointDelegate(f.guardian, DelegateKind.Guardian, t + 10n * DAY);
  return { ...f, delegateExpiresAt: t + 10n * DAY };
}

async function grantTerms(f: Fixture, signerPatient: string = f.patient.address) {
  const t = await now();
  return {
    patient: signerPatient,
    grantee: f.hospital.address,
    purpose: TREATMENT,
    categories: CARE,
    startsAt: t,
    expiresAt: t + DAY,
    documentCommitment: DOC,
  };
}

/** The registry and a patient for the shared access-control cases (set by their fixture, kept across reverts). */
let restricted: { registry: ConsentRegistry; patient: string };

async function restrictedFixture() {
  const f = await deployFixture();
  restricted = { registry: f.registry, patient: f.patient.address };
  return { authority: f.authority, target: f.registry };
}

describe("ConsentRegistry", function () {
  shouldBehaveLikeRestricted("ConsentRegistry", restrictedFixture, {
    "breakGlass(address,bytes32)": {
      send: (subject) => restricted.registry.connect(subject).breakGlass(restricted.patient, ethers.id("audit event")),
    },
  });

  describe("constructor", function () {
    context("when the authority is not an AccessManager", function () {
      it("reverts with HealthLedgerContractInvalid for an empty account or another contract", async function () {
        const { registry, stranger, forwarder } = await loadFixture(deployFixture);
        for (const address of [stranger.address, await registry.getAddress()]) {
          await expect(ethers.deployContract("ConsentRegistry", [address, await forwarder.getAddress()]))
            .to.be.revertedWithCustomError(registry, "HealthLedgerContractInvalid")
            .withArgs(address);
        }
      });
    });
  });

  describe("grant", function () {
    context("when the patient grants a new consent", function () {
      it("stores it at version 1, emits ConsentGranted and authorizes the grantee", async function () {
        const { registry, patient, hospital } = await loadFixture(deployFixture);
        const t = await now();
        await expect(registry.connect(patient).grant(patient, hospital, TREATMENT, CARE, t, t + DAY, DOC))
          .to.emit(registry, "ConsentGranted")
          .withArgs(patient.address, hospital.address, patient.address, TREATMENT, CARE, t, t + DAY, 1, DOC);
        const c = await registry.consent(patient, hospital, TREATMENT);
        expect([c.categories, c.startsAt, c.expiresAt, c.version, c.revoked]).to.deep.equal([
          CARE,
          t,
          t + DAY,
          1n,
          false,
        ]);
        expect(await registry.isAuthorized(patient, hospital, TREATMENT, CATEGORIES.MEDICATIONS)).to.equal(true);
      });
    });

    context("when the patient changes an existing consent", function () {
      it("replaces its terms and increases the version", async function () {
        const { registry, patient, hospital, expiresAt } = await loadFixture(withGrant);
        const t = await now();
        await expect(
          registry.connect(patient).grant(patient, hospital, TREATMENT, CATEGORIES.IMAGING, t, expiresAt, DOC),
        )
          .to.emit(registry, "ConsentGranted")
          .withArgs(
            patient.address,
            hospital.address,
            patient.address,
            TREATMENT,
            CATEGORIES.IMAGING,
            t,
            expiresAt,
            2,
            DOC,
          );
        expect((await registry.consent(patient, hospital, TREATMENT)).version).to.equal(2n);
        expect(await registry.isAuthorized(patient, hospital, TREATMENT, CATEGORIES.MEDICATIONS)).to.equal(false);
        expect(await registry.isAuthorized(patient, hospital, TREATMENT, CATEGORIES.IMAGING)).to.equal(true);
      });
    });

    context("when an active delegate grants for the patient", function () {
      it("records the delegate as actor", async function () {
        const { registry, patient, guardian, hospital } = await loadFixture(withGuardian);
        const t = await now();
        await expect(registry.connect(guardian).grant(patient, hospital, TREATMENT, CARE, t, NO_EXPIRY, DOC))
          .to.emit(registry, "ConsentGranted")
          .withArgs(patient.address, hospital.address, guardian.address, TREATMENT, CARE, t, NO_EXPIRY, 1, DOC);
      });
    });

    context("when the caller may not act for the patient", function () {
      it("reverts with ConsentActorUnauthorized for a stranger", async function () {
        const { registry, patient, hospital, stranger } = await loadFixture(deployFixture);
        const t = await now();
        await expect(registry.connect(stranger).grant(patient, hospital, TREATMENT, CARE, t, t + DAY, DOC))
          .to.be.revertedWithCustomError(registry, "ConsentActorUnauthorized")
          .withArgs(patient.address, stranger.address);
      });

      it("reverts with ConsentDelegateExpired once the delegation has expired", async function () {
        const { registry, patient, hospital, guardian, delegateExpiresAt } = await loadFixture(withGuardian);
        await time.increaseTo(delegateExpiresAt);
        const t = await now();
        await expect(registry.connect(guardian).grant(patient, hospital, TREATMENT, CARE, t, t + DAY, DOC))
          .to.be.revertedWithCustomError(registry, "ConsentDelegateExpired")
          .withArgs(patient.address, guardian.address, delegateExpiresAt);
      });

      it("reverts with ConsentActorUnauthorized once the delegate was removed", async function () {
        const { registry, patient, hospital, guardian } = await loadFixture(withGuardian);
        await registry.connect(patient).removeDelegate(patient, guardian);
        const t = await now();
        await expect(registry.connect(guardian).grant(patient, hospital, TREATMENT, CARE, t, t + DAY, DOC))
          .to.be.revertedWithCustomError(registry, "ConsentActorUnauthorized")
          .withArgs(patient.address, guardian.address);
      });

      it("reverts with ConsentPatientZero for the zero patient", async function () {
        const { registry, hospital } = await loadFixture(deployFixture);
        const t = await now();
        await expect(
          registry.grant(ZeroAddress, hospital, TREATMENT, CARE, t, t + DAY, DOC),
        ).to.be.revertedWithCustomError(registry, "ConsentPatientZero");
      });
    });

    context("when a delegate names itself as grantee", function () {
      // Before v2 this was granted: a consent the delegate gave itself (even with NO_EXPIRY) outlived its delegation.
      it("reverts with ConsentGranteeIsDelegate, however long the consent", async function () {
        const { registry, patient, guardian } = await loadFixture(withGuardian);
        const t = await now();
        for (const expiresAt of [t + DAY, NO_EXPIRY]) {
          await expect(registry.connect(guardian).grant(patient, guardian, TREATMENT, CARE, t, expiresAt, DOC))
            .to.be.revertedWithCustomError(registry, "ConsentGranteeIsDelegate")
            .withArgs(patient.address, guardian.address);
        }
        expect((await registry.consent(patient, guardian, TREATMENT)).version).to.equal(0n);
      });

      it("cannot extend a consent the patient gave it, which only the patient can change", async function () {
        const { registry, patient, guardian, delegateExpiresAt } = await loadFixture(withGuardian);
        const t = await now();
        await registry.connect(patient).grant(patient, guardian, TREATMENT, CARE, t, t + DAY, DOC);
        await expect(registry.connect(guardian).grant(patient, guardian, TREATMENT, CARE, t, NO_EXPIRY, DOC))
          .to.be.revertedWithCustomError(registry, "ConsentGranteeIsDelegate")
          .withArgs(patient.address, guardian.address);
        await registry.connect(patient).grant(patient, guardian, TREATMENT, CARE, t, delegateExpiresAt + DAY, DOC);
        expect((await registry.consent(patient, guardian, TREATMENT)).expiresAt).to.equal(delegateExpiresAt + DAY);
      });

      it("may still revoke a consent given to it", async function () {
        const { registry, patient, guardian } = await loadFixture(withGuardian);
        const t = await now();
        await registry.connect(patient).grant(patient, guardian, TREATMENT, CARE, t, t + DAY, DOC);
        await expect(registry.connect(guardian).revoke(patient, guardian, TREATMENT))
          .to.emit(registry, "ConsentRevoked")
          .withArgs(patient.address, guardian.address, guardian.address, TREATMENT, 2);
      });
    });

    context("when the terms are invalid", function () {
      it("reverts with ConsentGranteeZero", async function () {
        const { registry, patient } = await loadFixture(deployFixture);
        const t = await now();
        await expect(
          registry.connect(patient).grant(patient, ZeroAddress, TREATMENT, CARE, t, t + DAY, DOC),
        ).to.be.revertedWithCustomError(registry, "ConsentGranteeZero");
      });

      it("reverts with ConsentGranteeIsPatient", async function () {
        const { registry, patient } = await loadFixture(deployFixture);
        const t = await now();
        await expect(registry.connect(patient).grant(patient, patient, TREATMENT, CARE, t, t + DAY, DOC))
          .to.be.revertedWithCustomError(registry, "ConsentGranteeIsPatient")
          .withArgs(patient.address);
      });

      it("reverts with ConsentCategoriesEmpty", async function () {
        const { registry, patient, hospital } = await loadFixture(deployFixture);
        const t = await now();
        await expect(
          registry.connect(patient).grant(patient, hospital, TREATMENT, 0, t, t + DAY, DOC),
        ).to.be.revertedWithCustomError(registry, "ConsentCategoriesEmpty");
      });

      it("reverts with ConsentCategoriesUnknown naming the undefined bits", async function () {
        const { registry, patient, hospital } = await loadFixture(deployFixture);
        const t = await now();
        const bad = CARE | (1n << 16n) | (1n << 200n);
        await expect(registry.connect(patient).grant(patient, hospital, TREATMENT, bad, t, t + DAY, DOC))
          .to.be.revertedWithCustomError(registry, "ConsentCategoriesUnknown")
          .withArgs((1n << 16n) | (1n << 200n));
      });

      it("reverts with ConsentExpiryInPast for an expiry not after now", async function () {
        const { registry, patient, hospital } = await loadFixture(deployFixture);
        const t = await now();
        await time.setNextBlockTimestamp(t + 10n);
        await expect(registry.connect(patient).grant(patient, hospital, TREATMENT, CARE, 0, t + 10n, DOC))
          .to.be.revertedWithCustomError(registry, "ConsentExpiryInPast")
          .withArgs(t + 10n, t + 10n);
      });

      it("reverts with ConsentStartAfterExpiry", async function () {
        const { registry, patient, hospital } = await loadFixture(deployFixture);
        const t = await now();
        await expect(registry.connect(patient).grant(patient, hospital, TREATMENT, CARE, t + DAY, t + DAY, DOC))
          .to.be.revertedWithCustomError(registry, "ConsentStartAfterExpiry")
          .withArgs(t + DAY, t + DAY);
        expect((await registry.consent(patient, hospital, TREATMENT)).version).to.equal(0n);
      });
    });
  });

  describe("revoke", function () {
    context("when the patient revokes a consent in force", function () {
      it("marks it revoked, bumps the version, emits ConsentRevoked and stops authorizing", async function () {
        const { registry, patient, hospital } = await loadFixture(withGrant);
        await expect(registry.connect(patient).revoke(patient, hospital, TREATMENT))
          .to.emit(registry, "ConsentRevoked")
          .withArgs(patient.address, hospital.address, patient.address, TREATMENT, 2);
        const c = await registry.consent(patient, hospital, TREATMENT);
        expect([c.version, c.revoked, c.categories]).to.deep.equal([2n, true, CARE]);
        expect(await registry.isAuthorized(patient, hospital, TREATMENT, CARE)).to.equal(false);
      });

      it("can be granted again, at a higher version", async function () {
        const { registry, patient, hospital, expiresAt } = await loadFixture(withGrant);
        await registry.connect(patient).revoke(patient, hospital, TREATMENT);
        await registry.connect(patient).grant(patient, hospital, TREATMENT, CARE, 0, expiresAt, DOC);
        const c = await registry.consent(patient, hospital, TREATMENT);
        expect([c.version, c.revoked]).to.deep.equal([3n, false]);
        expect(await registry.isAuthorized(patient, hospital, TREATMENT, CARE)).to.equal(true);
      });
    });

    context("when a delegate revokes", function () {
      it("records the delegate as actor", async function () {
        const { registry, patient, hospital, guardian } = await loadFixture(withGuardian);
        const t = await now();
        await registry.connect(patient).grant(patient, hospital, TREATMENT, CARE, t, t + DAY, DOC);
        await expect(registry.connect(guardian).revoke(patient, hospital, TREATMENT))
          .to.emit(registry, "ConsentRevoked")
          .withArgs(patient.address, hospital.address, guardian.address, TREATMENT, 2);
      });
    });

    context("when the consent cannot be revoked", function () {
      it("reverts with ConsentUnknown when never granted", async function () {
        const { registry, patient, hospital } = await loadFixture(deployFixture);
        await expect(registry.connect(patient).revoke(patient, hospital, PURPOSES.RESEARCH))
          .to.be.revertedWithCustomError(registry, "ConsentUnknown")
          .withArgs(patient.address, hospital.address, PURPOSES.RESEARCH);
      });

      it("reverts with ConsentAlreadyRevoked the second time", async function () {
        const { registry, patient, hospital } = await loadFixture(withGrant);
        await registry.connect(patient).revoke(patient, hospital, TREATMENT);
        await expect(registry.connect(patient).revoke(patient, hospital, TREATMENT))
          .to.be.revertedWithCustomError(registry, "ConsentAlreadyRevoked")
          .withArgs(patient.address, hospital.address, TREATMENT);
      });

      it("reverts with ConsentActorUnauthorized for the grantee or a stranger", async function () {
        const { registry, patient, hospital } = await loadFixture(withGrant);
        await expect(registry.connect(hospital).revoke(patient, hospital, TREATMENT))
          .to.be.revertedWithCustomError(registry, "ConsentActorUnauthorized")
          .withArgs(patient.address, hospital.address);
      });
    });
  });

  describe("renounce", function () {
    context("when the grantee gives up its consent", function () {
      it("marks it revoked and emits ConsentRenounced", async function () {
        const { registry, patient, hospital } = await loadFixture(withGrant);
        await expect(registry.connect(hospital).renounce(patient, TREATMENT))
          .to.emit(registry, "ConsentRenounced")
          .withArgs(patient.address, hospital.address, TREATMENT, 2);
        expect((await registry.consent(patient, hospital, TREATMENT)).revoked).to.equal(true);
        expect(await registry.isAuthorized(patient, hospital, TREATMENT, CARE)).to.equal(false);
      });
    });

    context("when the caller holds no such consent", function () {
      it("reverts with ConsentUnknown", async function () {
        const { registry, patient, stranger } = await loadFixture(withGrant);
        await expect(registry.connect(stranger).renounce(patient, TREATMENT))
          .to.be.revertedWithCustomError(registry, "ConsentUnknown")
          .withArgs(patient.address, stranger.address, TREATMENT);
      });

      it("reverts with ConsentAlreadyRevoked after a revocation", async function () {
        const { registry, patient, hospital } = await loadFixture(withGrant);
        await registry.connect(patient).revoke(patient, hospital, TREATMENT);
        await expect(registry.connect(hospital).renounce(patient, TREATMENT))
          .to.be.revertedWithCustomError(registry, "ConsentAlreadyRevoked")
          .withArgs(patient.address, hospital.address, TREATMENT);
      });
    });
  });

  describe("batch", function () {
    context("when the patient sends grants and revocations", function () {
      it("applies them all and emits one event each", async function () {
        const { registry, patient, hospital, researcher, expiresAt } = await loadFixture(withGrant);
        const research = trialResearch(7n, 2, ethers.id("trial secret"));
        const grants = [
          {
            grantee: researcher.address,
            purpose: research,
            categories: CATEGORIES.GENOMICS,
            startsAt: 0n,
            expiresAt,
            documentCommitment: DOC,
          },
          {
            grantee: hospital.address,
            purpose: PURPOSES.PAYMENT,
            categories: CATEGORIES.BILLING,
            startsAt: 0n,
            expiresAt,
            documentCommitment: DOC,
          },
        ];
        const tx = registry
          .connect(patient)
          .batch(patient, grants, [{ grantee: hospital.address, purpose: TREATMENT }]);
        await expect(tx)
          .to.emit(registry, "ConsentGranted")
          .withArgs(
            patient.address,
            researcher.address,
            patient.address,
            research,
            CATEGORIES.GENOMICS,
            0,
            expiresAt,
            1,
            DOC,
          );
        await expect(tx)
          .to.emit(registry, "ConsentRevoked")
          .withArgs(patient.address, hospital.address, patient.address, TREATMENT, 2);
        expect(await registry.isAuthorized(patient, researcher, research, CATEGORIES.GENOMICS)).to.equal(true);
        expect(await registry.isAuthorized(patient, hospital, PURPOSES.PAYMENT, CATEGORIES.BILLING)).to.equal(true);
        expect(await registry.isAuthorized(patient, hospital, TREATMENT, CARE)).to.equal(false);
      });
    });

    context("when the batch is empty or too large", function () {
      it("reverts with ConsentBatchSizeInvalid", async function () {
        const { registry, patient } = await loadFixture(deployFixture);
        const max = await registry.MAX_BATCH_SIZE();
        await expect(registry.connect(patient).batch(patient, [], []))
          .to.be.revertedWithCustomError(registry, "ConsentBatchSizeInvalid")
          .withArgs(0, max);
        const many = Array.from({ length: Number(max) + 1 }, () => ({ grantee: patient.address, purpose: TREATMENT }));
        await expect(registry.connect(patient).batch(patient, [], many))
          .to.be.revertedWithCustomError(registry, "ConsentBatchSizeInvalid")
          .withArgs(max + 1n, max);
      });
    });

    context("when one change is invalid", function () {
      it("reverts the whole batch, leaving state untouched", async function () {
        const { registry, patient, hospital, researcher, expiresAt } = await loadFixture(withGrant);
        const grants = [
          {
            grantee: researcher.address,
            purpose: TREATMENT,
            categories: CARE,
            startsAt: 0n,
            expiresAt,
            documentCommitment: DOC,
          },
          {
            grantee: patient.address,
            purpose: TREATMENT,
            categories: CARE,
            startsAt: 0n,
            expiresAt,
            documentCommitment: DOC,
          },
        ];
        await expect(registry.connect(patient).batch(patient, grants, []))
          .to.be.revertedWithCustomError(registry, "ConsentGranteeIsPatient")
          .withArgs(patient.address);
        expect((await registry.consent(patient, researcher, TREATMENT)).version).to.equal(0n);
        expect((await registry.consent(patient, hospital, TREATMENT)).version).to.equal(1n);
      });
    });

    context("when a delegate's batch names the delegate as grantee", function () {
      it("reverts the whole batch with ConsentGranteeIsDelegate", async function () {
        const { registry, patient, guardian, hospital } = await loadFixture(withGuardian);
        const terms = (grantee: string) => ({
          grantee,
          purpose: TREATMENT,
          categories: CARE,
          startsAt: 0n,
          expiresAt: NO_EXPIRY,
          documentCommitment: DOC,
        });
        await expect(registry.connect(guardian).batch(patient, [terms(hospital.address), terms(guardian.address)], []))
          .to.be.revertedWithCustomError(registry, "ConsentGranteeIsDelegate")
          .withArgs(patient.address, guardian.address);
        expect((await registry.consent(patient, hospital, TREATMENT)).version).to.equal(0n);
      });
    });

    context("when the caller may not act for the patient", function () {
      it("reverts with ConsentActorUnauthorized", async function () {
        const { registry, patient, hospital, stranger } = await loadFixture(withGrant);
        await expect(registry.connect(stranger).batch(patient, [], [{ grantee: hospital.address, purpose: TREATMENT }]))
          .to.be.revertedWithCustomError(registry, "ConsentActorUnauthorized")
          .withArgs(patient.address, stranger.address);
      });
    });
  });

  describe("grantBySig", function () {
    context("when the patient signed and a relayer submits", function () {
      it("grants with the patient as actor, uses the nonce, and the relayer pays", async function () {
        const f = await loadFixture(deployFixture);
        const terms = await grantTerms(f);
        const signed = await signGrant(f.patient, f.registry, terms);
        const tx = f.registry.connect(f.relayer).grantBySig(signed.request, signed.signature);
        await expect(tx).to.emit(f.registry, "NonceUsed").withArgs(f.patient.address, 0);
        await expect(tx)
          .to.emit(f.registry, "ConsentGranted")
          .withArgs(
            f.patient.address,
            f.hospital.address,
            f.patient.address,
            TREATMENT,
            CARE,
            terms.startsAt,
            terms.expiresAt,
            1,
            DOC,
          );
        expect(await f.registry.nonces(f.patient)).to.equal(1n);
        expect(await f.registry.isAuthorized(f.patient, f.hospital, TREATMENT, CARE)).to.equal(true);
      });

      it("works through the SDK relayer, returning the version", async function () {
        const f = await loadFixture(deployFixture);
        const signed = await signGrant(f.patient, f.registry, await grantTerms(f));
        const { version } = await relayGrant(f.registry.connect(f.relayer), signed);
        expect(version).to.equal(1n);
      });
    });

    context("when the patient's delegate signed", function () {
      it("grants with the delegate as actor", async function () {
        const f = await loadFixture(withGuardian);
        const terms = await grantTerms(f);
        const signed = await signGrant(f.guardian, f.registry, terms);
        await expect(f.registry.connect(f.relayer).grantBySig(signed.request, signed.signature))
          .to.emit(f.registry, "ConsentGranted")
          .withArgs(
            f.patient.address,
            f.hospital.address,
            f.guardian.address,
            TREATMENT,
            CARE,
            terms.startsAt,
            terms.expiresAt,
            1,
            DOC,
          );
        expect(await f.registry.nonces(f.guardian)).to.equal(1n);
      });
    });

    context("when the signature must be refused", function () {
      it("reverts a replay with ConsentNonceInvalid", async function () {
        const f = await loadFixture(deployFixture);
        const signed = await signGrant(f.patient, f.registry, await grantTerms(f));
        await f.registry.connect(f.relayer).grantBySig(signed.request, signed.signature);
        await expect(f.registry.connect(f.relayer).grantBySig(signed.request, signed.signature))
          .to.be.revertedWithCustomError(f.registry, "ConsentNonceInvalid")
          .withArgs(f.patient.address, 0, 1);
      });

      it("reverts an out-of-order nonce with ConsentNonceInvalid", async function () {
        const f = await loadFixture(deployFixture);
        const signed = await signGrant(f.patient, f.registry, await grantTerms(f), { nonce: 5n });
        await expect(f.registry.connect(f.relayer).grantBySig(signed.request, signed.signature))
          .to.be.revertedWithCustomError(f.registry, "ConsentNonceInvalid")
          .withArgs(f.patient.address, 5, 0);
      });

      it("reverts after the deadline with ConsentSignatureExpired", async function () {
        const f = await loadFixture(deployFixture);
        const t = await now();
        const signed = await signGrant(f.patient, f.registry, await grantTerms(f), { deadline: t + 5n });
        await time.setNextBlockTimestamp(t + 6n);
        await expect(f.registry.connect(f.relayer).grantBySig(signed.request, signed.signature))
          .to.be.revertedWithCustomError(f.registry, "ConsentSignatureExpired")
          .withArgs(f.patient.address, t + 5n, t + 6n);
      });

      it("reverts a signature for another chain with ConsentSignatureInvalid", async function () {
        const f = await loadFixture(deployFixture);
        const signed = await signGrant(f.patient, f.registry, await grantTerms(f));
        const domain = { ...(await consentDomain(f.registry)), chainId: 1n };
        const signature = await f.patient.signTypedData(domain, { Grant: [...CONSENT_TYPES.Grant] }, signed.request);
        await expect(f.registry.connect(f.relayer).grantBySig(signed.request, signature))
          .to.be.revertedWithCustomError(f.registry, "ConsentSignatureInvalid")
          .withArgs(f.patient.address);
      });

      it("reverts a signature for another registry with ConsentSignatureInvalid", async function () {
        const f = await loadFixture(deployFixture);
        const signed = await signGrant(f.patient, f.other, await grantTerms(f));
        await expect(f.registry.connect(f.relayer).grantBySig(signed.request, signed.signature))
          .to.be.revertedWithCustomError(f.registry, "ConsentSignatureInvalid")
          .withArgs(f.patient.address);
      });

      it("reverts a high-s (malleated) signature with ConsentSignatureInvalid", async function () {
        const f = await loadFixture(deployFixture);
        const signed = await signGrant(f.patient, f.registry, await grantTerms(f));
        const sig = Signature.from(signed.signature);
        const highS = concat([sig.r, toBeHex(SECP256K1_N - BigInt(sig.s), 32), toBeHex(sig.v === 27 ? 28 : 27, 1)]);
        await expect(f.registry.connect(f.relayer).grantBySig(signed.request, highS))
          .to.be.revertedWithCustomError(f.registry, "ConsentSignatureInvalid")
          .withArgs(f.patient.address);
      });

      it("reverts zero and malformed signatures with ConsentSignatureInvalid", async function () {
        const f = await loadFixture(deployFixture);
        const signed = await signGrant(f.patient, f.registry, await grantTerms(f));
        for (const bad of [concat([ZeroHash, ZeroHash, "0x1b"]), "0x", signed.signature.slice(0, 130)]) {
          await expect(f.registry.connect(f.relayer).grantBySig(signed.request, bad))
            .to.be.revertedWithCustomError(f.registry, "ConsentSignatureInvalid")
            .withArgs(f.patient.address);
        }
      });

      it("reverts when the relayer tampers with any signed field", async function () {
        const f = await loadFixture(deployFixture);
        const signed = await signGrant(f.patient, f.registry, await grantTerms(f));
        const tampered = [
          { grantee: f.stranger.address },
          { purpose: PURPOSES.RESEARCH },
          { categories: ALL_CATEGORIES },
          { startsAt: signed.request.startsAt + 1n },
          { expiresAt: signed.request.expiresAt + 1n },
          { documentCommitment: ZeroHash },
          { deadline: signed.request.deadline + 1n },
        ];
        for (const change of tampered) {
          await expect(f.registry.connect(f.relayer).grantBySig({ ...signed.request, ...change }, signed.signature))
            .to.be.revertedWithCustomError(f.registry, "ConsentSignatureInvalid")
            .withArgs(f.patient.address);
        }
      });

      it("reverts a request with dirty high bits in a field (the request is hashed as sent)", async function () {
        const f = await loadFixture(deployFixture);
        const signed = await signGrant(f.patient, f.registry, await grantTerms(f));
        const data = f.registry.interface.encodeFunctionData("grantBySig", [signed.request, signed.signature]);
        // The top byte of a word of the request that is an address or a small integer: the signer (0), grantee
        // (2), startsAt (5), delegationEpoch (8) or deadline (10). Either the ABI decoder refuses the field when it
        // is read, or the dirty word was hashed into a digest the signer never signed.
        for (const [word, signatureChecked] of [
          [0, false],
          [2, true],
          [5, true],
          [8, false],
          [10, false],
        ] as const) {
          const at = 2 + 2 * (4 + word * 32); // "0x", the selector, then 32-byte words
          const dirty = data.slice(0, at) + "ff" + data.slice(at + 2);
          const sent = f.relayer.sendTransaction({ to: f.registry, data: dirty });
          if (signatureChecked) {
            await expect(sent).to.be.revertedWithCustomError(f.registry, "ConsentSignatureInvalid");
          } else {
            await expect(sent).to.be.revertedWithoutReason();
          }
        }
        await expect(f.registry.connect(f.relayer).grantBySig(signed.request, signed.signature)).to.emit(
          f.registry,
          "ConsentGranted",
        );
      });

      it("reverts with ConsentDelegationEpochMismatch when the patient signs a non-zero epoch", async function () {
        const f = await loadFixture(deployFixture);
        const request = {
          ...(await signGrant(f.patient, f.registry, await grantTerms(f))).request,
          delegationEpoch: 1n,
        };
        const signature = await f.patient.signTypedData(
          await consentDomain(f.registry),
          { Grant: [...CONSENT_TYPES.Grant] },
          request,
        );
        await expect(f.registry.connect(f.relayer).grantBySig(request, signature))
          .to.be.revertedWithCustomError(f.registry, "ConsentDelegationEpochMismatch")
          .withArgs(f.patient.address, f.patient.address, 1, 0);
      });

      it("reverts with ConsentGranteeIsDelegate when the signing delegate is the grantee", async function () {
        // Before v2 this was granted (finding: a delegate's consent to itself outlived its delegation).
        const f = await loadFixture(withGuardian);
        const request = {
          ...(await signGrant(f.guardian, f.registry, await grantTerms(f))).request,
          grantee: f.guardian.address,
        };
        const signature = await f.guardian.signTypedData(
          await consentDomain(f.registry),
          { Grant: [...CONSENT_TYPES.Grant] },
          request,
        );
        await expect(f.registry.connect(f.relayer).grantBySig(request, signature))
          .to.be.revertedWithCustomError(f.registry, "ConsentGranteeIsDelegate")
          .withArgs(f.patient.address, f.guardian.address);
      });

      it("reverts with ConsentDelegateExpired when the signing delegate expired before submission", async function () {
        const f = await loadFixture(withGuardian);
        const signed = await signGrant(f.guardian, f.registry, await grantTerms(f), {
          deadline: f.delegateExpiresAt + 10n,
        });
        await time.increaseTo(f.delegateExpiresAt);
        await expect(f.registry.connect(f.relayer).grantBySig(signed.request, signed.signature))
          .to.be.revertedWithCustomError(f.registry, "ConsentDelegateExpired")
          .withArgs(f.patient.address, f.guardian.address, f.delegateExpiresAt);
      });

      it("reverts with ConsentActorUnauthorized when a stranger signs for the patient", async function () {
        const f = await loadFixture(deployFixture);
        // The SDK refuses to sign for a non-delegate; an explicit epoch skips that check to reach the registry.
        const signed = await signGrant(f.stranger, f.registry, await grantTerms(f), { delegationEpoch: 0n });
        await expect(f.registry.connect(f.relayer).grantBySig(signed.request, signed.signature))
          .to.be.revertedWithCustomError(f.registry, "ConsentActorUnauthorized")
          .withArgs(f.patient.address, f.stranger.address);
      });
    });

    context("when the patient is an ERC-1271 contract wallet", function () {
      it("grants when the wallet approves its owner's signature", async function () {
        const f = await loadFixture(deployFixture);
        const walletAddress = await f.wallet.getAddress();
        const terms = await grantTerms(f, walletAddress);
        const signed = await signGrant(f.walletOwner, f.registry, terms, { wallet: walletAddress });
        await expect(f.registry.connect(f.relayer).grantBySig(signed.request, signed.signature))
          .to.emit(f.registry, "ConsentGranted")
          .withArgs(
            walletAddress,
            f.hospital.address,
            walletAddress,
            TREATMENT,
            CARE,
            terms.startsAt,
            terms.expiresAt,
            1,
            DOC,
          );
        expect(await f.registry.nonces(walletAddress)).to.equal(1n);
      });

      it("reverts with ConsentSignatureInvalid when the wallet refuses", async function () {
        const f = await loadFixture(deployFixture);
        const walletAddress = await f.wallet.getAddress();
        await f.wallet.setRefuse(true);
        const signed = await signGrant(f.walletOwner, f.registry, await grantTerms(f, walletAddress), {
          wallet: walletAddress,
        });
        await expect(f.registry.connect(f.relayer).grantBySig(signed.request, signed.signature))
          .to.be.revertedWithCustomError(f.registry, "ConsentSignatureInvalid")
          .withArgs(walletAddress);
      });

      it("reverts with ConsentSignatureInvalid when another key signs for the wallet", async function () {
        const f = await loadFixture(deployFixture);
        const walletAddress = await f.wallet.getAddress();
        const signed = await signGrant(f.stranger, f.registry, await grantTerms(f, walletAddress), {
          wallet: walletAddress,
        });
        await expect(f.registry.connect(f.relayer).grantBySig(signed.request, signed.signature))
          .to.be.revertedWithCustomError(f.registry, "ConsentSignatureInvalid")
          .withArgs(walletAddress);
      });

      it("lets the wallet act directly as the patient", async function () {
        const f = await loadFixture(deployFixture);
        const walletAddress = await f.wallet.getAddress();
        const t = await now();
        const data = f.registry.interface.encodeFunctionData("grant", [
          walletAddress,
          f.hospital.address,
          TREATMENT,
          CARE,
          t,
          t + DAY,
          DOC,
        ]);
        await f.wallet.execute(f.registry, data);
        expect(await f.registry.isAuthorized(walletAddress, f.hospital, TREATMENT, CARE)).to.equal(true);
      });
    });
  });

  describe("signed requests of a delegate across delegations", function () {
    /** The guardian's signed grant and revocation, both signed under its first delegation (epoch 1), unused. */
    async function withUnusedDelegateRequests() {
      const f = await withGuardian();
      const t = await now();
      await f.registry.connect(f.patient).grant(f.patient, f.researcher, TREATMENT, CARE, t, t + DAY, DOC);
      const grant = await signGrant(f.guardian, f.registry, await grantTerms(f), { deadline: t + 30n * DAY });
      const revoke = await signRevoke(
        f.guardian,
        f.registry,
        { patient: f.patient.address, grantee: f.researcher.address, purpose: TREATMENT },
        { deadline: t + 30n * DAY, nonce: 1n },
      );
      return { ...f, grant, revoke };
    }

    context("when they are relayed under the delegation they were signed under", function () {
      it("carry epoch 1 and work", async function () {
        const f = await loadFixture(withUnusedDelegateRequests);
        expect([f.grant.request.delegationEpoch, f.revoke.request.delegationEpoch]).to.deep.equal([1n, 1n]);
        await expect(f.registry.connect(f.relayer).grantBySig(f.grant.request, f.grant.signature)).to.emit(
          f.registry,
          "ConsentGranted",
        );
        await expect(f.registry.connect(f.relayer).revokeBySig(f.revoke.request, f.revoke.signature))
          .to.emit(f.registry, "ConsentRevoked")
          .withArgs(f.patient.address, f.researcher.address, f.guardian.address, TREATMENT, 2);
      });
    });

    context("when the patient removed the delegate and appointed it again", function () {
      // Before v2 both requests went through again after the re-appointment: the delegate's nonce had not moved.
      it("refuses both with ConsentDelegationEpochMismatch, and the delegate's new requests work", async function () {
        const f = await loadFixture(withUnusedDelegateRequests);
        await f.registry.connect(f.patient).removeDelegate(f.patient, f.guardian);
        await expect(f.registry.connect(f.relayer).grantBySig(f.grant.request, f.grant.signature))
          .to.be.revertedWithCustomError(f.registry, "ConsentActorUnauthorized")
          .withArgs(f.patient.address, f.guardian.address);
        await f.registry.connect(f.patient).appointDelegate(f.guardian, DelegateKind.Guardian, f.delegateExpiresAt);
        await expect(f.registry.connect(f.relayer).grantBySig(f.grant.request, f.grant.signature))
          .to.be.revertedWithCustomError(f.registry, "ConsentDelegationEpochMismatch")
          .withArgs(f.patient.address, f.guardian.address, 1, 2);
        await expect(f.registry.connect(f.relayer).revokeBySig(f.revoke.request, f.revoke.signature))
          .to.be.revertedWithCustomError(f.registry, "ConsentDelegationEpochMismatch")
          .withArgs(f.patient.address, f.guardian.address, 1, 2);
        expect(await f.registry.isAuthorized(f.patient, f.hospital, TREATMENT, CARE)).to.equal(false);
        expect(await f.registry.isAuthorized(f.patient, f.researcher, TREATMENT, CARE)).to.equal(true);

        const fresh = await signGrant(f.guardian, f.registry, await grantTerms(f));
        expect(fresh.request.delegationEpoch).to.equal(2n);
        await f.registry.connect(f.relayer).grantBySig(fresh.request, fresh.signature);
        expect(await f.registry.isAuthorized(f.patient, f.hospital, TREATMENT, CARE)).to.equal(true);
      });
    });

    context("when the delegation expired and the patient appointed the delegate again", function () {
      it("refuses the old request with ConsentDelegationEpochMismatch", async function () {
        const f = await loadFixture(withUnusedDelegateRequests);
        await time.increaseTo(f.delegateExpiresAt);
        await f.registry.connect(f.patient).appointDelegate(f.guardian, DelegateKind.Guardian, NO_EXPIRY);
        await expect(f.registry.connect(f.relayer).grantBySig(f.grant.request, f.grant.signature))
          .to.be.revertedWithCustomError(f.registry, "ConsentDelegationEpochMismatch")
          .withArgs(f.patient.address, f.guardian.address, 1, 2);
      });
    });

    context("when the patient changed the delegation's terms without removing it", function () {
      it("refuses the old request too: every appointment is a new delegation", async function () {
        const f = await loadFixture(withUnusedDelegateRequests);
        await f.registry
          .connect(f.patient)
          .appointDelegate(f.guardian, DelegateKind.LegalRepresentative, f.delegateExpiresAt);
        await expect(f.registry.connect(f.relayer).revokeBySig(f.revoke.request, f.revoke.signature))
          .to.be.revertedWithCustomError(f.registry, "ConsentDelegationEpochMismatch")
          .withArgs(f.patient.address, f.guardian.address, 1, 2);
      });
    });

    context("when the delegate is an ERC-1271 contract wallet", function () {
      it("signs under its epoch, and its old request is refused after a re-appointment", async function () {
        const f = await loadFixture(withGuardian);
        const walletAddress = await f.wallet.getAddress();
        const t = await now();
        await f.registry.connect(f.patient).appointDelegate(walletAddress, DelegateKind.Guardian, t + DAY);
        const first = await signGrant(f.walletOwner, f.registry, await grantTerms(f), { wallet: walletAddress });
        const second = await signGrant(f.walletOwner, f.registry, await grantTerms(f), {
          wallet: walletAddress,
          nonce: 1n,
        });
        await expect(f.registry.connect(f.relayer).grantBySig(first.request, first.signature))
          .to.emit(f.registry, "ConsentGranted")
          .withArgs(
            f.patient.address,
            f.hospital.address,
            walletAddress,
            TREATMENT,
            CARE,
            first.request.startsAt,
            first.request.expiresAt,
            1,
            DOC,
          );
        await f.registry.connect(f.patient).removeDelegate(f.patient, walletAddress);
        await f.registry.connect(f.patient).appointDelegate(walletAddress, DelegateKind.Guardian, t + DAY);
        await expect(f.registry.connect(f.relayer).grantBySig(second.request, second.signature))
          .to.be.revertedWithCustomError(f.registry, "ConsentDelegationEpochMismatch")
          .withArgs(f.patient.address, walletAddress, 1, 2);
      });
    });
  });

  describe("cancelNonce", function () {
    context("when the patient changes her mind before a signed grant is relayed", function () {
      it("uses the nonce, emits NonceUsed, and the signature can no longer be submitted", async function () {
        const f = await loadFixture(deployFixture);
        const signed = await signGrant(f.patient, f.registry, await grantTerms(f));
        await expect(f.registry.connect(f.patient).cancelNonce())
          .to.emit(f.registry, "NonceUsed")
          .withArgs(f.patient.address, 0);
        expect(await f.registry.nonces(f.patient)).to.equal(1n);
        await expect(f.registry.connect(f.relayer).grantBySig(signed.request, signed.signature))
          .to.be.revertedWithCustomError(f.registry, "ConsentNonceInvalid")
          .withArgs(f.patient.address, 0, 1);
      });
    });
  });

  describe("revokeBySig", function () {
    context("when the patient signed a revocation", function () {
      it("revokes with the patient as actor", async function () {
        const f = await loadFixture(withGrant);
        const signed = await signRevoke(f.patient, f.registry, {
          patient: f.patient.address,
          grantee: f.hospital.address,
          purpose: TREATMENT,
        });
        await expect(f.registry.connect(f.relayer).revokeBySig(signed.request, signed.signature))
          .to.emit(f.registry, "ConsentRevoked")
          .withArgs(f.patient.address, f.hospital.address, f.patient.address, TREATMENT, 2);
        expect(await f.registry.isAuthorized(f.patient, f.hospital, TREATMENT, CARE)).to.equal(false);
      });
    });

    context("when the signature does not match", function () {
      it("reverts with ConsentSignatureInvalid for a tampered grantee", async function () {
        const f = await loadFixture(withGrant);
        const signed = await signRevoke(f.patient, f.registry, {
          patient: f.patient.address,
          grantee: f.hospital.address,
          purpose: TREATMENT,
        });
        await expect(
          f.registry
            .connect(f.relayer)
            .revokeBySig({ ...signed.request, grantee: f.stranger.address }, signed.signature),
        )
          .to.be.revertedWithCustomError(f.registry, "ConsentSignatureInvalid")
          .withArgs(f.patient.address);
      });
    });
  });

  describe("appointDelegate", function () {
    context("when the patient appoints a guardian", function () {
      it("stores the delegation at epoch 1 and emits DelegateAppointed", async function () {
        const { registry, patient, guardian } = await loadFixture(deployFixture);
        const t = await now();
        await expect(registry.connect(patient).appointDelegate(guardian, DelegateKind.LegalRepresentative, t + DAY))
          .to.emit(registry, "DelegateAppointed")
          .withArgs(patient.address, guardian.address, patient.address, DelegateKind.LegalRepresentative, t + DAY, 1);
        const d = await registry.delegation(patient, guardian);
        expect([d.kind, d.expiresAt, d.epoch]).to.deep.equal([BigInt(DelegateKind.LegalRepresentative), t + DAY, 1n]);
        expect(await registry.canActFor(patient, guardian)).to.equal(true);
      });
    });

    context("when the patient appoints the same account again", function () {
      it("returns the next epoch, also after a removal, which keeps the epoch", async function () {
        const { registry, patient, guardian, delegateExpiresAt } = await loadFixture(withGuardian);
        expect(
          await registry.connect(patient).appointDelegate.staticCall(guardian, DelegateKind.Guardian, NO_EXPIRY),
        ).to.equal(2n);
        await registry.connect(patient).appointDelegate(guardian, DelegateKind.Guardian, NO_EXPIRY);
        await registry.connect(patient).removeDelegate(patient, guardian);
        const removed = await registry.delegation(patient, guardian);
        expect([removed.kind, removed.expiresAt, removed.epoch]).to.deep.equal([0n, 0n, 2n]);
        await expect(registry.connect(patient).appointDelegate(guardian, DelegateKind.Guardian, delegateExpiresAt))
          .to.emit(registry, "DelegateAppointed")
          .withArgs(patient.address, guardian.address, patient.address, DelegateKind.Guardian, delegateExpiresAt, 3);
        expect((await registry.delegation(patient, guardian)).epoch).to.equal(3n);
      });
    });

    context("when the appointment is invalid", function () {
      it("reverts with ConsentDelegateZero", async function () {
        const { registry, patient } = await loadFixture(deployFixture);
        await expect(
          registry.connect(patient).appointDelegate(ZeroAddress, DelegateKind.Guardian, NO_EXPIRY),
        ).to.be.revertedWithCustomError(registry, "ConsentDelegateZero");
      });

      it("reverts with ConsentDelegateIsPatient", async function () {
        const { registry, patient } = await loadFixture(deployFixture);
        await expect(registry.connect(patient).appointDelegate(patient, DelegateKind.Guardian, NO_EXPIRY))
          .to.be.revertedWithCustomError(registry, "ConsentDelegateIsPatient")
          .withArgs(patient.address);
      });

      it("reverts with ConsentDelegateKindInvalid for None", async function () {
        const { registry, patient, guardian } = await loadFixture(deployFixture);
        await expect(
          registry.connect(patient).appointDelegate(guardian, DelegateKind.None, NO_EXPIRY),
        ).to.be.revertedWithCustomError(registry, "ConsentDelegateKindInvalid");
      });

      it("reverts with ConsentExpiryInPast", async function () {
        const { registry, patient, guardian } = await loadFixture(deployFixture);
        const t = await now();
        await time.setNextBlockTimestamp(t + 1n);
        await expect(registry.connect(patient).appointDelegate(guardian, DelegateKind.Guardian, t))
          .to.be.revertedWithCustomError(registry, "ConsentExpiryInPast")
          .withArgs(t, t + 1n);
      });
    });
  });

  describe("appointDelegateBySig", function () {
    context("when the patient signed the appointment", function () {
      it("appoints the delegate, with the patient as actor", async function () {
        const f = await loadFixture(deployFixture);
        const t = await now();
        const signed = await signDelegateAppointment(f.patient, f.registry, {
          delegate: f.guardian.address,
          kind: DelegateKind.Guardian,
          expiresAt: t + DAY,
        });
        await expect(f.registry.connect(f.relayer).appointDelegateBySig(signed.request, signed.signature))
          .to.emit(f.registry, "DelegateAppointed")
          .withArgs(f.patient.address, f.guardian.address, f.patient.address, DelegateKind.Guardian, t + DAY, 1);
        await expect(f.registry.connect(f.relayer).appointDelegateBySig(signed.request, signed.signature))
          .to.be.revertedWithCustomError(f.registry, "ConsentNonceInvalid")
          .withArgs(f.patient.address, 0, 1);
      });
    });

    context("when the request is invalid", function () {
      it("reverts with ConsentPatientZero", async function () {
        const f = await loadFixture(deployFixture);
        const t = await now();
        const signed = await signDelegateAppointment(f.patient, f.registry, {
          delegate: f.guardian.address,
          kind: DelegateKind.Guardian,
          expiresAt: t + DAY,
        });
        await expect(
          f.registry.appointDelegateBySig({ ...signed.request, patient: ZeroAddress }, signed.signature),
        ).to.be.revertedWithCustomError(f.registry, "ConsentPatientZero");
      });

      it("reverts with ConsentSignatureInvalid when the delegate signs its own appointment", async function () {
        const f = await loadFixture(deployFixture);
        const t = await now();
        const signed = await signDelegateAppointment(f.guardian, f.registry, {
          delegate: f.stranger.address,
          kind: DelegateKind.Guardian,
          expiresAt: t + DAY,
        });
        await expect(
          f.registry.appointDelegateBySig({ ...signed.request, patient: f.patient.address }, signed.signature),
        )
          .to.be.revertedWithCustomError(f.registry, "ConsentSignatureInvalid")
          .withArgs(f.patient.address);
      });
    });
  });

  describe("removeDelegate", function () {
    context("when the patient revokes the delegation", function () {
      it("deletes it and emits DelegateRemoved with the patient as actor", async function () {
        const { registry, patient, guardian } = await loadFixture(withGuardian);
        await expect(registry.connect(patient).removeDelegate(patient, guardian))
          .to.emit(registry, "DelegateRemoved")
          .withArgs(patient.address, guardian.address, patient.address);
        expect((await registry.delegation(patient, guardian)).kind).to.equal(0n);
        expect(await registry.canActFor(patient, guardian)).to.equal(false);
      });
    });

    context("when the delegate resigns", function () {
      it("emits DelegateRemoved with the delegate as actor", async function () {
        const { registry, patient, guardian } = await loadFixture(withGuardian);
        await expect(registry.connect(guardian).removeDelegate(patient, guardian))
          .to.emit(registry, "DelegateRemoved")
          .withArgs(patient.address, guardian.address, guardian.address);
      });
    });

    context("when it cannot be removed", function () {
      it("reverts with ConsentActorUnauthorized for a stranger", async function () {
        const { registry, patient, guardian, stranger } = await loadFixture(withGuardian);
        await expect(registry.connect(stranger).removeDelegate(patient, guardian))
          .to.be.revertedWithCustomError(registry, "ConsentActorUnauthorized")
          .withArgs(patient.address, stranger.address);
      });

      it("reverts with ConsentDelegateUnknown when not a delegate", async function () {
        const { registry, patient, stranger } = await loadFixture(withGuardian);
        await expect(registry.connect(patient).removeDelegate(patient, stranger))
          .to.be.revertedWithCustomError(registry, "ConsentDelegateUnknown")
          .withArgs(patient.address, stranger.address);
      });
    });
  });

  describe("breakGlass", function () {
    context("when a PROVIDER records emergency access", function () {
      it("counts it per patient and emits EmergencyAccessRecorded", async function () {
        const { registry, patient, hospital } = await loadFixture(deployFixture);
        const reason = ethers.id("audit event");
        await expect(registry.connect(hospital).breakGlass(patient, reason))
          .to.emit(registry, "EmergencyAccessRecorded")
          .withArgs(patient.address, hospital.address, 1, reason);
        await registry.connect(hospital).breakGlass(patient, reason);
        expect(await registry.emergencyAccessCount(patient)).to.equal(2n);
      });
    });

    context("when the input is invalid", function () {
      it("reverts with ConsentPatientZero and ConsentCommitmentMissing", async function () {
        const { registry, patient, hospital } = await loadFixture(deployFixture);
        await expect(registry.connect(hospital).breakGlass(ZeroAddress, ethers.id("r"))).to.be.revertedWithCustomError(
          registry,
          "ConsentPatientZero",
        );
        await expect(registry.connect(hospital).breakGlass(patient, ZeroHash)).to.be.revertedWithCustomError(
          registry,
          "ConsentCommitmentMissing",
        );
        expect(await registry.emergencyAccessCount(patient)).to.equal(0n);
      });
    });
  });

  describe("isAuthorized", function () {
    context("when a consent expires between two blocks", function () {
      it("is true in the last second before expiry and false from the expiry on", async function () {
        const { registry, patient, hospital, expiresAt } = await loadFixture(withGrant);
        await time.increaseTo(expiresAt - 1n);
        expect(await registry.isAuthorized(patient, hospital, TREATMENT, CARE)).to.equal(true);
        await time.setNextBlockTimestamp(expiresAt);
        await mine();
        expect(BigInt(await time.latest())).to.equal(expiresAt);
        expect(await registry.isAuthorized(patient, hospital, TREATMENT, CARE)).to.equal(false);
      });
    });

    context("when a consent has not started yet", function () {
      it("is false until its start", async function () {
        const { registry, patient, hospital } = await loadFixture(deployFixture);
        const t = await now();
        await registry.connect(patient).grant(patient, hospital, TREATMENT, CARE, t + 100n, t + DAY, DOC);
        expect(await registry.isAuthorized(patient, hospital, TREATMENT, CARE)).to.equal(false);
        await time.increaseTo(t + 100n);
        expect(await registry.isAuthorized(patient, hospital, TREATMENT, CARE)).to.equal(true);
      });
    });

    context("when the request is not covered", function () {
      it("is false for a missing category, another purpose, another grantee or no consent", async function () {
        const { registry, patient, hospital, stranger } = await loadFixture(withGrant);
        expect(await registry.isAuthorized(patient, hospital, TREATMENT, CARE | CATEGORIES.GENOMICS)).to.equal(false);
        expect(await registry.isAuthorized(patient, hospital, PURPOSES.RESEARCH, CATEGORIES.DEMOGRAPHICS)).to.equal(
          false,
        );
        expect(await registry.isAuthorized(patient, stranger, TREATMENT, CATEGORIES.DEMOGRAPHICS)).to.equal(false);
        expect(await registry.isAuthorized(stranger, hospital, TREATMENT, CATEGORIES.DEMOGRAPHICS)).to.equal(false);
      });
    });

    context("when no category is required", function () {
      // Before v2 it reverted with ConsentEmptyCategories: a predicate now answers, and a check for nothing is no
      // authorization (as `inForce` in src/consent/history.ts).
      it("answers false without reverting, even for a consent in force", async function () {
        const { registry, patient, hospital } = await loadFixture(withGrant);
        expect(await registry.isAuthorized(patient, hospital, TREATMENT, CARE)).to.equal(true);
        expect(await registry.isAuthorized(patient, hospital, TREATMENT, 0)).to.equal(false);
      });
    });

    context("when called cold from another contract", function () {
      it("costs at most 8,000 gas", async function () {
        const { registry, patient, hospital, admin } = await loadFixture(withGrant);
        const probe = await new ConsentCheckProbe__factory(admin).deploy();
        const receipt = await (await probe.measure(registry, patient, hospital, TREATMENT, CARE)).wait();
        const [gasUsed, authorized] = probe.interface.parseLog(receipt!.logs[0])!.args;
        expect(authorized).to.equal(true);
        if (!isInstrumented(hre)) expect(gasUsed).to.be.lessThanOrEqual(8_000n);
      });
    });
  });

  describe("canActFor", function () {
    context("for each kind of account", function () {
      it("is true for the patient and an unexpired delegate only", async function () {
        const { registry, patient, guardian, stranger, delegateExpiresAt } = await loadFixture(withGuardian);
        expect(await registry.canActFor(patient, patient)).to.equal(true);
        expect(await registry.canActFor(patient, guardian)).to.equal(true);
        expect(await registry.canActFor(patient, stranger)).to.equal(false);
        expect(await registry.canActFor(ZeroAddress, ZeroAddress)).to.equal(false);
        await time.increaseTo(delegateExpiresAt);
        expect(await registry.canActFor(patient, guardian)).to.equal(false);
      });
    });
  });

  describe("eip712Domain", function () {
    context("as ERC-5267", function () {
      it("names this chain and this contract", async function () {
        const { registry } = await loadFixture(deployFixture);
        const [fields, name, version, chainId, verifyingContract] = await registry.eip712Domain();
        expect([fields, name, version]).to.deep.equal(["0x0f", "Health Ledger Consent", "1"]);
        expect(chainId).to.equal((await ethers.provider.getNetwork()).chainId);
        expect(verifyingContract).to.equal(await registry.getAddress());
        expect(await registry.NO_EXPIRY()).to.equal(NO_EXPIRY);
      });
    });
  });
});
