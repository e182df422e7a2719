import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { ZeroHash, keccak256, toUtf8Bytes } from "ethers";
import { NO_EXPIRY } from "../../../src/consent/fhir";
import { trialResearchPurpose } from "../../../src/trials/purposes";
import { measureTxDetails } from "../measure";
import type { BenchSuite, Measurement } from "../types";
import { deployTestSystem } from "../../system";

const label = (s: string) => keccak256(toUtf8Bytes(s));
const outcomes = (tag: string) =>
  [0, 1, 2, 3].map((i) => ({ commitment: label(`${tag}-outcome-${i}`), primary: i === 0 }));

/**
 * Gas of the trial registry's budgeted operations. Each is measured in its steady state: a registration after
 * the first (the trial counter already non-zero), an enrolment into a trial with participants, a visit after
 * the first (participant and budget slots already written), with consent checked by the real ConsentRegistry and
 * the caller's SPONSOR or INVESTIGATOR role by the real authority (a cold call on every op but `register`).
 * `recordEthicsApproval` and `terminate` are measured on a second trial, registered without an approval, which
 * records it later and is then terminated from registered (the cheapest path: no suspension to clear).
 */
export const trialsSuite: BenchSuite = {
  name: "trials",
  async run(hre: HardhatRuntimeEnvironment): Promise<Measurement[]> {
    const { ethers } = hre;
    const [, sponsor, investigator, alice, bob] = await ethers.getSigners();
    const system = await deployTestSystem(hre, {
      grants: [
        { role: "SPONSOR", account: sponsor.address },
        { role: "INVESTIGATOR", account: investigator.address },
      ],
    });
    const { consentRegistry, trialRegistry: registry, token } = system;
    await token.mint(sponsor.address, 10n ** 24n);
    await token.connect(sponsor).approve(await registry.getAddress(), ethers.MaxUint256);
    const registration = (tag: string, approved = true) => ({
      protocolCommitment: label(`${tag}-protocol`),
      researchStudyCommitment: label(`${tag}-study`),
      ethicsApprovalCommitment: approved ? label(`${tag}-ethics-approval`) : ZeroHash,
      targetEnrolment: 100,
      consentFormVersion: 1,
      requiredCategories: (1 << 1) | (1 << 4),
      stipendToken: token.target,
      stipendPerVisit: 10n ** 18n,
      outcomes: outcomes(tag),
    });
    const r = registry.connect(sponsor);
    await r.register(registration("warm-up"));
    const register = await measureTxDetails(r.register(registration("bench")));
    const trialId = await registry.trialCount();
    // A trial whose ethics approval comes after registration, then is terminated before recruiting.
    await r.register(registration("later-approval", false));
    const laterId = await registry.trialCount();
    const recordEthicsApproval = await measureTxDetails(r.recordEthicsApproval(laterId, label("ethics-approval")));
    const terminate = await measureTxDetails(r.terminate(laterId, label("termination-reason")));
    await r.authorizeSite(trialId, investigator.address);
    await r.fundBudget(trialId, 10n ** 21n);
    await r.startRecruitment(trialId);
    // Each participant's salt is her trial secret (a random-looking 32-byte word, all bytes non-zero in practice).
    const salt = (p: { address: string }) => label(`trial secret of ${p.address}`);
    for (const p of [alice, bob]) {
      await consentRegistry
        .connect(p)
        .grant(
          p.address,
          await registry.getAddress(),
          trialResearchPurpose(trialId, 1, salt(p)),
          (1 << 1) | (1 << 4),
          0,
          NO_EXPIRY,
          label("consent form v1"),
        );
    }
    const site = registry.connect(investigator);
    await site.enroll(trialId, alice.address, salt(alice), label("subject-alice"));
    const enroll = await measureTxDetails(site.enroll(trialId, bob.address, salt(bob), label("subject-bob")));
    await site.recordVisit(trialId, alice.address, salt(alice));
    const recordVisit = await measureTxDetails(site.recordVisit(trialId, alice.address, salt(alice)));
    const anchorData = await measureTxDetails(site.anchorData(trialId, label("dataset-week-4"), 48, label("week-4")));
    await r.closeEnrolment(trialId);
    const complete = await measureTxDetails(r.complete(trialId));
    const reported = outcomes("bench").map((o) => o.commitment);
    const postResults = await measureTxDetails(r.postResults(trialId, label("results"), outcomes("bench"), reported));

    return [
      {
        op: "trials.register",
        gas: register.gas,
        budget: 200_000,
        floor: {
          calldata: register.calldata,
          // trial slots 0-2, ResearchStudy, outcome-set hash, protocol version 1
          newSlots: 6,
          changedSlots: 1, // trial counter
          logs: [
            { topics: 3, dataBytes: 8 * 32 },
            { topics: 3, dataBytes: 3 * 32 + 4 * 64 },
            { topics: 3, dataBytes: 32 }, // EthicsApprovalRecorded
          ],
        },
      },
      {
        op: "trials.recordEthicsApproval",
        gas: recordEthicsApproval.gas,
        budget: 45_000,
        // The flag is in slot 0, written anyway; the commitment is in the event only.
        floor: {
          calldata: recordEthicsApproval.calldata,
          newSlots: 0,
          changedSlots: 1,
          logs: [{ topics: 3, dataBytes: 32 }],
        },
      },
      {
        op: "trials.complete",
        gas: complete.gas,
        budget: 70_000,
        floor: {
          calldata: complete.calldata,
          newSlots: 1, // finishedAt (slot 7), from which results are due
          changedSlots: 1, // status
          logs: [{ topics: 3, dataBytes: 4 * 32 }],
        },
      },
      {
        op: "trials.terminate",
        gas: terminate.gas,
        budget: 70_000,
        floor: {
          calldata: terminate.calldata,
          newSlots: 1, // finishedAt (slot 7)
          changedSlots: 1, // status
          logs: [{ topics: 3, dataBytes: 4 * 32 }],
        },
      },
      {
        op: "trials.enroll",
        gas: enroll.gas,
        budget: 95_000,
        floor: { calldata: enroll.calldata, newSlots: 1, changedSlots: 1, logs: [{ topics: 4, dataBytes: 3 * 32 }] },
      },
      {
        op: "trials.anchorData",
        gas: anchorData.gas,
        budget: 60_000,
        peerOp: "eas.attest", // anchoring a dataset root is an attestation about a trial
        floor: { calldata: anchorData.calldata, newSlots: 1, changedSlots: 0, logs: [{ topics: 4, dataBytes: 64 }] },
      },
      {
        op: "trials.recordVisit",
        gas: recordVisit.gas,
        budget: 60_000,
        floor: {
          calldata: recordVisit.calldata,
          changedSlots: 2, // participant, budget
          newSlots: 0,
          logs: [{ topics: 4, dataBytes: 64 }],
        },
      },
      {
        op: "trials.postResults",
        gas: postResults.gas,
        budget: 90_000,
        floor: {
          calldata: postResults.calldata,
          newSlots: 1, // results commitment
          changedSlots: 1, // resultsPostedAt
          logs: [{ topics: 2, dataBytes: 3 * 32 + 4 * 32 }],
        },
      },
    ];
  },
};
