import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ContractTransactionResponse } from "ethers";
import { CommitmentKind as K, ParticipantStatus as P, Roles, TrialStatus as S } from "../../src/constants";
import { outcomeSetHash } from "../../src/trials/outcomes";
import type { TrialRegistry } from "../../typechain-types";
import { shouldBehaveLikeRestricted, type RestrictedCall } from "../shared/restricted";
import { BUDGET, CATEGORIES, STIPEND, completedTrial, deployTrialsFixture, h, outcomes, saltOf } from "./fixture";

describe("TrialRegistry", function () {
  describe("constructor", function () {
    it("keeps the authority and the consent verifier", async function () {
      const { registry, authority, consentRegistry } = await loadFixture(deployTrialsFixture);
      expect(await registry.authority()).to.equal(await authority.getAddress());
      expect(await registry.consentVerifier()).to.equal(await consentRegistry.getAddress());
      expect(await registry.MAX_OUTCOMES()).to.equal(16n);
      expect(await registry.RESULTS_DEADLINE()).to.equal(365n * 24n * 3600n);
      expect(await registry.trialCount()).to.equal(0n);
    });

    // Before: any address was accepted as the consent verifier, and enrolment failed only later.
    it("refuses a consent verifier that is an empty account or another contract", async function () {
      const { registry, authority, forwarder, token, stranger } = await loadFixture(deployTrialsFixture);
      const factory = await ethers.getContractFactory("TrialRegistry");
      for (const verifier of [stranger.address, await token.getAddress(), await authority.getAddress()]) {
        await expect(factory.deploy(await authority.getAddress(), await forwarder.getAddress(), verifier))
          .to.be.revertedWithCustomError(registry, "HealthLedgerContractInvalid")
          .withArgs(verifier);
      }
    });
  });

  describe("register", function () {
    context("with a valid registration", function () {
      it("stores the trial, protocol version 1 and the outcome-set hash, and emits both events", async function () {
        const { registry, sponsor, registration, token } = await loadFixture(deployTrialsFixture);
        const reg = registration();
        const tx = registry.connect(sponsor).register(reg);
        await expect(tx)
          .to.emit(registry, "TrialRegistered")
          .withArgs(
            1n,
            sponsor.address,
            h("protocol-v1"),
            h("research-study"),
            3,
            1,
            CATEGORIES,
            await token.getAddress(),
            STIPEND,
            anyValue,
          );
        const setHash = outcomeSetHash(outcomes(4));
        await expect(tx)
          .to.emit(registry, "OutcomeSetDeclared")
          .withArgs(1n, 1, setHash, [
            [h("o0"), true],
            [h("o1"), false],
            [h("o2"), false],
            [h("o3"), false],
          ]);
        const t = await registry.trial(1n);
        expect(t.status).to.equal(S.Registered);
        expect(t.sponsor).to.equal(sponsor.address);
        expect(t.registeredAt).to.equal(await time.latest());
        expect(t.consentFormVersion).to.equal(1n);
        expect(t.requiredCategories).to.equal(CATEGORIES);
        expect(t.targetEnrolment).to.equal(3n);
        expect(t.protocolVersion).to.equal(1n);
        expect(t.outcomeSetHash).to.equal(setHash);
        expect(await registry.outcomeSetHash(outcomes(4))).to.equal(setHash);
        expect(t.researchStudyCommitment).to.equal(h("research-study"));
        expect(t.stipendToken).to.equal(await token.getAddress());
        expect(t.stipendPerVisit).to.equal(STIPEND);
        const v1 = await registry.protocolVersion(1n, 1);
        expect(v1.protocolCommitment).to.equal(h("protocol-v1"));
        expect(v1.reasonCommitment).to.equal(ethers.ZeroHash);
        expect(await registry.trialCount()).to.equal(1n);
      });

      it("registers a trial without stipends", async function () {
        const { registry, registerTrial } = await loadFixture(deployTrialsFixture);
        const id = await registerTrial({ stipendToken: ethers.ZeroAddress, stipendPerVisit: 0n });
        const t = await registry.trial(id);
        expect(t.stipendToken).to.equal(ethers.ZeroAddress);
        expect(t.stipendPerVisit).to.equal(0n);
      });

      it("accepts MAX_OUTCOMES outcomes", async function () {
        const { registry, registerTrial } = await loadFixture(deployTrialsFixture);
        const id = await registerTrial({ outcomes: outcomes(16) });
        expect((await registry.trial(id)).outcomeSetHash).to.equal(outcomeSetHash(outcomes(16)));
      });
    });

    context("with bad input", function () {
      it("reverts without a protocol commitment", async function () {
        const { registry, sponsor, registration } = await loadFixture(deployTrialsFixture);
        await expect(registry.connect(sponsor).register(registration({ protocolCommitment: ethers.ZeroHash })))
          .to.be.revertedWithCustomError(registry, "TrialCommitmentMissing")
          .withArgs(0n, K.Protocol);
      });
      it("reverts without a ResearchStudy commitment", async function () {
        const { registry, sponsor, registration } = await loadFixture(deployTrialsFixture);
        await expect(registry.connect(sponsor).register(registration({ researchStudyCommitment: ethers.ZeroHash })))
          .to.be.revertedWithCustomError(registry, "TrialCommitmentMissing")
          .withArgs(0n, K.ResearchStudy);
      });
      it("reverts with a zero target", async function () {
        const { registry, sponsor, registration } = await loadFixture(deployTrialsFixture);
        await expect(
          registry.connect(sponsor).register(registration({ targetEnrolment: 0 })),
        ).to.be.revertedWithCustomError(registry, "TrialTargetEnrolmentZero");
      });
      it("reverts with consent-form version 0", async function () {
        const { registry, sponsor, registration } = await loadFixture(deployTrialsFixture);
        await expect(registry.connect(sponsor).register(registration({ consentFormVersion: 0 })))
          .to.be.revertedWithCustomError(registry, "TrialConsentFormVersionInvalid")
          .withArgs(0n, 0, 0);
      });
      it("reverts with no categories or an undefined category bit", async function () {
        const { registry, sponsor, registration } = await loadFixture(deployTrialsFixture);
        await expect(registry.connect(sponsor).register(registration({ requiredCategories: 0 })))
          .to.be.revertedWithCustomError(registry, "TrialCategoriesInvalid")
          .withArgs(0);
        await expect(registry.connect(sponsor).register(registration({ requiredCategories: 1n << 16n })))
          .to.be.revertedWithCustomError(registry, "TrialCategoriesInvalid")
          .withArgs(1n << 16n);
      });
      it("reverts with a token but no stipend, or a stipend but no token", async function () {
        const { registry, sponsor, registration, token } = await loadFixture(deployTrialsFixture);
        await expect(registry.connect(sponsor).register(registration({ stipendPerVisit: 0 })))
          .to.be.revertedWithCustomError(registry, "TrialStipendMisconfigured")
          .withArgs(await token.getAddress(), 0);
        await expect(registry.connect(sponsor).register(registration({ stipendToken: ethers.ZeroAddress })))
          .to.be.revertedWithCustomError(registry, "TrialStipendMisconfigured")
          .withArgs(ethers.ZeroAddress, STIPEND);
      });
      it("reverts with an empty or oversized outcome set", async function () {
        const { registry, sponsor, registration } = await loadFixture(deployTrialsFixture);
        await expect(registry.connect(sponsor).register(registration({ outcomes: [] })))
          .to.be.revertedWithCustomError(registry, "TrialOutcomeCountInvalid")
          .withArgs(0n, 0n, 16n);
        await expect(registry.connect(sponsor).register(registration({ outcomes: outcomes(17) })))
          .to.be.revertedWithCustomError(registry, "TrialOutcomeCountInvalid")
          .withArgs(0n, 17n, 16n);
      });
      it("reverts with a zero or duplicate outcome, or no primary outcome", async function () {
        const { registry, sponsor, registration } = await loadFixture(deployTrialsFixture);
        const zero = [...outcomes(2), { commitment: ethers.ZeroHash, primary: false }];
        await expect(registry.connect(sponsor).register(registration({ outcomes: zero })))
          .to.be.revertedWithCustomError(registry, "TrialCommitmentMissing")
          .withArgs(0n, K.Outcome);
        const dup = [...outcomes(2), { commitment: h("o1"), primary: true }];
        await expect(registry.connect(sponsor).register(registration({ outcomes: dup })))
          .to.be.revertedWithCustomError(registry, "TrialOutcomeDuplicate")
          .withArgs(0n, h("o1"));
        const noPrimary = outcomes(3).map((o) => ({ ...o, primary: false }));
        await expect(registry.connect(sponsor).register(registration({ outcomes: noPrimary })))
          .to.be.revertedWithCustomError(registry, "TrialPrimaryOutcomeMissing")
          .withArgs(0n);
        expect(await registry.trialCount()).to.equal(0n);
      });
    });
  });

  describe("lifecycle", function () {
    async function statusAfter(path: ("start" | "close" | "complete" | "suspend" | "resume" | "terminate")[]) {
      const f = await loadFixture(deployTrialsFixture);
      const id = await f.registerTrial();
      const r = f.registry.connect(f.sponsor);
      for (const step of path) {
        if (step === "start") await r.startRecruitment(id);
        if (step === "close") await r.closeEnrolment(id);
        if (step === "complete") await r.complete(id);
        if (step === "suspend") await r.suspend(id, h("why"));
        if (step === "resume") await r.resume(id);
        if (step === "terminate") await r.terminate(id, h("stop"));
      }
      return { ...f, id, r };
    }

    context("allowed transitions", function () {
      it("goes registered → recruiting → enrolment closed → completed, emitting each change", async function () {
        const { registry, sponsor, registerTrial } = await loadFixture(deployTrialsFixture);
        const id = await registerTrial();
        const r = registry.connect(sponsor);
        await expect(r.startRecruitment(id))
          .to.emit(registry, "TrialStatusChanged")
          .withArgs(id, sponsor.address, S.Registered, S.Recruiting, ethers.ZeroHash, false);
        await expect(r.closeEnrolment(id))
          .to.emit(registry, "TrialStatusChanged")
          .withArgs(id, sponsor.address, S.Recruiting, S.EnrolmentClosed, ethers.ZeroHash, false);
        await expect(r.complete(id))
          .to.emit(registry, "TrialStatusChanged")
          .withArgs(id, sponsor.address, S.EnrolmentClosed, S.Completed, ethers.ZeroHash, false);
        expect((await registry.trial(id)).status).to.equal(S.Completed);
      });

      for (const [label, path, from] of [
        ["registered", [], S.Registered],
        ["recruiting", ["start"], S.Recruiting],
        ["enrolment closed", ["start", "close"], S.EnrolmentClosed],
      ] as const) {
        it(`suspends from ${label} and resumes back to it`, async function () {
          const { registry, sponsor, id, r } = await statusAfter([...path]);
          await expect(r.suspend(id, h("why")))
            .to.emit(registry, "TrialStatusChanged")
            .withArgs(id, sponsor.address, from, S.Suspended, h("why"), false);
          let t = await registry.trial(id);
          expect(t.status).to.equal(S.Suspended);
          expect(t.suspendedFrom).to.equal(from);
          expect(t.suspendedByRegulator).to.equal(false);
          await expect(r.resume(id))
            .to.emit(registry, "TrialStatusChanged")
            .withArgs(id, sponsor.address, S.Suspended, from, ethers.ZeroHash, false);
          t = await registry.trial(id);
          expect(t.status).to.equal(from);
          expect(t.suspendedFrom).to.equal(S.None);
        });

        it(`terminates from ${label}`, async function () {
          const { registry, sponsor, id, r } = await statusAfter([...path]);
          await expect(r.terminate(id, h("stop")))
            .to.emit(registry, "TrialStatusChanged")
            .withArgs(id, sponsor.address, from, S.Terminated, h("stop"), false);
          expect((await registry.trial(id)).status).to.equal(S.Terminated);
        });
      }

      it("terminates from suspended and clears the suspension", async function () {
        const { registry, sponsor, id, r } = await statusAfter(["start", "suspend"]);
        await expect(r.terminate(id, h("stop")))
          .to.emit(registry, "TrialStatusChanged")
          .withArgs(id, sponsor.address, S.Suspended, S.Terminated, h("stop"), false);
        const t = await registry.trial(id);
        expect(t.status).to.equal(S.Terminated);
        expect(t.suspendedFrom).to.equal(S.None);
      });
    });

    context("forbidden transitions", function () {
      const cases: { from: string; path: ("start" | "close" | "complete" | "suspend" | "terminate")[]; s: S }[] = [
        { from: "registered", path: [], s: S.Registered },
        { from: "recruiting", path: ["start"], s: S.Recruiting },
        { from: "enrolment closed", path: ["start", "close"], s: S.EnrolmentClosed },
        { from: "completed", path: ["start", "close", "complete"], s: S.Completed },
        { from: "suspended", path: ["start", "suspend"], s: S.Suspended },
        { from: "terminated", path: ["terminate"], s: S.Terminated },
      ];
      const moves = [
        { fn: "startRecruitment", to: S.Recruiting, ok: [S.Registered] },
        { fn: "closeEnrolment", to: S.EnrolmentClosed, ok: [S.Recruiting] },
        { fn: "complete", to: S.Completed, ok: [S.EnrolmentClosed] },
        { fn: "suspend", to: S.Suspended, ok: [S.Registered, S.Recruiting, S.EnrolmentClosed] },
        { fn: "terminate", to: S.Terminated, ok: [S.Registered, S.Recruiting, S.EnrolmentClosed, S.Suspended] },
      ] as const;
      for (const c of cases) {
        for (const m of moves) {
          if ((m.ok as readonly S[]).includes(c.s)) continue;
          it(`${m.fn} from ${c.from} reverts with TrialTransitionInvalid`, async function () {
            const { registry, id, r } = await statusAfter(c.path);
            const call =
              m.fn === "suspend" ? r.suspend(id, h("x")) : m.fn === "terminate" ? r.terminate(id, h("x")) : r[m.fn](id);
            await expect(call)
              .to.be.revertedWithCustomError(registry, "TrialTransitionInvalid")
              .withArgs(id, c.s, m.to);
            expect((await registry.trial(id)).status).to.equal(c.s);
          });
        }
      }
      it("resume when not suspended reverts with TrialTransitionInvalid", async function () {
        const { registry, id, r } = await statusAfter(["start"]);
        await expect(r.resume(id))
          .to.be.revertedWithCustomError(registry, "TrialTransitionInvalid")
          .withArgs(id, S.Recruiting, S.None);
      });
    });

    context("by someone other than the sponsor", function () {
      it("reverts with TrialCallerNotSponsor", async function () {
        const { registry, otherSponsor, id } = await statusAfter([]);
        const r = registry.connect(otherSponsor);
        for (const call of [
          r.startRecruitment(id),
          r.closeEnrolment(id),
          r.complete(id),
          r.suspend(id, h("x")),
          r.resume(id),
          r.terminate(id, h("x")),
        ]) {
          await expect(call)
            .to.be.revertedWithCustomError(registry, "TrialCallerNotSponsor")
            .withArgs(id, otherSponsor.address);
        }
      });
    });

    context("for an unknown trial", function () {
      it("reverts with TrialUnknown", async function () {
        const { registry, sponsor } = await loadFixture(deployTrialsFixture);
        await expect(registry.connect(sponsor).startRecruitment(7n))
          .to.be.revertedWithCustomError(registry, "TrialUnknown")
          .withArgs(7n);
      });
    });
  });

  describe("regulatorSuspend / regulatorResume", function () {
    context("by a REGULATOR", function () {
      it("places a hold the sponsor cannot lift, and lifts it", async function () {
        const { registry, regulator, sponsor, recruitingTrial } = await loadFixture(deployTrialsFixture);
        const id = await recruitingTrial();
        await expect(registry.connect(regulator).regulatorSuspend(id, h("safety")))
          .to.emit(registry, "TrialStatusChanged")
          .withArgs(id, regulator.address, S.Recruiting, S.Suspended, h("safety"), true);
        expect((await registry.trial(id)).suspendedByRegulator).to.equal(true);
        await expect(registry.connect(sponsor).resume(id))
          .to.be.revertedWithCustomError(registry, "TrialRegulatorHold")
          .withArgs(id);
        await expect(registry.connect(regulator).regulatorResume(id))
          .to.emit(registry, "TrialStatusChanged")
          .withArgs(id, regulator.address, S.Suspended, S.Recruiting, ethers.ZeroHash, false);
        const t = await registry.trial(id);
        expect(t.status).to.equal(S.Recruiting);
        expect(t.suspendedByRegulator).to.equal(false);
      });

      it("takes over a sponsor's suspension", async function () {
        const { registry, regulator, sponsor, recruitingTrial } = await loadFixture(deployTrialsFixture);
        const id = await recruitingTrial();
        await registry.connect(sponsor).suspend(id, h("pause"));
        await expect(registry.connect(regulator).regulatorSuspend(id, h("hold")))
          .to.emit(registry, "TrialStatusChanged")
          .withArgs(id, regulator.address, S.Suspended, S.Suspended, h("hold"), true);
        const t = await registry.trial(id);
        expect(t.suspendedByRegulator).to.equal(true);
        expect(t.suspendedFrom).to.equal(S.Recruiting);
        await expect(registry.connect(sponsor).resume(id)).to.be.revertedWithCustomError(
          registry,
          "TrialRegulatorHold",
        );
      });

      it("reverts on a second hold, a finished trial, an unknown trial, or resuming an active trial", async function () {
        const { registry, regulator, sponsor, recruitingTrial } = await loadFixture(deployTrialsFixture);
        const id = await recruitingTrial();
        await registry.connect(regulator).regulatorSuspend(id, h("hold"));
        await expect(registry.connect(regulator).regulatorSuspend(id, h("again")))
          .to.be.revertedWithCustomError(registry, "TrialTransitionInvalid")
          .withArgs(id, S.Suspended, S.Suspended);
        await registry.connect(regulator).regulatorResume(id);
        await registry.connect(sponsor).terminate(id, h("stop"));
        await expect(registry.connect(regulator).regulatorSuspend(id, h("late")))
          .to.be.revertedWithCustomError(registry, "TrialTransitionInvalid")
          .withArgs(id, S.Terminated, S.Suspended);
        await expect(registry.connect(regulator).regulatorResume(id))
          .to.be.revertedWithCustomError(registry, "TrialTransitionInvalid")
          .withArgs(id, S.Terminated, S.None);
        await expect(registry.connect(regulator).regulatorSuspend(9n, h("x")))
          .to.be.revertedWithCustomError(registry, "TrialUnknown")
          .withArgs(9n);
      });
    });

    // Before: under a regulator's hold the sponsor could still terminate the trial and then recover its budget.
    context("while the regulator's hold is on", function () {
      it("refuses the sponsor's terminate and recoverBudget with TrialRegulatorHold, until the hold is lifted", async function () {
        const { registry, token, regulator, sponsor, recruitingTrial } = await loadFixture(deployTrialsFixture);
        const id = await recruitingTrial();
        await registry.connect(regulator).regulatorSuspend(id, h("safety"));
        await expect(registry.connect(sponsor).terminate(id, h("walk away")))
          .to.be.revertedWithCustomError(registry, "TrialRegulatorHold")
          .withArgs(id);
        await expect(registry.connect(sponsor).recoverBudget(id))
          .to.be.revertedWithCustomError(registry, "TrialRegulatorHold")
          .withArgs(id);
        const t = await registry.trial(id);
        expect(t.status).to.equal(S.Suspended);
        expect(t.unallocated).to.equal(BUDGET);
        await registry.connect(regulator).regulatorResume(id);
        await registry.connect(sponsor).terminate(id, h("stop"));
        await expect(registry.connect(sponsor).recoverBudget(id)).to.changeTokenBalance(token, sponsor, BUDGET);
      });

      it("also refuses them once a regulator has taken over the sponsor's own suspension", async function () {
        const { registry, regulator, sponsor, recruitingTrial } = await loadFixture(deployTrialsFixture);
        const id = await recruitingTrial();
        await registry.connect(sponsor).suspend(id, h("pause"));
        await registry.connect(regulator).regulatorSuspend(id, h("hold"));
        await expect(registry.connect(sponsor).terminate(id, h("stop")))
          .to.be.revertedWithCustomError(registry, "TrialRegulatorHold")
          .withArgs(id);
      });
    });
  });

  describe("authorizeSite / revokeSite", function () {
    it("authorises an investigator and lets the sponsor revoke it", async function () {
      const { registry, sponsor, investigator, registerTrial } = await loadFixture(deployTrialsFixture);
      const id = await registerTrial();
      await expect(registry.connect(sponsor).authorizeSite(id, investigator.address))
        .to.emit(registry, "SiteAuthorized")
        .withArgs(id, investigator.address);
      expect(await registry.isSite(id, investigator.address)).to.equal(true);
      await expect(registry.connect(sponsor).revokeSite(id, investigator.address))
        .to.emit(registry, "SiteRevoked")
        .withArgs(id, investigator.address);
      expect(await registry.isSite(id, investigator.address)).to.equal(false);
    });

    it("reverts for an account without INVESTIGATOR, a duplicate, or a caller other than the sponsor", async function () {
      const { registry, sponsor, investigator, stranger, otherSponsor, registerTrial } =
        await loadFixture(deployTrialsFixture);
      const id = await registerTrial();
      await expect(registry.connect(sponsor).authorizeSite(id, stranger.address))
        .to.be.revertedWithCustomError(registry, "HealthLedgerRoleMissing")
        .withArgs(stranger.address, Roles.INVESTIGATOR);
      await registry.connect(sponsor).authorizeSite(id, investigator.address);
      await expect(registry.connect(sponsor).authorizeSite(id, investigator.address))
        .to.be.revertedWithCustomError(registry, "TrialSiteAlreadyAuthorized")
        .withArgs(id, investigator.address);
      await expect(registry.connect(otherSponsor).authorizeSite(id, investigator.address))
        .to.be.revertedWithCustomError(registry, "TrialCallerNotSponsor")
        .withArgs(id, otherSponsor.address);
    });

    it("refuses an investigator whose INVESTIGATOR membership has an execution delay", async function () {
      const { registry, authority, sponsor, investigator2, registerTrial } = await loadFixture(deployTrialsFixture);
      const id = await registerTrial();
      await authority.grantRole(Roles.INVESTIGATOR, investigator2.address, 600);
      await expect(registry.connect(sponsor).authorizeSite(id, investigator2.address))
        .to.be.revertedWithCustomError(registry, "HealthLedgerRoleDelayed")
        .withArgs(investigator2.address, Roles.INVESTIGATOR, 600);
    });

    it("revokes only an authorised site of a known trial, and only the sponsor may", async function () {
      const { registry, sponsor, investigator, stranger, registerTrial } = await loadFixture(deployTrialsFixture);
      const id = await registerTrial();
      await expect(registry.connect(sponsor).revokeSite(id, investigator.address))
        .to.be.revertedWithCustomError(registry, "TrialSiteNotAuthorized")
        .withArgs(id, investigator.address);
      await registry.connect(sponsor).authorizeSite(id, investigator.address);
      // Before: anyone could prune a site; now a site without INVESTIGATOR is inert, and only the sponsor revokes.
      await expect(registry.connect(stranger).revokeSite(id, investigator.address))
        .to.be.revertedWithCustomError(registry, "TrialCallerNotSponsor")
        .withArgs(id, stranger.address);
      await expect(registry.connect(sponsor).revokeSite(5n, investigator.address))
        .to.be.revertedWithCustomError(registry, "TrialUnknown")
        .withArgs(5n);
    });
  });

  // Before: a sponsor kept every power over its trials after the admin revoked SPONSOR, and an investigator kept
  // enrolling, recording visits and anchoring data after losing INVESTIGATOR until someone pruned its site.
  describe("after a role is revoked", function () {
    it("a former sponsor can no longer move, amend, fund or report its trial", async function () {
      const { registry, authority, sponsor, recruitingTrial } = await loadFixture(deployTrialsFixture);
      const id = await recruitingTrial();
      await authority.revokeRole(Roles.SPONSOR, sponsor.address);
      const r = registry.connect(sponsor);
      for (const call of [
        r.closeEnrolment(id),
        r.suspend(id, h("x")),
        r.terminate(id, h("x")),
        r.fundBudget(id, 1n),
        r.revokeSite(id, sponsor.address),
        r.amend(id, { protocolCommitment: h("p2"), reasonCommitment: h("r2"), consentFormVersion: 0, outcomes: [] }),
      ]) {
        await expect(call)
          .to.be.revertedWithCustomError(registry, "HealthLedgerRoleMissing")
          .withArgs(sponsor.address, Roles.SPONSOR);
      }
    });

    it("a former sponsor still recovers its own leftover budget of a finished trial (wind-down)", async function () {
      const { registry, authority, token, sponsor, otherSponsor, recruitingTrial } =
        await loadFixture(deployTrialsFixture);
      const id = await recruitingTrial();
      await registry.connect(sponsor).terminate(id, h("stop"));
      await authority.revokeRole(Roles.SPONSOR, sponsor.address);
      await expect(registry.connect(otherSponsor).recoverBudget(id))
        .to.be.revertedWithCustomError(registry, "TrialCallerNotSponsor")
        .withArgs(id, otherSponsor.address);
      await expect(registry.connect(sponsor).recoverBudget(id)).to.changeTokenBalance(token, sponsor, BUDGET);
    });

    it("a former investigator can no longer enrol, withdraw, record visits or anchor data on its sites", async function () {
      const { registry, authority, investigator, alice, bob, enrolledTrial, consent } =
        await loadFixture(deployTrialsFixture);
      const id = await enrolledTrial();
      await consent(bob.address, id);
      await authority.revokeRole(Roles.INVESTIGATOR, investigator.address);
      expect(await registry.isSite(id, investigator.address), "the authorisation stays, inert").to.equal(true);
      const r = registry.connect(investigator);
      for (const call of [
        r.enroll(id, bob.address, saltOf(bob.address, id), h("s")),
        r.withdrawParticipant(id, alice.address),
        r.recordVisit(id, alice.address, saltOf(alice.address, id)),
        r.anchorData(id, h("root"), 1, h("v")),
      ]) {
        await expect(call)
          .to.be.revertedWithCustomError(registry, "HealthLedgerRoleMissing")
          .withArgs(investigator.address, Roles.INVESTIGATOR);
      }
      await authority.grantRole(Roles.INVESTIGATOR, investigator.address, 0);
      await expect(
        r.recordVisit(id, alice.address, saltOf(alice.address, id)),
        "the site acts again with the role",
      ).to.emit(registry, "VisitRecorded");
    });
  });

  describe("amend", function () {
    const amendment = (over: Record<string, unknown> = {}) => ({
      protocolCommitment: h("protocol-v2"),
      reasonCommitment: h("reason-v2"),
      consentFormVersion: 0,
      outcomes: [] as { commitment: string; primary: boolean }[],
      ...over,
    });

    context("before enrolment", function () {
      it("appends a protocol version without touching consent form or outcomes", async function () {
        const { registry, sponsor, registerTrial } = await loadFixture(deployTrialsFixture);
        const id = await registerTrial();
        await expect(registry.connect(sponsor).amend(id, amendment()))
          .to.emit(registry, "TrialAmended")
          .withArgs(id, 2, h("protocol-v2"), h("reason-v2"), 1, false, false)
          .and.not.to.emit(registry, "OutcomeSetDeclared");
        const v2 = await registry.protocolVersion(id, 2);
        expect(v2.protocolCommitment).to.equal(h("protocol-v2"));
        expect(v2.reasonCommitment).to.equal(h("reason-v2"));
        expect(v2.amendedAt).to.equal(await time.latest());
        expect(v2.outcomesChanged).to.equal(false);
        expect((await registry.protocolVersion(id, 1)).protocolCommitment).to.equal(h("protocol-v1"));
        expect((await registry.trial(id)).protocolVersion).to.equal(2n);
      });

      it("changes consent form and outcomes without flagging a switch", async function () {
        const { registry, sponsor, registerTrial } = await loadFixture(deployTrialsFixture);
        const id = await registerTrial();
        const next = outcomes(3, "n");
        const tx = registry.connect(sponsor).amend(id, amendment({ consentFormVersion: 2, outcomes: next }));
        await expect(tx)
          .to.emit(registry, "TrialAmended")
          .withArgs(id, 2, h("protocol-v2"), h("reason-v2"), 2, true, true);
        await expect(tx).to.emit(registry, "OutcomeSetDeclared").withArgs(id, 2, outcomeSetHash(next), anyValue);
        await expect(tx).not.to.emit(registry, "OutcomesSwitchedAfterEnrolment");
        const t = await registry.trial(id);
        expect(t.consentFormVersion).to.equal(2n);
        expect(t.outcomeSetHash).to.equal(outcomeSetHash(next));
        expect(t.outcomeChangesAfterEnrolment).to.equal(0n);
      });
    });

    context("after the first enrolment", function () {
      it("flags every outcome change for ever", async function () {
        const { registry, sponsor, enrolledTrial } = await loadFixture(deployTrialsFixture);
        const id = await enrolledTrial();
        const before = outcomeSetHash(outcomes(4));
        const next = outcomes(4, "switched");
        await expect(registry.connect(sponsor).amend(id, amendment({ outcomes: next })))
          .to.emit(registry, "OutcomesSwitchedAfterEnrolment")
          .withArgs(id, 2, before, outcomeSetHash(next), 1, 1);
        const again = outcomes(2, "again");
        await expect(registry.connect(sponsor).amend(id, amendment({ protocolCommitment: h("p3"), outcomes: again })))
          .to.emit(registry, "OutcomesSwitchedAfterEnrolment")
          .withArgs(id, 3, outcomeSetHash(next), outcomeSetHash(again), 1, 2);
        expect((await registry.trial(id)).outcomeChangesAfterEnrolment).to.equal(2n);
      });
    });

    context("with bad input", function () {
      it("reverts with each named error, nothing changed", async function () {
        const { registry, sponsor, otherSponsor, registerTrial } = await loadFixture(deployTrialsFixture);
        const id = await registerTrial();
        const r = registry.connect(sponsor);
        await expect(r.amend(id, amendment({ protocolCommitment: ethers.ZeroHash })))
          .to.be.revertedWithCustomError(registry, "TrialCommitmentMissing")
          .withArgs(id, K.Protocol);
        await expect(r.amend(id, amendment({ reasonCommitment: ethers.ZeroHash })))
          .to.be.revertedWithCustomError(registry, "TrialCommitmentMissing")
          .withArgs(id, K.Reason);
        await expect(r.amend(id, amendment({ consentFormVersion: 1 })))
          .to.be.revertedWithCustomError(registry, "TrialConsentFormVersionInvalid")
          .withArgs(id, 1, 1);
        await expect(r.amend(id, amendment({ outcomes: outcomes(4) })))
          .to.be.revertedWithCustomError(registry, "TrialOutcomeSetUnchanged")
          .withArgs(id);
        await expect(r.amend(id, amendment({ outcomes: outcomes(17) })))
          .to.be.revertedWithCustomError(registry, "TrialOutcomeCountInvalid")
          .withArgs(id, 17n, 16n);
        await expect(registry.connect(otherSponsor).amend(id, amendment()))
          .to.be.revertedWithCustomError(registry, "TrialCallerNotSponsor")
          .withArgs(id, otherSponsor.address);
        await r.terminate(id, h("stop"));
        await expect(r.amend(id, amendment()))
          .to.be.revertedWithCustomError(registry, "TrialFinished")
          .withArgs(id, S.Terminated);
        expect((await registry.trial(id)).protocolVersion).to.equal(1n);
      });
    });
  });

  describe("enroll", function () {
    context("with consent in force", function () {
      it("enrols the participant and emits ParticipantEnrolled", async function () {
        const { registry, investigator, alice, recruitingTrial, consent } = await loadFixture(deployTrialsFixture);
        const id = await recruitingTrial();
        await consent(alice.address, id);
        await expect(registry.connect(investigator).enroll(id, alice.address, saltOf(alice.address, id), h("subject")))
          .to.emit(registry, "ParticipantEnrolled")
          .withArgs(id, alice.address, investigator.address, h("subject"), 1, 1);
        const p = await registry.participant(id, alice.address);
        expect(p.status).to.equal(P.Enrolled);
        expect(p.enrolledAt).to.equal(await time.latest());
        expect((await registry.trial(id)).enrolled).to.equal(1n);
      });
    });

    context("without the right consent", function () {
      it("refuses a participant with no consent", async function () {
        const { registry, investigator, bob, recruitingTrial } = await loadFixture(deployTrialsFixture);
        const id = await recruitingTrial();
        await expect(registry.connect(investigator).enroll(id, bob.address, saltOf(bob.address, id), h("s")))
          .to.be.revertedWithCustomError(registry, "TrialConsentMissing")
          .withArgs(id, bob.address, 1);
      });
      it("refuses consent given for another trial", async function () {
        const { registry, investigator, bob, recruitingTrial, consent } = await loadFixture(deployTrialsFixture);
        const first = await recruitingTrial();
        const second = await recruitingTrial();
        await consent(bob.address, first);
        await expect(registry.connect(investigator).enroll(second, bob.address, saltOf(bob.address, second), h("s")))
          .to.be.revertedWithCustomError(registry, "TrialConsentMissing")
          .withArgs(second, bob.address, 1);
      });
      it("refuses an expired consent", async function () {
        const { registry, investigator, bob, recruitingTrial, consent } = await loadFixture(deployTrialsFixture);
        const id = await recruitingTrial();
        await consent(bob.address, id, 1n, CATEGORIES, BigInt(await time.latest()) + 60n);
        await time.increase(61);
        await expect(registry.connect(investigator).enroll(id, bob.address, saltOf(bob.address, id), h("s")))
          .to.be.revertedWithCustomError(registry, "TrialConsentMissing")
          .withArgs(id, bob.address, 1);
      });
      it("refuses a revoked consent", async function () {
        const { registry, investigator, bob, recruitingTrial, consent, revokeConsent } =
          await loadFixture(deployTrialsFixture);
        const id = await recruitingTrial();
        await consent(bob.address, id);
        await revokeConsent(bob.address, id);
        await expect(registry.connect(investigator).enroll(id, bob.address, saltOf(bob.address, id), h("s")))
          .to.be.revertedWithCustomError(registry, "TrialConsentMissing")
          .withArgs(id, bob.address, 1);
      });
      it("refuses a consent granted to the sponsor instead of the registry", async function () {
        const { registry, investigator, sponsor, bob, recruitingTrial, consent } =
          await loadFixture(deployTrialsFixture);
        const id = await recruitingTrial();
        await consent(bob.address, id, 1n, CATEGORIES, undefined, sponsor.address);
        await expect(registry.connect(investigator).enroll(id, bob.address, saltOf(bob.address, id), h("s")))
          .to.be.revertedWithCustomError(registry, "TrialConsentMissing")
          .withArgs(id, bob.address, 1);
      });
      it("refuses consent that does not cover every required category", async function () {
        const { registry, investigator, bob, recruitingTrial, consent } = await loadFixture(deployTrialsFixture);
        const id = await recruitingTrial();
        await consent(bob.address, id, 1n, CATEGORIES & ~(1n << 4n));
        await expect(registry.connect(investigator).enroll(id, bob.address, saltOf(bob.address, id), h("s")))
          .to.be.revertedWithCustomError(registry, "TrialConsentMissing")
          .withArgs(id, bob.address, 1);
      });
      it("finds no consent under a wrong salt (another secret, another trial's secret, another person's)", async function () {
        const { registry, investigator, alice, bob, recruitingTrial, consent } = await loadFixture(deployTrialsFixture);
        const id = await recruitingTrial();
        const other = await recruitingTrial();
        await consent(bob.address, id);
        for (const wrong of [h("not her secret"), saltOf(bob.address, other), saltOf(alice.address, id)]) {
          await expect(registry.connect(investigator).enroll(id, bob.address, wrong, h("s")))
            .to.be.revertedWithCustomError(registry, "TrialConsentMissing")
            .withArgs(id, bob.address, 1);
        }
        await expect(registry.connect(investigator).enroll(id, bob.address, saltOf(bob.address, id), h("s"))).to.emit(
          registry,
          "ParticipantEnrolled",
        );
      });

      // Before: the purpose was keccak256(abi.encode(RESEARCH, trialId, version)), brute-forced over small integers.
      it("refuses a zero salt with TrialConsentSaltMissing, even when a consent exists under the unsalted-like purpose", async function () {
        const { registry, consentRegistry, investigator, bob, recruitingTrial } =
          await loadFixture(deployTrialsFixture);
        const id = await recruitingTrial();
        const guessable = ethers.keccak256(
          ethers.AbiCoder.defaultAbiCoder().encode(
            ["bytes32", "uint256", "uint32", "bytes32"],
            [ethers.id("health-ledger.purpose.research"), id, 1, ethers.ZeroHash],
          ),
        );
        await consentRegistry
          .connect(bob)
          .grant(bob.address, await registry.getAddress(), guessable, CATEGORIES, 0, 2n ** 40n - 1n, h("form"));
        await expect(registry.connect(investigator).enroll(id, bob.address, ethers.ZeroHash, h("s")))
          .to.be.revertedWithCustomError(registry, "TrialConsentSaltMissing")
          .withArgs(id, bob.address);
        expect((await registry.participant(id, bob.address)).status).to.equal(P.None);
      });

      it("refuses consent to an older consent-form version", async function () {
        const { registry, sponsor, investigator, bob, recruitingTrial, consent } =
          await loadFixture(deployTrialsFixture);
        const id = await recruitingTrial();
        await consent(bob.address, id, 1n);
        await registry.connect(sponsor).amend(id, {
          protocolCommitment: h("p2"),
          reasonCommitment: h("r2"),
          consentFormVersion: 2,
          outcomes: [],
        });
        await expect(registry.connect(investigator).enroll(id, bob.address, saltOf(bob.address, id), h("s")))
          .to.be.revertedWithCustomError(registry, "TrialConsentMissing")
          .withArgs(id, bob.address, 2);
        await consent(bob.address, id, 2n);
        await expect(registry.connect(investigator).enroll(id, bob.address, saltOf(bob.address, id), h("s")))
          .to.emit(registry, "ParticipantEnrolled")
          .withArgs(id, bob.address, investigator.address, h("s"), 2, 1);
      });
    });

    context("with bad state or input", function () {
      it("reverts with each named error, nothing changed", async function () {
        const {
          registry,
          sponsor,
          investigator,
          investigator2,
          alice,
          bob,
          carol,
          stranger,
          recruitingTrial,
          consent,
        } = await loadFixture(deployTrialsFixture);
        const id = await recruitingTrial({ targetEnrolment: 2 });
        for (const p of [alice, bob, carol, stranger]) await consent(p.address, id);
        const r = registry.connect(investigator);
        await expect(registry.connect(investigator2).enroll(id, alice.address, saltOf(alice.address, id), h("s")))
          .to.be.revertedWithCustomError(registry, "TrialSiteNotAuthorized")
          .withArgs(id, investigator2.address);
        await r.enroll(id, alice.address, saltOf(alice.address, id), h("s"));
        await expect(r.enroll(id, alice.address, saltOf(alice.address, id), h("s")))
          .to.be.revertedWithCustomError(registry, "TrialParticipantAlreadyEnrolled")
          .withArgs(id, alice.address, P.Enrolled);
        await r.enroll(id, bob.address, saltOf(bob.address, id), h("s"));
        await expect(r.enroll(id, carol.address, saltOf(carol.address, id), h("s")))
          .to.be.revertedWithCustomError(registry, "TrialEnrolmentFull")
          .withArgs(id, 2);
        await registry.connect(alice).withdraw(id);
        await expect(r.enroll(id, alice.address, saltOf(alice.address, id), h("s")))
          .to.be.revertedWithCustomError(registry, "TrialParticipantAlreadyEnrolled")
          .withArgs(id, alice.address, P.Withdrawn);
        await expect(
          r.enroll(id, carol.address, saltOf(carol.address, id), h("s")),
          "withdrawal frees no place",
        ).to.be.revertedWithCustomError(registry, "TrialEnrolmentFull");
        await registry.connect(sponsor).closeEnrolment(id);
        await expect(r.enroll(id, carol.address, saltOf(carol.address, id), h("s")))
          .to.be.revertedWithCustomError(registry, "TrialNotRecruiting")
          .withArgs(id, S.EnrolmentClosed);
        await expect(r.enroll(99n, carol.address, saltOf(carol.address, 99n), h("s")))
          .to.be.revertedWithCustomError(registry, "TrialUnknown")
          .withArgs(99n);
        expect((await registry.trial(id)).enrolled).to.equal(2n);
      });
    });
  });

  describe("withdraw / withdrawParticipant", function () {
    it("lets the participant withdraw, finally", async function () {
      const { registry, alice, enrolledTrial } = await loadFixture(deployTrialsFixture);
      const id = await enrolledTrial();
      await expect(registry.connect(alice).withdraw(id))
        .to.emit(registry, "ParticipantWithdrawn")
        .withArgs(id, alice.address, alice.address);
      const p = await registry.participant(id, alice.address);
      expect(p.status).to.equal(P.Withdrawn);
      expect(p.withdrawnAt).to.equal(await time.latest());
      expect((await registry.trial(id)).withdrawn).to.equal(1n);
      await expect(registry.connect(alice).withdraw(id))
        .to.be.revertedWithCustomError(registry, "TrialParticipantNotEnrolled")
        .withArgs(id, alice.address);
    });

    it("lets an authorised site withdraw a participant, and no one else", async function () {
      const { registry, investigator, investigator2, alice, bob, enrolledTrial } =
        await loadFixture(deployTrialsFixture);
      const id = await enrolledTrial();
      await expect(registry.connect(investigator2).withdrawParticipant(id, alice.address))
        .to.be.revertedWithCustomError(registry, "TrialSiteNotAuthorized")
        .withArgs(id, investigator2.address);
      await expect(registry.connect(investigator).withdrawParticipant(id, bob.address))
        .to.be.revertedWithCustomError(registry, "TrialParticipantNotEnrolled")
        .withArgs(id, bob.address);
      await expect(registry.connect(investigator).withdrawParticipant(id, alice.address))
        .to.emit(registry, "ParticipantWithdrawn")
        .withArgs(id, alice.address, investigator.address);
      await expect(registry.connect(alice).withdraw(42n))
        .to.be.revertedWithCustomError(registry, "TrialUnknown")
        .withArgs(42n);
    });
  });

  describe("recordVisit", function () {
    context("with consent in force and budget", function () {
      it("counts the visit and accrues the stipend from the unallocated budget", async function () {
        const { registry, investigator, alice, enrolledTrial } = await loadFixture(deployTrialsFixture);
        const id = await enrolledTrial();
        await expect(registry.connect(investigator).recordVisit(id, alice.address, saltOf(alice.address, id)))
          .to.emit(registry, "VisitRecorded")
          .withArgs(id, alice.address, investigator.address, 1, STIPEND);
        const p = await registry.participant(id, alice.address);
        expect(p.visits).to.equal(1n);
        expect(p.accrued).to.equal(STIPEND);
        const t = await registry.trial(id);
        expect(t.unallocated).to.equal(BUDGET - STIPEND);
        expect(t.outstanding).to.equal(STIPEND);
      });

      it("records visits without stipend in a trial that pays none", async function () {
        const { registry, investigator, alice, enrolledTrial } = await loadFixture(deployTrialsFixture);
        const id = await enrolledTrial({ stipendToken: ethers.ZeroAddress, stipendPerVisit: 0n });
        await expect(registry.connect(investigator).recordVisit(id, alice.address, saltOf(alice.address, id)))
          .to.emit(registry, "VisitRecorded")
          .withArgs(id, alice.address, investigator.address, 1, 0);
      });
    });

    context("under a salt other than the one she consented with", function () {
      it("finds no consent (TrialConsentMissing), nothing changed", async function () {
        const { registry, investigator, alice, enrolledTrial } = await loadFixture(deployTrialsFixture);
        const id = await enrolledTrial();
        for (const wrong of [h("wrong"), ethers.ZeroHash]) {
          await expect(registry.connect(investigator).recordVisit(id, alice.address, wrong))
            .to.be.revertedWithCustomError(registry, "TrialConsentMissing")
            .withArgs(id, alice.address, 1);
        }
        expect((await registry.participant(id, alice.address)).visits).to.equal(0n);
      });
    });

    context("after a consent-form change", function () {
      it("refuses visits until the participant re-consents", async function () {
        const { registry, sponsor, investigator, alice, enrolledTrial, consent } =
          await loadFixture(deployTrialsFixture);
        const id = await enrolledTrial();
        await registry.connect(sponsor).amend(id, {
          protocolCommitment: h("p2"),
          reasonCommitment: h("r2"),
          consentFormVersion: 2,
          outcomes: [],
        });
        await expect(registry.connect(investigator).recordVisit(id, alice.address, saltOf(alice.address, id)))
          .to.be.revertedWithCustomError(registry, "TrialConsentMissing")
          .withArgs(id, alice.address, 2);
        await consent(alice.address, id, 2n);
        await expect(registry.connect(investigator).recordVisit(id, alice.address, saltOf(alice.address, id))).to.emit(
          registry,
          "VisitRecorded",
        );
      });
    });

    context("with bad state or input", function () {
      it("reverts with each named error, nothing changed", async function () {
        const { registry, sponsor, investigator, investigator2, alice, bob, revokeConsent, enrolledTrial } =
          await loadFixture(deployTrialsFixture);
        const id = await enrolledTrial();
        const r = registry.connect(investigator);
        await expect(registry.connect(investigator2).recordVisit(id, alice.address, saltOf(alice.address, id)))
          .to.be.revertedWithCustomError(registry, "TrialSiteNotAuthorized")
          .withArgs(id, investigator2.address);
        await expect(r.recordVisit(id, bob.address, saltOf(bob.address, id)))
          .to.be.revertedWithCustomError(registry, "TrialParticipantNotEnrolled")
          .withArgs(id, bob.address);
        await revokeConsent(alice.address, id);
        await expect(r.recordVisit(id, alice.address, saltOf(alice.address, id)))
          .to.be.revertedWithCustomError(registry, "TrialConsentMissing")
          .withArgs(id, alice.address, 1);
        await registry.connect(sponsor).suspend(id, h("pause"));
        await expect(r.recordVisit(id, alice.address, saltOf(alice.address, id)))
          .to.be.revertedWithCustomError(registry, "TrialNotActive")
          .withArgs(id, S.Suspended);
        await expect(r.recordVisit(77n, alice.address, saltOf(alice.address, 77n)))
          .to.be.revertedWithCustomError(registry, "TrialUnknown")
          .withArgs(77n);
        expect((await registry.participant(id, alice.address)).visits).to.equal(0n);
      });

      it("never over-commits the budget", async function () {
        const { registry, sponsor, investigator, alice, registerTrial, consent } =
          await loadFixture(deployTrialsFixture);
        const id = await registerTrial();
        await registry.connect(sponsor).authorizeSite(id, investigator.address);
        await registry.connect(sponsor).fundBudget(id, STIPEND + STIPEND / 2n);
        await registry.connect(sponsor).startRecruitment(id);
        await consent(alice.address, id);
        await registry.connect(investigator).enroll(id, alice.address, saltOf(alice.address, id), h("s"));
        await registry.connect(investigator).recordVisit(id, alice.address, saltOf(alice.address, id));
        await expect(registry.connect(investigator).recordVisit(id, alice.address, saltOf(alice.address, id)))
          .to.be.revertedWithCustomError(registry, "TrialBudgetExhausted")
          .withArgs(id, STIPEND, STIPEND / 2n);
      });
    });
  });

  describe("anchorData", function () {
    it("anchors a dataset once, append-only", async function () {
      const { registry, investigator, sponsor, enrolledTrial } = await loadFixture(deployTrialsFixture);
      const id = await enrolledTrial();
      await expect(registry.connect(investigator).anchorData(id, h("root"), 12, h("week-4")))
        .to.emit(registry, "DataAnchored")
        .withArgs(id, h("root"), investigator.address, 12, h("week-4"));
      const d = await registry.dataset(id, h("root"));
      expect(d.investigator).to.equal(investigator.address);
      expect(d.recordCount).to.equal(12n);
      expect(d.anchoredAt).to.equal(await time.latest());
      await expect(registry.connect(investigator).anchorData(id, h("root"), 13, h("week-4")))
        .to.be.revertedWithCustomError(registry, "TrialDatasetAlreadyAnchored")
        .withArgs(id, h("root"));
      await registry.connect(sponsor).closeEnrolment(id);
      await expect(registry.connect(investigator).anchorData(id, h("root2"), 1, h("week-8"))).to.emit(
        registry,
        "DataAnchored",
      );
    });

    it("reverts with each named error", async function () {
      const { registry, investigator, investigator2, sponsor, enrolledTrial } = await loadFixture(deployTrialsFixture);
      const id = await enrolledTrial();
      const r = registry.connect(investigator);
      await expect(registry.connect(investigator2).anchorData(id, h("root"), 1, h("v")))
        .to.be.revertedWithCustomError(registry, "TrialSiteNotAuthorized")
        .withArgs(id, investigator2.address);
      await expect(r.anchorData(id, ethers.ZeroHash, 1, h("v")))
        .to.be.revertedWithCustomError(registry, "TrialCommitmentMissing")
        .withArgs(id, K.Dataset);
      await expect(r.anchorData(id, h("root"), 0, h("v")))
        .to.be.revertedWithCustomError(registry, "TrialDatasetEmpty")
        .withArgs(id);
      await expect(r.anchorData(55n, h("root"), 1, h("v")), "no trial, so no site")
        .to.be.revertedWithCustomError(registry, "TrialSiteNotAuthorized")
        .withArgs(55n, investigator.address);
      await registry.connect(sponsor).revokeSite(id, investigator.address);
      await expect(r.anchorData(id, h("root"), 1, h("v")))
        .to.be.revertedWithCustomError(registry, "TrialSiteNotAuthorized")
        .withArgs(id, investigator.address);
      expect((await registry.dataset(id, h("root"))).anchoredAt).to.equal(0n);
    });

    // A changed rule, not a finding: anchoring no longer reads the trial's status (see docs/trials.md, Gas).
    it("anchors in any status, the final data lock after completion or termination included", async function () {
      const { registry, investigator, sponsor, regulator, enrolledTrial } = await loadFixture(deployTrialsFixture);
      const id = await enrolledTrial();
      const r = registry.connect(investigator);
      await registry.connect(regulator).regulatorSuspend(id, h("hold"));
      await expect(r.anchorData(id, h("safety-data"), 4, h("hold"))).to.emit(registry, "DataAnchored");
      await registry.connect(regulator).regulatorResume(id);
      await registry.connect(sponsor).terminate(id, h("stop"));
      await expect(r.anchorData(id, h("final-lock"), 40, h("lock")))
        .to.emit(registry, "DataAnchored")
        .withArgs(id, h("final-lock"), investigator.address, 40, h("lock"));
    });
  });

  describe("fundBudget / claimStipend / recoverBudget", function () {
    it("funds, pays the participant what accrued, and returns the rest after completion", async function () {
      const { registry, token, sponsor, investigator, alice, enrolledTrial } = await loadFixture(deployTrialsFixture);
      const id = await enrolledTrial();
      await expect(registry.connect(sponsor).fundBudget(id, 100n))
        .to.emit(registry, "BudgetFunded")
        .withArgs(id, sponsor.address, 100n, 100n);
      expect(await registry.liabilities(token)).to.equal(BUDGET + 100n);
      await registry.connect(investigator).recordVisit(id, alice.address, saltOf(alice.address, id));
      await registry.connect(investigator).recordVisit(id, alice.address, saltOf(alice.address, id));
      const claim = registry.connect(alice).claimStipend(id, alice.address);
      await expect(claim)
        .to.emit(registry, "StipendClaimed")
        .withArgs(id, alice.address, alice.address, 2n * STIPEND, 2n * STIPEND);
      await expect(claim).to.changeTokenBalances(token, [alice, registry], [2n * STIPEND, -2n * STIPEND]);
      expect((await registry.participant(id, alice.address)).accrued).to.equal(0n);
      expect((await registry.trial(id)).outstanding).to.equal(0n);
      await expect(registry.connect(alice).claimStipend(id, alice.address))
        .to.be.revertedWithCustomError(registry, "TrialStipendNotAccrued")
        .withArgs(id, alice.address);
      await expect(registry.connect(sponsor).recoverBudget(id))
        .to.be.revertedWithCustomError(registry, "TrialNotFinished")
        .withArgs(id, S.Recruiting);
      await registry.connect(sponsor).closeEnrolment(id);
      await registry.connect(sponsor).complete(id);
      const rest = BUDGET + 100n - 2n * STIPEND;
      const recover = registry.connect(sponsor).recoverBudget(id);
      await expect(recover).to.emit(registry, "BudgetRecovered").withArgs(id, sponsor.address, rest, rest);
      await expect(recover).to.changeTokenBalances(token, [sponsor, registry], [rest, -rest]);
      expect(await registry.liabilities(token)).to.equal(0n);
      await expect(registry.connect(sponsor).recoverBudget(id))
        .to.be.revertedWithCustomError(registry, "TrialBudgetEmpty")
        .withArgs(id);
      await expect(registry.connect(sponsor).fundBudget(id, 1n))
        .to.be.revertedWithCustomError(registry, "TrialFinished")
        .withArgs(id, S.Completed);
    });

    it("pays the account the participant names, which the event shows", async function () {
      const { registry, token, investigator, alice, carol, enrolledTrial } = await loadFixture(deployTrialsFixture);
      const id = await enrolledTrial();
      await registry.connect(investigator).recordVisit(id, alice.address, saltOf(alice.address, id));
      const claim = registry.connect(alice).claimStipend(id, carol.address);
      await expect(claim)
        .to.emit(registry, "StipendClaimed")
        .withArgs(id, alice.address, carol.address, STIPEND, STIPEND);
      await expect(claim).to.changeTokenBalances(token, [alice, carol, registry], [0n, STIPEND, -STIPEND]);
      expect((await registry.participant(id, alice.address)).accrued).to.equal(0n);
    });

    it("refuses a claim to the zero address with TrialStipendRecipientMissing, nothing paid", async function () {
      const { registry, investigator, alice, enrolledTrial } = await loadFixture(deployTrialsFixture);
      const id = await enrolledTrial();
      await registry.connect(investigator).recordVisit(id, alice.address, saltOf(alice.address, id));
      await expect(registry.connect(alice).claimStipend(id, ethers.ZeroAddress))
        .to.be.revertedWithCustomError(registry, "TrialStipendRecipientMissing")
        .withArgs(id);
      expect((await registry.participant(id, alice.address)).accrued).to.equal(STIPEND);
    });

    it("keeps accrued stipends claimable after withdrawal and after recovery", async function () {
      const { registry, token, sponsor, investigator, alice, enrolledTrial } = await loadFixture(deployTrialsFixture);
      const id = await enrolledTrial();
      await registry.connect(investigator).recordVisit(id, alice.address, saltOf(alice.address, id));
      await registry.connect(alice).withdraw(id);
      await registry.connect(sponsor).terminate(id, h("stop"));
      await registry.connect(sponsor).recoverBudget(id);
      await expect(registry.connect(alice).claimStipend(id, alice.address)).to.changeTokenBalance(
        token,
        alice,
        STIPEND,
      );
      expect(await token.balanceOf(await registry.getAddress())).to.equal(0n);
    });

    it("reverts funding a trial without stipends, a zero amount, or by someone else", async function () {
      const { registry, sponsor, otherSponsor, registerTrial, alice } = await loadFixture(deployTrialsFixture);
      const none = await registerTrial({ stipendToken: ethers.ZeroAddress, stipendPerVisit: 0n });
      await expect(registry.connect(sponsor).fundBudget(none, 1n))
        .to.be.revertedWithCustomError(registry, "TrialStipendNotConfigured")
        .withArgs(none);
      const id = await registerTrial();
      await expect(registry.connect(sponsor).fundBudget(id, 0n))
        .to.be.revertedWithCustomError(registry, "TrialFundingZero")
        .withArgs(id);
      await expect(registry.connect(otherSponsor).fundBudget(id, 1n))
        .to.be.revertedWithCustomError(registry, "TrialCallerNotSponsor")
        .withArgs(id, otherSponsor.address);
      await expect(registry.connect(otherSponsor).recoverBudget(id))
        .to.be.revertedWithCustomError(registry, "TrialCallerNotSponsor")
        .withArgs(id, otherSponsor.address);
      await expect(registry.connect(alice).claimStipend(3n, alice.address))
        .to.be.revertedWithCustomError(registry, "TrialUnknown")
        .withArgs(3n);
    });
  });

  describe("postResults", function () {
    it("stores the results and reports no gap when every pre-specified outcome is reported", async function () {
      const { registry, id, r } = await completedTrial();
      const reported = outcomes(4).map((o) => o.commitment);
      const tx = r.postResults(id, h("results"), outcomes(4), reported);
      await expect(tx).to.emit(registry, "ResultsPosted").withArgs(id, h("results"), reported);
      await expect(tx).not.to.emit(registry, "PrespecifiedOutcomeNotReported");
      await expect(tx).not.to.emit(registry, "UnregisteredOutcomeReported");
      const t = await registry.trial(id);
      expect(t.resultsCommitment).to.equal(h("results"));
      expect(t.resultsPostedAt).to.equal(await time.latest());
    });

    it("emits every pre-specified outcome not reported and every reported one never pre-specified", async function () {
      const { registry, id, r } = await completedTrial();
      const reported = [h("o1"), h("new-outcome"), h("o3")];
      const tx = r.postResults(id, h("results"), outcomes(4), reported);
      await expect(tx).to.emit(registry, "PrespecifiedOutcomeNotReported").withArgs(id, h("o0"), true);
      await expect(tx).to.emit(registry, "PrespecifiedOutcomeNotReported").withArgs(id, h("o2"), false);
      await expect(tx).to.emit(registry, "UnregisteredOutcomeReported").withArgs(id, h("new-outcome"));
      const receipt = await (await tx).wait();
      const names = receipt!.logs.map((l) => registry.interface.parseLog(l)?.name);
      expect(names.filter((n) => n === "PrespecifiedOutcomeNotReported")).to.have.length(2);
      expect(names.filter((n) => n === "UnregisteredOutcomeReported")).to.have.length(1);
    });

    it("accepts results of a terminated trial", async function () {
      const { registry, sponsor, registerTrial } = await loadFixture(deployTrialsFixture);
      const id = await registerTrial();
      await registry.connect(sponsor).terminate(id, h("stop"));
      await expect(registry.connect(sponsor).postResults(id, h("results"), outcomes(4), [])).to.emit(
        registry,
        "ResultsPosted",
      );
    });

    it("reverts with each named error, nothing changed", async function () {
      const { registry, id, r, otherSponsor, sponsor, registerTrial } = await completedTrial();
      await expect(r.postResults(id, ethers.ZeroHash, outcomes(4), []))
        .to.be.revertedWithCustomError(registry, "TrialCommitmentMissing")
        .withArgs(id, K.Results);
      await expect(r.postResults(id, h("res"), outcomes(3), []))
        .to.be.revertedWithCustomError(registry, "TrialOutcomeSetMismatch")
        .withArgs(id, outcomeSetHash(outcomes(3)), outcomeSetHash(outcomes(4)));
      const many = outcomes(17, "r").map((o) => o.commitment);
      await expect(r.postResults(id, h("res"), outcomes(4), many))
        .to.be.revertedWithCustomError(registry, "TrialOutcomeCountInvalid")
        .withArgs(id, 17n, 16n);
      await expect(r.postResults(id, h("res"), outcomes(4), [h("o0"), ethers.ZeroHash]))
        .to.be.revertedWithCustomError(registry, "TrialCommitmentMissing")
        .withArgs(id, K.Outcome);
      await expect(r.postResults(id, h("res"), outcomes(4), [h("o0"), h("o0")]))
        .to.be.revertedWithCustomError(registry, "TrialOutcomeDuplicate")
        .withArgs(id, h("o0"));
      await expect(registry.connect(otherSponsor).postResults(id, h("res"), outcomes(4), []))
        .to.be.revertedWithCustomError(registry, "TrialCallerNotSponsor")
        .withArgs(id, otherSponsor.address);
      expect((await registry.trial(id)).resultsPostedAt).to.equal(0n);
      await r.postResults(id, h("res"), outcomes(4), []);
      await expect(r.postResults(id, h("res2"), outcomes(4), []))
        .to.be.revertedWithCustomError(registry, "TrialResultsAlreadyPosted")
        .withArgs(id);
      const open = await registerTrial();
      await expect(registry.connect(sponsor).postResults(open, h("res"), outcomes(4), []))
        .to.be.revertedWithCustomError(registry, "TrialNotFinished")
        .withArgs(open, S.Registered);
    });
  });
});

