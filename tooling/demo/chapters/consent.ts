import type { AuditEvent } from "@medplum/fhirtypes";
import { id } from "ethers";
import { commit } from "../../../src/records";
import { categoryNames, categorySet } from "../../../src/consent/categories";
import { commitConsentDocument } from "../../../src/consent/fhir";
import { consentHistory, currentConsents } from "../../../src/consent/history";
import { PURPOSES, trialResearch } from "../../../src/consent/purposes";
import { relayGrant } from "../../../src/consent/relayer";
import { signGrant } from "../../../src/consent/signing";
import { CAST_NAMES } from "../cast";
import type { Chapter } from "../types";

const DAY = 24n * 3600n;

function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`Consent chapter: ${what}`);
}

/**
 * Consent: Alice grants her hospital treatment access by signature and a relayer pays for it; she revokes a
 * research consent; the emergency room breaks the glass for Bob. Everything is read back from views and events.
 */
export const consentChapter: Chapter = {
  title: "Patient consent",
  async run({ hre, system, cast, narrator }) {
    const registry = system.consentRegistry;
    const [alice, bob, hospital, sponsor] = await Promise.all(
      [cast.alice, cast.bob, cast.hospital, cast.sponsor].map((s) => s.getAddress()),
    );
    const now = BigInt((await hre.ethers.provider.getBlock("latest"))!.timestamp);
    narrator.say(`The consent registry is deployed at ${await registry.getAddress()}, managed by the authority.`);

    // 1. Treatment access, signed by Alice, submitted by a relayer.
    const care = categorySet("DEMOGRAPHICS", "CONDITIONS", "MEDICATIONS", "ALLERGIES", "LAB_RESULTS");
    const terms = {
      patient: alice,
      grantee: hospital,
      purpose: PURPOSES.TREATMENT,
      categories: care,
      startsAt: now,
      expiresAt: now + 365n * DAY,
    };
    const { commitment } = commitConsentDocument(terms, {
      patientReference: "Patient/alice",
      granteeReference: "Organization/st-marys",
    });
    const signed = await signGrant(cast.alice, registry, { ...terms, documentCommitment: commitment.commitment });
    narrator.say(
      `${CAST_NAMES.alice} signs (EIP-712) a one-year treatment consent for ${CAST_NAMES.hospital}; she pays no gas.`,
    );
    narrator.fact("categories", categoryNames(care).join(", "));
    narrator.fact("FHIR Consent commitment", commitment.commitment);
    const relayed = await relayGrant(registry.connect(cast.relayer), signed);
    narrator.say(
      `The ${CAST_NAMES.relayer} submits it (tx ${relayed.receipt.hash}, ${relayed.receipt.gasUsed} gas, paid by the relayer).`,
    );
    check(
      relayed.receipt.from.toLowerCase() === (await cast.relayer.getAddress()).toLowerCase(),
      "the relayer did not pay",
    );
    const treatmentOk = await registry.isAuthorized(alice, hospital, PURPOSES.TREATMENT, categorySet("MEDICATIONS"));
    narrator.fact("isAuthorized(Alice, St. Mary's, TREATMENT, MEDICATIONS)", treatmentOk);
    check(treatmentOk, "the hospital is not authorized for treatment after the relayed grant");
    const genomicsOk = await registry.isAuthorized(alice, hospital, PURPOSES.TREATMENT, categorySet("GENOMICS"));
    narrator.fact("isAuthorized(Alice, St. Mary's, TREATMENT, GENOMICS)", genomicsOk);
    check(!genomicsOk, "the hospital is authorized for genomics, which Alice did not grant");

    // 2. A research consent, then its revocation.
    // Salted with Alice's trial secret (docs/trials.md): no one else can tell which trial it is for.
    const research = trialResearch(1n, 1, id("demo: Alice's trial secret"));
    await (
      await registry
        .connect(cast.alice)
        .grant(
          alice,
          sponsor,
          research,
          categorySet("LAB_RESULTS", "GENOMICS"),
          now,
          now + 180n * DAY,
          commit({ resourceType: "Consent", status: "active", note: "trial 1 consent form v1" }).commitment,
        )
    ).wait();
    narrator.say(
      `${CAST_NAMES.alice} consents to ${CAST_NAMES.sponsor} using her lab results and genomics in trial 1.`,
    );
    check(
      await registry.isAuthorized(alice, sponsor, research, categorySet("GENOMICS")),
      "the research consent is not in force",
    );
    await (await registry.connect(cast.alice).revoke(alice, sponsor, research)).wait();
    const revoked = await registry.consent(alice, sponsor, research);
    narrator.say(`She changes her mind and revokes it.`);
    narrator.fact("research consent", `version ${revoked.version}, revoked ${revoked.revoked}`);
    check(revoked.revoked && revoked.version === 2n, "the research consent is not revoked at version 2");
    check(
      !(await registry.isAuthorized(alice, sponsor, research, categorySet("GENOMICS"))),
      "the sponsor is still authorized",
    );

    // 3. Break the glass for Bob, who arrives unconscious.
    const reason = {
      resourceType: "AuditEvent",
      type: { system: "http://dicom.nema.org/resources/ontology/DCM", code: "110113", display: "Security Alert" },
      recorded: new Date(Number(now) * 1000).toISOString(),
      agent: [{ requestor: true, who: { reference: "Organization/st-marys" } }],
      source: { observer: { reference: "Organization/st-marys" } },
      purposeOfEvent: [{ coding: [{ system: "http://terminology.hl7.org/CodeSystem/v3-ActReason", code: "ETREAT" }] }],
    } satisfies AuditEvent;
    const reasonCommitment = commit(reason).commitment;
    await (await registry.connect(cast.hospital).breakGlass(bob, reasonCommitment)).wait();
    const count = await registry.emergencyAccessCount(bob);
    narrator.say(
      `${CAST_NAMES.bob} arrives unconscious; the emergency room of ${CAST_NAMES.hospital} breaks the glass.`,
    );
    narrator.fact("emergency accesses recorded for Bob", count);
    check(count === 1n, "Bob's emergency-access count is not 1");
    let refused = false;
    try {
      await registry.connect(cast.relayer).breakGlass.staticCall(bob, reasonCommitment);
    } catch {
      refused = true;
    }
    narrator.fact("a non-provider trying the same", refused ? "refused (AccessManagedUnauthorized)" : "ACCEPTED");
    check(refused, "an account without PROVIDER could break the glass");

    // 4. Everything read back from events.
    const history = await consentHistory(registry, alice);
    narrator.say(`Alice's history, rebuilt from events: ${history.map((e) => e.kind).join(" -> ")}.`);
    check(
      history.map((e) => e.kind).join(",") === "granted,granted,revoked",
      "Alice's history is not grant, grant, revoke",
    );
    const inForce = await currentConsents(registry, alice);
    narrator.fact(
      "consents in force",
      inForce
        .map(
          (c) => `${c.grantee === hospital ? "St. Mary's" : c.grantee} for TREATMENT, document ${c.documentCommitment}`,
        )
        .join("; "),
    );
    check(
      inForce.length === 1 && inForce[0].documentCommitment === commitment.commitment,
      "the in-force consent or its document commitment is wrong",
    );
    const bobHistory = await consentHistory(registry, bob);
    check(
      bobHistory.length === 1 && bobHistory[0].kind === "emergencyAccess" && bobHistory[0].actor === hospital,
      "Bob's emergency access is not in his history",
    );
  },
};
