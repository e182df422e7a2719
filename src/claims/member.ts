import type { Consent } from "@medplum/fhirtypes";
import type { Signer, Wallet } from "ethers";
import type { ClaimsManager, ConsentRegistry, HealthLedgerForwarder } from "../../typechain-types";
import {
  commitConsentDocument,
  PURPOSES,
  signGrant,
  type GrantRequest,
  type Signed,
  type SignOptions,
} from "../consent";
import type { PatientIdentity } from "../identity";
import type { Hex32, RecordCommitment } from "../records";
import { signForwardRequest, type ForwardRequestData } from "../relay";
import { paymentConsentServices, PolicyBlinding, providerCodebook, type ServiceCodebook } from "./blinding";

/*
 * The member's side of a policy, on a public chain: her pseudonym for the policy and its blinding key (both derived
 * from her one mnemonic), her payment consent to a provider in the policy's blinded codes, and her own appeal,
 * signed by the pseudonym and relayed (it holds no ETH). docs/claims.md, "The member's path", walks through it.
 */

/** A member's policy relationship: the account the policy is issued to, its blinding key and its blinding. */
export interface PolicyMember {
  /** The member's account for this policy (holds no ETH; signs, relayers submit). */
  member: Wallet;
  /** The policy's blinding key (the relationship's secret): given to the insurer at issuance, never on chain. */
  key: Hex32;
  /** σ of the key: plain ↔ blinded service codes. */
  blinding: PolicyBlinding;
  /** The relationship's derivation label (docs/privacy.md). */
  label: string;
}

/**
 * The member's relationship for her `index`-th policy (0, 1, …) with `insurer`: the pseudonym the insurer issues the
 * policy to, and the key it computes the blinded covered set with. Recovered from the mnemonic alone.
 */
export function policyMember(identity: PatientIdentity, insurer: string, index = 0): PolicyMember {
  const keys = identity.derive({ kind: "policy", insurer, index });
  return { member: keys.wallet, key: keys.secret, blinding: PolicyBlinding.fromKey(keys.secret), label: keys.label };
}

/** What a member gives a provider for payment: the consent's terms in plain words. */
export interface PaymentConsentInput {
  /** The provider that may bill the policy (the grantee). */
  provider: string;
  /** The policy's blinding (from `policyMember`). */
  blinding: PolicyBlinding;
  /** Plain data categories the provider may disclose to the insurer (must include BILLING), e.g. `categorySet(...)`. */
  dataCategories: bigint;
  /** First second the consent is in force. */
  startsAt: bigint;
  /** First second it is no longer in force. */
  expiresAt: bigint;
  /** FHIR reference of the patient in the provider's records, for the off-chain document only. */
  patientReference?: string;
  /** FHIR reference of the provider, for the off-chain document only. */
  providerReference?: string;
}

/** A signed payment consent and what stays off chain with it. */
export interface SignedPaymentConsent {
  /** The grant, signed by the pseudonym: any relayer submits it with `relayGrant`. */
  signed: Signed<GrantRequest>;
  /** The FHIR Consent in plain data categories (off chain; its salted commitment is the grant's document). */
  document: Consent;
  commitment: RecordCommitment;
  /** The part of the policy's blinding the provider needs to bill what the consent allows: hand it over off chain. */
  codebook: ServiceCodebook;
}

/**
 * Signs, as the policy pseudonym `member`, a PAYMENT consent to a provider in the policy's blinded codes: the
 * registry stores the blinded services the plain data categories allow (`paymentConsentServices`), the FHIR
 * document keeps the plain categories off chain. Submit `signed` with `relayGrant(registry.connect(relayer), …)`.
 */
export async function signPaymentConsent(
  member: Signer,
  registry: ConsentRegistry,
  input: PaymentConsentInput,
  options: SignOptions = {},
): Promise<SignedPaymentConsent> {
  const patient = await member.getAddress();
  const categories = paymentConsentServices(input.blinding, input.dataCategories);
  const terms = {
    patient,
    grantee: input.provider,
    purpose: PURPOSES.PAYMENT,
    startsAt: input.startsAt,
    expiresAt: input.expiresAt,
  };
  const { document, commitment } = commitConsentDocument(
    { ...terms, categories: input.dataCategories },
    {
      ...(input.patientReference === undefined ? {} : { patientReference: input.patientReference }),
      ...(input.providerReference === undefined ? {} : { granteeReference: input.providerReference }),
    },
  );
  const signed = await signGrant(
    member,
    registry,
    { ...terms, categories, documentCommitment: commitment.commitment },
    options,
  );
  return { signed, document, commitment, codebook: providerCodebook(input.blinding, input.dataCategories) };
}

/**
 * Signs the member's own appeal of a denied claim as her policy pseudonym, for a relayer to submit with
 * `relayForwardRequest(forwarder.connect(relayer), request)`. Simulated first: a refused appeal throws the
 * contract's named error here.
 */
export async function signMemberAppeal(
  member: Signer,
  forwarder: HealthLedgerForwarder,
  manager: ClaimsManager,
  claimId: string,
  evidenceCommitment: string,
): Promise<ForwardRequestData> {
  return signForwardRequest(member, forwarder, {
    to: await manager.getAddress(),
    data: manager.interface.encodeFunctionData("appeal", [claimId, evidenceCommitment]),
  });
}
