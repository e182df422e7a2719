import { expect } from "chai";
import fc from "fast-check";
import { AbiCoder, ZeroHash, keccak256 } from "ethers";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { verify } from "../../src/records";
import {
  buildDataset,
  buildOutcomeSet,
  buildOutcomeSwitchingReport,
  buildResearchStudy,
  buildResearchSubject,
  buildEthicsApproval,
  commitEthicsApproval,
  commitResearchStudy,
  commitResearchSubject,
  currentOutcomes,
  datasetProof,
  isPoolShort,
  poolCredit,
  poolPayout,
  readStipendPool,
  outcomeSetHash,
  readEthicsApprovals,
  readOutcomeSwitchingReport,
  readResultsDeadline,
  recordEthicsApproval,
  renderOutcomeSwitchingReport,
  RESULTS_DEADLINE_SECONDS,
  studyReference,
  trialResearchPurpose,
  verifyDatasetRecord,
  visitLabel,
  type OutcomeDefinition,
} from "../../src/trials";
import { PURPOSES } from "../../src/consent/purposes";
import { BUDGET, STIPEND, deployTrialsFixture, h, saltOf } from "./fixture";

const DEFS: OutcomeDefinition[] = [
  { title: "HbA1c change", description: "Change from baseline, ANCOVA", timeFrame: "week 26", primary: true },
  { title: "Body weight", description: "Change from baseline", timeFrame: "week 26", primary: false },
  { title: "Hypoglycaemia", description: "Events per patient-year", timeFrame: "week 52", primary: false },
  { title: "Quality of life", description: "EQ-5D-5L index", timeFrame: "week 52", primary: false },
];
const SALTS = DEFS.map((_, i) => `0x${(i + 1).toString(16).padStart(64, "0")}`);