// ---------------------------------------------------------------- access control (walks the permission table)

type TrialsFixture = Awaited<ReturnType<typeof deployTrialsFixture>>;
/** The trials fixture of the walk below, kept so that each call can reach its contracts and accounts. */
let f: TrialsFixture;
/** Trial id set by a call's `prepare` for its `send`. */
let trialId: bigint;

async function restrictedFixture() {
  f = await deployTrialsFixture();
  return { authority: f.authority, target: f.registry };
}

type Step = "start" | "close" | "complete" | "suspend";

/** `subject` (holding SPONSOR) registers a trial and takes it through `path`. */
async function subjectTrial(subject: HardhatEthersSigner, path: readonly Step[] = []): Promise<bigint> {
  const r = f.registry.connect(subject);
  await r.register(f.registration());
  const id = await f.registry.trialCount();
  for (const step of path) {
    if (step === "start") await r.startRecruitment(id);
    if (step === "close") await r.closeEnrolment(id);
    if (step === "complete") await r.complete(id);
    if (step === "suspend") await r.suspend(id, h("pause"));
  }
  return id;
}

/** A sponsor function: `subject` is the trial's sponsor, whose SPONSOR role the walk revokes or delays. */
function asSponsor(
  path: readonly Step[],
  send: (r: TrialRegistry, id: bigint) => Promise<ContractTransactionResponse>,
  more?: (subject: HardhatEthersSigner, id: bigint) => Promise<unknown>,
): RestrictedCall {
  return {
    prepare: async (subject) => {
      trialId = await subjectTrial(subject, path);
      if (more) await more(subject, trialId);
    },
    send: (subject) => send(f.registry.connect(subject), trialId),
  };
}

