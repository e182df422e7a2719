import { getAddress, type ContractTransactionReceipt, type Signer } from "ethers";
import { signGrant, type GrantRequest, type SignOptions, type Signed } from "../consent/signing";
import { NO_EXPIRY } from "../consent/fhir";
import type { PatientIdentity } from "../identity";
import type { Hex32 } from "../records";
import { signForwardRequest, type ForwardRequestData } from "../relay";
import {
  IConsentVerifier__factory,
  type ConsentRegistry,
  type HealthLedgerForwarder,
  type TrialRegistry,
} from "../../typechain-types";
import { trialResearchPurpose } from "./purposes";

/**
 * Participants: a patient takes part in a trial as her trial relationship account (docs/privacy.md), which is
 * used for that one trial, holds no ETH, and is unlinkable to her other accounts; her research consent is salted
 * with the relationship's secret, so that no one can tell which trial it is for until she is enrolled.
 *
 * The path, end to end (docs/trials.md, "Participant accounts"):
 *   patient: trialParticipant(identity, registry, trialId)      → her account and salt for this trial
 *   patient: signResearchConsent(...) → relayGrant(...)           → consent under the salted purpose, relayed
 *   patient → site, off chain: enrolmentCard(participant)       → { registry, trialId, account, salt }
 *   site:    enrollParticipant(registry, card, subject)          → checks consent without the salt, then enrols
 *   site:    recordParticipantVisit(registry, card)              → each visit
 *   patient: signWithdraw / signClaimStipend → relayForwardRequest (src/relay), a relayer paying the gas
 */

/** A patient's participation in one trial: her trial account and the salt of her research consent. */
export interface TrialParticipant {
  /** The trial registry (checksummed). */
  registry: string;
  /** The trial. */
  trialId: bigint;
  /** The trial account's signer (not connected: it never sends a transaction itself). */
  wallet: Signer;
  /** The trial account: the participant as the registry knows her. */
  address: string;
  /** The relationship's 32-byte secret, the salt of her research purpose. Give it to the enrolling site only. */
  salt: Hex32;
}

/**
 * The patient's account and consent salt for one trial: `identity.derive({ kind: "trial", registry, trialId })`.
 * The same mnemonic always gives the same account and salt (a lost device recovers them).
 */
export function trialParticipant(identity: PatientIdentity, registry: string, trialId: bigint): TrialParticipant {
  const keys = identity.derive({ kind: "trial", registry, trialId });
  return { registry: getAddress(registry), trialId, wallet: keys.wallet, address: keys.address, salt: keys.secret };
}

/**
 * What the patient gives the site at enrolment, off chain (a QR code, the site's intake form): enough to enrol her
 * and to record her visits. The salt becomes public when the site enrols her; before that, only she and the site
 * know it.
 */
export interface EnrolmentCard {
  /** The trial registry. */
  registry: string;
  /** The trial. */
  trialId: bigint;
  /** The participant's trial account. */
  account: string;
  /** The salt of her research purpose (her trial secret). */
  salt: Hex32;
}

/** The card the patient hands the site (see {@link EnrolmentCard}). */
export function enrolmentCard(participant: TrialParticipant): EnrolmentCard {
  return {
    registry: participant.registry,
    trialId: participant.trialId,
    account: participant.address,
    salt: participant.salt,
  };
}

/** The research consent a trial needs now from one participant. */
export interface ResearchConsentTerms {
  /** `Purposes.trialResearch(trialId, consentFormVersion, salt)`. */
  purpose: Hex32;
  /** The consent-form version in force. */
  consentFormVersion: bigint;
  /** The data categories the trial needs (the consent must cover them all). */
  requiredCategories: bigint;
}

/**
 * Reads the trial's consent-form version and required categories, and computes the salted purpose locally: the
 * salt never leaves the caller (the registry has no view that takes it, on purpose).
 */
