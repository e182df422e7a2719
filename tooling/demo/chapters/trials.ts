import { AbiCoder, keccak256, Wallet, ZeroHash } from "ethers";
import { TestToken__factory } from "../../../typechain-types";
import { commit } from "../../../src/records";
import { categoryNames, categorySet } from "../../../src/consent/categories";
import { PURPOSES } from "../../../src/consent/purposes";
import { relayGrant } from "../../../src/consent/relayer";
import { relayForwardRequest } from "../../../src/relay";
import {
  buildDataset,
  buildOutcomeSet,
  commitEthicsApproval,
  commitResearchStudy,
  commitResearchSubject,
  currentOutcomes,
  enrolmentCard,
  enrollParticipant,
  hasResearchConsent,
  ParticipantStatus,
  readOutcomeSwitchingReport,
  readResultsDeadline,
  recordEthicsApproval,
  recordParticipantVisit,
  renderOutcomeSwitchingReport,
  signClaimStipend,
  signResearchConsent,
  studyReference,
  trialParticipant,
  visitLabel,
  type OutcomeDefinition,
} from "../../../src/trials";
import { aliceIdentity, CAST_NAMES } from "../cast";
import type { Chapter } from "../types";

function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`Trials chapter: ${what}`);
}

const OUTCOMES: OutcomeDefinition[] = [
  { title: "HbA1c change", description: "Change from baseline, ANCOVA", timeFrame: "week 26", primary: true },
  { title: "Body weight", description: "Change from baseline", timeFrame: "week 26", primary: false },
  { title: "Severe hypoglycaemia", description: "Events per patient-year", timeFrame: "week 52", primary: false },
  { title: "Quality of life", description: "EQ-5D-5L index", timeFrame: "week 52", primary: false },
];

/** An observer's brute force of a research purpose over small trial ids and consent-form versions. */
function bruteForcePurpose(purpose: string, trials: number, versions: number): bigint | undefined {
  const coder = AbiCoder.defaultAbiCoder();
  const zero = `0x${"00".repeat(32)}`;
  for (let id = 1n; id <= BigInt(trials); id++) {
    for (let v = 1; v <= versions; v++) {
      const unsalted = keccak256(coder.encode(["bytes32", "uint256", "uint32"], [PURPOSES.RESEARCH, id, v]));
      const zeroSalt = keccak256(
        coder.encode(["bytes32", "uint256", "uint32", "bytes32"], [PURPOSES.RESEARCH, id, v, zero]),
      );
      if (purpose === unsalted || purpose === zeroSalt) return id;
    }
  }
  return undefined;
}

/**
 * Trials: a sponsor registers a trial with four pre-specified outcomes and a stipend; Alice takes part as her trial
 * account, which holds no ETH: she consents through a relayer under a salted purpose that no brute force links to
 * the trial, and is enrolled (not before); visits accrue her stipend and data is anchored; an amendment after
 * enrolment makes a secondary outcome primary; the results report it; the outcome-switching report, read from
 * events alone, shows the switch and the unreported registered primary; and Alice claims her stipend through the
 * relayer, to an account she names.
 */
