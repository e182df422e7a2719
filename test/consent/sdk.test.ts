import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import { verify } from "../../src/records";
import {
  ALL_CATEGORIES,
  CATEGORIES,
  CATEGORY_NAMES,
  DelegateKind,
  NO_EXPIRY,
  PURPOSES,
  buildConsentDocument,
  categoryNames,
  categorySet,
  commitConsentDocument,
  consentHistory,
  covers,
  currentConsents,
  foldConsents,
  foldDelegates,
  purposeId,
  purposeName,
  signDelegateAppointment,
  signGrant,
  signRevoke,
  relayGrant,
  relayRevoke,
  relayDelegateAppointment,
  trialResearch,
} from "../../src/consent";
import { ConsentConstantsHarness__factory } from "../../typechain-types";
import { CARE, DAY, DOC, TREATMENT, deployFixture, now } from "./fixture";

async function rejects(promise: Promise<unknown>, message: RegExp): Promise<void> {
  try {
    await promise;
  } catch (error) {
    expect(String(error)).to.match(message);
    return;
  }
  expect.fail(`expected a rejection matching ${message}`);
}

describe("consent SDK", function () {
  describe("purposes and categories", function () {
    context("compared with Purposes.sol and DataCategories.sol", function () {
      it("mirrors every purpose, trial purpose and category bit", async function () {
        const [deployer] = await ethers.getSigners();
        const harness = await new ConsentConstantsHarness__factory(deployer).deploy();
        expect(await harness.purposes()).to.deep.equal([
          PURPOSES.TREATMENT,
          PURPOSES.PAYMENT,
          PURPOSES.RESEARCH,
          PURPOSES.PUBLIC_HEALTH,
          PURPOSES.EMERGENCY,
        ]);
        for (const [trial, version, salt] of [
          [0n, 0, ethers.id("salt a")],
          [42n, 3, "0x" + "ff".repeat(32)],
          [2n ** 256n - 1n, 0xffffffff, "0x" + "00".repeat(31) + "01"],
        ] as const) {
          expect(await harness.trialResearch(trial, version, salt)).to.equal(trialResearch(trial, version, salt));
        }
        // Salted: the same trial and version give unrelated purposes under two salts.
        expect(trialResearch(1n, 1, ethers.id("a"))).not.to.equal(trialResearch(1n, 1, ethers.id("b")));
        const [bits, all] = await harness.categories();
        expect(bits).to.deep.equal(CATEGORY_NAMES.map((n) => CATEGORIES[n]));
        expect(all).to.equal(ALL_CATEGORIES);
      });
    });

    context("with bad input", function () {
      it("throws messages that say what to fix", function () {
        expect(() => categorySet()).to.throw(/at least one/);
        expect(() => categorySet("XRAYS")).to.throw(/Unknown data category "XRAYS"/);
        expect(() => categoryNames(1n << 20n)).to.throw(/undefined bits/);
        expect(() => trialResearch(-1n, 1, ethers.id("s"))).to.throw(/uint256/);
        expect(() => trialResearch(1n, 2 ** 32, ethers.id("s"))).to.throw(/uint32/);
        expect(() => trialResearch(1n, 1, ethers.ZeroHash)).to.throw(/not zero/);
        expect(() => trialResearch(1n, 1, "0x1234")).to.throw(/bytes32/);
        expect(() => purposeId("SHOPPING")).to.throw(/Unknown purpose/);
      });

      it("names sets and purposes", function () {
        expect(categorySet("MEDICATIONS", "ALLERGIES")).to.equal(12n);
        expect(categoryNames(12n)).to.deep.equal(["MEDICATIONS", "ALLERGIES"]);
        expect(covers(CARE, CATEGORIES.MEDICATIONS)).to.equal(true);
        expect(covers(CATEGORIES.MEDICATIONS, CARE)).to.equal(false);
        expect(purposeId("TREATMENT")).to.equal(PURPOSES.TREATMENT);
        expect(purposeName(PURPOSES.PAYMENT)).to.equal("PAYMENT");
        expect(purposeName(trialResearch(1n, 1, ethers.id("s")))).to.equal(undefined);
      });
    });
  });

  describe("buildConsentDocument", function () {
    const terms = {
      patient: "0x000000000000000000000000000000000000dEaD",
      grantee: "0x000000000000000000000000000000000000bEEF",
      purpose: PURPOSES.RESEARCH,
      categories: categorySet("GENOMICS", "LAB_RESULTS"),
      startsAt: 1_800_000_000n,
      expiresAt: 1_900_000_000n,
    };

    context("with valid terms", function () {
      it("builds a FHIR Consent permit whose commitment opens", function () {
        const { document, commitment } = commitConsentDocument(terms, { patientReference: "Patient/7" });
        expect(document.resourceType).to.equal("Consent");
        expect(document.provision?.type).to.equal("permit");
        expect(document.provision?.class?.map((c) => c.code)).to.deep.equal(["LAB_RESULTS", "GENOMICS"]);
        expect(document.provision?.purpose?.map((p) => p.code)).to.include("HRESCH");
        expect(document.provision?.period?.end).to.equal("2030-03-17T17:46:40.000Z");
        expect(document.patient?.reference).to.equal("Patient/7");
        expect(verify(document, commitment.salt, commitment.commitment)).to.equal(true);
        const open = buildConsentDocument({ ...terms, expiresAt: NO_EXPIRY });
        expect(open.provision?.period?.end).to.equal(undefined);
      });

      it("is deterministic for a given salt", function () {
        const salt = ethers.id("salt");
        expect(commitConsentDocument(terms, {}, salt).commitment.commitment).to.equal(
          commitConsentDocument(terms, {}, salt).commitment.commitment,
        );
      });
    });

    context("with invalid terms", function () {
      it("throws for each bad field", function () {
        expect(() => buildConsentDocument({ ...terms, patient: "alice" })).to.throw(/patient must be an Ethereum/);
        expect(() => buildConsentDocument({ ...terms, purpose: "0x12" })).to.throw(/purpose must be a 32-byte/);
        expect(() => buildConsentDocument({ ...terms, categories: 0n })).to.throw(/at least one category/);
        expect(() => buildConsentDocument({ ...terms, startsAt: terms.expiresAt })).to.throw(/before expiresAt/);
        expect(() => buildConsentDocument({ ...terms, expiresAt: NO_EXPIRY + 1n })).to.throw(/NO_EXPIRY/);
      });
    });
  });

  describe("signing and relaying", function () {
    context("with the SDK helpers", function () {
      it("revokes and appoints through a relayer", async function () {
        const f = await loadFixture(deployFixture);
        const t = await now();
        const signed = await signGrant(f.patient, f.registry, {
          patient: f.patient.address,
          grantee: f.hospital.address,
          purpose: TREATMENT,
          categories: CARE,
          startsAt: t,
          expiresAt: t + DAY,
          documentCommitment: DOC,
        });
        await relayGrant(f.registry.connect(f.relayer), signed);
        const revoke = await signRevoke(f.patient, f.registry, {
          patient: f.patient.address,
          grantee: f.hospital.address,
          purpose: TREATMENT,
        });
        expect((await relayRevoke(f.registry.connect(f.relayer), revoke)).version).to.equal(2n);
        const appoint = await signDelegateAppointment(f.patient, f.registry, {
          delegate: f.guardian.address,
          kind: DelegateKind.Guardian,
          expiresAt: t + DAY,
        });
        await relayDelegateAppointment(f.registry.connect(f.relayer), appoint);
        expect(await f.registry.canActFor(f.patient, f.guardian)).to.equal(true);
      });

      it("refuses a replay before sending, with the registry's error", async function () {
        const f = await loadFixture(deployFixture);
        const t = await now();
        const signed = await signGrant(f.patient, f.registry, {
          patient: f.patient.address,
          grantee: f.hospital.address,
          purpose: TREATMENT,
          categories: CARE,
          startsAt: t,
          expiresAt: t + DAY,
          documentCommitment: DOC,
        });
        await relayGrant(f.registry.connect(f.relayer), signed);
        await expect(relayGrant(f.registry.connect(f.relayer), signed)).to.be.revertedWithCustomError(
          f.registry,
          "ConsentNonceInvalid",
        );
      });

      it("signs a delegate's request under its current delegation epoch", async function () {
        const f = await loadFixture(deployFixture);
        const t = await now();
        await f.registry.connect(f.patient).appointDelegate(f.guardian, DelegateKind.Guardian, t + DAY);
        await f.registry.connect(f.patient).appointDelegate(f.guardian, DelegateKind.Guardian, t + 2n * DAY);
        const key = { patient: f.patient.address, grantee: f.hospital.address, purpose: TREATMENT };
        const terms = { ...key, categories: CARE, startsAt: t, expiresAt: t + DAY, documentCommitment: DOC };
        expect((await signGrant(f.guardian, f.registry, terms)).request.delegationEpoch).to.equal(2n);
        expect((await signRevoke(f.guardian, f.registry, key)).request.delegationEpoch).to.equal(2n);
        expect((await signGrant(f.patient, f.registry, terms)).request.delegationEpoch).to.equal(0n);
        expect(
          (await signGrant(f.guardian, f.registry, terms, { delegationEpoch: 7n })).request.delegationEpoch,
        ).to.equal(7n);
      });

      it("refuses to sign what the registry would refuse, saying what to fix", async function () {
        const f = await loadFixture(deployFixture);
        const t = await now();
        const terms = {
          patient: f.patient.address,
          grantee: f.hospital.address,
          purpose: TREATMENT,
          categories: CARE,
          startsAt: t,
          expiresAt: t + DAY,
          documentCommitment: DOC,
        };
        await rejects(signGrant(f.stranger, f.registry, terms), /is not a delegate of .* must appoint it/);
        await rejects(signGrant(f.patient, f.registry, terms, { delegationEpoch: 1n }), /must be 0/);
        await rejects(signGrant(f.patient, f.registry, terms, { deadline: 2n ** 40n }), /deadline must be/);
        await f.registry.connect(f.patient).appointDelegate(f.guardian, DelegateKind.Guardian, t + DAY);
        await rejects(
          signGrant(f.guardian, f.registry, { ...terms, grantee: f.guardian.address }),
          /may not grant consent to itself/,
        );
      });

      it("rejects a None delegate kind and an out-of-range expiry", async function () {
        const f = await loadFixture(deployFixture);
        const base = { delegate: f.guardian.address, expiresAt: 10n };
        await rejects(
          signDelegateAppointment(f.patient, f.registry, { ...base, kind: DelegateKind.None }),
          /Guardian or/,
        );
        await rejects(
          signDelegateAppointment(f.patient, f.registry, { ...base, kind: DelegateKind.Guardian, expiresAt: 0n }),
          /expiresAt/,
        );
      });
    });
  });

  describe("consentHistory", function () {
    context("after grants, changes, revocations, renunciations, delegations and emergencies", function () {
      it("rebuilds every consent and delegation exactly as the views hold them", async function () {
        const f = await loadFixture(deployFixture);
        const t = await now();
        const research = trialResearch(9n, 1, ethers.id("trial secret"));
        await f.registry.connect(f.patient).appointDelegate(f.guardian, DelegateKind.Guardian, t + 10n * DAY);
        await f.registry.connect(f.patient).appointDelegate(f.stranger, DelegateKind.LegalRepresentative, t + DAY);
        await f.registry.connect(f.patient).grant(f.patient, f.hospital, TREATMENT, CARE, t, t + DAY, DOC);
        await f.registry
          .connect(f.guardian)
          .grant(f.patient, f.researcher, research, CATEGORIES.GENOMICS, t, t + 2n * DAY, ethers.id("d2"));
        await f.registry
          .connect(f.patient)
          .grant(f.patient, f.hospital, PURPOSES.PAYMENT, CATEGORIES.BILLING, t, t + 100n, ethers.id("d3"));
        await f.registry.connect(f.researcher).renounce(f.patient, research);
        await f.registry.connect(f.patient).revoke(f.patient, f.hospital, PURPOSES.PAYMENT);
        await f.registry
          .connect(f.patient)
          .grant(f.patient, f.hospital, TREATMENT, CARE | CATEGORIES.IMAGING, t, t + DAY, ethers.id("d4"));
        await f.registry.connect(f.stranger).removeDelegate(f.patient, f.stranger);
        await f.registry.connect(f.hospital).breakGlass(f.patient, ethers.id("reason"));

        const history = await consentHistory(f.registry, f.patient.address);
        expect(history.map((e) => e.kind)).to.deep.equal([
          "delegateAppointed",
          "delegateAppointed",
          "granted",
          "granted",
          "granted",
          "renounced",
          "revoked",
          "granted",
          "delegateRemoved",
          "emergencyAccess",
        ]);
        const consents = foldConsents(history);
        expect(consents).to.have.length(3);
        for (const c of consents) {
          const onChain = await f.registry.consent(c.patient, c.grantee, c.purpose);
          expect([c.categories, c.startsAt, c.expiresAt, c.version, c.revoked]).to.deep.equal([
            onChain.categories,
            onChain.startsAt,
            onChain.expiresAt,
            onChain.version,
            onChain.revoked,
          ]);
        }
        const treatment = consents.find((c) => c.purpose === TREATMENT)!;
        expect(treatment.documentCommitment).to.equal(ethers.id("d4"));
        expect(consents.find((c) => c.purpose === research)!.grantedBy).to.equal(f.guardian.address);
        const delegates = foldDelegates(history);
        expect(delegates.map((d) => [d.delegate, d.epoch])).to.deep.equal([[f.guardian.address, 1n]]);
        expect((await f.registry.delegation(f.patient, f.guardian)).epoch).to.equal(delegates[0].epoch);

        const inForce = await currentConsents(f.registry, f.patient.address);
        expect(inForce.map((c) => c.purpose)).to.deep.equal([TREATMENT]);
        await time.increaseTo(t + DAY);
        expect(await currentConsents(f.registry, f.patient.address)).to.deep.equal([]);
      });
    });

    context("with a history that starts mid-way", function () {
      it("throws on a revocation without its grant", function () {
        expect(() =>
          foldConsents([
            {
              kind: "revoked",
              patient: "0x1",
              grantee: "0x2",
              actor: "0x1",
              purpose: TREATMENT,
              version: 2n,
              blockNumber: 1,
              logIndex: 0,
              txHash: "0x",
            },
          ]),
        ).to.throw(/incomplete/);
      });
    });
  });
});
