/**
 * `hardhat run --network localhost tooling/audit/activity.ts`: generates activity in all four domains on a deployed
 * system (addresses in `AUDIT_ADDRESSES`, a NodeSystem JSON), at a scale (`AUDIT_SCALE`, default 1). Used by the
 * auditor's tests (scale 1: a few hundred events with every kind of fact the checks look at) and by
 * `npm run bench:audit` (large scales, automine off and many transactions per block: `AUDIT_FAST=1`).
 * Prints one JSON line: the events expected per domain and the block range.
 */
import hre from "hardhat";
import {
  keccak256,
  toUtf8Bytes,
  toQuantity,
  getAddress,
  type BaseContract,
  type ContractTransactionResponse,
  type Signer,
} from "ethers";
import {
  ClaimsManager__factory,
  ConsentRegistry__factory,
  DrugProvenance__factory,
  HealthLedgerAuthority__factory,
  TestToken__factory,
  TrialRegistry__factory,
} from "../../typechain-types";
import { grantRoles } from "../../src/authority/permissions";
import { blindLines, blindPolicyTerms, policyMember, signPaymentConsent } from "../../src/claims";
import { ALL_SERVICES, SERVICE } from "../../src/claims/categories";
import { relayGrant } from "../../src/consent/relayer";
import { PURPOSES } from "../../src/consent/purposes";
import { PatientIdentity } from "../../src/identity";
import { SerialTree } from "../../src/provenance/serials";
import { trialResearchPurpose } from "../../src/trials/purposes";

const label = (s: string) => keccak256(toUtf8Bytes(s));
const addressOf = (s: string) => getAddress(`0x${label(s).slice(26)}`);
const DAY = 86_400n;
const USD = 1_000_000n;
/** Grants per consent `batch` transaction (the registry takes up to 100). */
const GRANTS_PER_TX = 50;
const MNEMONIC = "legal winner thank year wave sausage worth useful legal winner thank yellow";

