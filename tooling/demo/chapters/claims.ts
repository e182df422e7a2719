import { id, type BaseContract } from "ethers";
import { commit } from "../../../src/records";
import { categoryNames } from "../../../src/consent/categories";
import { PURPOSES } from "../../../src/consent/purposes";
import { relayGrant } from "../../../src/consent/relayer";
import { relayForwardRequest } from "../../../src/relay";
import {
  assertPolicyBlinding,
  blindLines,
  blindPolicyTerms,
  buildClaimResponse,
  claimFingerprint,
  claimHistory,
  ClaimStatus,
  commitClaim,
  coveredSet,
  paymentConsentServices,
  PolicyBlinding,
  policyMember,
  policyYearOf,
  previewClaim,
  REASON,
  reasonText,
  revealedDataCategories,
  SERVICE,
  SERVICE_COUNT,
  serviceName,
  signMemberAppeal,
  signPaymentConsent,
  unblindLines,
  type ClaimLine,
} from "../../../src/claims";
import { clpSegments, remittance835 } from "../../../src/interop";
import { TestToken__factory } from "../../../typechain-types";
import { aliceIdentity, CAST_NAMES } from "../cast";
import type { Chapter } from "../types";
import { revertDataOf } from "../../../src/abi";

const DAY = 24n * 3600n;
const USD = 1_000_000n;
const CURRENCY = { code: "USD" as const, decimals: 6 };

function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`Claims chapter: ${what}`);
}

/** The name of the custom error a call reverts with, or null when it would succeed. */
async function revertName(contract: BaseContract, call: Promise<unknown>): Promise<string | null> {
  try {
    await call;
    return null;
  } catch (e) {
    // In process the revert data is `e.data`; from a node over JSON-RPC it is nested a level deeper.
    const data = revertDataOf(e);
    const parsed = data === undefined ? null : contract.interface.parseError(data);
    if (parsed === null) throw e;
    return parsed.name;
  }
}

const usd = (amount: bigint) => `${(Number(amount) / 1e6).toFixed(2)} USD`;
/** The codes of a 16-bit set, in order. */
const codes = (set: number) => Array.from({ length: SERVICE_COUNT }, (_, c) => c).filter((c) => (set >> c) & 1);
/** The names of a plain service set. */
const serviceNames = (set: number) => codes(set).map(serviceName);

/**
 * Claims, on a public chain: Northwind insures Alice's policy pseudonym, its covered services blinded with a key
 * only Alice, Northwind and the providers she lets bill hold; she lets St. Mary's bill it (a consent signed by the
 * pseudonym, relayed); her visit is claimed in blinded codes, auto-approved and paid, while an observer of every
 * block reads no service; the same visit billed again under a new salt is refused; a denied dental line is appealed
 * by Alice through a relayer and paid after all; a big claim under review does not starve a small one. The
 * ClaimResponse is rebuilt from events, in plain terms.
 */
