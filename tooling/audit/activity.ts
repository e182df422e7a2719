/**
 * `hardhat run --network localhost tooling/audit/activity.ts`: generates activity in all four domains on a deployed
 * system (addresses in `AUDIT_ADDRESSES`, a NodeSystem JSON), at a scale (`AUDIT_SCALE`, default 1). Used by the
 * auditor's tests (scale 1: a few hundred events with every kind of fact the checks look at) and by
 * `npm run bench:audit` (`AUDIT_FAST=1`: see {@link FastSender}; about 560 events per unit of scale, spread over
 * `AUDIT_MONTHS` months of chain time, 30 days apart).
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
  // Lots and claim ids are unique per chain: a second run on the same node (the bench's second size) names its own.
  const run = process.env.AUDIT_RUN ?? "";
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

  const fastSender = fast ? new FastSender(process.env.HEALTH_LEDGER_NODE_URL ?? "http://127.0.0.1:8545") : undefined;
  const mine = async () => {
    await fastSender?.mine();
  };
  type Method = (...args: unknown[]) => Promise<ContractTransactionResponse>;
  /** Calls `method` of `contract` from `from`: queued for the next {@link mine} with AUDIT_FAST, else sent and awaited. */
  const send = async (
    contract: BaseContract,
    from: Signer & { address: string },
    method: string,
    args: unknown[],
    gasLimit = 900_000,
  ) => {
    if (fastSender !== undefined) {
      const data = contract.interface.encodeFunctionData(method, args);
      await fastSender.queue({ from: from.address, to: await contract.getAddress(), data, gas: gasLimit });
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
  // The activity runs over `AUDIT_MONTHS` months of chain time 30 days apart (default 1: all at once), each month
  // taking its share of every domain's work; the bench spreads a year. Times in a month are relative to its first
  // block. With `AUDIT_CONTINUES=1` (more activity on a chain that has some) the first month is 30 days on too.
  const months = Math.max(1, Number(process.env.AUDIT_MONTHS ?? "1"));
  const share = (total: number, m: number) => Math.floor((total * (m + 1)) / months) - Math.floor((total * m) / months);
  const latest = async () => BigInt((await provider.getBlock("latest"))!.timestamp);
  const start = await latest();
  if (fastSender !== undefined) await fastSender.start();

  // ---------------------------------------------------------------- set up once: a policy, stipend tokens
  const { chainId } = await provider.getNetwork();
  const identity = PatientIdentity.fromMnemonic(MNEMONIC, chainId);
  const { member, blinding } = policyMember(identity, insurer.address, Number(run || "0"));
  await fastSender?.pause();
  const { signed } = await signPaymentConsent(member, consent, {
    provider: hospital.address,
    blinding,
    dataCategories: (1n << 16n) - 1n,
    startsAt: start,
    expiresAt: start + 400n * DAY,
  });
  await relayGrant(consent.connect(relayer), signed);
  await (await token.mint(insurer.address, 100_000_000n * USD)).wait();
  await (await token.connect(insurer).approve(addresses.claimsManager, 100_000_000n * USD)).wait();
  await (await claims.connect(insurer).fundEscrow(50_000_000n * USD)).wait();
  await (
    await claims.connect(insurer).createPolicy(
      blindPolicyTerms(blinding, {
        termsCommitment: label("policy terms"),
        member: member.address,
        coverageStart: start - 30n * DAY,
        coverageEnd: start + 400n * DAY,
        coinsuranceBps: 2000,
        annualLimit: 100_000_000n * USD,
        deductible: 100n * USD,
        coveredCategories: ALL_SERVICES,
        reviewThreshold: 2_000n * USD,
      }),
    )
  ).wait();
  const policyId = await claims.policyCount();
  await (await token.mint(sponsor.address, 10n ** 24n)).wait();
  await (await token.connect(sponsor).approve(addresses.trialRegistry, 10n ** 24n)).wait();
  await fastSender?.resume();

  const serials = ["SER0001A", "SER0002B", "SER0003C", "SER0004D"];
  const tree = SerialTree.build(serials);
  const gtin = 9506000134352n;
  const batchIds: string[] = [];
  const claimIds: string[] = [];
  const outcomes = (tag: string, n: number) =>
    Array.from({ length: n }, (_, i) => ({ commitment: label(`${tag}-outcome-${i}`), primary: i === 0 }));
  const trialCount = fast ? Math.max(1, Math.floor(scale / 2)) : Math.min(8, Math.max(1, Math.floor(scale / 2)));
  // Work per unit of scale. The bench's mix (AUDIT_FAST) is a busy deployment's: consent still the most frequent
  // act, but about half the events rather than nineteen in twenty, so every domain's indexing and checks are measured;
  // each batch shipped has all three of its units dispensed.
  const perScale = fast ? { consentRounds: 1, batches: 20, claims: 60 } : { consentRounds: 2, batches: 3, claims: 8 };
  let trialsRegistered = 0;
  const salt = (a: string, trialId: bigint) => label(`trial secret of ${a} in ${trialId}`);

  for (let month = 0; month < months; month++) {
    let now = start;
    // A run that adds to earlier activity (the bench's second size) starts a month after it.
    if (month > 0 || process.env.AUDIT_CONTINUES === "1") {
      await mine();
      now = (await latest()) + 30n * DAY;
      await provider.send("evm_setNextBlockTimestamp", [Number(now)]);
    }

    // -------------------------------------------------------------- consent: batched grants, revocations, break-glass
    const rounds = share(perScale.consentRounds * scale, month);
    for (let r = 0; r < rounds; r++) {
      for (const [p, patient] of patients.entries()) {
        const grants = Array.from({ length: GRANTS_PER_TX }, (_, g) => ({
          grantee: addressOf(`grantee ${p}.${g % (GRANTS_PER_TX / 2)}`),
          purpose: g < GRANTS_PER_TX / 2 ? PURPOSES.TREATMENT : PURPOSES.RESEARCH,
          categories: 1n << BigInt(1 + ((r + g) % 10)),
          startsAt: now,
          expiresAt: now + 365n * DAY,
          documentCommitment: label(`consent ${p}.${month}.${r}.${g}`),
        }));
        const revokes = r % 2 === 1 ? [{ grantee: addressOf(`grantee ${p}.0`), purpose: PURPOSES.TREATMENT }] : [];
        await send(consent, patient, "batch", [patient.address, grants, revokes], 12_000_000);
      }
    }
    await mine();
    if (month === 0) {
      for (const [p, patient] of patients.entries()) {
        if (p < 2) await send(consent, hospital, "breakGlass", [patient.address, label(`emergency ${p}`)]);
        if (p < 3) await send(consent, patient, "appointDelegate", [addressOf(`delegate ${p}`), 1, now + 100n * DAY]);
      }
      await mine();
    }

    // -------------------------------------------------------------- provenance: commission, ship, accept, dispense, recall
    const first = batchIds.length;
    for (let b = first; b < first + share(perScale.batches * scale, month); b++) {
      const lot = `0x${Buffer.from(`LOT${run}.${b}`.padEnd(32, "\0")).toString("hex")}`;
      await send(provenance, manufacturer, "commission", [
        gtin,
        lot,
        now + 400n * DAY,
        4,
        tree.root,
        label(`medication ${run}.${b}`),
      ]);
      batchIds.push(keccak256(ethers.AbiCoder.defaultAbiCoder().encode(["uint64", "bytes32"], [gtin, lot])));
    }
    await mine();
    const shipments = batchIds.slice(first).map((batchId, i) => ({
      batchId,
      from: manufacturer.address,
      to: pharmacy.address,
      quantity: 3n,
      documentsCommitment: label(`shipment ${run}.${first + i}`),
    }));
    for (const s of shipments)
      await send(provenance, manufacturer, "ship", [s.batchId, s.to, s.quantity, s.documentsCommitment]);
    await mine();
    for (const s of shipments) await send(provenance, pharmacy, "accept", [s]);
    await mine();
    for (const [i, s] of shipments.entries()) {
      const positions = fast ? [0, 1, 2] : [(first + i) % 3 === 0 ? 1 : 0];
      for (const unit of positions.map((n) => tree.unit(n)))
        await send(provenance, pharmacy, "dispense", [s.batchId, unit.position, unit.serial, unit.proof]);
    }
    await mine();
    // Recalls in a later block than the dispensing: in one block, the two senders' order is the node's choice.
    for (const [i, s] of shipments.entries())
      if ((first + i) % 3 === 2)
        await send(provenance, manufacturer, "recall", [s.batchId, label(`recall ${first + i}`)]);
    await mine();

    // -------------------------------------------------------------- claims: approved, pended, paid, withdrawn
    const firstClaim = claimIds.length;
    for (let c = firstClaim; c < firstClaim + share(perScale.claims * scale, month); c++) {
      claimIds.push(label(`claim ${run}${c}`));
      const big = c % 4 === 3;
      const lines = blindLines(blinding, [
        { category: SERVICE.CONSULTATION, amount: (big ? 3_000n : 200n) * USD + BigInt(c) },
        { category: SERVICE.LABORATORY, amount: 50n * USD },
      ]);
      await send(claims, hospital, "submitClaim", [policyId, claimIds[c], lines, now - DAY * BigInt(1 + (c % 25)), 0]);
    }
    await mine();
    for (let c = firstClaim; c < claimIds.length; c++) {
      if (c % 4 === 3) await send(claims, insurer, "approveClaim", [claimIds[c], 1_000n * USD]);
    }
    await mine();
    for (let c = firstClaim; c < claimIds.length; c++)
      if (c % 2 === 0 || c % 4 === 3) await send(claims, hospital, "withdraw", [claimIds[c]]);
    await mine();

    // -------------------------------------------------------------- trials: register, enrol, visits, switched outcomes, results
    const count = share(trialCount, month);
    if (count === 0) continue;
    const firstTrial = (await trials.trialCount()) + 1n;
    const trialIds = Array.from({ length: count }, (_, t) => firstTrial + BigInt(t));
    // Every trial takes each step in the same block: a step needs the one before, never another trial's.
    for (let t = trialsRegistered; t < trialsRegistered + count; t++) {
      await send(trials, sponsor, "register", [
        {
          protocolCommitment: label(`protocol ${t}`),
          researchStudyCommitment: label(`study ${t}`),
          ethicsApprovalCommitment: label(`ethics approval ${t}`),
          targetEnrolment: 100,
          consentFormVersion: 1,
          requiredCategories: (1 << 1) | (1 << 4),
          stipendToken: addresses.paymentToken,
          stipendPerVisit: 10n ** 18n,
          outcomes: outcomes(`trial ${t}`, 3),
        },
      ]);
    }
    await mine();
    for (const trialId of trialIds) {
      await send(trials, sponsor, "authorizeSite", [trialId, investigator.address]);
      await send(trials, sponsor, "fundBudget", [trialId, 10n ** 21n]);
      await send(trials, sponsor, "startRecruitment", [trialId]);
    }
    for (const trialId of trialIds) {
      for (const p of participants) {
        await send(consent, p, "grant", [
          p.address,
          addresses.trialRegistry,
          trialResearchPurpose(trialId, 1, salt(p.address, trialId)),
          (1 << 1) | (1 << 4),
          0,
          2n ** 40n - 1n,
          label("consent form v1"),
        ]);
      }
    }
    await mine();
    for (const trialId of trialIds)
      for (const p of participants)
        await send(trials, investigator, "enroll", [
          trialId,
          p.address,
          salt(p.address, trialId),
          label(`subject ${p.address}`),
        ]);
    await mine();
    for (const trialId of trialIds)
      for (const p of participants)
        await send(trials, investigator, "recordVisit", [trialId, p.address, salt(p.address, trialId)]);
    await mine();
    // The outcome set changes after enrolment: flagged by the registry, reported by the audit.
    for (const [i, trialId] of trialIds.entries()) {
      const t = trialsRegistered + i;
      await send(trials, sponsor, "amend", [
        trialId,
        {
          protocolCommitment: label(`protocol ${t} v2`),
          reasonCommitment: label(`reason ${t}`),
          consentFormVersion: 0,
          outcomes: [outcomes(`trial ${t}`, 3)[1], { commitment: label(`trial ${t}-new-primary`), primary: true }].map(
            (o, j) => ({ ...o, primary: j === 1 }),
          ),
        },
      ]);
      await send(trials, participants[0], "claimStipend", [trialId, participants[0].address]);
      // Each month's first trial ends early, without results: its deadline runs from here (the audit flags it once past).
      if (i === 0) await send(trials, sponsor, "terminate", [trialId, label(`termination ${t}`)]);
    }
    await mine();
    trialsRegistered += count;
  }
  await fastSender?.finish();
  const toBlock = await provider.getBlockNumber();
  console.log(JSON.stringify({ fromBlock, toBlock, batchIds, claimIds, trials: trialsRegistered }));
}

/** A transaction for {@link FastSender}: from an account the node holds unlocked. */
interface QueuedTx {
  from: string;
  to: string;
  data: string;
  gas: number;
}

/**
 * The bench's way to make a hundred thousand events in a minute or two rather than an hour: the node's logging off
 * (it prints every transaction), automine off, explicit nonces counted here, and each block's transactions handed
 * to the node in one JSON-RPC batch request over one kept-alive connection, then `evm_mine`. Every receipt is read
 * back in batches too, so a reverted transaction stops the generator instead of quietly thinning the activity.
 */
class FastSender {
  /** Transactions per block: a few thousand logs a block, and a small mempool (a large one slows the node down). */
  static readonly PER_BLOCK = 40;
  /** Requests per HTTP body. */
  static readonly PER_REQUEST = 100;
  private readonly nonces = new Map<string, number>();
  private pending: QueuedTx[] = [];
  private id = 0;
  mined = 0;

  constructor(private readonly url: string) {}

  /** One JSON-RPC batch: the results in order, or the first error. */
  private async batch(calls: { method: string; params: unknown[] }[]): Promise<unknown[]> {
    const out: unknown[] = [];
    for (let i = 0; i < calls.length; i += FastSender.PER_REQUEST) {
      const body = calls
        .slice(i, i + FastSender.PER_REQUEST)
        .map((c) => ({ jsonrpc: "2.0", id: ++this.id, method: c.method, params: c.params }));
      const response = await fetch(this.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      const answers = (await response.json()) as { id: number; result?: unknown; error?: { message: string } }[];
      answers.sort((a, b) => a.id - b.id);
      for (const a of answers) {
        if (a.error !== undefined) throw new Error(`${body[0].method}: ${a.error.message}`);
        out.push(a.result);
      }
    }
    return out;
  }

  private call = async (method: string, ...params: unknown[]) => (await this.batch([{ method, params }]))[0];

  /** Logging and automine off, room for a block's transactions. */
  async start(): Promise<void> {
    await this.call("hardhat_setLoggingEnabled", false);
    await this.call("evm_setBlockGasLimit", toQuantity(1_000_000_000));
    await this.resume();
  }

  /** Mines what is queued and hands the chain back to automine (for steps that need a receipt's result). */
  async pause(): Promise<void> {
    await this.mine();
    await this.call("evm_setAutomine", true);
  }

  /** Automine off again; nonces are read afresh (transactions were sent meanwhile). */
  async resume(): Promise<void> {
    this.nonces.clear();
    await this.call("evm_setAutomine", false);
  }

  /** Mines the rest and leaves the node as it was found. */
  async finish(): Promise<void> {
    await this.pause();
    await this.call("hardhat_setLoggingEnabled", true);
  }

  async queue(tx: QueuedTx): Promise<void> {
    this.pending.push(tx);
    if (this.pending.length >= FastSender.PER_BLOCK) await this.mine();
  }

  /** Sends the queued transactions with their nonces, mines them into one block and checks every receipt. */
  async mine(): Promise<void> {
    if (this.pending.length === 0) return;
    const txs = this.pending;
    this.pending = [];
    const unknown = [...new Set(txs.map((t) => t.from))].filter((a) => !this.nonces.has(a));
    const counts = await this.batch(
      unknown.map((a) => ({ method: "eth_getTransactionCount", params: [a, "pending"] })),
    );
    unknown.forEach((a, i) => this.nonces.set(a, Number(counts[i])));
    const hashes = await this.batch(
      txs.map((t) => {
        const nonce = this.nonces.get(t.from)!;
        this.nonces.set(t.from, nonce + 1);
        return {
          method: "eth_sendTransaction",
          params: [{ from: t.from, to: t.to, data: t.data, gas: toQuantity(t.gas), nonce: toQuantity(nonce) }],
        };
      }),
    );
    await this.call("evm_mine");
    this.mined++;
    const receipts = (await this.batch(hashes.map((h) => ({ method: "eth_getTransactionReceipt", params: [h] })))) as ({
      status: string;
      transactionHash: string;
    } | null)[];
    const failed = receipts.findIndex((r) => r?.status !== "0x1");
    if (failed >= 0) {
      throw new Error(
        `transaction ${String(hashes[failed])} (${txs[failed].data.slice(0, 10)} to ${txs[failed].to}) ` +
          `${receipts[failed] === null ? "was not mined" : "reverted"}`,
      );
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
