import { id, type BaseContract } from "ethers";
import { commit } from "../../records";
import { categoryNames } from "../../consent/categories";
import { PURPOSES } from "../../consent/purposes";
import {
  buildClaimResponse,
  claimFingerprint,
  claimHistory,
  ClaimStatus,
  commitClaim,
  coveredSet,
  policyYearOf,
  previewAdjudication,
  REASON,
  reasonText,
  revealedDataCategories,
  SERVICE,
  sortLines,
  type ClaimLine,
} from "../../claims";
import { TestToken__factory } from "../../../typechain-types";
import { CAST_NAMES } from "../cast";
import type { Chapter } from "../types";

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
    const data = (e as { data?: string }).data;
    const parsed = data === undefined ? null : contract.interface.parseError(data);
    if (parsed === null) throw e;
    return parsed.name;
  }
}

const usd = (amount: bigint) => `${(Number(amount) / 1e6).toFixed(2)} USD`;

/**
 * Claims: Northwind insures Alice; she lets St. Mary's bill it; her visit is claimed, auto-approved and paid; the
 * same visit billed again under a new salt is refused; a denied dental line is appealed and paid after all; a big
 * claim under review does not starve a small one, which waits and is paid in full once the big one is denied. The
 * ClaimResponse is rebuilt from events.
 */
