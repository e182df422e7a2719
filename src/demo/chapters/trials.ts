import { commit } from "../../records";
import { categoryNames, categorySet } from "../../consent/categories";
import { NO_EXPIRY } from "../../consent/fhir";
import {
  buildDataset,
  buildOutcomeSet,
  commitResearchStudy,
  commitResearchSubject,
  currentOutcomes,
  ParticipantStatus,
  readOutcomeSwitchingReport,
  renderOutcomeSwitchingReport,
  studyReference,
  visitLabel,
  type OutcomeDefinition,
} from "../../trials";
import { CAST_NAMES } from "../cast";
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

/**
 * Trials: a sponsor registers a trial with four pre-specified outcomes; Alice consents and is enrolled (not before);
 * data is anchored; an amendment after enrolment makes a secondary outcome primary; the results report it; and the
 * outcome-switching report, read from events alone, shows the switch and the unreported registered primary.
 */
export const trialsChapter: Chapter = {
  title: "Clinical trial registration",
  async run({ system, cast, narrator }) {
    const { trialRegistry: registry, consentRegistry } = system;
    const [alice, investigator] = await Promise.all([cast.alice.getAddress(), cast.investigator.getAddress()]);
    const registryAddress = await registry.getAddress();
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
        targetEnrolment: 2,
        consentFormVersion: 1,
        requiredCategories: required,
        stipendToken: "0x0000000000000000000000000000000000000000",
        stipendPerVisit: 0,
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
    await (await sponsor.startRecruitment(trialId)).wait();
    narrator.say(`The sponsor authorises a site (${CAST_NAMES.investigator}) and opens recruitment.`);

    // 2. Consent-gated enrolment.
    const subject = commitResearchSubject({ study: studyReference(trialId), individual: "Patient/site-1-0001" });
    let refused = false;
    try {
      await site.enroll.staticCall(trialId, alice, subject.commitment);
    } catch (error) {
      refused =
        registry.interface.parseError((error as { data?: string }).data ?? "0x")?.name === "TrialConsentMissing";
    }
    narrator.say(`Enrolling ${CAST_NAMES.alice} before she consents is refused (TrialConsentMissing): ${refused}.`);
    check(refused, "enrolment without consent was not refused with TrialConsentMissing");

    const purpose = await registry.enrolmentPurpose(trialId);
    await (
      await consentRegistry
        .connect(cast.alice)
        .grant(
          alice,
          registryAddress,
          purpose,
          required,
          0,
          NO_EXPIRY,
          commit({ resourceType: "Consent", status: "active", note: `trial ${trialId} consent form v1` }).commitment,
        )
    ).wait();
    narrator.say(
      `${CAST_NAMES.alice} consents, in the consent registry, to research in trial ${trialId} under consent form v1.`,
    );
    narrator.fact("grantee", `the trial registry ${registryAddress}`);
    narrator.fact("categories", categoryNames(required).join(", "));
    await (await site.enroll(trialId, alice, subject.commitment)).wait();
    const enrolled = (await registry.participant(trialId, alice)).status === BigInt(ParticipantStatus.Enrolled);
    narrator.say(`${CAST_NAMES.investigator} enrols her (status ${enrolled ? "enrolled" : "?"}).`);
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
    await (await site.recordVisit(trialId, alice)).wait();
    await (await site.anchorData(trialId, dataset.root, dataset.recordCount, visitLabel("week-12"))).wait();
    const anchored = await registry.dataset(trialId, dataset.root);
    narrator.say(
      `The site records a visit and anchors the week-12 case-report dataset (${dataset.recordCount} records).`,
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
  },
};