export const trialsChapter: Chapter = {
  title: "Clinical trial registration",
  async run({ system, cast, narrator }) {
    const { trialRegistry: registry, consentRegistry, forwarder } = system;
    const investigator = await cast.investigator.getAddress();
    const registryAddress = await registry.getAddress();
    const provider = cast.relayer.provider!;
    const stipendToken = TestToken__factory.connect(system.paymentToken, cast.sponsor);
    const unit = 10n ** (await stipendToken.decimals());
    const symbol = await stipendToken.symbol();
    const sponsor = registry.connect(cast.sponsor);
    const site = registry.connect(cast.investigator);
    narrator.say(`The trial registry is deployed at ${registryAddress}; it asks the consent registry at enrolment.`);

    // 1. Registration.
    const outcomes = buildOutcomeSet(OUTCOMES);
    const salts = outcomes.openings.map((o) => o.salt);
    const study = commitResearchStudy({
      title: "Drug X versus placebo in adults with type 2 diabetes",
      sponsorName: CAST_NAMES.sponsor,
      conditions: ["Type 2 diabetes mellitus"],
      phase: "phase-3",
      targetEnrolment: 2,
      outcomes: OUTCOMES,
    });
    const protocol = commit({ resourceType: "DocumentReference", status: "current", description: "Protocol v1.0" });
    const required = categorySet("CONDITIONS", "LAB_RESULTS");
    await (
      await sponsor.register({
        protocolCommitment: protocol.commitment,
        researchStudyCommitment: study.commitment,
        // The ethics committee has not decided yet: registration comes first (WHO TRDS item 21 allows "pending").
        ethicsApprovalCommitment: ZeroHash,
        targetEnrolment: 2,
        consentFormVersion: 1,
        requiredCategories: required,
        stipendToken: system.paymentToken,
        stipendPerVisit: 25n * unit,
        outcomes: outcomes.outcomes,
      })
    ).wait();
    const trialId = await registry.trialCount();
    const registered = await registry.trial(trialId);
    narrator.say(`${CAST_NAMES.sponsor} registers trial ${trialId} with four pre-specified outcomes (one primary).`);
    narrator.fact("ResearchStudy commitment", registered.researchStudyCommitment);
    narrator.fact("outcome-set hash", registered.outcomeSetHash);
    narrator.fact("registered at (never changes)", new Date(Number(registered.registeredAt) * 1000).toISOString());
    check(registered.outcomeSetHash === outcomes.hash, "the stored outcome-set hash is not the one built");

    await (await sponsor.authorizeSite(trialId, investigator)).wait();
    await (await stipendToken.mint(await cast.sponsor.getAddress(), 1_000n * unit)).wait();
    await (await stipendToken.approve(registryAddress, 1_000n * unit)).wait();
    await (await sponsor.fundBudget(trialId, 1_000n * unit)).wait();
    check(!(await registry.trial(trialId)).ethicsApproved, "the trial counts as approved before any approval");
    const approval = commitEthicsApproval({
      committee: "Central Research Ethics Committee",
      approvalDate: "2026-01-05",
      reference: "REC 26/0042",
      protocolVersion: 1,
    });
    await recordEthicsApproval(sponsor, trialId, approval.commitment);
    narrator.say(
      "The ethics committee approves the protocol; the sponsor records the approval letter's commitment (recruitment cannot open without it).",
    );
    narrator.fact("ethics approval commitment (the letter stays off chain)", approval.commitment);
    await (await sponsor.startRecruitment(trialId)).wait();
    narrator.say(
      `The sponsor authorises a site (${CAST_NAMES.investigator}), funds 1,000 ${symbol} of stipends (25 per visit) and opens recruitment.`,
    );

    // 2. Alice's trial account, a salted research consent through a relayer, and consent-gated enrolment.
    const { chainId } = await provider.getNetwork();
    const identity = aliceIdentity(chainId);
    const alice = trialParticipant(identity, registryAddress, trialId);
    const card = enrolmentCard(alice);
    narrator.say(
      `${CAST_NAMES.alice} takes part as her trial account, derived from her one mnemonic for this trial only: no one can link it to her other accounts.`,
    );
    narrator.fact("trial account", alice.address);
    narrator.fact("its ETH balance (never funded)", await provider.getBalance(alice.address));
    const subject = commitResearchSubject({ study: studyReference(trialId), individual: "Patient/site-1-0001" });
    let refused = false;
    try {
      await enrollParticipant(site, card, subject.commitment);
    } catch (error) {
      refused = /TrialConsentMissing/.test((error as Error).message);
    }
    narrator.say(
      `Enrolling her before she consents is refused (TrialConsentMissing), by the site's check, before any transaction: ${refused}.`,
    );
    check(refused, "enrolment without consent was not refused with TrialConsentMissing");

    const signed = await signResearchConsent(alice, consentRegistry, registry, {
      documentCommitment: commit({
        resourceType: "Consent",
        status: "active",
        note: `trial ${trialId} consent form v1`,
      }).commitment,
    });
    const { receipt: consented } = await relayGrant(consentRegistry.connect(cast.relayer), signed);
    const purpose = signed.request.purpose;
    narrator.say(
      `${CAST_NAMES.alice} signs, as her trial account, research consent under consent form v1; the ${CAST_NAMES.relayer} submits it and pays.`,
    );
    narrator.fact("grantee", `the trial registry ${registryAddress}`);
    narrator.fact("categories", categoryNames(required).join(", "));
    narrator.fact("purpose = keccak256(RESEARCH, trial, form v1, her trial secret)", purpose);
    narrator.fact("gas paid by", consented.from);
    check(consented.from === (await cast.relayer.getAddress()), "the consent was not paid by the relayer");
    const guessed = bruteForcePurpose(purpose, 100, 10);
    narrator.fact("an observer's brute force over trials 1-100, forms 1-10", guessed ?? "no match");
    check(guessed === undefined, "the salted research purpose was brute-forced to a trial");

    check(await hasResearchConsent(registry, card), "the site does not see Alice's consent");
    await enrollParticipant(site, card, subject.commitment);
    const enrolled = (await registry.participant(trialId, alice.address)).status === BigInt(ParticipantStatus.Enrolled);
    narrator.say(
      `She gives the site her account and trial secret off chain; the site checks her consent by its purpose alone (the secret stays with it), then ${CAST_NAMES.investigator} enrols her (status ${enrolled ? "enrolled" : "?"}).`,
    );
    narrator.say(
      "From now on the enrolment is public (this account is in this trial, its salt is in the calldata), but nothing on chain says who she is.",
    );
    check(enrolled, "Alice is not enrolled");

    // 3. Data anchoring.
    const records = [7.9, 7.4, 7.1].map((value, i) => ({
      resourceType: "Observation",
      status: "final",
      code: { text: "HbA1c" },
      subject: { reference: "Patient/site-1-0001" },
      effectiveDateTime: `2026-0${i + 1}-15`,
      valueQuantity: { value, unit: "%" },
    }));
    const dataset = buildDataset(records);
    await recordParticipantVisit(site, card);
    await (await site.anchorData(trialId, dataset.root, dataset.recordCount, visitLabel("week-12"))).wait();
    const anchored = await registry.dataset(trialId, dataset.root);
    narrator.say(
      `The site records a visit (25 ${symbol} accrue to her) and anchors the week-12 case-report dataset (${dataset.recordCount} records).`,
    );
    narrator.fact("Merkle root", dataset.root);
    check(anchored.recordCount === BigInt(dataset.recordCount), "the anchored dataset was not read back");

    // 4. An amendment after enrolment swaps the primary outcome.
    const switched = buildOutcomeSet(
      [{ ...OUTCOMES[1], primary: true }, { ...OUTCOMES[0], primary: false }, OUTCOMES[2]],
      [salts[1], salts[0], salts[2]],
    );
    await (
      await sponsor.amend(trialId, {
        protocolCommitment: commit({ resourceType: "DocumentReference", status: "current", description: "v2.0" })
          .commitment,
        reasonCommitment: commit({
          resourceType: "DocumentReference",
          status: "current",
          description: "Reason: feasibility",
        }).commitment,
        consentFormVersion: 0,
        outcomes: switched.outcomes,
      })
    ).wait();
    const amended = await registry.trial(trialId);
    narrator.say(
      "The sponsor amends the protocol after enrolment: body weight becomes primary, one outcome is dropped.",
    );
    narrator.fact("outcome changes after enrolment (never decreases)", amended.outcomeChangesAfterEnrolment);
    check(amended.outcomeChangesAfterEnrolment === 1n, "the outcome switch after enrolment was not flagged");

    // 5. Results and the report.
    await (await sponsor.closeEnrolment(trialId)).wait();
    await (await sponsor.complete(trialId)).wait();
    const deadline = await readResultsDeadline(registry, trialId);
    narrator.fact(
      "results due by (12 months after completion; lateness is reported, not refused)",
      new Date(deadline.dueAt! * 1000).toISOString(),
    );
    check(!deadline.overdue, "results are overdue the moment the trial completes");
    const prespecified = await currentOutcomes(registry, trialId);
    const results = commit({ resourceType: "DocumentReference", status: "current", description: "Results summary" });
    await (
      await sponsor.postResults(trialId, results.commitment, prespecified, [switched.outcomes[0].commitment])
    ).wait();
    narrator.say("The trial completes and the sponsor posts results reporting only the new primary outcome.");

    const report = await readOutcomeSwitchingReport(registry, trialId);
    narrator.say("Anyone rebuilds the outcome-switching report from the registry's events:");
    const titles = Object.fromEntries(outcomes.outcomes.map((o, i) => [o.commitment, `"${OUTCOMES[i].title}"`]));
    for (const line of renderOutcomeSwitchingReport(report, titles)) narrator.fact("report", line);
    check(report.changesAfterEnrolment === 1, "the report does not show the switch after enrolment");
    check(
      report.results?.originalNotReported.some((o) => o.primary && o.commitment === outcomes.outcomes[0].commitment) ===
        true,
      "the report does not show the registered primary outcome as unreported",
    );

    // 6. Alice claims her stipend through the relayer, to an account she names.
    const payee = Wallet.createRandom().address;
    const claim = await signClaimStipend(alice, forwarder, registry, payee);
    const claimed = await relayForwardRequest(forwarder.connect(cast.relayer), claim);
    const received = await stipendToken.balanceOf(payee);
    narrator.say(
      `${CAST_NAMES.alice} signs a claim of her stipend, paid to a fresh account of hers; the relayer submits it. Naming her everyday wallet instead would link it to this trial, in public, for ever: her choice.`,
    );
    narrator.fact(`${symbol} received by the account she named`, `${received / unit}`);
    narrator.fact("gas paid by", claimed.from);
    narrator.fact("transactions ever sent by her trial account", await provider.getTransactionCount(alice.address));
    check(received === 25n * unit, "the stipend did not reach the account Alice named");
    check((await provider.getBalance(alice.address)) === 0n, "Alice's trial account holds ETH");
    check((await provider.getTransactionCount(alice.address)) === 0, "Alice's trial account sent a transaction");
  },
};
