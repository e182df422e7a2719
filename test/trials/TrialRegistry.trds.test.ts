import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { CommitmentKind as K, Roles, TrialStatus as S, TrialsConstants } from "../../src/constants";
import { completedTrial, deployTrialsFixture, h, outcomes } from "./fixture";

/** WHO Trial Registration Data Set items 21 (ethics review) and 23 (summary results) as the registry enforces them. */
describe("TrialRegistry: ethics approval and the results deadline (WHO TRDS items 21 and 23)", function () {
  const DEADLINE = TrialsConstants.RESULTS_DEADLINE;

  /** A trial registered without an ethics approval. */
  async function unapprovedTrial() {
    const f = await loadFixture(deployTrialsFixture);
    const id = await f.registerTrial({ ethicsApprovalCommitment: ethers.ZeroHash });
    return { ...f, id, r: f.registry.connect(f.sponsor) };
  }

  describe("register", function () {
    context("with an ethics approval commitment", function () {
      it("sets the flag and emits EthicsApprovalRecorded after the registration events", async function () {
        const { registry, sponsor, registration } = await loadFixture(deployTrialsFixture);
        const tx = registry.connect(sponsor).register(registration());
        await expect(tx)
          .to.emit(registry, "EthicsApprovalRecorded")
          .withArgs(1n, sponsor.address, h("ethics-approval"));
        const names = (await (await tx).wait())!.logs.map((l) => registry.interface.parseLog(l)?.name);
        expect(names).to.deep.equal(["TrialRegistered", "OutcomeSetDeclared", "EthicsApprovalRecorded"]);
        expect((await registry.trial(1n)).ethicsApproved).to.equal(true);
      });
    });

    context("without one (zero)", function () {
      it("registers the trial unapproved and emits no approval", async function () {
        const { registry, sponsor, registration } = await loadFixture(deployTrialsFixture);
        const tx = registry.connect(sponsor).register(registration({ ethicsApprovalCommitment: ethers.ZeroHash }));
        await expect(tx).to.emit(registry, "TrialRegistered");
        await expect(tx).not.to.emit(registry, "EthicsApprovalRecorded");
        expect((await registry.trial(1n)).ethicsApproved).to.equal(false);
      });
    });
  });

  describe("recordEthicsApproval", function () {
    context("by the trial's sponsor", function () {
      it("records an approval given after registration, which opens recruitment", async function () {
        const { registry, sponsor, id, r } = await unapprovedTrial();
        await expect(r.startRecruitment(id))
          .to.be.revertedWithCustomError(registry, "TrialEthicsApprovalMissing")
          .withArgs(id);
        await expect(r.recordEthicsApproval(id, h("approval letter")))
          .to.emit(registry, "EthicsApprovalRecorded")
          .withArgs(id, sponsor.address, h("approval letter"));
        expect((await registry.trial(id)).ethicsApproved).to.equal(true);
        await expect(r.startRecruitment(id))
          .to.emit(registry, "TrialStatusChanged")
          .withArgs(id, sponsor.address, S.Registered, S.Recruiting, ethers.ZeroHash, false);
      });

      for (const [label, path, status] of [
        ["recruiting", ["start"], S.Recruiting],
        ["enrolment closed", ["start", "close"], S.EnrolmentClosed],
        ["suspended", ["start", "suspend"], S.Suspended],
      ] as const) {
        it(`records a new approval (after an amendment) while ${label}, emitting again`, async function () {
          const { registry, sponsor, registerTrial } = await loadFixture(deployTrialsFixture);
          const id = await registerTrial();
          const r = registry.connect(sponsor);
          for (const step of path) {
            if (step === "start") await r.startRecruitment(id);
            if (step === "close") await r.closeEnrolment(id);
            if (step === "suspend") await r.suspend(id, h("pause"));
          }
          await r.amend(id, {
            protocolCommitment: h("protocol-v2"),
            reasonCommitment: h("reason-v2"),
            consentFormVersion: 0,
            outcomes: [],
          });
          await expect(r.recordEthicsApproval(id, h("approval of v2")))
            .to.emit(registry, "EthicsApprovalRecorded")
            .withArgs(id, sponsor.address, h("approval of v2"));
          const t = await registry.trial(id);
          expect(t.status).to.equal(status);
          expect(t.ethicsApproved).to.equal(true);
        });
      }
    });

    context("with bad input or state", function () {
      it("reverts on a zero commitment with TrialCommitmentMissing(EthicsApproval)", async function () {
        const { registry, id, r } = await unapprovedTrial();
        await expect(r.recordEthicsApproval(id, ethers.ZeroHash))
          .to.be.revertedWithCustomError(registry, "TrialCommitmentMissing")
          .withArgs(id, K.EthicsApproval);
        expect((await registry.trial(id)).ethicsApproved).to.equal(false);
      });

      for (const [label, finish, status] of [
        ["completed", "complete", S.Completed],
        ["terminated", "terminate", S.Terminated],
      ] as const) {
        it(`reverts for a ${label} trial with TrialFinished`, async function () {
          const { registry, sponsor, registerTrial } = await loadFixture(deployTrialsFixture);
          const id = await registerTrial();
          const r = registry.connect(sponsor);
          if (finish === "complete") {
            await r.startRecruitment(id);
            await r.closeEnrolment(id);
            await r.complete(id);
          } else await r.terminate(id, h("stop"));
          await expect(r.recordEthicsApproval(id, h("late approval")))
            .to.be.revertedWithCustomError(registry, "TrialFinished")
            .withArgs(id, status);
        });
      }

      it("reverts for an unknown trial with TrialUnknown", async function () {
        const { registry, sponsor } = await loadFixture(deployTrialsFixture);
        await expect(registry.connect(sponsor).recordEthicsApproval(9n, h("approval")))
          .to.be.revertedWithCustomError(registry, "TrialUnknown")
          .withArgs(9n);
      });
    });

    context("by someone other than the sponsor", function () {
      it("reverts with TrialCallerNotSponsor for another SPONSOR", async function () {
        const { registry, otherSponsor, id } = await unapprovedTrial();
        await expect(registry.connect(otherSponsor).recordEthicsApproval(id, h("approval")))
          .to.be.revertedWithCustomError(registry, "TrialCallerNotSponsor")
          .withArgs(id, otherSponsor.address);
      });

      it("reverts with HealthLedgerRoleMissing for the sponsor once SPONSOR is revoked", async function () {
        const { registry, authority, sponsor, id, r } = await unapprovedTrial();
        await authority.revokeRole(Roles.SPONSOR, sponsor.address);
        await expect(r.recordEthicsApproval(id, h("approval")))
          .to.be.revertedWithCustomError(registry, "HealthLedgerRoleMissing")
          .withArgs(sponsor.address, Roles.SPONSOR);
      });
    });
  });

  describe("startRecruitment", function () {
    it("reverts with TrialEthicsApprovalMissing while no approval is recorded, nothing changed", async function () {
      const { registry, id, r } = await unapprovedTrial();
      await expect(r.startRecruitment(id))
        .to.be.revertedWithCustomError(registry, "TrialEthicsApprovalMissing")
        .withArgs(id);
      expect((await registry.trial(id)).status).to.equal(S.Registered);
    });
  });

  describe("the results deadline", function () {
    it("is 0 and not overdue while the trial is unfinished (or unknown)", async function () {
      const { registry, registerTrial } = await loadFixture(deployTrialsFixture);
      const id = await registerTrial();
      await time.increase(DEADLINE * 2n);
      expect((await registry.trial(id)).finishedAt).to.equal(0n);
      expect(await registry.resultsDueAt(id)).to.equal(0n);
      expect(await registry.resultsOverdue(id)).to.equal(false);
      expect(await registry.resultsDueAt(99n)).to.equal(0n);
      expect(await registry.resultsOverdue(99n)).to.equal(false);
    });

    it("sets finishedAt at complete; results are due RESULTS_DEADLINE later", async function () {
      const { registry, id, finishedAt } = await completedTrial();
      expect((await registry.trial(id)).finishedAt).to.equal(finishedAt);
      expect(await registry.resultsDueAt(id)).to.equal(finishedAt + DEADLINE);
      expect(await registry.resultsOverdue(id)).to.equal(false);
    });

    it("sets finishedAt at terminate: results of a terminated trial are due too", async function () {
      const { registry, sponsor, registerTrial } = await loadFixture(deployTrialsFixture);
      const id = await registerTrial();
      await registry.connect(sponsor).terminate(id, h("stop"));
      const finishedAt = BigInt(await time.latest());
      expect((await registry.trial(id)).finishedAt).to.equal(finishedAt);
      expect(await registry.resultsDueAt(id)).to.equal(finishedAt + DEADLINE);
    });

    it("is not overdue at the deadline itself, and is one second after it", async function () {
      const { registry, id, finishedAt } = await completedTrial();
      await time.increaseTo(finishedAt + DEADLINE);
      expect(await registry.resultsOverdue(id)).to.equal(false);
      await time.increaseTo(finishedAt + DEADLINE + 1n);
      expect(await registry.resultsOverdue(id)).to.equal(true);
    });

    it("accepts results posted late, which clears overdue; the due date stays", async function () {
      const { registry, id, r, finishedAt } = await completedTrial();
      await time.increase(DEADLINE + 30n * 86_400n);
      expect(await registry.resultsOverdue(id)).to.equal(true);
      await expect(r.postResults(id, h("late results"), outcomes(4), [])).to.emit(registry, "ResultsPosted");
      expect(await registry.resultsOverdue(id)).to.equal(false);
      expect(await registry.resultsDueAt(id)).to.equal(finishedAt + DEADLINE);
      expect((await registry.trial(id)).finishedAt).to.equal(finishedAt);
    });

    it("is never overdue when results are posted in time", async function () {
      const { registry, id, r } = await completedTrial();
      await time.increase(DEADLINE / 2n);
      await r.postResults(id, h("results"), outcomes(4), []);
      await time.increase(DEADLINE);
      expect(await registry.resultsOverdue(id)).to.equal(false);
    });
  });
});
