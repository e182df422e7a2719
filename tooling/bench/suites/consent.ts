import { time } from "@nomicfoundation/hardhat-network-helpers";
import { AbiCoder, Wallet, id, keccak256, toUtf8Bytes } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { ConsentCheckProbe__factory } from "../../../typechain-types";
import { categorySet } from "../../../src/consent/categories";
import { PURPOSES, trialResearch } from "../../../src/consent/purposes";
import { signGrant } from "../../../src/consent/signing";
import { measureTxDetails } from "../measure";
import type { BenchSuite, FloorSpec, Measurement } from "../types";
import { deployTestSystem } from "../../system";

/** `ConsentGranted(patient, grantee, actor indexed; purpose, categories, startsAt, expiresAt, version, document)`. */
export const CONSENT_GRANTED_LOG = { topics: 4, dataBytes: 6 * 32 } as const;
/** `ConsentRevoked(patient, grantee, actor indexed; purpose, version)`. */
export const CONSENT_REVOKED_LOG = { topics: 4, dataBytes: 2 * 32 } as const;

/** `NonceUsed(account indexed; nonce)`, emitted before the request's own event. */
export const NONCE_USED_LOG = { topics: 2, dataBytes: 32 } as const;

/** A fixed block time, so that the times in calldata (and so its zero bytes) are the same in every run. */
const PINNED_TIME = 4_000_000_000n;
const YEAR = 365n * 24n * 3600n;

/** A deterministic stand-in for a FHIR Consent commitment (gas depends only on its bytes being non-zero). */
function commitmentNo(n: number): string {
  return keccak256(toUtf8Bytes(`health-ledger.bench.consent.${n}`));
}

/**
 * The consent registry's operations, with issue 3's budgets (unchanged by issue 9's fixes). What each must write, from the registry's layout
 * comment (one slot per consent, one nonce slot per signer):
 * - `consent.grant`: a patient grants a new consent directly: 1 new slot, one `ConsentGranted`. Peer: `eas.attest`.
 * - `consent.grantBySig`: a relayer submits a grant signed by a patient's key that never signed before: the
 *   consent slot and the signer's nonce slot are new; `NonceUsed` then `ConsentGranted` (the nonce event lets an
 *   indexer rebuild nonces from logs). The request's `delegationEpoch` is 0 (the patient signs): 32 zero bytes of
 *   calldata, in the floor. Peer: `eas.attestByDelegation`
 *   (measured there in steady state, which spares EAS the 17,100 of a first nonce).
 * - `consent.revoke`: the patient revokes that consent: 1 changed slot, one `ConsentRevoked`.
 * - `consent.batchGrant10`: ten new consents in one `batch` call; gas per consent (total / 10). Its floor is one
 *   consent's share: its 192 bytes of array calldata, one new slot and one event, without the amortised 2,100 of
 *   transaction base or the call's 4 + 128 header bytes (a lower bound).
 * - `consent.check`: one cold `isAuthorized` call from another contract, measured with `gasleft()` by
 *   `ConsentCheckProbe` (no transaction base, no calldata charge): it must touch the registry's account cold
 *   (2,600) and read the consent's slot cold (2,100), a floor of 4,700.
 */
export const consentSuite: BenchSuite = {
  name: "consent",
  async run(hre: HardhatRuntimeEnvironment): Promise<Measurement[]> {
    const [deployer, patient, relayer, hospital, ...others] = await hre.ethers.getSigners();
    const { consentRegistry: registry } = await deployTestSystem(hre);
    const probe = await new ConsentCheckProbe__factory(deployer).deploy();
    await probe.waitForDeployment();
    const now = PINNED_TIME;
    await time.setNextBlockTimestamp(now);
    const categories = categorySet("DEMOGRAPHICS", "CONDITIONS", "MEDICATIONS", "ALLERGIES", "LAB_RESULTS");

    // consent.grant
    const grant = await measureTxDetails(
      registry
        .connect(patient)
        .grant(patient.address, hospital.address, PURPOSES.TREATMENT, categories, now, now + YEAR, commitmentNo(1)),
    );

    // consent.grantBySig: a patient key that never signed before signs; the relayer pays.
    const newPatient = new Wallet(id("health-ledger.bench.consent.patient"));
    const signed = await signGrant(
      newPatient,
      registry,
      {
        patient: newPatient.address,
        grantee: hospital.address,
        purpose: PURPOSES.TREATMENT,
        categories,
        startsAt: now,
        expiresAt: now + YEAR,
        documentCommitment: commitmentNo(2),
      },
      { deadline: now + 3600n },
    );
    const bySig = await measureTxDetails(registry.connect(relayer).grantBySig(signed.request, signed.signature));

    // consent.revoke
    const revoke = await measureTxDetails(
      registry.connect(patient).revoke(patient.address, hospital.address, PURPOSES.TREATMENT),
    );

    // consent.batchGrant10: one patient consents to ten trials' research at once.
    const terms = [hospital, ...others].slice(0, 10).map((g, i) => ({
      grantee: g.address,
      purpose: trialResearch(BigInt(i + 1), 1, id(`trial secret ${i + 1}`)),
      categories,
      startsAt: now,
      expiresAt: now + YEAR,
      documentCommitment: commitmentNo(10 + i),
    }));
    const batch = await measureTxDetails(registry.connect(patient).batch(patient.address, terms, []));
    const oneItem = AbiCoder.defaultAbiCoder().encode(
      ["address", "bytes32", "uint256", "uint40", "uint40", "bytes32"],
      [terms[0].grantee, terms[0].purpose, categories, now, now + YEAR, terms[0].documentCommitment],
    );

    // consent.check: the batch's first consent, in force, read cold from another contract.
    const check = await measureTxDetails(
      probe.measure(await registry.getAddress(), patient.address, hospital.address, terms[0].purpose, categories),
    );
    const measured = probe.interface.parseLog(check.receipt.logs[0])!;
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
        floor: floor(grant.calldata, 1, 0, CONSENT_GRANTED_LOG),
        budget: 55_000,
        peerOp: "eas.attest",
      },
      {
        op: "consent.grantBySig",
        gas: bySig.gas,
        floor: { calldata: bySig.calldata, newSlots: 2, changedSlots: 0, logs: [NONCE_USED_LOG, CONSENT_GRANTED_LOG] },
        budget: 85_000,
        peerOp: "eas.attestByDelegation",
      },
      {
        op: "consent.revoke",
        gas: revoke.gas,
        floor: floor(revoke.calldata, 0, 1, CONSENT_REVOKED_LOG),
        budget: 35_000,
      },
      {
        op: "consent.batchGrant10",
        gas: batch.gas / 10n,
        floor: { ...floor(oneItem, 1, 0, CONSENT_GRANTED_LOG), includeTxBase: false },
        budget: 32_000,
      },
      {
        op: "consent.check",
        gas: measured.args.gasUsed as bigint,
        floor: {
          calldata: "0x",
          newSlots: 0,
          changedSlots: 0,
          logs: [],
          includeTxBase: false,
          coldAccounts: 1,
          coldSlotReads: 1,
        },
        budget: 8_000,
      },
    ];
  },
};