export const claimsChapter: Chapter = {
  title: "Insurance claims",
  async run({ hre, system, cast, narrator }) {
    const manager = system.claimsManager;
    const registry = system.consentRegistry;
    const forwarder = system.forwarder;
    const token = TestToken__factory.connect(await manager.paymentToken(), cast.insurer);
    const [hospital, insurer] = await Promise.all([cast.hospital, cast.insurer].map((s) => s.getAddress()));
    const now = BigInt((await hre.ethers.provider.getBlock("latest"))!.timestamp);
    const { chainId } = await hre.ethers.provider.getNetwork();
    narrator.say(`The claims manager is deployed at ${await manager.getAddress()}, paying in ${await token.symbol()}.`);

    // 1. Alice's policy pseudonym and blinding key, and a policy issued to it.
    const identity = aliceIdentity(chainId);
    const { member, key, blinding } = policyMember(identity, insurer, 0);
    const alice = member.address;
    narrator.say(
      `Alice's wallet derives, from her one recovery phrase, an account for her first policy with ` +
        `${CAST_NAMES.insurer} and the policy's blinding key. She gives both to Northwind, off chain.`,
    );
    narrator.fact("policy pseudonym", `${alice} (used for this policy only, holds no ETH)`);
    const plainCovered = coveredSet("CONSULTATION", "EMERGENCY", "LABORATORY", "IMAGING", "PHARMACY");
    const terms = commit({ resourceType: "Coverage", status: "active", beneficiary: { reference: "Patient/alice" } });
    await (
      await manager.connect(cast.insurer).createPolicy(
        blindPolicyTerms(PolicyBlinding.fromKey(key), {
          termsCommitment: terms.commitment,
          member: alice,
          coverageStart: now - 30n * DAY,
          coverageEnd: now + 335n * DAY,
          coinsuranceBps: 2000,
          annualLimit: 20_000n * USD,
          deductible: 300n * USD,
          coveredCategories: plainCovered,
          reviewThreshold: 2_500n * USD,
        }),
      )
    ).wait();
    const policyId = await manager.policyCount();
    const policy = await manager.policy(policyId);
    assertPolicyBlinding(blinding, policy, plainCovered);
    narrator.say(
      `${CAST_NAMES.insurer} issues policy #${policyId} to the pseudonym: deductible ${usd(policy.deductible)}, ` +
        `20% coinsurance, ${usd(policy.annualLimit)} a year, review above ${usd(policy.reviewThreshold)}; dental is not ` +
        "covered. The covered services go on chain blinded with the key, and Alice's wallet checks them.",
    );
    narrator.fact("covered (plain, off chain)", serviceNames(plainCovered).join(", "));
    narrator.fact("covered (on chain)", `blinded codes ${codes(Number(policy.coveredCategories)).join(", ")}`);
    check(Number(policy.coveredCategories) !== plainCovered, "the covered set went on chain in plain codes");
    await (await token.mint(insurer, 50_000n * USD)).wait();
    await (await token.approve(await manager.getAddress(), 50_000n * USD)).wait();
    await (await manager.connect(cast.insurer).fundEscrow(50_000n * USD)).wait();
    const [escrowBalance] = await manager.escrow(insurer);
    narrator.fact("escrow", usd(escrowBalance));
    check(escrowBalance === 50_000n * USD, "the escrow was not funded");

    // 2. Alice's payment consent for the hospital, signed by the pseudonym, in blinded codes, relayed.
    const visit: ClaimLine[] = [
      { category: SERVICE.CONSULTATION, amount: 450n * USD },
      { category: SERVICE.LABORATORY, amount: 180n * USD },
    ];
    const dental: ClaimLine[] = [{ category: SERVICE.DENTAL, amount: 240n * USD }];
    const emergency: ClaimLine[] = [{ category: SERVICE.EMERGENCY, amount: 25_000n * USD }];
    const medicines: ClaimLine[] = [{ category: SERVICE.PHARMACY, amount: 50n * USD }];
    const needed = BigInt(
      revealedDataCategories([...visit, ...dental, ...emergency, ...medicines].map((l) => l.category)),
    );
    const refused = await revertName(
      manager,
      manager
        .connect(cast.hospital)
        .submitClaim.staticCall(policyId, id("probe"), blindLines(blinding, visit), now - DAY, 0),
    );
    check(refused === "ClaimsConsentMissing", `a claim without consent was not refused (${refused})`);
    narrator.say(`Without Alice's consent, the hospital cannot bill: ${refused}.`);
    const consent = await signPaymentConsent(member, registry, {
      provider: hospital,
      blinding,
      dataCategories: needed,
      startsAt: now,
      expiresAt: now + 365n * DAY,
      patientReference: "Patient/alice",
      providerReference: "Organization/st-marys",
    });
    const relayed = await relayGrant(registry.connect(cast.relayer), consent.signed);
    const codebook = consent.codebook;
    const stored = (await registry.consent(alice, hospital, PURPOSES.PAYMENT)).categories;
    narrator.say(
      `Alice's pseudonym signs a consent for ${CAST_NAMES.hospital} to bill, for payment only, what ` +
        `reveals these data categories; the ${CAST_NAMES.relayer} submits it (${relayed.receipt.gasUsed} gas).`,
    );
    narrator.fact("data categories (plain, in the off-chain FHIR Consent)", categoryNames(needed).join(", "));
    narrator.fact("services it lets St. Mary's bill (on chain)", `blinded codes ${codes(Number(stored)).join(", ")}`);
    narrator.fact("St. Mary's codebook (off chain)", codebook.services.map(serviceName).join(", "));
    check(stored === paymentConsentServices(blinding, needed), "the registry does not hold the blinded services");

    // 3. The visit: preview in plain terms, submit in blinded codes, auto-approved.
    const serviceDate = now - 2n * DAY;
    const claimInput = {
      patient: "Patient/alice",
      provider: "Organization/st-marys",
      insurer: "Organization/northwind",
      policyId,
      serviceDate,
      lines: visit,
      blinding: codebook,
      currency: CURRENCY,
    };
    const { record } = commitClaim(claimInput);
    const usage = await manager.usage(policyId, policyYearOf(policy, serviceDate));
    const { balance, owed } = await manager.escrow(insurer);
    const preview = previewClaim({
      policy,
      blinding: codebook,
      usage,
      escrowAvailable: balance - owed,
      lines: visit,
      serviceDate,
    });
    narrator.say(
      `St. Mary's previews the claim for Alice's visit (consultation ${usd(visit[0].amount)}, lab ${usd(visit[1].amount)}): ` +
        `insurer pays ${usd(preview.benefit)}, Alice owes ${usd(preview.memberShare)}.`,
    );
    const submitted = await (
      await manager.connect(cast.hospital).submitClaim(policyId, record.commitment, preview.submitLines, serviceDate, 0)
    ).wait();
    const claim = await manager.claim(record.commitment);
    narrator.say(
      `It submits the claim's commitment ${record.commitment} and its blinded lines (${submitted!.gasUsed} gas).`,
    );
    narrator.fact("status", ClaimStatus[Number(claim.status)]);
    narrator.fact("approved", usd(claim.amount));
    narrator.fact("Alice's share", usd(claim.memberShare));
    check(Number(claim.status) === ClaimStatus.Approved, "the visit was not auto-approved");
    check(claim.amount === preview.benefit && claim.memberShare === preview.memberShare, "preview and chain differ");
    const [log] = await manager.queryFilter(manager.filters.ClaimSubmitted(record.commitment));
    const observed = log.args.lines.map((l) => `code ${l.category}: ${usd(l.amount)}`);
    narrator.say(
      "What an observer of every block reads in the ClaimSubmitted event, and what Alice reads with her key:",
    );
    narrator.fact("observer", `policy #${policyId} of ${alice}, billed by St. Mary's: ${observed.join(", ")}`);
    narrator.fact(
      "Alice",
      unblindLines(blinding, preview.submitLines)
        .map((l) => `${serviceName(l.category)}: ${usd(l.amount)}`)
        .join(", "),
    );
    check(
      log.args.lines.every((l, i) => Number(l.category) === preview.submitLines[i].category),
      "the chain does not hold the blinded lines",
    );

    // 4. Paid by pull withdrawal.
    await (await manager.connect(cast.hospital).withdraw(record.commitment)).wait();
    const received = await token.balanceOf(hospital);
    narrator.say(`St. Mary's withdraws its payment from Northwind's escrow: it now holds ${usd(received)}.`);
    check(received === claim.amount, "the hospital was not paid the approved amount");
    const visitHistory = await claimHistory(manager, record.commitment, codebook);
    const response = buildClaimResponse(visitHistory, CURRENCY);
    narrator.say("The FHIR ClaimResponse, rebuilt from events alone and unblinded with St. Mary's codebook:");
    narrator.fact("outcome", `${response.outcome}, ${response.disposition}`);
    for (const item of response.item ?? []) {
      narrator.fact(
        `line ${item.itemSequence}`,
        item.adjudication.map((a) => `${a.category.coding?.[0].code} ${a.amount?.value}`).join(", "),
      );
    }
    check(response.payment?.amount.value === Number(claim.amount) / 1e6, "the ClaimResponse payment is wrong");
    // The payers' standard: the same decision as an X12 835 remittance, each adjustment with its group and CARC.
    const remittance = remittance835(visitHistory, CURRENCY);
    narrator.say(
      "St. Mary's billing system reads the same decision as an X12 835 remittance (docs/interoperability.md):",
    );
    for (const segment of clpSegments(remittance)) narrator.fact("835", segment);
    const carcs = remittance.claims.flatMap((c) => [...c.adjustments, ...c.serviceLines.flatMap((l) => l.adjustments)]);
    check(
      carcs.some((a) => a.group === "PR" && a.reason === "1") &&
        carcs.some((a) => a.group === "PR" && a.reason === "2"),
      "the remittance does not carry the deductible (PR-1) and coinsurance (PR-2) adjustments",
    );

    // 5. The same visit again, under a new salt.
    const again = commitClaim(claimInput);
    const duplicate = await revertName(
      manager,
      manager
        .connect(cast.hospital)
        .submitClaim.staticCall(policyId, again.record.commitment, preview.submitLines, serviceDate, 0),
    );
    const fp = claimFingerprint(alice, hospital, serviceDate, preview.submitLines);
    narrator.say(
      `The visit resubmitted under a new salt is refused: ${duplicate}. Its fingerprint hashes the pseudonym and the ` +
        "blinded lines, so only a holder of the key who knows whose pseudonym it is could test a guess with it.",
    );
    narrator.fact("fingerprint", `${fp} already billed by ${await manager.claimOfFingerprint(fp)}`);
    check(duplicate === "ClaimsFingerprintDuplicate", `the duplicate was not refused (${duplicate})`);

    // 6. A dental claim, denied, appealed by Alice through a relayer, and paid.
    const dentalClaim = commitClaim({ ...claimInput, lines: dental, serviceDate: now - DAY });
    const dentalId = dentalClaim.record.commitment;
    await (
      await manager.connect(cast.hospital).submitClaim(policyId, dentalId, blindLines(codebook, dental), now - DAY, 0)
    ).wait();
    const denied = await manager.claim(dentalId);
    narrator.say(`A dental repair after Alice's fall is denied: ${reasonText(Number(denied.reason))}.`);
    check(
      Number(denied.status) === ClaimStatus.Denied && Number(denied.reason) === REASON.SERVICE_NOT_COVERED,
      "the dental claim was not denied as not covered",
    );
    const evidence = commit({ resourceType: "DocumentReference", status: "current", description: "ER report" });
    const appeal = await signMemberAppeal(member, forwarder, manager, dentalId, evidence.commitment);
    const appealed_ = await relayForwardRequest(forwarder.connect(cast.relayer), appeal);
    narrator.say(
      `${CAST_NAMES.alice} appeals with the emergency report's commitment as evidence: her pseudonym signs, the ` +
        `${CAST_NAMES.relayer} relays it through the forwarder and pays (${appealed_.gasUsed} gas).`,
    );
    check(
      (await hre.ethers.provider.getBalance(alice)) === 0n &&
        Number((await manager.claim(dentalId)).status) === ClaimStatus.Appealed,
      "the relayed appeal did not land, or the pseudonym holds ETH",
    );
    await (await manager.connect(cast.insurer).approveAppeal(dentalId, 192n * USD)).wait();
    await (await manager.connect(cast.hospital).withdraw(dentalId)).wait();
    const appealed = await claimHistory(manager, dentalId, blinding);
    narrator.say(`Northwind approves on appeal (final) and St. Mary's is paid ${usd(appealed.paid)}.`);
    narrator.fact("ClaimResponse", buildClaimResponse(appealed, CURRENCY).disposition);
    check(appealed.appealed && appealed.status === ClaimStatus.Paid, "the appeal did not end in a payment");

    // 7. A claim under review does not starve another: its reservation pends the other instead of cutting it.
    const submitAs = async (lines: ClaimLine[]) => {
      const claimId = commitClaim({ ...claimInput, lines, serviceDate: now - DAY }).record.commitment;
      await (
        await manager.connect(cast.hospital).submitClaim(policyId, claimId, blindLines(codebook, lines), now - DAY, 0)
      ).wait();
      return { claimId, claim: await manager.claim(claimId) };
    };
    const er = await submitAs(emergency);
    narrator.say(
      `An emergency stay billed ${usd(emergency[0].amount)} waits for Northwind's review: it reserves ` +
        `${usd(er.claim.amount)}, all that approved claims left of the year's limit.`,
    );
    narrator.fact("reason", reasonText(Number(er.claim.reason)));
    check(Number(er.claim.reason) === REASON.PENDED_FOR_REVIEW, "the emergency claim was not pended for review");
    const meds = await submitAs(medicines);
    narrator.say(
      `The medicines Alice took home (${usd(medicines[0].amount)}) would be cut to nothing by that reservation. ` +
        `Instead of being approved for nothing, for good, they wait too, still approvable for ${usd(meds.claim.amount)}.`,
    );
    narrator.fact("reason", reasonText(Number(meds.claim.reason)));
    check(
      Number(meds.claim.reason) === REASON.PENDED_LIMIT_RESERVED && meds.claim.amount === 40n * USD,
      "the medicines were not pended for their full benefit",
    );
    await (await manager.connect(cast.insurer).denyClaim(er.claimId, REASON.INSUFFICIENT_DOCUMENTATION)).wait();
    await (await manager.connect(cast.insurer).approveClaim(meds.claimId, meds.claim.amount)).wait();
    await (await manager.connect(cast.hospital).withdraw(meds.claimId)).wait();
    const year = await manager.usage(policyId, policyYearOf(policy, now - DAY));
    narrator.say(
      "Northwind denies the emergency claim for want of documents: its reservation is released, and the medicines " +
        "are approved and paid in full.",
    );
    narrator.fact("year's limit", `${usd(year.committed)} committed, ${usd(year.reserved)} reserved`);
    check(year.reserved === 0n && year.committed === 264n * USD + 192n * USD + 40n * USD, "the year's usage is off");

    const [finalBalance, finalOwed] = await manager.escrow(insurer);
    narrator.fact("escrow left", `${usd(finalBalance)}, owed ${usd(finalOwed)}`);
    check(
      finalBalance === 50_000n * USD - received - 192n * USD - 40n * USD && finalOwed === 0n,
      "the escrow does not add up",
    );
  },
};