export async function researchConsentTerms(
  registry: TrialRegistry,
  trialId: bigint,
  salt: string,
): Promise<ResearchConsentTerms> {
  const trial = await registry.trial(trialId);
  if (trial.consentFormVersion === 0n) throw new Error(`Trial ${trialId} is not registered in this registry`);
  return {
    purpose: trialResearchPurpose(trialId, trial.consentFormVersion, salt),
    consentFormVersion: trial.consentFormVersion,
    requiredCategories: trial.requiredCategories,
  };
}

/** Options of {@link signResearchConsent}. */
export interface ResearchConsentOptions {
  /** Commitment of the signed consent form (FHIR Consent), kept off chain with its salt. */
  documentCommitment: string;
  /** Categories to grant (default: exactly the trial's required categories; more only if she wants). */
  categories?: bigint;
  /** First second in force (default 0: now). */
  startsAt?: bigint;
  /** First second no longer in force (default: never, `NO_EXPIRY`); she can revoke at any time. */
  expiresAt?: bigint;
  /** Nonce and deadline of the signature (see `signGrant`). */
  sign?: SignOptions;
}

/**
 * The patient signs, as her trial account, a consent to the trial registry for research in this trial under the
 * consent-form version in force, salted with her trial secret. Any relayer submits it with `relayGrant`
 * (src/consent): her trial account never needs ETH. Call again after an amendment with a new consent-form version.
 * @param consentRegistry The consent registry, connected to a provider (its nonce and domain are read).
 * @param trialRegistry The trial registry, connected to a provider.
 */
export async function signResearchConsent(
  participant: TrialParticipant,
  consentRegistry: ConsentRegistry,
  trialRegistry: TrialRegistry,
  options: ResearchConsentOptions,
): Promise<Signed<GrantRequest>> {
  await requireSameRegistry(trialRegistry, participant.registry);
  const terms = await researchConsentTerms(trialRegistry, participant.trialId, participant.salt);
  return signGrant(
    participant.wallet,
    consentRegistry,
    {
      patient: participant.address,
      grantee: participant.registry,
      purpose: terms.purpose,
      categories: options.categories ?? terms.requiredCategories,
      startsAt: options.startsAt ?? 0n,
      expiresAt: options.expiresAt ?? NO_EXPIRY,
      documentCommitment: options.documentCommitment,
    },
    options.sign,
  );
}

/**
 * Whether the card's account has research consent in force for the trial now, under its salt, covering the
 * trial's required categories: what `enroll` and `recordVisit` check. Asks the consent registry with the purpose
 * (a hash), never with the salt, so that the question reveals nothing about the trial to the node it goes to.
 */
export async function hasResearchConsent(registry: TrialRegistry, card: EnrolmentCard): Promise<boolean> {
  await requireSameRegistry(registry, card.registry);
  const terms = await researchConsentTerms(registry, card.trialId, card.salt);
  const verifier = IConsentVerifier__factory.connect(await registry.consentVerifier(), registry.runner);
  return verifier.isAuthorized(card.account, card.registry, terms.purpose, terms.requiredCategories);
}

/**
 * The site enrols the card's participant. It first checks her consent with {@link hasResearchConsent} (no salt
 * leaves the site) and throws if there is none, so that a patient who has not consented, or was screened out, never
 * has her salt sent anywhere; only then does it send `enroll`, which puts the salt in public calldata (ethers
 * estimates the gas first, so any other refusal throws the registry's named error without a transaction).
 * @param registry The trial registry, connected to the site's investigator signer.
 * @param researchSubjectCommitment Commitment of the FHIR ResearchSubject record (`commitResearchSubject`).
 */
export async function enrollParticipant(
  registry: TrialRegistry,
  card: EnrolmentCard,
  researchSubjectCommitment: string,
): Promise<ContractTransactionReceipt> {
  await requireConsent(registry, card, "enrol");
  return mined(registry.enroll(card.trialId, card.account, card.salt, researchSubjectCommitment));
}

/**
 * The site records a completed visit of the card's participant (consent checked first, as in
 * {@link enrollParticipant}).
 * @param registry The trial registry, connected to the site's investigator signer.
 */
export async function recordParticipantVisit(
  registry: TrialRegistry,
  card: EnrolmentCard,
): Promise<ContractTransactionReceipt> {
  await requireConsent(registry, card, "record a visit of");
  return mined(registry.recordVisit(card.trialId, card.account, card.salt));
}