/** A site function: `subject` is an authorised site (of a recruiting trial), whose INVESTIGATOR the walk revokes. */
function asSite(
  enrolAlice: boolean,
  send: (r: TrialRegistry, id: bigint) => Promise<ContractTransactionResponse>,
): RestrictedCall {
  return {
    prepare: async (subject) => {
      trialId = await f.recruitingTrial();
      await f.registry.connect(f.sponsor).authorizeSite(trialId, subject.address);
      await f.consent(f.alice.address, trialId);
      if (enrolAlice)
        await f.registry
          .connect(subject)
          .enroll(trialId, f.alice.address, saltOf(f.alice.address, trialId), h("subject"));
    },
    send: (subject) => send(f.registry.connect(subject), trialId),
  };
}

/** `authorizeSite` checks two roles: SPONSOR of the caller and INVESTIGATOR of the site it names. */
let authorize: (subject: HardhatEthersSigner) => Promise<ContractTransactionResponse>;

shouldBehaveLikeRestricted("TrialRegistry", restrictedFixture, {
  "register((bytes32,bytes32,bytes32,uint32,uint32,uint32,address,uint96,(bytes32,bool)[]))": {
    send: (subject) => f.registry.connect(subject).register(f.registration()),
  },
  "regulatorSuspend(uint256,bytes32)": {
    prepare: async () => (trialId = await f.recruitingTrial()),
    send: (subject) => f.registry.connect(subject).regulatorSuspend(trialId, h("hold")),
  },
  "regulatorResume(uint256)": {
    prepare: async (subject) => {
      trialId = await f.recruitingTrial();
      await f.registry.connect(subject).regulatorSuspend(trialId, h("hold"));
    },
    send: (subject) => f.registry.connect(subject).regulatorResume(trialId),
  },
  "recordEthicsApproval(uint256,bytes32)": asSponsor([], (r, id) => r.recordEthicsApproval(id, h("approval-2"))),
  "startRecruitment(uint256)": asSponsor([], (r, id) => r.startRecruitment(id)),
  "closeEnrolment(uint256)": asSponsor(["start"], (r, id) => r.closeEnrolment(id)),
  "complete(uint256)": asSponsor(["start", "close"], (r, id) => r.complete(id)),
  "suspend(uint256,bytes32)": asSponsor([], (r, id) => r.suspend(id, h("pause"))),
  "resume(uint256)": asSponsor(["suspend"], (r, id) => r.resume(id)),
  "terminate(uint256,bytes32)": asSponsor([], (r, id) => r.terminate(id, h("stop"))),
  "revokeSite(uint256,address)": asSponsor(
    [],
    (r, id) => r.revokeSite(id, f.investigator.address),
    (subject, id) => f.registry.connect(subject).authorizeSite(id, f.investigator.address),
  ),
  "amend(uint256,(bytes32,bytes32,uint32,(bytes32,bool)[]))": asSponsor([], (r, id) =>
    r.amend(id, { protocolCommitment: h("p2"), reasonCommitment: h("r2"), consentFormVersion: 0, outcomes: [] }),
  ),
  "fundBudget(uint256,uint256)": asSponsor(
    [],
    (r, id) => r.fundBudget(id, STIPEND),
    async (subject) => {
      await f.token.mint(subject.address, STIPEND);
      await f.token.connect(subject).approve(await f.registry.getAddress(), STIPEND);
    },
  ),
  "postResults(uint256,bytes32,(bytes32,bool)[],bytes32[])": asSponsor(["start", "close", "complete"], (r, id) =>
    r.postResults(id, h("results"), outcomes(4), []),
  ),
  "authorizeSite(uint256,address)": {
    prepare: async (subject) => {
      const [isSponsor] = await f.authority.hasRole(Roles.SPONSOR, subject.address);
      if (isSponsor) {
        trialId = await subjectTrial(subject);
        authorize = (s) => f.registry.connect(s).authorizeSite(trialId, f.investigator.address);
      } else {
        trialId = await f.registerTrial();
        authorize = (s) => f.registry.connect(f.sponsor).authorizeSite(trialId, s.address);
      }
    },
    send: (subject) => authorize(subject),
  },
  "enroll(uint256,address,bytes32,bytes32)": asSite(false, (r, id) =>
    r.enroll(id, f.alice.address, saltOf(f.alice.address, id), h("subject")),
  ),
  "withdrawParticipant(uint256,address)": asSite(true, (r, id) => r.withdrawParticipant(id, f.alice.address)),
  "recordVisit(uint256,address,bytes32)": asSite(true, (r, id) =>
    r.recordVisit(id, f.alice.address, saltOf(f.alice.address, id)),
  ),
  "anchorData(uint256,bytes32,uint32,bytes32)": asSite(false, (r, id) => r.anchorData(id, h("root"), 1, h("v"))),
});
