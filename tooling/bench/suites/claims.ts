import { keccak256, toUtf8Bytes, type ContractTransactionResponse } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { relayGrant } from "../../../src/consent/relayer";
import { blindLines, blindPolicyTerms, policyMember, signPaymentConsent } from "../../../src/claims";
import { ALL_SERVICES, SERVICE } from "../../../src/claims/categories";
import { PatientIdentity } from "../../../src/identity";
import type { BenchSuite, FloorSpec, Measurement } from "../types";
import { deployTestSystem } from "../../system";

/** `ClaimSubmitted`: 4 topics; data = fingerprint, serviceDate, priorAuthId, lines offset, 8-word adjudication,
 *  then the lines array (length + 2 words per line). */
const submittedLog = (lines: number) => ({ topics: 4, dataBytes: (12 + 1 + 2 * lines) * 32 }) as const;
/** `ClaimApproved(claimId, insurer indexed; amount, deductible, onAppeal)`. */
const APPROVED_LOG = { topics: 3, dataBytes: 96 } as const;
/** `ClaimPaid(claimId, provider, insurer indexed; amount)` and the token's `Transfer(from, to indexed; value)`. */
const PAID_LOG = { topics: 4, dataBytes: 32 } as const;
const TRANSFER_LOG = { topics: 3, dataBytes: 32 } as const;
/** `PriorAuthRequested(authId, policyId, provider indexed; category, requestCommitment)`. */
const AUTH_REQUESTED_LOG = { topics: 4, dataBytes: 64 } as const;
/** `PriorAuthApproved(authId, insurer indexed; amount, validUntil)`. */
const AUTH_APPROVED_LOG = { topics: 3, dataBytes: 64 } as const;

const DAY = 24n * 3600n;
/** The bench member's recovery phrase (she derives her policy pseudonym and blinding key from it). */
const BENCH_MNEMONIC = "legal winner thank year wave sausage worth useful legal winner thank yellow";
const USD = 1_000_000n;

function commitmentNo(n: number): string {
  return keccak256(toUtf8Bytes(`health-ledger.bench.claims.${n}`));
}

async function mined(sent: Promise<ContractTransactionResponse>): Promise<{ gas: bigint; calldata: string }> {
  const tx = await sent;
  const receipt = await tx.wait();
  if (receipt === null || receipt.status !== 1) throw new Error(`Benchmarked transaction ${tx.hash} failed`);
  return { gas: receipt.gasUsed, calldata: tx.data };
}

/**
 * The claims manager's operations (issue 6's budgets), asking the real consent registry, in a steady state: the
 * policy year already has usage and its deductible is met, the insurer's escrow is funded and the provider already
 * holds the payment token (first-time slots are the EVM's one-off cost, documented in docs/claims.md). As in
 * production since issue 10, the member is a policy pseudonym (its payment consent signed by it and relayed) and every
 * service code is blinded with the policy's key; the contract's work does not depend on either.
 * - `claims.submit`: a 2-line claim, auto-approved, with the member's consent checked. Writes two claim slots and
 *   the fingerprint (new), the year's committed benefit and the insurer's owed amount (changed).
 * - `claims.review`: the insurer approves a pended claim for its computed amount: claim status, owed amount and the
 *   year's committed benefit change; the year's reserved benefit goes back to zero (a cleared slot, which a floor
 *   does not count).
 * - `claims.withdraw`: the provider's payout: claim status, escrow, and both token balances.
 * - `claims.priorAuthRequest` / `claims.priorAuthApprove`: one new slot each, plus the counter / the status.
 */