/**
 * The participant signs her withdrawal from the trial as her trial account; any relayer submits it with
 * `relayForwardRequest(forwarder.connect(relayer), request)` (src/relay) and pays the gas.
 * @param forwarder The `HealthLedgerForwarder`, connected to a provider.
 * @param registry The trial registry, connected to a provider.
 */
export async function signWithdraw(
  participant: TrialParticipant,
  forwarder: HealthLedgerForwarder,
  registry: TrialRegistry,
): Promise<ForwardRequestData> {
  await requireSameRegistry(registry, participant.registry);
  const data = registry.interface.encodeFunctionData("withdraw", [participant.trialId]);
  return signForwardRequest(participant.wallet, forwarder, { to: participant.registry, data });
}

/**
 * The participant signs a claim of her accrued stipend, paid to `to`, as her trial account; any relayer submits it
 * (see {@link signWithdraw}). `to` is public for ever: naming an account she uses elsewhere (her main wallet,
 * another relationship's account, an exchange account in her name) links it to this trial account and so to the
 * trial. A fresh account of her own, or the trial account itself, keeps the link unmade (docs/trials.md).
 * @param to Where the tokens go.
 */
export async function signClaimStipend(
  participant: TrialParticipant,
  forwarder: HealthLedgerForwarder,
  registry: TrialRegistry,
  to: string,
): Promise<ForwardRequestData> {
  await requireSameRegistry(registry, participant.registry);
  let recipient: string;
  try {
    recipient = getAddress(to);
  } catch {
    throw new Error(`The stipend recipient must be an address (0x + 40 hex digits); got "${to}"`);
  }
  const data = registry.interface.encodeFunctionData("claimStipend", [participant.trialId, recipient]);
  return signForwardRequest(participant.wallet, forwarder, { to: participant.registry, data });
}

/** One trial the patient took part in, found by {@link recoverParticipations}. */
export interface Participation {
  participant: TrialParticipant;
  /** Her record in the registry (status, visits, accrued stipend). */
  record: Awaited<ReturnType<TrialRegistry["participant"]>>;
}

/**
 * Recovery after a lost device: derives the trial account of every trial of the registry (ids 1 to `trialCount()`)
 * from the patient's mnemonic and keeps those that were ever enrolled, with their salts and records. Consents given
 * before an enrolment that never happened are not enrolments: `recoverRelationships` (src/identity), which finds
 * every relationship of hers, and the consent SDK's `currentConsents(consentRegistry, address)` find them.
 */
export async function recoverParticipations(
  identity: PatientIdentity,
  registry: TrialRegistry,
): Promise<Participation[]> {
  const address = await registry.getAddress();
  const count = await registry.trialCount();
  const found: Participation[] = [];
  for (let trialId = 1n; trialId <= count; trialId++) {
    const participant = trialParticipant(identity, address, trialId);
    const record = await registry.participant(trialId, participant.address);
    if (record.status !== 0n) found.push({ participant, record });
  }
  return found;
}

async function requireSameRegistry(registry: TrialRegistry, expected: string): Promise<void> {
  const actual = await registry.getAddress();
  if (getAddress(actual) !== getAddress(expected)) {
    throw new Error(
      `This participant belongs to the trial registry ${expected}, not ${actual}: derive her account for this registry`,
    );
  }
}

async function requireConsent(registry: TrialRegistry, card: EnrolmentCard, action: string): Promise<void> {
  if (!(await hasResearchConsent(registry, card))) {
    throw new Error(
      `Cannot ${action} ${card.account} in trial ${card.trialId}: no research consent in force under this salt ` +
        `and the consent form in force (TrialConsentMissing); she must consent first (signResearchConsent)`,
    );
  }
}

async function mined(
  tx: Promise<{ wait(): Promise<ContractTransactionReceipt | null> }>,
): Promise<ContractTransactionReceipt> {
  const receipt = await (await tx).wait();
  if (receipt === null) throw new Error("The transaction was dropped before being mined");
  return receipt;
}
