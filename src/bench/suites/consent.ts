import { AbiCoder, Wallet, keccak256, toUtf8Bytes, type ContractTransactionResponse } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import {
  ConsentCheckProbe__factory,
  ConsentRegistry__factory,
  HealthLedgerAuthority__factory,
} from "../../../typechain-types";
import { categorySet } from "../../consent/categories";
import { PURPOSES, trialResearch } from "../../consent/purposes";
import { signGrant } from "../../consent/signing";
import type { BenchSuite, FloorSpec, Measurement } from "../types";

/** `ConsentGranted(patient, grantee, actor indexed; purpose, categories, startsAt, expiresAt, version, document)`. */
const GRANTED_LOG = { topics: 4, dataBytes: 6 * 32 } as const;
/** `ConsentRevoked(patient, grantee, actor indexed; purpose, version)`. */
const REVOKED_LOG = { topics: 4, dataBytes: 2 * 32 } as const;

const YEAR = 365n * 24n * 3600n;

/** A deterministic stand-in for a FHIR Consent commitment (gas depends only on its bytes being non-zero). */
function commitmentNo(n: number): string {
  return keccak256(toUtf8Bytes(`health-ledger.bench.consent.${n}`));
}

async function mined(sent: Promise<ContractTransactionResponse>): Promise<{ gas: bigint; calldata: string }> {
  const tx = await sent;
  const receipt = await tx.wait();
  if (receipt === null || receipt.status !== 1) throw new Error(`Benchmarked transaction ${tx.hash} failed`);
  return { gas: receipt.gasUsed, calldata: tx.data };
}

/**
 * The consent registry's operations (issue 3's budgets):
 * - `consent.grant`: a patient grants a new consent directly (one fresh slot, one event). Peer: `eas.attest`.
 * - `consent.grantBySig`: a relayer submits a grant signed by a patient's fresh key (its first signature, so its
 *   nonce slot is created too). Peer: `eas.attestByDelegation`.
 * - `consent.revoke`: the patient revokes it (one changed slot).
 * - `consent.batchGrant10`: ten new consents in one `batch` call; gas per consent (total / 10). Its floor is
 *   one consent's share: its 192 bytes of array calldata, one fresh slot and one event, without the amortised
 *   2,100 of transaction base or the call's header calldata (so the floor is a lower bound).
 * - `consent.check`: one cold `isAuthorized` call from another contract, measured with `gasleft()` by
 *   `ConsentCheckProbe`. FloorSpec cannot express cold account access (2,600) and a cold SLOAD (2,100), which
 *   are this call's real floor (4,700), so its floor shows as 0.
 */
export const consentSuite: BenchSuite = {
  name: "consent",
  async run(hre: HardhatRuntimeEnvironment): Promise<Measurement[]> {
    const [deployer, patient, relayer, hospital, ...others] = await hre.ethers.getSigners();
    const authority = await new HealthLedgerAuthority__factory(deployer).deploy(deployer.address);
    const registry = await new ConsentRegistry__factory(deployer).deploy(await authority.getAddress());
    const probe = await new ConsentCheckProbe__factory(deployer).deploy();
    const now = BigInt((await hre.ethers.provider.getBlock("latest"))!.timestamp);
    const categories = categorySet("DEMOGRAPHICS", "CONDITIONS", "MEDICATIONS", "ALLERGIES", "LAB_RESULTS");

    // consent.grant
    const grant = await mined(
      registry
        .connect(patient)
        .grant(patient.address, hospital.address, PURPOSES.TREATMENT, categories, now, now + YEAR, commitmentNo(1)),
    );

    // consent.grantBySig: a new patient key signs, the relayer pays.
    const newPatient = Wallet.createRandom();
    const signed = await signGrant(newPatient, registry, {
      patient: newPatient.address,
      grantee: hospital.address,
      purpose: PURPOSES.TREATMENT,
      categories,
      startsAt: now,
      expiresAt: now + YEAR,
      documentCommitment: commitmentNo(2),
    });
    const bySig = await mined(registry.connect(relayer).grantBySig(signed.request, signed.signature));

    // consent.revoke
    const revoke = await mined(registry.connect(patient).revoke(patient.address, hospital.address, PURPOSES.TREATMENT));

    // consent.batchGrant10: one patient consents to ten trials' research at once.
    const grantees = [hospital, ...others].slice(0, 10);
    const terms = grantees.map((g, i) => ({
      grantee: g.address,
      purpose: trialResearch(BigInt(i + 1), 1),
      categories,
      startsAt: now,
      expiresAt: now + YEAR,
      documentCommitment: commitmentNo(10 + i),
    }));
    const batch = await mined(registry.connect(patient).batch(patient.address, terms, []));
    const oneItem = AbiCoder.defaultAbiCoder().encode(
      ["address", "bytes32", "uint256", "uint40", "uint40", "bytes32"],
      [terms[0].grantee, terms[0].purpose, categories, now, now + YEAR, terms[0].documentCommitment],
    );

    // consent.check: the first consent of the batch, in force, read cold from another contract.
    const checkTx = await (
      await probe.measure(await registry.getAddress(), patient.address, hospital.address, terms[0].purpose, categories)
    ).wait();
    const measured = probe.interface.parseLog(checkTx!.logs[0])!;
    if (measured.args.authorized !== true) throw new Error("consent.check measured a consent that is not in force");

    const floor = (calldata: string, newSlots: number, changedSlots: number, log: FloorSpec["logs"][number]) => ({
      calldata,
      newSlots,
      changedSlots,
      logs: [log],
    });
    return [
      {
        op: "consent.grant",
        gas: grant.gas,
        floor: floor(grant.calldata, 1, 0, GRANTED_LOG),
        budget: 55_000,
        peerOp: "eas.attest",
      },
      {
        op: "consent.grantBySig",
        gas: bySig.gas,
        floor: floor(bySig.calldata, 2, 0, GRANTED_LOG),
        budget: 85_000,
        peerOp: "eas.attestByDelegation",
      },
      { op: "consent.revoke", gas: revoke.gas, floor: floor(revoke.calldata, 0, 1, REVOKED_LOG), budget: 35_000 },
      {
        op: "consent.batchGrant10",
        gas: batch.gas / 10n,
        floor: { ...floor(oneItem, 1, 0, GRANTED_LOG), includeTxBase: false },
        budget: 32_000,
      },
      {
        op: "consent.check",
        gas: measured.args.gasUsed as bigint,
        floor: { calldata: "0x", newSlots: 0, changedSlots: 0, logs: [], includeTxBase: false },
        budget: 8_000,
      },
    ];
  },
};