export const claimsSuite: BenchSuite = {
  name: "claims",
  async run(hre: HardhatRuntimeEnvironment): Promise<Measurement[]> {
    const [, insurer, hospital, relayer] = await hre.ethers.getSigners();
    const system = await deployTestSystem(hre, {
      grants: [
        { role: "INSURER", account: insurer.address },
        { role: "PROVIDER", account: hospital.address },
      ],
    });
    const { consentRegistry: consent, token, claimsManager: manager } = system;
    const now = BigInt((await hre.ethers.provider.getBlock("latest"))!.timestamp);
    const { chainId } = await hre.ethers.provider.getNetwork();
    const identity = PatientIdentity.fromMnemonic(BENCH_MNEMONIC, chainId);
    const { member, blinding } = policyMember(identity, insurer.address, 0);
    const { signed } = await signPaymentConsent(member, consent, {
      provider: hospital.address,
      blinding,
      dataCategories: (1n << 16n) - 1n,
      startsAt: now,
      expiresAt: now + 365n * DAY,
    });
    await relayGrant(consent.connect(relayer), signed);
    await (await token.mint(insurer.address, 1_000_000n * USD)).wait();
    await (await token.connect(insurer).approve(await manager.getAddress(), 1_000_000n * USD)).wait();
    await (await manager.connect(insurer).fundEscrow(100_000n * USD)).wait();
    await (
      await manager.connect(insurer).createPolicy(
        blindPolicyTerms(blinding, {
          termsCommitment: commitmentNo(0),
          member: member.address,
          coverageStart: now - 30n * DAY,
          coverageEnd: now + 335n * DAY,
          coinsuranceBps: 2000,
          annualLimit: 50_000n * USD,
          deductible: 500n * USD,
          coveredCategories: ALL_SERVICES,
          reviewThreshold: 2_000n * USD,
        }),
      )
    ).wait();
    const lines = (a: bigint, b: bigint) =>
      blindLines(blinding, [
        { category: SERVICE.CONSULTATION, amount: a * USD },
        { category: SERVICE.LABORATORY, amount: b * USD },
      ]);
    const submit = (n: number, l: ReturnType<typeof lines>, daysAgo: bigint) =>
      mined(manager.connect(hospital).submitClaim(1, commitmentNo(n), l, now - daysAgo * DAY, 0));

    // Warm-up: the year's first claim (meets the deductible) is paid, so the provider holds the token.
    await submit(1, lines(600n, 300n), 20n);
    await mined(manager.connect(hospital).withdraw(commitmentNo(1)));

    const submitted = await submit(2, lines(400n, 200n), 10n);
    await submit(3, lines(3_000n, 1_000n), 5n); // benefit 3,200 > 2,000: pended
    const reviewed = await mined(manager.connect(insurer).approveClaim(commitmentNo(3), 3_200n * USD));
    const withdrawn = await mined(manager.connect(hospital).withdraw(commitmentNo(2)));
    const requested = await mined(
      manager.connect(hospital).requestPriorAuth(1, blinding.blind(SERVICE.SURGERY), commitmentNo(4)),
    );
    const approved = await mined(manager.connect(insurer).approvePriorAuth(1, 5_000n * USD, now + 30n * DAY));

    const floor = (calldata: string, newSlots: number, changedSlots: number, logs: FloorSpec["logs"]) => ({
      calldata,
      newSlots,
      changedSlots,
      logs,
    });
    return [
      {
        op: "claims.submit",
        gas: submitted.gas,
        floor: floor(submitted.calldata, 3, 2, [submittedLog(2)]),
        budget: 170_000,
      },
      { op: "claims.review", gas: reviewed.gas, floor: floor(reviewed.calldata, 0, 3, [APPROVED_LOG]), budget: 60_000 },
      {
        op: "claims.withdraw",
        gas: withdrawn.gas,
        floor: floor(withdrawn.calldata, 0, 4, [TRANSFER_LOG, PAID_LOG]),
        budget: 65_000,
      },
      {
        op: "claims.priorAuthRequest",
        gas: requested.gas,
        floor: floor(requested.calldata, 1, 1, [AUTH_REQUESTED_LOG]),
        budget: 90_000,
      },
      {
        op: "claims.priorAuthApprove",
        gas: approved.gas,
        floor: floor(approved.calldata, 1, 1, [AUTH_APPROVED_LOG]),
        budget: 90_000,
      },
    ];
  },
};