export const claimsChapter: Chapter = {
  title: "Insurance claims",
  async run({ hre, system, cast, narrator }) {
    const manager = system.claimsManager;
    const registry = system.consentRegistry;
    const token = TestToken__factory.connect(await manager.paymentToken(), cast.insurer);
    const [alice, hospital, insurer] = await Promise.all(
      [cast.alice, cast.hospital, cast.insurer].map((s) => s.getAddress()),
    );
    const now = BigInt((await hre.ethers.provider.getBlock("latest"))!.timestamp);
    narrator.say(`The claims manager is deployed at ${await manager.getAddress()}, paying in ${await token.symbol()}.`);

    // 1. A policy for Alice, and an escrow to pay from.
    const terms = commit({ resourceType: "Coverage", status: "active", beneficiary: { reference: "Patient/alice" } });
    await (
      await manager.connect(cast.insurer).createPolicy({
        termsCommitment: terms.commitment,
        member: alice,
        coverageStart: now - 30n * DAY,
        coverageEnd: now + 335n * DAY,
        coinsuranceBps: 2000,
        annualLimit: 20_000n * USD,
        deductible: 300n * USD,
        coveredCategories: coveredSet("CONSULTATION", "EMERGENCY", "LABORATORY", "IMAGING", "PHARMACY"),
        reviewThreshold: 2_500n * USD,
      })
    ).wait();
    const policyId = await manager.policyCount();
    const policy = await manager.policy(policyId);
    narrator.say(
      `${CAST_NAMES.insurer} issues policy #${policyId} to ${CAST_NAMES.alice}: deductible ${usd(policy.deductible)}, ` +
        `20% coinsurance, ${usd(policy.annualLimit)} a year, review above ${usd(policy.reviewThreshold)}; dental is not covered.`,
    );
    await (await token.mint(insurer, 50_000n * USD)).wait();
    await (await token.approve(await manager.getAddress(), 50_000n * USD)).wait();
    await (await manager.connect(cast.insurer).fundEscrow(50_000n * USD)).wait();
    const [escrowBalance] = await manager.escrow(insurer);
    narrator.fact("escrow", usd(escrowBalance));
    check(escrowBalance === 50_000n * USD, "the escrow was not funded");

    // 2. Alice's payment consent for the hospital.
    const visit: ClaimLine[] = sortLines([
      { category: SERVICE.CONSULTATION, amount: 450n * USD },
      { category: SERVICE.LABORATORY, amount: 180n * USD },
    ]);
    const dental: ClaimLine[] = [{ category: SERVICE.DENTAL, amount: 240n * USD }];
    const emergency: ClaimLine[] = [{ category: SERVICE.EMERGENCY, amount: 25_000n * USD }];
    const medicines: ClaimLine[] = [{ category: SERVICE.PHARMACY, amount: 50n * USD }];
    const needed = BigInt(
      revealedDataCategories([...visit, ...dental, ...emergency, ...medicines].map((l) => l.category)),
    );
    const refused = await revertName(
      manager,
      manager.connect(cast.hospital).submitClaim.staticCall(policyId, id("probe"), visit, now - DAY, 0),
    );
    check(refused === "ClaimsConsentMissing", `a claim without consent was not refused (${refused})`);
    narrator.say(`Without Alice's consent, the hospital cannot bill: ${refused}.`);
    await (
      await registry
        .connect(cast.alice)
        .grant(alice, hospital, PURPOSES.PAYMENT, needed, now, now + 365n * DAY, id("demo.consent.payment"))
    ).wait();
    narrator.say(`${CAST_NAMES.alice} consents to ${CAST_NAMES.hospital} using, for payment only:`);
    narrator.fact("categories", categoryNames(needed).join(", "));

    // 3. The visit: preview, submit, auto-approved.
    const serviceDate = now - 2n * DAY;
    const claimInput = {
      patient: "Patient/alice",
      provider: "Organization/st-marys",
      insurer: "Organization/northwind",
      policyId,
      serviceDate,
      lines: visit,
      currency: CURRENCY,
    };
    const { record } = commitClaim(claimInput);
    const usage = await manager.usage(policyId, policyYearOf(policy, serviceDate));
    const { balance, owed } = await manager.escrow(insurer);
    const preview = previewAdjudication({
      policy,
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
      await manager.connect(cast.hospital).submitClaim(policyId, record.commitment, visit, serviceDate, 0)
    ).wait();
    const claim = await manager.claim(record.commitment);
    narrator.say(`It submits only the claim's commitment ${record.commitment} (${submitted!.gasUsed} gas).`);
    narrator.fact("status", ClaimStatus[Number(claim.status)]);
    narrator.fact("approved", usd(claim.amount));
    narrator.fact("Alice's share", usd(claim.memberShare));
    check(Number(claim.status) === ClaimStatus.Approved, "the visit was not auto-approved");
    check(claim.amount === preview.benefit && claim.memberShare === preview.memberShare, "preview and chain differ");

    // 4. Paid by pull withdrawal.
    await (await manager.connect(cast.hospital).withdraw(record.commitment)).wait();
    const received = await token.balanceOf(hospital);
    narrator.say(`St. Mary's withdraws its payment from Northwind's escrow: it now holds ${usd(received)}.`);
    check(received === claim.amount, "the hospital was not paid the approved amount");
    const response = buildClaimResponse(await claimHistory(manager, record.commitment), CURRENCY);
    narrator.say("The FHIR ClaimResponse, rebuilt from events alone:");
    narrator.fact("outcome", `${response.outcome}, ${response.disposition}`);
    for (const item of response.item ?? []) {
      narrator.fact(
        `line ${item.itemSequence}`,
        item.adjudication.map((a) => `${a.category.coding?.[0].code} ${a.amount?.value}`).join(", "),
      );
    }
    check(response.payment?.amount.value === Number(claim.amount) / 1e6, "the ClaimResponse payment is wrong");

    // 5. The same visit again, under a new salt.
    const again = commitClaim(claimInput);
    const duplicate = await revertName(
      manager,
      manager.connect(cast.hospital).submitClaim.staticCall(policyId, again.record.commitment, visit, serviceDate, 0),
    );
    const fp = claimFingerprint(alice, hospital, serviceDate, visit);
    narrator.say(`The visit resubmitted under a new salt is refused: ${duplicate}.`);
    narrator.fact("fingerprint", `${fp} already billed by ${await manager.claimOfFingerprint(fp)}`);
    check(duplicate === "ClaimsFingerprintDuplicate", `the duplicate was not refused (${duplicate})`);

    // 6. A dental claim, denied, appealed and paid.
    const dentalClaim = commitClaim({ ...claimInput, lines: dental, serviceDate: now - DAY });
    const dentalId = dentalClaim.record.commitment;
    await (await manager.connect(cast.hospital).submitClaim(policyId, dentalId, dental, now - DAY, 0)).wait();
    const denied = await manager.claim(dentalId);
    narrator.say(`A dental repair after Alice's fall is denied: ${reasonText(Number(denied.reason))}.`);
    check(
      Number(denied.status) === ClaimStatus.Denied && Number(denied.reason) === REASON.SERVICE_NOT_COVERED,
      "the dental claim was not denied as not covered",
    );
    const evidence = commit({ resourceType: "DocumentReference", status: "current", description: "ER report" });
    await (await manager.connect(cast.alice).appeal(dentalId, evidence.commitment)).wait();
    narrator.say(`${CAST_NAMES.alice} appeals with the emergency report's commitment as evidence.`);
    await (await manager.connect(cast.insurer).approveAppeal(dentalId, 192n * USD)).wait();
    await (await manager.connect(cast.hospital).withdraw(dentalId)).wait();
    const appealed = await claimHistory(manager, dentalId);
    narrator.say(`Northwind approves on appeal (final) and St. Mary's is paid ${usd(appealed.paid)}.`);
    narrator.fact("ClaimResponse", buildClaimResponse(appealed, CURRENCY).disposition);
    check(appealed.appealed && appealed.status === ClaimStatus.Paid, "the appeal did not end in a payment");

    // 7. A claim under review does not starve another: its reservation pends the other instead of cutting it.
    const submitAs = async (lines: ClaimLine[]) => {
      const claimId = commitClaim({ ...claimInput, lines, serviceDate: now - DAY }).record.commitment;
      await (await manager.connect(cast.hospital).submitClaim(policyId, claimId, lines, now - DAY, 0)).wait();
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