describe("trials SDK", function () {
  describe("buildOutcomeSet", function () {
    it("commits each outcome as an EvidenceVariable and hashes the set as the registry does", async function () {
      const { registry } = await loadFixture(deployTrialsFixture);
      const set = buildOutcomeSet(DEFS, SALTS);
      expect(set.outcomes.map((o) => o.primary)).to.deep.equal([true, false, false, false]);
      expect(await registry.outcomeSetHash(set.outcomes)).to.equal(set.hash);
      expect(buildOutcomeSet(DEFS, SALTS).hash, "deterministic under the same salts").to.equal(set.hash);
      expect(set.openings[0].resourceType).to.equal("EvidenceVariable");
      expect(outcomeSetHash(set.outcomes)).to.equal(set.hash);
    });

    // Issue 14 asked that the claims fingerprints' fast path also serve outcome sets: the hash now goes through
    // src/crypto's WordWriter and one keccak, and must stay the registry's `keccak256(abi.encode(outcomes))`.
    it("hashes any outcome list through the WordWriter exactly as ethers' AbiCoder and the registry do", async function () {
      const { registry } = await loadFixture(deployTrialsFixture);
      const outcome = fc.record({
        commitment: fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => `0x${Buffer.from(b).toString("hex")}`),
        primary: fc.boolean(),
      });
      const reference = (os: readonly { commitment: string; primary: boolean }[]) =>
        keccak256(
          AbiCoder.defaultAbiCoder().encode(
            ["tuple(bytes32 commitment, bool primary)[]"],
            [os.map((o) => [o.commitment, o.primary])],
          ),
        );
      await fc.assert(
        fc.asyncProperty(fc.array(outcome, { minLength: 0, maxLength: 16 }), async (os) => {
          const outcomes = os.map((o) => ({ commitment: o.commitment as `0x${string}`, primary: o.primary }));
          const hash = outcomeSetHash(outcomes);
          expect(hash).to.equal(reference(outcomes));
          expect(await registry.outcomeSetHash(outcomes)).to.equal(hash);
        }),
        { numRuns: 40 },
      );
    });

    it("names the outcome whose commitment cannot be hashed", function () {
      expect(() =>
        outcomeSetHash([
          { commitment: h("a"), primary: true },
          { commitment: "0x12", primary: false },
        ]),
      ).to.throw(/outcome 1: .*32 bytes/);
    });

    it("refuses an empty, oversized or primary-less set, a salt count mismatch and a blank field", function () {
      expect(() => buildOutcomeSet([])).to.throw(/1 to 16 outcomes/);
      expect(() => buildOutcomeSet(Array(17).fill(DEFS[0]))).to.throw(/1 to 16 outcomes/);
      expect(() => buildOutcomeSet(DEFS.slice(1))).to.throw(/primary/);
      expect(() => buildOutcomeSet(DEFS, SALTS.slice(1))).to.throw(/one salt per outcome/);
      expect(() => buildOutcomeSet([{ ...DEFS[0], timeFrame: " " }])).to.throw(/timeFrame/);
    });
  });

  describe("ResearchStudy / ResearchSubject", function () {
    const input = {
      title: "Drug X versus placebo in type 2 diabetes",
      publicTitle: "Drug X for diabetes",
      identifiers: [{ system: "https://www.who.int/ictrp", value: "HL-0001" }],
      sponsorName: "Helix Trials Inc.",
      conditions: ["Type 2 diabetes mellitus"],
      phase: "phase-3",
      countries: ["DE", "KE"],
      targetEnrolment: 300,
      outcomes: DEFS,
      description: "A randomised, double-blind trial.",
    };

    it("builds a ResearchStudy carrying the registration data set and commits it", function () {
      const study = buildResearchStudy(input);
      expect(study.outcomeMeasure).to.have.length(4);
      expect(study.recruitment?.targetNumber).to.equal(300);
      expect(study.label?.[0].value).to.equal("Drug X for diabetes");
      const c = commitResearchStudy(input);
      expect(verify(study, c.salt, c.commitment)).to.equal(true);
    });

    it("refuses a ResearchStudy without title, sponsor, condition, target or outcomes", function () {
      expect(() => buildResearchStudy({ ...input, title: "" })).to.throw(/title/);
      expect(() => buildResearchStudy({ ...input, sponsorName: " " })).to.throw(/sponsor/);
      expect(() => buildResearchStudy({ ...input, conditions: [] })).to.throw(/condition/);
      expect(() => buildResearchStudy({ ...input, targetEnrolment: 0 })).to.throw(/targetEnrolment/);
      expect(() => buildResearchStudy({ ...input, outcomes: [] })).to.throw(/outcomes/);
    });

    it("builds a pseudonymous ResearchSubject and refuses a bad reference", function () {
      const subject = buildResearchSubject({
        study: studyReference(7n),
        individual: "Patient/site-3-0042",
        consent: "Consent/abc",
        assignedArm: "A",
      });
      expect(subject.status).to.equal("on-study");
      expect(subject.study.reference).to.equal("ResearchStudy/health-ledger-7");
      const c = commitResearchSubject({ study: studyReference(7n), individual: "Patient/p1" });
      expect(c.resourceType).to.equal("ResearchSubject");
      expect(() => buildResearchSubject({ study: "7", individual: "Patient/p" })).to.throw(/ResearchStudy\//);
      expect(() => buildResearchSubject({ study: studyReference(1), individual: "Alice" })).to.throw(/pseudonymous/);
    });
  });

  describe("buildDataset", function () {
    const records = [1, 2, 3].map((i) => ({
      resourceType: "Observation",
      status: "final",
      code: { text: "HbA1c" },
      valueQuantity: { value: 7 + i / 10, unit: "%" },
    }));

    it("roots the record commitments in a Merkle tree whose proofs verify, and detects a changed record", function () {
      const d = buildDataset(records);
      expect(d.recordCount).to.equal(3);
      const proof = datasetProof(d, d.records[1].commitment);
      expect(verifyDatasetRecord(d.root, d.records[1].commitment, proof)).to.equal(true);
      const tampered = buildDataset(
        [records[0], { ...records[1], valueQuantity: { value: 6.1, unit: "%" } }, records[2]],
        d.records.map((r) => r.salt),
      );
      expect(tampered.root).to.not.equal(d.root);
      expect(verifyDatasetRecord(d.root, tampered.records[1].commitment, proof)).to.equal(false);
    });

    it("refuses an empty dataset, a salt mismatch, an unknown record and a bad visit label", function () {
      expect(() => buildDataset([])).to.throw(/at least one record/);
      expect(() => buildDataset(records, [])).to.throw(/one salt per record/);
      expect(() => datasetProof(buildDataset(records), h("nope"))).to.throw(/not in the dataset/);
      expect(() => visitLabel("")).to.throw(/1 to 31/);
      expect(visitLabel("week-12")).to.match(/^0x7765656b2d3132/);
    });
  });

  describe("trialResearchPurpose", function () {
    it("is keccak256(abi.encode(RESEARCH, trialId, version, salt)), the purpose enrolment finds", async function () {
      const { registry, investigator, alice, recruitingTrial, consentRegistry } =
        await loadFixture(deployTrialsFixture);
      const id = await recruitingTrial();
      const salt = saltOf(alice.address, id);
      const purpose = trialResearchPurpose(id, 1, salt);
      expect(purpose).to.equal(
        keccak256(
          AbiCoder.defaultAbiCoder().encode(
            ["bytes32", "uint256", "uint32", "bytes32"],
            [PURPOSES.RESEARCH, id, 1, salt],
          ),
        ),
      );
      await consentRegistry
        .connect(alice)
        .grant(
          alice.address,
          await registry.getAddress(),
          purpose,
          (await registry.trial(id)).requiredCategories,
          0,
          2n ** 40n - 1n,
          h("form"),
        );
      await expect(registry.connect(investigator).enroll(id, alice.address, salt, h("s"))).to.emit(
        registry,
        "ParticipantEnrolled",
      );
    });

    it("refuses version 0 and a zero or malformed salt, without repeating the salt", function () {
      const salt = h("secret");
      expect(() => trialResearchPurpose(1n, 0, salt)).to.throw(/uint32 from 1/);
      expect(() => trialResearchPurpose(1n, 1, ZeroHash)).to.throw(/not zero/);
      const malformed = `${salt.slice(0, 64)}zz`;
      let message = "";
      try {
        trialResearchPurpose(1n, 1, malformed);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).to.match(/trial salt .* non-hex character/);
      expect(message, "the error does not repeat the secret").not.to.include(salt.slice(2, 40));
    });
  });

  describe("outcome switching report", function () {
    it("shows a primary outcome switched after enrolment and unreported at results", async function () {
      const { registry, sponsor, investigator, enrolledTrial } = await loadFixture(deployTrialsFixture);
      const original = buildOutcomeSet(DEFS, SALTS);
      const id = await enrolledTrial({ outcomes: original.outcomes });
      await registry.connect(investigator).anchorData(id, h("root"), 3, visitLabel("week-4"));
      // Same definitions under the same salts keep their commitments; only the primary flags and one outcome change.
      const newOutcome = { title: "Time in range", description: "CGM", timeFrame: "week 26", primary: false };
      const switched = buildOutcomeSet(
        [{ ...DEFS[1], primary: true }, { ...DEFS[0], primary: false }, DEFS[2], newOutcome],
        [SALTS[1], SALTS[0], SALTS[2], h("fresh salt")],
      );
      const next = switched.outcomes;
      expect(next[0].commitment).to.equal(original.outcomes[1].commitment);
      await registry.connect(sponsor).amend(id, {
        protocolCommitment: h("p2"),
        reasonCommitment: h("reason"),
        consentFormVersion: 0,
        outcomes: next,
      });
      expect(await currentOutcomes(registry, id)).to.deep.equal(next);
      const r = registry.connect(sponsor);
      await r.closeEnrolment(id);
      await r.complete(id);
      await r.postResults(id, h("results"), next, [next[0].commitment, next[3].commitment]);

      const report = await readOutcomeSwitchingReport(registry, id);
      expect(report.prespecified).to.deep.equal(original.outcomes);
      expect(report.current).to.deep.equal(next);
      expect(report.changesAfterEnrolment).to.equal(1);
      const change = report.changes[0];
      expect(change.afterEnrolment).to.equal(true);
      expect(change.enrolledSoFar).to.equal(1);
      expect(change.reasonCommitment).to.equal(h("reason"));
      expect(change.added).to.deep.equal([switched.outcomes[3]]);
      expect(change.removed).to.deep.equal([original.outcomes[3]]);
      expect(change.promotedToPrimary).to.deep.equal([original.outcomes[1].commitment]);
      expect(change.demotedToSecondary).to.deep.equal([original.outcomes[0].commitment]);
      expect(report.results?.notReported).to.deep.equal([next[1], next[2]]);
      expect(report.results?.unregistered).to.deep.equal([]);
      expect(report.results?.originalNotReported.map((o) => o.commitment)).to.deep.equal([
        original.outcomes[0].commitment,
        original.outcomes[2].commitment,
        original.outcomes[3].commitment,
      ]);
      expect(report.results?.notOriginallyPrespecified).to.deep.equal([switched.outcomes[3].commitment]);
      expect(report.registeredAt).to.be.a("number");
      expect(report.firstEnrolmentAt).to.be.a("number");
      const lines = renderOutcomeSwitchingReport(report);
      expect(lines.join("\n")).to.match(/AFTER 1 participant\(s\) were enrolled/);
      expect(lines.join("\n")).to.match(/Registered primary outcome .* is not reported/);
      const named = renderOutcomeSwitchingReport(report, { [original.outcomes[0].commitment]: "HbA1c" }).join("\n");
      expect(named).to.include("Registered primary outcome HbA1c is not reported.");
      expect(report.findings.join("\n")).to.match(/Reported outcome 0x[0-9a-f]{8}… was not in the registered/);
    });

    it("reports nothing for a trial whose outcomes never changed, and refuses bad event lists", async function () {
      const { registry, registerTrial } = await loadFixture(deployTrialsFixture);
      const id = await registerTrial();
      const report = await readOutcomeSwitchingReport(registry, id);
      expect(report.changes).to.deep.equal([]);
      expect(report.findings).to.deep.equal([]);
      expect(report.results).to.equal(null);
      expect(renderOutcomeSwitchingReport(report)).to.include("findings: none");
      expect(() => buildOutcomeSwitchingReport(1n, [])).to.throw(/no OutcomeSetDeclared/);
      expect(() =>
        buildOutcomeSwitchingReport(1n, [
          { kind: "outcomeSet", protocolVersion: 1, hash: h("wrong"), outcomes: report.current, timestamp: 0 },
        ]),
      ).to.throw(/does not match its hash/);
      await expect(currentOutcomes(registry, 99n)).to.be.rejectedWith(/not registered/);
    });
  });
  describe("ethics approval and the results deadline", function () {
    it("commits the approval letter as a DocumentReference and refuses a bad one", function () {
      const input = { committee: "Central REC", approvalDate: "2026-11-02", reference: "REC 26/1", protocolVersion: 2 };
      const doc = buildEthicsApproval(input);
      expect(doc.resourceType).to.equal("DocumentReference");
      expect(doc.author).to.deep.equal([{ display: "Central REC" }]);
      expect(doc.identifier).to.deep.equal([{ value: "REC 26/1" }]);
      expect(doc.description).to.equal("Approval of protocol version 2");
      const c = commitEthicsApproval(input, SALTS[0]);
      expect(verify(doc, SALTS[0], c.commitment)).to.equal(true);
      expect(() => buildEthicsApproval({ ...input, committee: " " })).to.throw(/committee's name/);
      expect(() => buildEthicsApproval({ ...input, approvalDate: "2/11/2026" })).to.throw(/YYYY-MM-DD/);
      expect(() => buildEthicsApproval({ ...input, protocolVersion: 0 })).to.throw(/protocolVersion/);
    });

    it("records a later approval, reads it back from the events, and refuses a zero commitment unsent", async function () {
      const { registry, sponsor, registerTrial } = await loadFixture(deployTrialsFixture);
      const id = await registerTrial({ ethicsApprovalCommitment: ZeroHash });
      await expect(recordEthicsApproval(registry.connect(sponsor), id, ZeroHash)).to.be.rejectedWith(/non-zero/);
      const approval = commitEthicsApproval({ committee: "Central REC", approvalDate: "2026-11-02" });
      const receipt = await recordEthicsApproval(registry.connect(sponsor), id, approval.commitment);
      expect(receipt.status).to.equal(1);
      expect((await registry.trial(id)).ethicsApproved).to.equal(true);
      expect(await readEthicsApprovals(registry, id)).to.deep.equal([
        { approvalCommitment: approval.commitment, by: sponsor.address, blockNumber: receipt.blockNumber },
      ]);
    });

    it("reads the deadline and flags overdue results in the outcome-switching report, late results too", async function () {
      const { registry, sponsor, registerTrial } = await loadFixture(deployTrialsFixture);
      const id = await registerTrial();
      const r = registry.connect(sponsor);
      expect(await readResultsDeadline(registry, id)).to.deep.equal({
        finishedAt: null,
        dueAt: null,
        postedAt: null,
        overdue: false,
      });
      await r.terminate(id, h("stop"));
      const finishedAt = await time.latest();
      const dueAt = finishedAt + RESULTS_DEADLINE_SECONDS;
      let report = await readOutcomeSwitchingReport(registry, id);
      expect([report.finishedAt, report.resultsDueAt, report.resultsDaysLate]).to.deep.equal([finishedAt, dueAt, 0]);
      expect(report.findings).to.deep.equal([]);

      await time.increaseTo(dueAt + 3 * 86_400);
      expect(await readResultsDeadline(registry, id)).to.deep.equal({
        finishedAt,
        dueAt,
        postedAt: null,
        overdue: true,
      });
      report = await readOutcomeSwitchingReport(registry, id);
      expect(report.resultsDaysLate).to.equal(3);
      const due = new Date(dueAt * 1000).toISOString().slice(0, 10);
      expect(report.findings).to.deep.equal([
        `Results overdue by 3 day(s): due ${due}, 12 months after the trial finished, and not posted.`,
      ]);
      expect(renderOutcomeSwitchingReport(report)).to.include(`results due: ${due} (12 months after finishing)`);

      await r.postResults(id, h("late results"), await currentOutcomes(registry, id), []);
      expect((await readResultsDeadline(registry, id)).overdue).to.equal(false);
      report = await readOutcomeSwitchingReport(registry, id);
      expect(report.findings.at(-1)).to.equal(
        `Results were posted 4 day(s) late: due ${due}, 12 months after the trial finished.`,
      );
      // Without `now`, unposted results are not judged; an unfinished trial has no deadline.
      const set = { kind: "outcomeSet", protocolVersion: 1, hash: outcomeSetHash(report.current) } as const;
      const events = [{ ...set, outcomes: report.current, timestamp: 0 }];
      const finished = { kind: "finished", status: "terminated", timestamp: 1_000 } as const;
      expect(buildOutcomeSwitchingReport(id, [...events, finished]).resultsDaysLate).to.equal(0);
      expect(buildOutcomeSwitchingReport(id, events, 10 ** 10).resultsDaysLate).to.equal(null);
    });
  });

  describe("stipend pool", function () {
    const token = "0x000000000000000000000000000000000000dEaD";

    it("previews payouts and credits as the registry computes them, whole or short", function () {
      const whole = { token, balance: 1_000n, liabilities: 1_000n };
      expect(isPoolShort(whole)).to.equal(false);
      expect(poolPayout(whole, 250n)).to.equal(250n);
      expect(poolCredit(whole, 99n)).to.equal(99n);
      const surplus = { token, balance: 3_000n, liabilities: 1_000n };
      expect(poolPayout(surplus, 250n), "never more than owed").to.equal(250n);
      const short = { token, balance: 500n, liabilities: 1_000n };
      expect(isPoolShort(short)).to.equal(true);
      expect(poolPayout(short, 251n)).to.equal(125n);
      expect(poolCredit(short, 100n)).to.equal(200n);
    });

    it("refuses an amount beyond the liabilities and an empty pool that owes", function () {
      expect(() => poolPayout({ token, balance: 10n, liabilities: 10n }, 11n)).to.throw(/between 0 and/);
      expect(() => poolPayout({ token, balance: 0n, liabilities: 10n }, 1n)).to.throw(/holds none of/);
      expect(() => poolCredit({ token, balance: 0n, liabilities: 10n }, 1n)).to.throw(/deposits are refused/);
      expect(poolCredit({ token, balance: 0n, liabilities: 0n }, 5n), "a first deposit").to.equal(5n);
    });

    it("reads the pool and previews exactly what a claim pays after a negative rebase", async function () {
      const {
        registry,
        token: stipendToken,
        investigator,
        alice,
        enrolledTrial,
      } = await loadFixture(deployTrialsFixture);
      const id = await enrolledTrial();
      await registry.connect(investigator).recordVisit(id, alice.address, saltOf(alice.address, id));
      await stipendToken.rebase(2, 5);
      const pool = await readStipendPool(registry, await stipendToken.getAddress());
      expect(pool.liabilities).to.equal(BUDGET);
      expect(pool.balance).to.equal((BUDGET * 2n) / 5n);
      const expected = poolPayout(pool, STIPEND);
      await expect(registry.connect(alice).claimStipend(id, alice.address)).to.changeTokenBalance(
        stipendToken,
        alice,
        expected,
      );
    });
  });
});
