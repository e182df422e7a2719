import type { AuditEvent } from "@medplum/fhirtypes";
import { commit } from "../../../src/records";
import { categoryNames, categorySet } from "../../../src/consent/categories";
import { commitConsentDocument } from "../../../src/consent/fhir";
import { consentHistory, currentConsents } from "../../../src/consent/history";
import { PURPOSES } from "../../../src/consent/purposes";
import { relayGrant, relayRevoke } from "../../../src/consent/relayer";
import { signGrant, signRevoke } from "../../../src/consent/signing";
import { exportConsent, FHIR_SYSTEMS, importConsent } from "../../../src/interop";
import { aliceIdentity, CAST_NAMES } from "../cast";
import type { Chapter } from "../types";

const DAY = 24n * 3600n;

function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`Consent chapter: ${what}`);
}

/**
 * Consent: Alice's wallet derives her account with St. Mary's from her one secret; with it she grants the hospital
 * treatment access by signature and a relayer pays; she grants and then revokes a public-health consent the same way;
 * later she arrives unconscious and the emergency room breaks the glass on her emergency card's account. Everything is
 * read back from views and events, and none of her accounts ever holds ETH.
 */
export const consentChapter: Chapter = {
  title: "Patient consent",
  async run({ hre, system, cast, narrator }) {
    const registry = system.consentRegistry;
    const provider = hre.ethers.provider;
    const relayerRegistry = registry.connect(cast.relayer);
    const hospital = await cast.hospital.getAddress();
    const now = BigInt((await provider.getBlock("latest"))!.timestamp);
    const { chainId } = await provider.getNetwork();
    narrator.say(`The consent registry is deployed at ${await registry.getAddress()}, managed by the authority.`);

    // 1. Alice's account for St. Mary's, from her one secret; treatment access signed by it, submitted by a relayer.
    const identity = aliceIdentity(chainId);
    const atStMarys = identity.account({ kind: "provider", provider: hospital });
    const alice = atStMarys.address;
    narrator.say(
      `${CAST_NAMES.alice}'s wallet derives, from her one recovery phrase, an account for her care at ` +
        `${CAST_NAMES.hospital} only: her other relationships get other accounts (docs/privacy.md).`,
    );
    narrator.fact("her account with St. Mary's", `${alice} (holds no ETH)`);
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
    const signed = await signGrant(atStMarys, registry, { ...terms, documentCommitment: commitment.commitment });
    narrator.say(
      `She signs (EIP-712) a one-year treatment consent for ${CAST_NAMES.hospital} with that account; she pays no gas.`,
    );
    narrator.fact("categories", categoryNames(care).join(", "));
    narrator.fact("FHIR Consent commitment", commitment.commitment);
    const relayed = await relayGrant(relayerRegistry, signed);
    narrator.say(
      `The ${CAST_NAMES.relayer} submits it (tx ${relayed.receipt.hash}, ${relayed.receipt.gasUsed} gas, paid by the relayer).`,
    );
    check(
      relayed.receipt.from.toLowerCase() === (await cast.relayer.getAddress()).toLowerCase(),
      "the relayer did not pay",
    );
    const treatmentOk = await registry.isAuthorized(alice, hospital, PURPOSES.TREATMENT, categorySet("MEDICATIONS"));
    narrator.fact("isAuthorized(Alice@St. Mary's, St. Mary's, TREATMENT, MEDICATIONS)", treatmentOk);
    check(treatmentOk, "the hospital is not authorized for treatment after the relayed grant");
    const genomicsOk = await registry.isAuthorized(alice, hospital, PURPOSES.TREATMENT, categorySet("GENOMICS"));
    narrator.fact("isAuthorized(Alice@St. Mary's, St. Mary's, TREATMENT, GENOMICS)", genomicsOk);
    check(!genomicsOk, "the hospital is authorized for genomics, which Alice did not grant");

    // 2. A public-health consent, then its revocation, both signed by her and relayed.
    const reporting = categorySet("LAB_RESULTS");
    const publicHealth = { ...terms, purpose: PURPOSES.PUBLIC_HEALTH, categories: reporting };
    const reportingDocument = commit({ resourceType: "Consent", status: "active", note: "public-health reporting" });
    await relayGrant(
      relayerRegistry,
      await signGrant(atStMarys, registry, { ...publicHealth, documentCommitment: reportingDocument.commitment }),
    );
    narrator.say(`${CAST_NAMES.alice} lets St. Mary's report her lab results to the health authority.`);
    check(
      await registry.isAuthorized(alice, hospital, PURPOSES.PUBLIC_HEALTH, reporting),
      "the public-health consent is not in force",
    );
    await relayRevoke(
      relayerRegistry,
      await signRevoke(atStMarys, registry, { patient: alice, grantee: hospital, purpose: PURPOSES.PUBLIC_HEALTH }),
    );
    const revoked = await registry.consent(alice, hospital, PURPOSES.PUBLIC_HEALTH);
    narrator.say(`She changes her mind and revokes it, again by signature, again at no cost to her.`);
    narrator.fact("public-health consent", `version ${revoked.version}, revoked ${revoked.revoked}`);
    check(revoked.revoked && revoked.version === 2n, "the public-health consent is not revoked at version 2");
    check(
      !(await registry.isAuthorized(alice, hospital, PURPOSES.PUBLIC_HEALTH, reporting)),
      "St. Mary's may still report",
    );

    // 3. Alice arrives unconscious: the emergency room breaks the glass on her emergency card.
    const card = identity.derive({ kind: "emergency", epoch: 0 }).address;
    const reason = {
      resourceType: "AuditEvent",
      type: { system: "http://dicom.nema.org/resources/ontology/DCM", code: "110113", display: "Security Alert" },
      recorded: new Date(Number(now) * 1000).toISOString(),
      agent: [{ requestor: true, who: { reference: "Organization/st-marys" } }],
      source: { observer: { reference: "Organization/st-marys" } },
      purposeOfEvent: [{ coding: [{ system: "http://terminology.hl7.org/CodeSystem/v3-ActReason", code: "ETREAT" }] }],
    } satisfies AuditEvent;
    const reasonCommitment = commit(reason).commitment;
    narrator.say(
      `Months later ${CAST_NAMES.alice} is brought in unconscious. Her wallet's emergency card (a QR code in her ` +
        `phone case) shows one more account of hers, used for nothing else; the emergency room breaks the glass on it.`,
    );
    await (await registry.connect(cast.hospital).breakGlass(card, reasonCommitment)).wait();
    const count = await registry.emergencyAccessCount(card);
    narrator.fact("emergency card account", card);
    narrator.fact("emergency accesses recorded on it", count);
    check(count === 1n, "the card's emergency-access count is not 1");
    let refused = false;
    try {
      await registry.connect(cast.relayer).breakGlass.staticCall(card, reasonCommitment);
    } catch {
      refused = true;
    }
    narrator.fact("a non-provider trying the same", refused ? "refused (AccessManagedUnauthorized)" : "ACCEPTED");
    check(refused, "an account without PROVIDER could break the glass");

    // 4. Everything read back from events.
    const history = await consentHistory(registry, alice);
    narrator.say(`Her history with St. Mary's, rebuilt from events: ${history.map((e) => e.kind).join(" -> ")}.`);
    check(
      history.map((e) => e.kind).join(",") === "granted,granted,revoked",
      "Alice's history is not grant, grant, revoke",
    );
    const inForce = await currentConsents(registry, alice);
    narrator.fact(
      "consents in force",
      inForce.map((c) => `St. Mary's for TREATMENT, document ${c.documentCommitment}`).join("; "),
    );
    check(
      inForce.length === 1 && inForce[0].documentCommitment === commitment.commitment,
      "the in-force consent or its document commitment is wrong",
    );
    const cardHistory = await consentHistory(registry, card);
    check(
      cardHistory.length === 1 && cardHistory[0].kind === "emergencyAccess" && cardHistory[0].actor === hospital,
      "the emergency access is not in the card's history",
    );
    // 5. Her treatment consent in the partners' standard: a FHIR R4 Consent, and back into the same terms.
    const fhir = exportConsent(terms);
    const [back] = importConsent(fhir).grants;
    narrator.say(
      "Exported as a FHIR R4 Consent, the consent is what St. Mary's EHR reads; imported back, it gives the same terms.",
    );
    narrator.fact(
      "FHIR Consent",
      `provision ${fhir.provision?.type}, purpose ${fhir.provision?.purpose?.find((p) => p.system === FHIR_SYSTEMS.actReason)?.code}, ` +
        `${fhir.provision?.class?.length ?? 0} data classes`,
    );
    check(
      back.grantee === terms.grantee && back.purpose === terms.purpose && back.categories === terms.categories,
      "the FHIR Consent did not import back into the same terms",
    );
    let nested = "";
    try {
      importConsent({
        ...fhir,
        provision: {
          ...fhir.provision,
          provision: [{ type: "deny", class: [{ system: FHIR_SYSTEMS.resourceTypes, code: "Condition" }] }],
        },
      });
    } catch (error) {
      nested = (error as Error).message;
    }
    narrator.fact("a Consent with a nested deny", nested ? `refused: ${nested}` : "ACCEPTED");
    check(nested !== "", "a nested deny the registry cannot hold was imported");

    const balances = await Promise.all([alice, card].map((a) => provider.getBalance(a)));
    narrator.fact("ETH ever held by her St. Mary's and card accounts", balances.join(" and "));
    check(
      balances.every((b) => b === 0n),
      "one of Alice's accounts holds ETH",
    );
  },
};