async function main() {
  const addresses = JSON.parse(process.env.AUDIT_ADDRESSES ?? "{}") as Record<string, string>;
  const scale = Number(process.env.AUDIT_SCALE ?? "1");
  const fast = process.env.AUDIT_FAST === "1";
  const { ethers } = hre;
  const provider = ethers.provider;
  const signers = await ethers.getSigners();
  const [admin, hospital, insurer, manufacturer, pharmacy, sponsor, investigator, relayer] = signers;
  const patients = signers.slice(8, 14);
  const participants = signers.slice(14, 20);
  const authority = HealthLedgerAuthority__factory.connect(addresses.authority, admin);
  const consent = ConsentRegistry__factory.connect(addresses.consentRegistry, admin);
  const provenance = DrugProvenance__factory.connect(addresses.drugProvenance, admin);
  const claims = ClaimsManager__factory.connect(addresses.claimsManager, admin);
  const trials = TrialRegistry__factory.connect(addresses.trialRegistry, admin);
  const token = TestToken__factory.connect(addresses.paymentToken, admin);

  let queued = 0;
  const mine = async () => {
    if (fast && queued > 0) await provider.send("evm_mine", []);
    queued = 0;
  };
  type Method = (...args: unknown[]) => Promise<ContractTransactionResponse>;
  /**
   * Calls `method` of `contract` from `from`: waits for the receipt normally; with AUDIT_FAST, hands the node a raw
   * `eth_sendTransaction` (its accounts are unlocked) and mines 50 transactions per block (a larger mempool slows the node down).
   */
  const send = async (
    contract: BaseContract,
    from: Signer & { address: string },
    method: string,
    args: unknown[],
    gasLimit = 900_000,
  ) => {
    if (fast) {
      const data = contract.interface.encodeFunctionData(method, args);
      await provider.send("eth_sendTransaction", [
        { from: from.address, to: await contract.getAddress(), data, gas: toQuantity(gasLimit) },
      ]);
      if (++queued >= 50) await mine();
      return;
    }
    const tx = await (contract.connect(from) as unknown as Record<string, Method>)[method](...args);
    const receipt = await tx.wait();
    if (receipt?.status !== 1) throw new Error(`transaction ${tx.hash} failed`);
  };
  const fromBlock = await provider.getBlockNumber();

  await grantRoles(authority, [
    { role: "PROVIDER", account: hospital.address },
    { role: "INSURER", account: insurer.address },
    { role: "MANUFACTURER", account: manufacturer.address },
    { role: "DISPENSER", account: pharmacy.address },
    { role: "SPONSOR", account: sponsor.address },
    { role: "INVESTIGATOR", account: investigator.address },
  ]);
  const now = BigInt((await provider.getBlock("latest"))!.timestamp);
  if (fast) {
    await provider.send("evm_setAutomine", [false]);
    await provider.send("evm_setBlockGasLimit", ["0x" + (400_000_000).toString(16)]);
  }

  // ---------------------------------------------------------------- consent: batched grants, revocations, break-glass
  const rounds = 2 * scale;
  for (let r = 0; r < rounds; r++) {
    for (const [p, patient] of patients.entries()) {
      const grants = Array.from({ length: GRANTS_PER_TX }, (_, g) => ({
        grantee: addressOf(`grantee ${p}.${g % (GRANTS_PER_TX / 2)}`),
        purpose: g < GRANTS_PER_TX / 2 ? PURPOSES.TREATMENT : PURPOSES.RESEARCH,
        categories: 1n << BigInt(1 + ((r + g) % 10)),
        startsAt: now,
        expiresAt: now + 365n * DAY,
        documentCommitment: label(`consent ${p}.${r}.${g}`),
      }));
      const revokes = r % 2 === 1 ? [{ grantee: addressOf(`grantee ${p}.0`), purpose: PURPOSES.TREATMENT }] : [];
      await send(consent, patient, "batch", [patient.address, grants, revokes], 12_000_000);
    }
  }
  await mine();
  for (const [p, patient] of patients.entries()) {
    if (p < 2) await send(consent, hospital, "breakGlass", [patient.address, label(`emergency ${p}`)]);
    if (p < 3) await send(consent, patient, "appointDelegate", [addressOf(`delegate ${p}`), 1, now + 100n * DAY]);
  }
  await mine();

  // ---------------------------------------------------------------- provenance: commission, ship, accept, dispense, recall
  const serials = ["SER0001A", "SER0002B", "SER0003C", "SER0004D"];
  const tree = SerialTree.build(serials);
  const batches = 3 * scale;
  const gtin = 9506000134352n;
  const batchIds: string[] = [];
  for (let b = 0; b < batches; b++) {
    const lot = `0x${Buffer.from(`LOT${b}`.padEnd(32, "\0")).toString("hex")}`;
    await send(provenance, manufacturer, "commission", [
      gtin,
      lot,
      now + 400n * DAY,
      4,
      tree.root,
      label(`medication ${b}`),
    ]);
    batchIds.push(keccak256(ethers.AbiCoder.defaultAbiCoder().encode(["uint64", "bytes32"], [gtin, lot])));
  }
  await mine();
  const shipments = batchIds.map((batchId, b) => ({
    batchId,
    from: manufacturer.address,
    to: pharmacy.address,
    quantity: 3n,
    documentsCommitment: label(`shipment ${b}`),
  }));
  for (const s of shipments)
    await send(provenance, manufacturer, "ship", [s.batchId, s.to, s.quantity, s.documentsCommitment]);
  await mine();
  for (const s of shipments) await send(provenance, pharmacy, "accept", [s]);
  await mine();
  for (const [b, s] of shipments.entries()) {
    const unit = tree.unit(b % 3 === 0 ? 1 : 0);
    await send(provenance, pharmacy, "dispense", [s.batchId, unit.position, unit.serial, unit.proof]);
    if (b % 3 === 2) await send(provenance, manufacturer, "recall", [s.batchId, label(`recall ${b}`)]);
  }
  await mine();

  // ---------------------------------------------------------------- claims: a policy, claims approved, pended, paid
  const { chainId } = await provider.getNetwork();
  const identity = PatientIdentity.fromMnemonic(MNEMONIC, chainId);
  const { member, blinding } = policyMember(identity, insurer.address, 0);
  if (fast) await provider.send("evm_setAutomine", [true]);
  const { signed } = await signPaymentConsent(member, consent, {
    provider: hospital.address,
    blinding,
    dataCategories: (1n << 16n) - 1n,
    startsAt: now,
    expiresAt: now + 365n * DAY,
  });
  await relayGrant(consent.connect(relayer), signed);
  await (await token.mint(insurer.address, 10_000_000n * USD)).wait();
  await (await token.connect(insurer).approve(addresses.claimsManager, 10_000_000n * USD)).wait();
  await (await claims.connect(insurer).fundEscrow(5_000_000n * USD)).wait();
  await (
    await claims.connect(insurer).createPolicy(
      blindPolicyTerms(blinding, {
        termsCommitment: label("policy terms"),
        member: member.address,
        coverageStart: now - 30n * DAY,
        coverageEnd: now + 335n * DAY,
        coinsuranceBps: 2000,
        annualLimit: 100_000_000n * USD,
        deductible: 100n * USD,
        coveredCategories: ALL_SERVICES,
        reviewThreshold: 2_000n * USD,
      }),
    )
  ).wait();
  const policyId = await claims.policyCount();
  if (fast) await provider.send("evm_setAutomine", [false]);
  const claimCount = 8 * scale;
  const claimIds = Array.from({ length: claimCount }, (_, c) => label(`claim ${c}`));
  for (let c = 0; c < claimCount; c++) {
    const big = c % 4 === 3;
    const lines = blindLines(blinding, [
      { category: SERVICE.CONSULTATION, amount: (big ? 3_000n : 200n) * USD + BigInt(c) },
      { category: SERVICE.LABORATORY, amount: 50n * USD },
    ]);
    await send(claims, hospital, "submitClaim", [policyId, claimIds[c], lines, now - DAY * BigInt(1 + (c % 25)), 0]);
  }
  await mine();
  for (let c = 0; c < claimCount; c++) {
    if (c % 4 === 3) await send(claims, insurer, "approveClaim", [claimIds[c], 1_000n * USD]);
  }
  await mine();
  for (let c = 0; c < claimCount; c++)
    if (c % 2 === 0 || c % 4 === 3) await send(claims, hospital, "withdraw", [claimIds[c]]);
  await mine();

  // ---------------------------------------------------------------- trials: register, enrol, visits, switched outcomes, results
  if (fast) await provider.send("evm_setAutomine", [true]);
  await (await token.mint(sponsor.address, 10n ** 24n)).wait();
  await (await token.connect(sponsor).approve(addresses.trialRegistry, 10n ** 24n)).wait();
  const outcomes = (tag: string, n: number) =>
    Array.from({ length: n }, (_, i) => ({ commitment: label(`${tag}-outcome-${i}`), primary: i === 0 }));
  // Trials run with automine on (each step needs the last): a few, however large the scale.
  const trialCount = Math.min(8, Math.max(1, Math.floor(scale / 2)));
  for (let t = 0; t < trialCount; t++) {
    const r = trials.connect(sponsor);
    await (
      await r.register({
        protocolCommitment: label(`protocol ${t}`),
        researchStudyCommitment: label(`study ${t}`),
        ethicsApprovalCommitment: label(`ethics approval ${t}`),
        targetEnrolment: 100,
        consentFormVersion: 1,
        requiredCategories: (1 << 1) | (1 << 4),
        stipendToken: addresses.paymentToken,
        stipendPerVisit: 10n ** 18n,
        outcomes: outcomes(`trial ${t}`, 3),
      })
    ).wait();
    const trialId = await trials.trialCount();
    await (await r.authorizeSite(trialId, investigator.address)).wait();
    await (await r.fundBudget(trialId, 10n ** 21n)).wait();
    await (await r.startRecruitment(trialId)).wait();
    const salt = (a: string) => label(`trial secret of ${a} in ${t}`);
    for (const p of participants) {
      await (
        await consent
          .connect(p)
          .grant(
            p.address,
            addresses.trialRegistry,
            trialResearchPurpose(trialId, 1, salt(p.address)),
            (1 << 1) | (1 << 4),
            0,
            2n ** 40n - 1n,
            label("consent form v1"),
          )
      ).wait();
      await (
        await trials.connect(investigator).enroll(trialId, p.address, salt(p.address), label(`subject ${p.address}`))
      ).wait();
      await (await trials.connect(investigator).recordVisit(trialId, p.address, salt(p.address))).wait();
    }
    // The outcome set changes after enrolment: flagged by the registry, reported by the audit.
    await (
      await r.amend(trialId, {
        protocolCommitment: label(`protocol ${t} v2`),
        reasonCommitment: label(`reason ${t}`),
        consentFormVersion: 0,
        outcomes: [outcomes(`trial ${t}`, 3)[1], { commitment: label(`trial ${t}-new-primary`), primary: true }].map(
          (o, i) => ({ ...o, primary: i === 1 }),
        ),
      })
    ).wait();
    await (await trials.connect(participants[0]).claimStipend(trialId, participants[0].address)).wait();
    // The first trial ends early, without results: its deadline runs from here (the audit flags it once past).
    if (t === 0) await (await r.terminate(trialId, label(`termination ${t}`))).wait();
  }
  const toBlock = await provider.getBlockNumber();
  if (fast) await provider.send("evm_setAutomine", [true]);
  console.log(JSON.stringify({ fromBlock, toBlock, batchIds, claimIds, trials: trialCount }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
