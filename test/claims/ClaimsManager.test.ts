import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { id } from "ethers";
import { ROLES } from "../../src/authority/roles";
import {
  blindLines,
  blindSet,
  claimFingerprint,
  ClaimStatus,
  DATA,
  previewAdjudication,
  previewClaim,
  PriorAuthStatus,
  REASON,
  SERVICE,
  signMemberAppeal,
  type ClaimLine,
} from "../../src/claims";
import { relayForwardRequest, signForwardRequest } from "../../src/relay";
import { deploySystem } from "../../tooling/deploy";
import { shouldBehaveLikeRestricted } from "../shared/restricted";
import { ALL_DATA, COVERED, DAY, deployClaimsFixture, PAYMENT, USD, YEAR, defaultTerms } from "./fixture";

const MAX = 2n ** 96n - 1n;
const LINES: ClaimLine[] = [
  { category: SERVICE.CONSULTATION, amount: 400n * USD },
  { category: SERVICE.LABORATORY, amount: 200n * USD },
];
/** What billing surgery reveals: BILLING, CONDITIONS and PROCEDURES (plain data categories). */
const SURGERY_DATA = BigInt(DATA.BILLING | DATA.CONDITIONS | DATA.PROCEDURES);
/** The plain service set of a claim's lines (bit `c` for plain code `c`). */
const servicesOf = (lines: readonly ClaimLine[]) => lines.reduce((set, l) => set | (1 << l.category), 0);

async function fixture() {
  const f = await deployClaimsFixture();
  const now = BigInt(await time.latest());
  /** Submits lines as given: codes as the contract sees them (blinded), order not checked by the SDK. */
  const submitBlinded = (
    commitment: string,
    lines: readonly ClaimLine[],
    serviceDate: bigint = now - DAY,
    priorAuthId = 0n,
    signer = f.hospital,
    policyId = 1n,
  ) => f.manager.connect(signer).submitClaim(policyId, commitment, [...lines], serviceDate, priorAuthId);
  /** Submits plain lines under `policyId`, blinded with its member's key (as a provider's SDK does). */
  const submit = (
    commitment: string,
    lines: readonly ClaimLine[] = LINES,
    serviceDate: bigint = now - DAY,
    priorAuthId = 0n,
    signer = f.hospital,
    policyId = 1n,
  ) => submitBlinded(commitment, blinded(lines, policyId), serviceDate, priorAuthId, signer, policyId);
  /** Plain lines as policy `policyId` blinds them (sorted canonically). */
  const blinded = (lines: readonly ClaimLine[], policyId = 1n) => blindLines(f.members.get(policyId)!.blinding, lines);
  /** The blinded code of plain service `category` under policy `policyId`. */
  const code = (category: number, policyId = 1n) => f.members.get(policyId)!.blinding.blind(category);
  /** Requests an authorisation for plain service `category` (blinded) under `policyId`. */
  const requestAuth = (category: number, commitment: string, signer = f.hospital, policyId = 1n) =>
    f.manager.connect(signer).requestPriorAuth(policyId, code(category, policyId), commitment);
  return { ...f, now, submit, submitBlinded, blinded, code, requestAuth };
}

/** The fixture of the shared access-control behaviour, kept for its calls (loadFixture returns it cached). */
let restricted: Awaited<ReturnType<typeof fixture>> | undefined;
async function restrictedFixture() {
  restricted = await fixture();
  return { authority: restricted.authority, target: restricted.manager };
}

/** Lines whose benefit (after the default 500 deductible and 20% coinsurance) is above the 2,000 threshold. */
const BIG: ClaimLine[] = [{ category: SERVICE.SURGERY, amount: 4_000n * USD }];

describe("ClaimsManager", function () {
  describe("constructor", function () {
    it("refuses an empty account or another contract as consent verifier or payment token", async function () {
      const { manager, authority, forwarder, consent, token, stranger } = await loadFixture(fixture);
      const [a, f, c, t, s] = [
        await authority.getAddress(),
        await forwarder.getAddress(),
        await consent.getAddress(),
        await token.getAddress(),
        stranger.address,
      ];
      // Before issue 9 only the zero address was refused: an empty account or the consent registry as payment
      // token was accepted, and killed claims until a redeploy.
      for (const [args, bad] of [
        [[s, f, c, t], s],
        [[a, s, c, t], s], // an empty account as forwarder
        [[a, c, c, t], c], // the consent registry as forwarder: no verify()
        [[a, f, s, t], s],
        [[a, f, c, s], s],
        [[a, f, c, c], c], // the consent registry as payment token: no decimals()
        [[a, f, t, t], t], // the token as consent verifier: no isAuthorized()
        [[a, f, ethers.ZeroAddress, t], ethers.ZeroAddress],
      ] as const) {
        await expect(ethers.deployContract("ClaimsManager", [...args]))
          .to.be.revertedWithCustomError(manager, "HealthLedgerContractInvalid")
          .withArgs(bad);
      }
    });

    it("makes the Ignition deployment fail with a payment token that is no ERC-20", async function () {
      const { consent, stranger } = await loadFixture(fixture);
      for (const paymentToken of [stranger.address, await consent.getAddress()]) {
        await expect(deploySystem(hre, { paymentToken })).to.be.rejectedWith(
          new RegExp(`ClaimsManager.*HealthLedgerContractInvalid\\("${paymentToken}"\\)`, "s"),
        );
      }
    });

    it("exposes its consent verifier, payment token and the libraries' constants", async function () {
      const { manager, consent, token } = await loadFixture(fixture);
      expect(await manager.consentVerifier()).to.equal(await consent.getAddress());
      expect(await manager.paymentToken()).to.equal(await token.getAddress());
      expect(await manager.POLICY_YEAR()).to.equal(365n * DAY);
      expect(await manager.FILING_WINDOW()).to.equal(180n * DAY);
      expect(await manager.APPEAL_WINDOW()).to.equal(180n * DAY);
      expect(await manager.MAX_YEARS()).to.equal(100n);
      expect(await manager.BPS()).to.equal(10_000n);
    });
  });

  shouldBehaveLikeRestricted("ClaimsManager", restrictedFixture, {
    "createPolicy((bytes32,address,uint40,uint40,uint16,uint256,uint256,uint16,uint256))": {
      send: async (subject) =>
        restricted!.manager
          .connect(subject)
          .createPolicy(await defaultTerms(restricted!.bob.member.address, restricted!.bob.blinding)),
    },
    "fundEscrow(uint256)": {
      prepare: async (subject) => {
        await restricted!.token.mint(subject.address, 10n * USD);
        await restricted!.token.connect(subject).approve(await restricted!.manager.getAddress(), 10n * USD);
      },
      send: (subject) => restricted!.manager.connect(subject).fundEscrow(10n * USD),
    },
    "submitClaim(uint256,bytes32,(uint8,uint256)[],uint40,uint256)": {
      prepare: (subject) => restricted!.allow(restricted!.alice, subject.address, ALL_DATA),
      send: (subject) => restricted!.submit(id("restricted"), LINES, restricted!.now - DAY, 0n, subject),
    },
    "requestPriorAuth(uint256,uint8,bytes32)": {
      prepare: (subject) => restricted!.allow(restricted!.alice, subject.address, ALL_DATA),
      send: (subject) => restricted!.requestAuth(SERVICE.SURGERY, id("pa"), subject),
    },
  });

  describe("createPolicy", function () {
    context("with valid terms", function () {
      it("stores the policy in the terms' field order, the caller as insurer, and emits PolicyCreated", async function () {
        const { manager, insurer, bob } = await loadFixture(fixture);
        const terms = await defaultTerms(bob.member.address, bob.blinding);
        const ordered = [
          terms.termsCommitment,
          terms.member,
          terms.coverageStart,
          terms.coverageEnd,
          terms.coinsuranceBps,
          terms.annualLimit,
          terms.deductible,
          terms.coveredCategories,
          terms.reviewThreshold,
        ].map((v) => (typeof v === "number" ? BigInt(v) : v));
        await expect(manager.connect(insurer).createPolicy(terms))
          .to.emit(manager, "PolicyCreated")
          .withArgs(2n, insurer.address, bob.member.address, ordered);
        // The stored policy is the terms, in the same order, then the insurer.
        expect(await manager.policy(2)).to.deep.equal([...ordered, insurer.address]);
        const p = await manager.policy(2);
        expect(p.member).to.equal(bob.member.address);
        expect(p.insurer).to.equal(insurer.address);
        // The covered set is in the policy's blinded codes: the plain set under Bob's key, not the plain set.
        expect(p.coveredCategories).to.equal(BigInt(blindSet(bob.blinding, COVERED)));
        expect(p.coveredCategories).to.not.equal(COVERED);
        expect(await manager.policyCount()).to.equal(2n);
      });
    });

    context("with invalid terms", function () {
      it("refuses a zero member", async function () {
        const { manager, insurer, bob } = await loadFixture(fixture);
        const terms = await defaultTerms(ethers.ZeroAddress, bob.blinding);
        await expect(manager.connect(insurer).createPolicy(terms)).to.be.revertedWithCustomError(
          manager,
          "ClaimsMemberMissing",
        );
      });

      it("refuses an empty, reversed or over-long coverage period", async function () {
        const { manager, insurer, bob } = await loadFixture(fixture);
        const t = await defaultTerms(bob.member.address, bob.blinding);
        const start = BigInt(t.coverageStart);
        for (const end of [start, start - 1n, start + 100n * YEAR + 1n]) {
          await expect(manager.connect(insurer).createPolicy({ ...t, coverageEnd: end }))
            .to.be.revertedWithCustomError(manager, "ClaimsCoveragePeriodInvalid")
            .withArgs(start, end);
        }
        await expect(manager.connect(insurer).createPolicy({ ...t, coverageEnd: start + 100n * YEAR })).to.emit(
          manager,
          "PolicyCreated",
        );
      });

      it("refuses a zero annual limit", async function () {
        const { manager, insurer, bob } = await loadFixture(fixture);
        const t = await defaultTerms(bob.member.address, bob.blinding);
        await expect(manager.connect(insurer).createPolicy({ ...t, annualLimit: 0 })).to.be.revertedWithCustomError(
          manager,
          "ClaimsAmountZero",
        );
      });

      it("refuses amounts above 96 bits", async function () {
        const { manager, insurer, bob } = await loadFixture(fixture);
        const t = await defaultTerms(bob.member.address, bob.blinding);
        for (const field of ["annualLimit", "deductible", "reviewThreshold"] as const) {
          await expect(manager.connect(insurer).createPolicy({ ...t, [field]: MAX + 1n }))
            .to.be.revertedWithCustomError(manager, "ClaimsAmountTooLarge")
            .withArgs(MAX + 1n, MAX);
        }
      });

      it("refuses coinsurance above 100%", async function () {
        const { manager, insurer, bob } = await loadFixture(fixture);
        const t = await defaultTerms(bob.member.address, bob.blinding);
        await expect(manager.connect(insurer).createPolicy({ ...t, coinsuranceBps: 10_001 }))
          .to.be.revertedWithCustomError(manager, "ClaimsCoinsuranceInvalid")
          .withArgs(10_001, 10_000);
      });

      it("refuses an empty covered-category set", async function () {
        const { manager, insurer, bob } = await loadFixture(fixture);
        const t = await defaultTerms(bob.member.address, bob.blinding);
        await expect(manager.connect(insurer).createPolicy({ ...t, coveredCategories: 0 }))
          .to.be.revertedWithCustomError(manager, "ClaimsCategorySetInvalid")
          .withArgs(0);
      });

      it("refuses a missing terms commitment", async function () {
        const { manager, insurer, bob } = await loadFixture(fixture);
        const t = await defaultTerms(bob.member.address, bob.blinding);
        await expect(
          manager.connect(insurer).createPolicy({ ...t, termsCommitment: ethers.ZeroHash }),
        ).to.be.revertedWithCustomError(manager, "ClaimsCommitmentMissing");
      });
    });
  });

  describe("fundEscrow", function () {
    it("pulls the tokens, grows the escrow and emits EscrowFunded", async function () {
      const { manager, insurer2, token } = await loadFixture(fixture);
      await expect(manager.connect(insurer2).fundEscrow(700n * USD))
        .to.emit(manager, "EscrowFunded")
        .withArgs(insurer2.address, 700n * USD, 700n * USD);
      expect(await manager.escrow(insurer2.address)).to.deep.equal([700n * USD, 0n]);
      expect(await token.balanceOf(await manager.getAddress())).to.equal(100_700n * USD);
    });

    it("credits what arrives from a fee-on-transfer token", async function () {
      const { manager, insurer2, token } = await loadFixture(fixture);
      await token.setFee(100); // 1%
      await expect(manager.connect(insurer2).fundEscrow(1_000n * USD))
        .to.emit(manager, "EscrowFunded")
        .withArgs(insurer2.address, 990n * USD, 990n * USD);
    });

    it("refuses a zero amount", async function () {
      const { manager, insurer } = await loadFixture(fixture);
      await expect(manager.connect(insurer).fundEscrow(0)).to.be.revertedWithCustomError(manager, "ClaimsAmountZero");
    });

    it("refuses a balance beyond 128 bits", async function () {
      const { manager, insurer2, token } = await loadFixture(fixture);
      const huge = 2n ** 128n;
      await token.mint(insurer2.address, huge);
      await expect(manager.connect(insurer2).fundEscrow(huge))
        .to.be.revertedWithCustomError(manager, "ClaimsAmountTooLarge")
        .withArgs(huge, huge - 1n);
    });
  });

  describe("withdrawEscrow", function () {
    it("sends free escrow and emits EscrowWithdrawn", async function () {
      const { manager, insurer, stranger, token } = await loadFixture(fixture);
      await expect(manager.connect(insurer).withdrawEscrow(1_000n * USD, stranger.address))
        .to.emit(manager, "EscrowWithdrawn")
        .withArgs(insurer.address, stranger.address, 1_000n * USD, 99_000n * USD);
      expect(await token.balanceOf(stranger.address)).to.equal(1_000n * USD);
      expect((await manager.escrow(insurer.address)).balance).to.equal(99_000n * USD);
    });

    it("keeps what approved unpaid claims need", async function () {
      const { manager, insurer, stranger, submit } = await loadFixture(fixture);
      await submit(id("c1"));
      const owed = (await manager.escrow(insurer.address)).owed;
      expect(owed).to.equal(80n * USD);
      await expect(manager.connect(insurer).withdrawEscrow(100_000n * USD, stranger.address))
        .to.be.revertedWithCustomError(manager, "ClaimsEscrowInsufficient")
        .withArgs(insurer.address, 100_000n * USD, 100_000n * USD - owed);
      await manager.connect(insurer).withdrawEscrow(100_000n * USD - owed, stranger.address);
      expect(await manager.escrow(insurer.address)).to.deep.equal([owed, owed]);
    });

    it("refuses a missing recipient or a zero amount", async function () {
      const { manager, insurer, stranger } = await loadFixture(fixture);
      await expect(manager.connect(insurer).withdrawEscrow(1, ethers.ZeroAddress)).to.be.revertedWithCustomError(
        manager,
        "ClaimsRecipientMissing",
      );
      await expect(manager.connect(insurer).withdrawEscrow(0, stranger.address)).to.be.revertedWithCustomError(
        manager,
        "ClaimsAmountZero",
      );
    });

    it("gives an account without escrow nothing", async function () {
      const { manager, hospital } = await loadFixture(fixture);
      await expect(manager.connect(hospital).withdrawEscrow(1, hospital.address))
        .to.be.revertedWithCustomError(manager, "ClaimsEscrowInsufficient")
        .withArgs(hospital.address, 1, 0);
    });
  });

  describe("requestPriorAuth", function () {
    it("records the request under the blinded code and emits PriorAuthRequested", async function () {
      const { manager, hospital, requestAuth, code } = await loadFixture(fixture);
      await expect(requestAuth(SERVICE.SURGERY, id("pa1")))
        .to.emit(manager, "PriorAuthRequested")
        .withArgs(1n, 1n, hospital.address, code(SERVICE.SURGERY), id("pa1"));
      const a = await manager.priorAuth(1);
      expect(a.provider).to.equal(hospital.address);
      expect(a.policyId).to.equal(1n);
      expect(a.category).to.equal(BigInt(code(SERVICE.SURGERY)));
      expect(a.status).to.equal(BigInt(PriorAuthStatus.Requested));
      expect(await manager.priorAuthCount()).to.equal(1n);
    });

    it("refuses a missing commitment or an unknown category", async function () {
      const { manager, hospital } = await loadFixture(fixture);
      await expect(manager.connect(hospital).requestPriorAuth(1, 3, ethers.ZeroHash)).to.be.revertedWithCustomError(
        manager,
        "ClaimsCommitmentMissing",
      );
      await expect(manager.connect(hospital).requestPriorAuth(1, 16, id("pa")))
        .to.be.revertedWithCustomError(manager, "ClaimsServiceCategoryUnknown")
        .withArgs(16);
    });

    it("refuses an unknown or expired policy", async function () {
      const { manager, hospital, terms } = await loadFixture(fixture);
      await expect(manager.connect(hospital).requestPriorAuth(9, 3, id("pa")))
        .to.be.revertedWithCustomError(manager, "ClaimsPolicyUnknown")
        .withArgs(9);
      const deadline = BigInt(terms.coverageEnd) + 180n * DAY;
      await time.increaseTo(deadline + 1n);
      await expect(manager.connect(hospital).requestPriorAuth(1, 3, id("pa")))
        .to.be.revertedWithCustomError(manager, "ClaimsPolicyExpired")
        .withArgs(1, deadline);
    });

    it("needs the member's payment consent for the service, in blinded codes", async function () {
      const { manager, clinic, alice, allow, requestAuth, code } = await loadFixture(fixture);
      await expect(requestAuth(SERVICE.SURGERY, id("pa"), clinic))
        .to.be.revertedWithCustomError(manager, "ClaimsConsentMissing")
        .withArgs(alice.member.address, clinic.address, 1n << BigInt(code(SERVICE.SURGERY)));
      // Consenting to surgery's data categories lets the clinic bill surgery (and the services within them).
      await allow(alice, clinic.address, SURGERY_DATA);
      await expect(requestAuth(SERVICE.SURGERY, id("pa"), clinic)).to.emit(manager, "PriorAuthRequested");
      await expect(requestAuth(SERVICE.IMAGING, id("pa"), clinic)).to.be.revertedWithCustomError(
        manager,
        "ClaimsConsentMissing",
      );
    });
  });

  async function requestedFixture() {
    const f = await fixture();
    await f.requestAuth(SERVICE.SURGERY, id("pa1"));
    return f;
  }

  describe("approvePriorAuth", function () {
    it("approves with an amount and validity and emits PriorAuthApproved", async function () {
      const { manager, insurer, now } = await loadFixture(requestedFixture);
      await expect(manager.connect(insurer).approvePriorAuth(1, 3_500n * USD, now + 30n * DAY))
        .to.emit(manager, "PriorAuthApproved")
        .withArgs(1n, insurer.address, 3_500n * USD, now + 30n * DAY);
      const a = await manager.priorAuth(1);
      expect(a.status).to.equal(BigInt(PriorAuthStatus.Approved));
      expect(a.amount).to.equal(3_500n * USD);
      expect(a.validUntil).to.equal(now + 30n * DAY);
    });

    it("refuses an unknown or already decided authorisation", async function () {
      const { manager, insurer, now } = await loadFixture(requestedFixture);
      await expect(manager.connect(insurer).approvePriorAuth(2, 1, now + DAY))
        .to.be.revertedWithCustomError(manager, "ClaimsPriorAuthUnknown")
        .withArgs(2);
      await manager.connect(insurer).approvePriorAuth(1, 1, now + DAY);
      await expect(manager.connect(insurer).approvePriorAuth(1, 1, now + DAY))
        .to.be.revertedWithCustomError(manager, "ClaimsPriorAuthStatusInvalid")
        .withArgs(1, PriorAuthStatus.Approved, PriorAuthStatus.Requested);
    });

    it("refuses anyone but the policy's insurer", async function () {
      const { manager, insurer2, hospital, now } = await loadFixture(requestedFixture);
      for (const caller of [insurer2, hospital]) {
        await expect(manager.connect(caller).approvePriorAuth(1, 1, now + DAY))
          .to.be.revertedWithCustomError(manager, "ClaimsCallerNotInsurer")
          .withArgs(1, caller.address);
      }
    });

    it("refuses a zero or oversized amount and a validity in the past", async function () {
      const { manager, insurer, now } = await loadFixture(requestedFixture);
      await expect(manager.connect(insurer).approvePriorAuth(1, 0, now + DAY)).to.be.revertedWithCustomError(
        manager,
        "ClaimsAmountZero",
      );
      await expect(manager.connect(insurer).approvePriorAuth(1, MAX + 1n, now + DAY))
        .to.be.revertedWithCustomError(manager, "ClaimsAmountTooLarge")
        .withArgs(MAX + 1n, MAX);
      const tx = manager.connect(insurer).approvePriorAuth(1, 1, now - DAY);
      await expect(tx)
        .to.be.revertedWithCustomError(manager, "ClaimsPriorAuthValidityInvalid")
        .withArgs(1, now - DAY, (v: bigint) => v > now);
    });
  });

  describe("denyPriorAuth", function () {
    it("denies with an insurer reason and emits PriorAuthDenied", async function () {
      const { manager, insurer } = await loadFixture(requestedFixture);
      await expect(manager.connect(insurer).denyPriorAuth(1, REASON.NOT_MEDICALLY_NECESSARY))
        .to.emit(manager, "PriorAuthDenied")
        .withArgs(1n, insurer.address, REASON.NOT_MEDICALLY_NECESSARY);
      expect((await manager.priorAuth(1)).status).to.equal(BigInt(PriorAuthStatus.Denied));
      await expect(manager.connect(insurer).denyPriorAuth(1, 16))
        .to.be.revertedWithCustomError(manager, "ClaimsPriorAuthStatusInvalid")
        .withArgs(1, PriorAuthStatus.Denied, PriorAuthStatus.Requested);
    });

    it("refuses a rule reason code, an unknown id and another insurer", async function () {
      const { manager, insurer, insurer2 } = await loadFixture(requestedFixture);
      await expect(manager.connect(insurer).denyPriorAuth(1, 15))
        .to.be.revertedWithCustomError(manager, "ClaimsReasonInvalid")
        .withArgs(15, 16);
      await expect(manager.connect(insurer).denyPriorAuth(5, 16))
        .to.be.revertedWithCustomError(manager, "ClaimsPriorAuthUnknown")
        .withArgs(5);
      await expect(manager.connect(insurer2).denyPriorAuth(1, 16))
        .to.be.revertedWithCustomError(manager, "ClaimsCallerNotInsurer")
        .withArgs(1, insurer2.address);
    });
  });

  describe("submitClaim", function () {
    context("when the claim is covered and under the review threshold", function () {
      it("approves it, commits its benefit, records what the insurer owes and emits ClaimSubmitted", async function () {
        const { manager, hospital, alice, insurer, submit, blinded, now } = await loadFixture(fixture);
        const fp = claimFingerprint(alice.member.address, hospital.address, now - DAY, blinded(LINES));
        // 600 billed: 500 to the deductible, 20% of the other 100 to the member, 80 paid.
        await expect(submit(id("c1")))
          .to.emit(manager, "ClaimSubmitted")
          .withArgs(
            id("c1"),
            1n,
            hospital.address,
            fp,
            now - DAY,
            0n,
            blinded(LINES).map((l) => [l.category, l.amount]),
            [ClaimStatus.Approved, 0, 600n * USD, 600n * USD, 500n * USD, 20n * USD, 80n * USD, 520n * USD],
          );
        const c = await manager.claim(id("c1"));
        expect(c.provider).to.equal(hospital.address);
        expect(c.policyId).to.equal(1n);
        expect(c.year).to.equal(0n);
        expect(c.status).to.equal(BigInt(ClaimStatus.Approved));
        expect(c.amount).to.equal(80n * USD);
        expect(c.memberShare).to.equal(520n * USD);
        expect(c.services, "its blinded service codes").to.equal(BigInt(blindSet(alice.blinding, servicesOf(LINES))));
        expect(c.deductible, "final at once: not kept on the claim").to.equal(0n);
        expect(await manager.usage(1, 0)).to.deep.equal([500n * USD, 80n * USD, 0n]);
        expect((await manager.escrow(insurer.address)).owed).to.equal(80n * USD);
        expect(await manager.claimOfFingerprint(fp)).to.equal(id("c1"));
      });
    });

    context("when the benefit is above the review threshold", function () {
      it("pends it for review, reserves the benefit and keeps the deductible it applied", async function () {
        const { manager, insurer, submit } = await loadFixture(fixture);
        await submit(id("big"), BIG);
        const c = await manager.claim(id("big"));
        // 4000: 500 deductible, 700 coinsurance, 2800 benefit > 2000.
        expect(c.status).to.equal(BigInt(ClaimStatus.Pended));
        expect(c.reason).to.equal(BigInt(REASON.PENDED_FOR_REVIEW));
        expect(c.amount).to.equal(2_800n * USD);
        expect(c.deductible).to.equal(500n * USD);
        expect(await manager.usage(1, 0)).to.deep.equal([500n * USD, 0n, 2_800n * USD]);
        expect((await manager.escrow(insurer.address)).owed).to.equal(0n);
      });
    });

    context("when the insurer's free escrow is short", function () {
      it("pends it with PENDED_ESCROW_SHORT", async function () {
        const { manager, insurer, stranger, submit } = await loadFixture(fixture);
        await manager.connect(insurer).withdrawEscrow(100_000n * USD - 50n * USD, stranger.address);
        await submit(id("c1"));
        const c = await manager.claim(id("c1"));
        expect(c.status).to.equal(BigInt(ClaimStatus.Pended));
        expect(c.reason).to.equal(BigInt(REASON.PENDED_ESCROW_SHORT));
        expect(await manager.usage(1, 0)).to.deep.equal([500n * USD, 0n, 80n * USD]);
      });
    });

    context("when the service date is outside the coverage period", function () {
      it("denies it with OUTSIDE_COVERAGE_PERIOD and keeps the billed total as appeal cap", async function () {
        const { manager, hospital, bob, issue, submit, now } = await loadFixture(fixture);
        await issue(bob, { coverageStart: now - 30n * DAY, coverageEnd: now - 5n * DAY });
        await expect(submit(id("late"), LINES, now - DAY, 0n, hospital, 2n)).to.emit(manager, "ClaimSubmitted");
        const c = await manager.claim(id("late"));
        expect(c.status).to.equal(BigInt(ClaimStatus.Denied));
        expect(c.reason).to.equal(BigInt(REASON.OUTSIDE_COVERAGE_PERIOD));
        expect(c.amount).to.equal(600n * USD);
        await submit(id("early"), LINES, now - 40n * DAY, 0n, hospital, 2n);
        expect((await manager.claim(id("early"))).reason).to.equal(BigInt(REASON.OUTSIDE_COVERAGE_PERIOD));
        expect(await manager.usage(2, 0)).to.deep.equal([0n, 0n, 0n]);
      });
    });

    context("when no line is covered", function () {
      it("denies it with SERVICE_NOT_COVERED", async function () {
        const { manager, submit } = await loadFixture(fixture);
        await submit(id("dental"), [{ category: SERVICE.DENTAL, amount: 90n * USD }]);
        const c = await manager.claim(id("dental"));
        expect(c.status).to.equal(BigInt(ClaimStatus.Denied));
        expect(c.reason).to.equal(BigInt(REASON.SERVICE_NOT_COVERED));
        expect(c.amount).to.equal(90n * USD);
      });
    });

    context("when some lines are covered", function () {
      it("pays the covered lines only", async function () {
        const { manager, submit } = await loadFixture(fixture);
        await submit(id("mixed"), [
          { category: SERVICE.CONSULTATION, amount: 700n * USD },
          { category: SERVICE.DENTAL, amount: 90n * USD },
        ]);
        const c = await manager.claim(id("mixed"));
        expect(c.status).to.equal(BigInt(ClaimStatus.Approved));
        expect(c.amount).to.equal(160n * USD); // (700 - 500) * 80%
        expect(c.memberShare).to.equal(540n * USD);
      });
    });

    context("adjudication edge cases", function () {
      it("applies a partly met deductible across lines", async function () {
        const { manager, submit } = await loadFixture(fixture);
        await submit(id("a"), [{ category: SERVICE.CONSULTATION, amount: 300n * USD }]);
        expect(await manager.usage(1, 0)).to.deep.equal([300n * USD, 0n, 0n]);
        // 200 left: line 1 (150) all deductible, line 2 (250) takes 50 then 200 at 80%.
        await submit(id("b"), [
          { category: SERVICE.CONSULTATION, amount: 150n * USD },
          { category: SERVICE.LABORATORY, amount: 250n * USD },
        ]);
        const c = await manager.claim(id("b"));
        expect(c.amount).to.equal(160n * USD);
        expect(c.memberShare).to.equal(240n * USD);
        expect(await manager.usage(1, 0)).to.deep.equal([500n * USD, 160n * USD, 0n]);
      });

      it("caps a line when the annual limit runs out mid-claim, and approves nothing once it is used", async function () {
        const { manager, bob, issue, submit, hospital } = await loadFixture(fixture);
        await issue(bob, { deductible: 0, coinsuranceBps: 0, annualLimit: 1_000n * USD });
        await submit(
          id("x"),
          [
            { category: SERVICE.CONSULTATION, amount: 600n * USD },
            { category: SERVICE.LABORATORY, amount: 700n * USD },
          ],
          undefined,
          0n,
          hospital,
          2n,
        );
        const c = await manager.claim(id("x"));
        expect(c.amount).to.equal(1_000n * USD);
        expect(c.memberShare).to.equal(300n * USD);
        expect(await manager.usage(2, 0)).to.deep.equal([0n, 1_000n * USD, 0n]);
        // The limit is really used (committed, not reserved): the next claim is approved for nothing, for good.
        await submit(id("y"), [{ category: SERVICE.LABORATORY, amount: 5n * USD }], undefined, 0n, hospital, 2n);
        const y = await manager.claim(id("y"));
        expect(y.status).to.equal(BigInt(ClaimStatus.Approved));
        expect(y.amount).to.equal(0n);
        expect(y.memberShare).to.equal(5n * USD);
      });

      it("rounds coinsurance down per line, in the member's favour", async function () {
        const { manager, bob, issue, submit, hospital } = await loadFixture(fixture);
        await issue(bob, { deductible: 0, coinsuranceBps: 3333 });
        // 7 * 33.33% = 2.3331 -> member 2, insurer 5; twice (per line, not on the sum).
        const lines = [
          { category: SERVICE.CONSULTATION, amount: 7n },
          { category: SERVICE.LABORATORY, amount: 7n },
        ];
        await submit(id("r"), lines, undefined, 0n, hospital, 2n);
        const c = await manager.claim(id("r"));
        expect(c.amount).to.equal(10n);
        expect(c.memberShare).to.equal(4n);
      });

      it("keeps the deductible and limit per policy year", async function () {
        const { manager, submit } = await loadFixture(fixture);
        await submit(id("y0"), LINES);
        await time.increase(YEAR);
        const now = BigInt(await time.latest());
        await submit(id("y1"), LINES, now - DAY);
        const c = await manager.claim(id("y1"));
        expect(c.year).to.equal(1n);
        expect(c.amount).to.equal(80n * USD);
        expect(await manager.usage(1, 1)).to.deep.equal([500n * USD, 80n * USD, 0n]);
      });
    });

    context("citing a prior authorisation", function () {
      async function authorised() {
        const f = await requestedFixture();
        await f.manager.connect(f.insurer).approvePriorAuth(1, 3_000n * USD, f.now + 30n * DAY);
        return f;
      }

      it("is approved up to the authorised amount and uses the authorisation", async function () {
        const { manager, submit, now } = await loadFixture(authorised);
        await submit(id("s"), BIG, now - DAY, 1n);
        const c = await manager.claim(id("s"));
        expect(c.status).to.equal(BigInt(ClaimStatus.Approved));
        expect(c.amount).to.equal(2_800n * USD);
        expect((await manager.priorAuth(1)).status).to.equal(BigInt(PriorAuthStatus.Used));
        await expect(submit(id("s2"), [{ category: SERVICE.SURGERY, amount: 5n }], now - DAY, 1n))
          .to.be.revertedWithCustomError(manager, "ClaimsPriorAuthStatusInvalid")
          .withArgs(1, PriorAuthStatus.Used, PriorAuthStatus.Approved);
      });

      it("is still pended when the authorised category's lines pay more than the authorised amount", async function () {
        const { manager, submit, now } = await loadFixture(authorised);
        // 5,000 billed: 3,600 benefit > 3,000 authorised.
        await submit(id("s"), [{ category: SERVICE.SURGERY, amount: 5_000n * USD }], now - DAY, 1n);
        expect((await manager.claim(id("s"))).status).to.equal(BigInt(ClaimStatus.Pended));
      });

      it("covers only its own category: an imaging authorisation no longer auto-approves surgery", async function () {
        const { manager, submit, now, insurer, requestAuth } = await loadFixture(authorised);
        await requestAuth(SERVICE.IMAGING, id("pa-imaging"));
        await manager.connect(insurer).approvePriorAuth(2, 3_000n * USD, now + 30n * DAY);
        // Surgery 3,500 (500 deductible, 2,400 benefit) and imaging 100 (80 benefit): 2,480 > the 2,000 threshold.
        // Before issue 9 the imaging authorisation raised the whole claim's threshold to 3,000: approved at once.
        await submit(
          id("s"),
          [
            { category: SERVICE.SURGERY, amount: 3_500n * USD },
            { category: SERVICE.IMAGING, amount: 100n * USD },
          ],
          now - DAY,
          2n,
        );
        const c = await manager.claim(id("s"));
        expect(c.status).to.equal(BigInt(ClaimStatus.Pended));
        expect(c.reason).to.equal(BigInt(REASON.PENDED_FOR_REVIEW));
      });

      it("approves a claim whose authorised lines are within the authorisation and other lines within the threshold", async function () {
        const { manager, submit, now } = await loadFixture(authorised);
        // Consultation 1,875: 500 deductible, 1,100 benefit (<= 2,000); surgery 3,500: 2,800 benefit (<= 3,000).
        await submit(
          id("s"),
          [
            { category: SERVICE.CONSULTATION, amount: 1_875n * USD },
            { category: SERVICE.SURGERY, amount: 3_500n * USD },
          ],
          now - DAY,
          1n,
        );
        const c = await manager.claim(id("s"));
        expect(c.status).to.equal(BigInt(ClaimStatus.Approved));
        expect(c.amount).to.equal(3_900n * USD);
      });

      it("never pends a claim that the review threshold alone would approve", async function () {
        const { manager, submit, now, insurer, requestAuth } = await loadFixture(authorised);
        await requestAuth(SERVICE.SURGERY, id("pa2"));
        await manager.connect(insurer).approvePriorAuth(2, 1n * USD, now + 30n * DAY);
        // 2,500 billed: 500 deductible, 400 coinsurance, 1,600 benefit: above the authorised 1 but under 2,000.
        await submit(id("s"), [{ category: SERVICE.SURGERY, amount: 2_500n * USD }], now - DAY, 2n);
        const c = await manager.claim(id("s"));
        expect(c.status).to.equal(BigInt(ClaimStatus.Approved));
        expect(c.amount).to.equal(1_600n * USD);
      });

      it("refuses an unknown, unapproved, foreign or expired authorisation", async function () {
        const { manager, submit, now, hospital, clinic, allow, alice, issue, requestAuth } =
          await loadFixture(authorised);
        await expect(submit(id("s"), BIG, now - DAY, 7n))
          .to.be.revertedWithCustomError(manager, "ClaimsPriorAuthUnknown")
          .withArgs(7);
        await requestAuth(SERVICE.SURGERY, id("pa2"));
        await expect(submit(id("s"), BIG, now - DAY, 2n))
          .to.be.revertedWithCustomError(manager, "ClaimsPriorAuthStatusInvalid")
          .withArgs(2, PriorAuthStatus.Requested, PriorAuthStatus.Approved);
        await allow(alice, clinic.address, ALL_DATA);
        await expect(submit(id("s"), BIG, now - DAY, 1n, clinic))
          .to.be.revertedWithCustomError(manager, "ClaimsPriorAuthMismatch")
          .withArgs(1);
        await expect(submit(id("s"), LINES, now - DAY, 1n))
          .to.be.revertedWithCustomError(manager, "ClaimsPriorAuthMismatch")
          .withArgs(1);
        await issue(alice); // a second policy, same member and key: the same blinded surgery code, another policy
        await expect(submit(id("s"), BIG, now - DAY, 1n, hospital, 2n))
          .to.be.revertedWithCustomError(manager, "ClaimsPriorAuthMismatch")
          .withArgs(1);
        await time.increase(31n * DAY);
        await expect(submit(id("s"), BIG, now + 30n * DAY + 1n, 1n))
          .to.be.revertedWithCustomError(manager, "ClaimsPriorAuthExpired")
          .withArgs(1, now + 30n * DAY + 1n, now + 30n * DAY);
      });
    });

    context("with bad input", function () {
      it("refuses a missing commitment and a commitment submitted before", async function () {
        const { manager, submit } = await loadFixture(fixture);
        await expect(submit(ethers.ZeroHash)).to.be.revertedWithCustomError(manager, "ClaimsCommitmentMissing");
        await submit(id("c1"));
        await expect(submit(id("c1")))
          .to.be.revertedWithCustomError(manager, "ClaimsCommitmentDuplicate")
          .withArgs(id("c1"));
      });

      it("refuses the same service under a new salt", async function () {
        const { manager, submit, blinded, alice, hospital, now } = await loadFixture(fixture);
        await submit(id("c1"));
        const fp = claimFingerprint(alice.member.address, hospital.address, now - DAY, blinded(LINES));
        await expect(submit(id("c1-resalted")))
          .to.be.revertedWithCustomError(manager, "ClaimsFingerprintDuplicate")
          .withArgs(fp, id("c1"));
      });

      it("refuses the same bill shifted by a second within the service day, and takes it the next day", async function () {
        const { manager, submit, now } = await loadFixture(fixture);
        const day = (now / DAY - 3n) * DAY;
        await submit(id("c1"), LINES, day + 3_600n);
        // Before issue 9 the fingerprint keyed on the second: the same bill one second later was paid twice.
        await expect(submit(id("c1-shifted"), LINES, day + 3_601n))
          .to.be.revertedWithCustomError(manager, "ClaimsFingerprintDuplicate")
          .withArgs((fp: string) => fp.length === 66, id("c1"));
        await expect(submit(id("c1-late"), LINES, day + DAY - 1n)).to.be.revertedWithCustomError(
          manager,
          "ClaimsFingerprintDuplicate",
        );
        await expect(submit(id("next-day"), LINES, day + DAY)).to.emit(manager, "ClaimSubmitted");
      });

      it("refuses an unknown or expired policy", async function () {
        const { manager, submit, submitBlinded, blinded, terms, hospital, now } = await loadFixture(fixture);
        await expect(submitBlinded(id("c"), blinded(LINES), now - DAY, 0n, hospital, 9n))
          .to.be.revertedWithCustomError(manager, "ClaimsPolicyUnknown")
          .withArgs(9);
        const deadline = BigInt(terms.coverageEnd) + 180n * DAY;
        await time.increaseTo(deadline + 1n);
        await expect(submit(id("c")))
          .to.be.revertedWithCustomError(manager, "ClaimsPolicyExpired")
          .withArgs(1, deadline);
      });

      it("refuses a service date in the future", async function () {
        const { manager, submit, now } = await loadFixture(fixture);
        await expect(submit(id("c"), LINES, now + DAY))
          .to.be.revertedWithCustomError(manager, "ClaimsServiceDateInFuture")
          .withArgs(now + DAY, (t: bigint) => t > now && t < now + DAY);
      });

      it("refuses no lines or too many", async function () {
        const { manager, submitBlinded: submit } = await loadFixture(fixture);
        await expect(submit(id("c"), []))
          .to.be.revertedWithCustomError(manager, "ClaimsLineCountInvalid")
          .withArgs(0, 16);
        const many = Array.from({ length: 17 }, () => ({ category: 0, amount: 1n }));
        await expect(submit(id("c"), many))
          .to.be.revertedWithCustomError(manager, "ClaimsLineCountInvalid")
          .withArgs(17, 16);
      });

      it("refuses an unknown code, zero or oversized amounts and lines not sorted by blinded code", async function () {
        const { manager, submitBlinded: submit } = await loadFixture(fixture);
        await expect(submit(id("c"), [{ category: 16, amount: 1n }]))
          .to.be.revertedWithCustomError(manager, "ClaimsServiceCategoryUnknown")
          .withArgs(16);
        await expect(submit(id("c"), [{ category: 0, amount: 0n }])).to.be.revertedWithCustomError(
          manager,
          "ClaimsAmountZero",
        );
        await expect(submit(id("c"), [{ category: 0, amount: MAX + 1n }]))
          .to.be.revertedWithCustomError(manager, "ClaimsAmountTooLarge")
          .withArgs(MAX + 1n, MAX);
        await expect(
          submit(id("c"), [
            { category: 0, amount: MAX },
            { category: 0, amount: MAX },
          ]),
        )
          .to.be.revertedWithCustomError(manager, "ClaimsAmountTooLarge")
          .withArgs(2n * MAX, MAX);
        await expect(
          submit(id("c"), [
            { category: 4, amount: 1n },
            { category: 0, amount: 1n },
          ]),
        )
          .to.be.revertedWithCustomError(manager, "ClaimsLinesNotSorted")
          .withArgs(1);
        await expect(
          submit(id("c"), [
            { category: 0, amount: 2n },
            { category: 0, amount: 1n },
          ]),
        )
          .to.be.revertedWithCustomError(manager, "ClaimsLinesNotSorted")
          .withArgs(1);
      });

      it("refuses a claim without the member's payment consent for its services, asked in blinded codes", async function () {
        const { manager, submit, alice, clinic, allow } = await loadFixture(fixture);
        const needed = BigInt(DATA.BILLING | DATA.CONDITIONS | DATA.LAB_RESULTS);
        await expect(submit(id("c"), LINES, undefined, 0n, clinic))
          .to.be.revertedWithCustomError(manager, "ClaimsConsentMissing")
          .withArgs(alice.member.address, clinic.address, blindSet(alice.blinding, servicesOf(LINES)));
        await allow(alice, clinic.address, needed & ~BigInt(DATA.LAB_RESULTS)); // consultations only
        await expect(submit(id("c"), LINES, undefined, 0n, clinic)).to.be.revertedWithCustomError(
          manager,
          "ClaimsConsentMissing",
        );
        await allow(alice, clinic.address, needed);
        await expect(submit(id("c"), LINES, undefined, 0n, clinic)).to.emit(manager, "ClaimSubmitted");
      });
    });
  });

  async function pendedFixture() {
    const f = await fixture();
    await f.submit(id("big"), BIG);
    return f;
  }

  describe("approveClaim", function () {
    it("approves the computed amount, commits it, frees the reservation and emits ClaimApproved", async function () {
      const { manager, insurer } = await loadFixture(pendedFixture);
      await expect(manager.connect(insurer).approveClaim(id("big"), 2_800n * USD))
        .to.emit(manager, "ClaimApproved")
        .withArgs(id("big"), insurer.address, 2_800n * USD, 0n, false);
      const c = await manager.claim(id("big"));
      expect(c.status).to.equal(BigInt(ClaimStatus.Approved));
      expect(c.reason).to.equal(0n);
      expect((await manager.escrow(insurer.address)).owed).to.equal(2_800n * USD);
      expect(await manager.usage(1, 0)).to.deep.equal([500n * USD, 2_800n * USD, 0n]);
    });

    it("approves less and commits only that", async function () {
      const { manager, insurer } = await loadFixture(pendedFixture);
      await manager.connect(insurer).approveClaim(id("big"), 2_000n * USD);
      expect((await manager.claim(id("big"))).amount).to.equal(2_000n * USD);
      expect(await manager.usage(1, 0)).to.deep.equal([500n * USD, 2_000n * USD, 0n]);
    });

    it("refuses more than computed, zero, beyond what approved claims left of the limit, and a short escrow", async function () {
      const { manager, insurer, stranger, submit, now } = await loadFixture(pendedFixture);
      await expect(manager.connect(insurer).approveClaim(id("big"), 2_800n * USD + 1n))
        .to.be.revertedWithCustomError(manager, "ClaimsApprovalTooHigh")
        .withArgs(id("big"), 2_800n * USD + 1n, 2_800n * USD);
      await expect(manager.connect(insurer).approveClaim(id("big"), 0)).to.be.revertedWithCustomError(
        manager,
        "ClaimsAmountZero",
      );
      // A second pended claim (10,000 at 80%, deductible met) reserves 8,000 too; approved first, it takes the room.
      await submit(id("fill"), [{ category: SERVICE.INPATIENT, amount: 10_000n * USD }], now - 2n * DAY);
      await manager.connect(insurer).approveClaim(id("fill"), 8_000n * USD);
      await expect(manager.connect(insurer).approveClaim(id("big"), 2_800n * USD))
        .to.be.revertedWithCustomError(manager, "ClaimsAnnualLimitExceeded")
        .withArgs(1, 0, 2_800n * USD, 2_000n * USD);
      const { balance, owed } = await manager.escrow(insurer.address);
      await manager.connect(insurer).withdrawEscrow(balance - owed - 1_000n * USD, stranger.address);
      await expect(manager.connect(insurer).approveClaim(id("big"), 2_000n * USD))
        .to.be.revertedWithCustomError(manager, "ClaimsEscrowInsufficient")
        .withArgs(insurer.address, 2_000n * USD, 1_000n * USD);
      await manager.connect(insurer).approveClaim(id("big"), 1_000n * USD);
      expect(await manager.usage(1, 0)).to.deep.equal([500n * USD, 9_000n * USD, 0n]);
    });

    it("refuses an unknown or not pended claim, and another insurer", async function () {
      const { manager, insurer, insurer2, submit } = await loadFixture(pendedFixture);
      await expect(manager.connect(insurer).approveClaim(id("nope"), 1))
        .to.be.revertedWithCustomError(manager, "ClaimsClaimUnknown")
        .withArgs(id("nope"));
      await submit(id("c1"));
      await expect(manager.connect(insurer).approveClaim(id("c1"), 1))
        .to.be.revertedWithCustomError(manager, "ClaimsClaimStatusInvalid")
        .withArgs(id("c1"), ClaimStatus.Approved, ClaimStatus.Pended);
      await expect(manager.connect(insurer2).approveClaim(id("big"), 1))
        .to.be.revertedWithCustomError(manager, "ClaimsCallerNotInsurer")
        .withArgs(1, insurer2.address);
    });
  });

  describe("denyClaim", function () {
    it("denies, frees the reservation, gives the deductible back and emits ClaimDenied", async function () {
      const { manager, insurer } = await loadFixture(pendedFixture);
      await expect(manager.connect(insurer).denyClaim(id("big"), REASON.INSUFFICIENT_DOCUMENTATION))
        .to.emit(manager, "ClaimDenied")
        .withArgs(id("big"), insurer.address, REASON.INSUFFICIENT_DOCUMENTATION, 500n * USD, false);
      const c = await manager.claim(id("big"));
      expect(c.status).to.equal(BigInt(ClaimStatus.Denied));
      expect(c.reason).to.equal(BigInt(REASON.INSUFFICIENT_DOCUMENTATION));
      // Before issue 9 the 500 applied to the deductible stayed applied: usage was [500, 0].
      expect(await manager.usage(1, 0)).to.deep.equal([0n, 0n, 0n]);
    });

    it("lets the member's next claim meet the deductible a claim denied as fraud no longer consumes", async function () {
      const { manager, insurer, submit } = await loadFixture(pendedFixture);
      await manager.connect(insurer).denyClaim(id("big"), REASON.SUSPECTED_FRAUD);
      await submit(id("c1"));
      // 600: 500 to the deductible, 80 paid (before issue 9 the fraud claim had met it: 480 would be paid).
      expect((await manager.claim(id("c1"))).amount).to.equal(80n * USD);
      expect(await manager.usage(1, 0)).to.deep.equal([500n * USD, 80n * USD, 0n]);
    });

    it("refuses a rule reason, a claim not pended and another insurer", async function () {
      const { manager, insurer, insurer2 } = await loadFixture(pendedFixture);
      await expect(manager.connect(insurer).denyClaim(id("big"), 4))
        .to.be.revertedWithCustomError(manager, "ClaimsReasonInvalid")
        .withArgs(4, 16);
      await expect(manager.connect(insurer2).denyClaim(id("big"), 16))
        .to.be.revertedWithCustomError(manager, "ClaimsCallerNotInsurer")
        .withArgs(1, insurer2.address);
      await manager.connect(insurer).denyClaim(id("big"), 16);
      await expect(manager.connect(insurer).denyClaim(id("big"), 16))
        .to.be.revertedWithCustomError(manager, "ClaimsClaimStatusInvalid")
        .withArgs(id("big"), ClaimStatus.Denied, ClaimStatus.Pended);
    });
  });

  describe("annual-limit reservations", function () {
    /** A provider with the member's payment consent pends a claim whose benefit is the whole 10,000 limit. */
    async function reservedFixture() {
      const f = await fixture();
      // 13,000 inpatient: 500 deductible, 2,500 coinsurance, 10,000 benefit: above the threshold, pended.
      await f.submit(id("big"), [{ category: SERVICE.INPATIENT, amount: 13_000n * USD }], f.now - 2n * DAY);
      return f;
    }
    const SMALL: ClaimLine[] = [{ category: SERVICE.CONSULTATION, amount: 400n * USD }];

    it("pends a claim that another claim's reservation would cut, and pays it in full once that claim is denied", async function () {
      const { manager, insurer, hospital, submit, token } = await loadFixture(reservedFixture);
      await submit(id("small"), SMALL);
      // Before issue 9: approved at once for 0 (the big claim's reservation had taken the limit), final, never paid.
      const small = await manager.claim(id("small"));
      expect(small.status).to.equal(BigInt(ClaimStatus.Pended));
      expect(small.reason).to.equal(BigInt(REASON.PENDED_LIMIT_RESERVED));
      expect(small.amount, "approvable against the committed benefit").to.equal(320n * USD);
      expect(await manager.usage(1, 0)).to.deep.equal([500n * USD, 0n, 10_320n * USD]);

      await manager.connect(insurer).denyClaim(id("big"), REASON.SUSPECTED_FRAUD);
      await expect(manager.connect(insurer).approveClaim(id("small"), 320n * USD))
        .to.emit(manager, "ClaimApproved")
        .withArgs(id("small"), insurer.address, 320n * USD, 0n, false);
      await expect(manager.connect(hospital).withdraw(id("small"))).to.changeTokenBalance(token, hospital, 320n * USD);
      expect(await manager.usage(1, 0)).to.deep.equal([0n, 320n * USD, 0n]);
    });

    it("pends for the reservation only what the reservations would cut, and approves what fits beside them", async function () {
      const { manager, bob, hospital, issue, submit, now } = await loadFixture(fixture);
      const policyId = await issue(bob, { deductible: 0, coinsuranceBps: 0 });
      const submitBob = (c: string, category: number, amount: bigint) =>
        submit(c, [{ category, amount }], now - DAY, 0n, hospital, policyId);
      await submitBob(id("pended"), SERVICE.SURGERY, 9_000n * USD); // above 2,000: reserves 9,000 of 10,000
      await submitBob(id("fits"), SERVICE.LABORATORY, 800n * USD); // 800 <= 1,000 free
      await submitBob(id("cut"), SERVICE.CONSULTATION, 300n * USD); // 300 > 200 free
      expect((await manager.claim(id("fits"))).status).to.equal(BigInt(ClaimStatus.Approved));
      const cut = await manager.claim(id("cut"));
      expect([cut.status, cut.reason, cut.amount]).to.deep.equal([
        BigInt(ClaimStatus.Pended),
        BigInt(REASON.PENDED_LIMIT_RESERVED),
        300n * USD,
      ]);
      expect(await manager.usage(2, 0)).to.deep.equal([0n, 800n * USD, 9_300n * USD]);
    });

    it("lets the first approved of overlapping reservations take the room", async function () {
      const { manager, insurer, submit } = await loadFixture(reservedFixture);
      await submit(id("small"), SMALL);
      await manager.connect(insurer).approveClaim(id("big"), 10_000n * USD);
      await expect(manager.connect(insurer).approveClaim(id("small"), 320n * USD))
        .to.be.revertedWithCustomError(manager, "ClaimsAnnualLimitExceeded")
        .withArgs(1, 0, 320n * USD, 0n);
      await manager.connect(insurer).denyClaim(id("small"), REASON.NOT_MEDICALLY_NECESSARY);
      expect(await manager.usage(1, 0)).to.deep.equal([500n * USD, 10_000n * USD, 0n]);
    });

    it("keeps final a claim cut by benefit really committed", async function () {
      const { manager, insurer, hospital, submit } = await loadFixture(reservedFixture);
      await manager.connect(insurer).approveClaim(id("big"), 10_000n * USD);
      await submit(id("small"), SMALL);
      const small = await manager.claim(id("small"));
      expect([small.status, small.amount]).to.deep.equal([BigInt(ClaimStatus.Approved), 0n]);
      await expect(manager.connect(hospital).appeal(id("small"), id("e")))
        .to.be.revertedWithCustomError(manager, "ClaimsClaimStatusInvalid")
        .withArgs(id("small"), ClaimStatus.Approved, ClaimStatus.Denied);
    });
  });

  async function deniedFixture() {
    const f = await pendedFixture();
    await f.manager.connect(f.insurer).denyClaim(id("big"), REASON.INSUFFICIENT_DOCUMENTATION);
    return f;
  }

  describe("appeal", function () {
    it("lets the provider appeal with evidence and emits ClaimAppealed", async function () {
      const { manager, hospital } = await loadFixture(deniedFixture);
      await expect(manager.connect(hospital).appeal(id("big"), id("evidence")))
        .to.emit(manager, "ClaimAppealed")
        .withArgs(id("big"), hospital.address, id("evidence"));
      expect((await manager.claim(id("big"))).status).to.equal(BigInt(ClaimStatus.Appealed));
      await expect(manager.connect(hospital).appeal(id("big"), id("evidence")))
        .to.be.revertedWithCustomError(manager, "ClaimsClaimStatusInvalid")
        .withArgs(id("big"), ClaimStatus.Appealed, ClaimStatus.Denied);
    });

    it("needs the member's payment consent for the claim's services when the provider appeals, not when she does", async function () {
      const { manager, hospital, alice, allow, code, memberAppeal } = await loadFixture(deniedFixture);
      const surgery = 1n << BigInt(code(SERVICE.SURGERY));
      expect((await manager.claim(id("big"))).services).to.equal(surgery);
      await allow(alice, hospital.address, BigInt(DATA.BILLING | DATA.LAB_RESULTS)); // laboratory only, now
      // Before issue 9 the provider could appeal, revealing the claim's data again, without the member's consent.
      await expect(manager.connect(hospital).appeal(id("big"), id("evidence")))
        .to.be.revertedWithCustomError(manager, "ClaimsConsentMissing")
        .withArgs(alice.member.address, hospital.address, surgery);
      const receipt = await memberAppeal(1n, id("big"), id("evidence"));
      await expect(receipt).to.emit(manager, "ClaimAppealed").withArgs(id("big"), alice.member.address, id("evidence"));
    });

    it("takes the member's own appeal relayed through the HealthLedgerForwarder, her pseudonym paying nothing", async function () {
      const { manager, forwarder, relayer, alice } = await loadFixture(deniedFixture);
      expect(await ethers.provider.getBalance(alice.member.address), "the pseudonym holds no ETH").to.equal(0n);
      const request = await signMemberAppeal(alice.member, forwarder, manager, id("big"), id("evidence"));
      const receipt = await relayForwardRequest(forwarder.connect(relayer), request);
      expect(receipt.from, "the relayer paid").to.equal(relayer.address);
      await expect(receipt).to.emit(manager, "ClaimAppealed").withArgs(id("big"), alice.member.address, id("evidence"));
      expect((await manager.claim(id("big"))).status).to.equal(BigInt(ClaimStatus.Appealed));
      expect(await ethers.provider.getBalance(alice.member.address)).to.equal(0n);
      // The contract saw the pseudonym as the caller: a second relayed appeal is refused by its rules, before signing.
      await expect(signMemberAppeal(alice.member, forwarder, manager, id("big"), id("evidence")))
        .to.be.revertedWithCustomError(manager, "ClaimsClaimStatusInvalid")
        .withArgs(id("big"), ClaimStatus.Appealed, ClaimStatus.Denied);
    });

    it("refuses anyone else, a missing commitment and a late appeal", async function () {
      const { manager, hospital, stranger } = await loadFixture(deniedFixture);
      await expect(manager.connect(stranger).appeal(id("big"), id("e")))
        .to.be.revertedWithCustomError(manager, "ClaimsCallerNotAppellant")
        .withArgs(id("big"), stranger.address);
      await expect(manager.connect(hospital).appeal(id("big"), ethers.ZeroHash)).to.be.revertedWithCustomError(
        manager,
        "ClaimsCommitmentMissing",
      );
      const deadline = (await manager.claim(id("big"))).decidedAt + 180n * DAY;
      await time.increaseTo(deadline + 1n);
      await expect(manager.connect(hospital).appeal(id("big"), id("e")))
        .to.be.revertedWithCustomError(manager, "ClaimsAppealWindowClosed")
        .withArgs(id("big"), deadline);
    });

    it("refuses an unknown or not denied claim", async function () {
      const { manager, hospital, submit } = await loadFixture(deniedFixture);
      await expect(manager.connect(hospital).appeal(id("nope"), id("e")))
        .to.be.revertedWithCustomError(manager, "ClaimsClaimUnknown")
        .withArgs(id("nope"));
      await submit(id("c1"));
      await expect(manager.connect(hospital).appeal(id("c1"), id("e")))
        .to.be.revertedWithCustomError(manager, "ClaimsClaimStatusInvalid")
        .withArgs(id("c1"), ClaimStatus.Approved, ClaimStatus.Denied);
    });
  });

  async function appealedFixture() {
    const f = await deniedFixture();
    await f.manager.connect(f.hospital).appeal(id("big"), id("evidence"));
    return f;
  }

  describe("approveAppeal", function () {
    it("approves, commits the benefit, applies the deductible again, owes it and emits ClaimApproved", async function () {
      const { manager, insurer } = await loadFixture(appealedFixture);
      await expect(manager.connect(insurer).approveAppeal(id("big"), 2_500n * USD))
        .to.emit(manager, "ClaimApproved")
        .withArgs(id("big"), insurer.address, 2_500n * USD, 500n * USD, true);
      const c = await manager.claim(id("big"));
      expect(c.status).to.equal(BigInt(ClaimStatus.Approved));
      expect(c.amount).to.equal(2_500n * USD);
      expect(c.deductible).to.equal(500n * USD);
      expect(await manager.usage(1, 0)).to.deep.equal([500n * USD, 2_500n * USD, 0n]);
      expect((await manager.escrow(insurer.address)).owed).to.equal(2_500n * USD);
    });

    it("applies again only what is still due of the deductible", async function () {
      const { manager, insurer, submit } = await loadFixture(appealedFixture);
      await submit(id("c1")); // meets the 500 deductible the denial gave back
      await expect(manager.connect(insurer).approveAppeal(id("big"), 2_800n * USD))
        .to.emit(manager, "ClaimApproved")
        .withArgs(id("big"), insurer.address, 2_800n * USD, 0n, true);
      expect((await manager.claim(id("big"))).deductible).to.equal(0n);
      expect(await manager.usage(1, 0)).to.deep.equal([500n * USD, 2_880n * USD, 0n]);
    });

    it("refuses zero, more than the cap, beyond the annual limit and a short escrow", async function () {
      const { manager, insurer, stranger, submit, now } = await loadFixture(appealedFixture);
      await expect(manager.connect(insurer).approveAppeal(id("big"), 0)).to.be.revertedWithCustomError(
        manager,
        "ClaimsAmountZero",
      );
      await expect(manager.connect(insurer).approveAppeal(id("big"), 2_800n * USD + 1n))
        .to.be.revertedWithCustomError(manager, "ClaimsApprovalTooHigh")
        .withArgs(id("big"), 2_800n * USD + 1n, 2_800n * USD);
      // Commit 7,600 of the 10,000 limit: 10,000 billed, 500 deductible, 80% of the rest, approved on review.
      await submit(id("fill"), [{ category: SERVICE.INPATIENT, amount: 10_000n * USD }], now - 2n * DAY);
      await manager.connect(insurer).approveClaim(id("fill"), 7_600n * USD);
      await expect(manager.connect(insurer).approveAppeal(id("big"), 2_800n * USD))
        .to.be.revertedWithCustomError(manager, "ClaimsAnnualLimitExceeded")
        .withArgs(1, 0, 2_800n * USD, 2_400n * USD);
      const { balance, owed } = await manager.escrow(insurer.address);
      await manager.connect(insurer).withdrawEscrow(balance - owed - 1n, stranger.address);
      await expect(manager.connect(insurer).approveAppeal(id("big"), 2_000n * USD))
        .to.be.revertedWithCustomError(manager, "ClaimsEscrowInsufficient")
        .withArgs(insurer.address, 2_000n * USD, 1n);
    });

    it("refuses a claim not appealed and another insurer", async function () {
      const { manager, insurer, insurer2, submit } = await loadFixture(appealedFixture);
      await submit(id("c1"));
      await expect(manager.connect(insurer).approveAppeal(id("c1"), 1))
        .to.be.revertedWithCustomError(manager, "ClaimsClaimStatusInvalid")
        .withArgs(id("c1"), ClaimStatus.Approved, ClaimStatus.Appealed);
      await expect(manager.connect(insurer2).approveAppeal(id("big"), 1))
        .to.be.revertedWithCustomError(manager, "ClaimsCallerNotInsurer")
        .withArgs(1, insurer2.address);
    });
  });

  describe("denyAppeal", function () {
    it("denies for good and emits ClaimDenied; a second appeal is refused", async function () {
      const { manager, insurer, hospital } = await loadFixture(appealedFixture);
      await expect(manager.connect(insurer).denyAppeal(id("big"), REASON.NOT_MEDICALLY_NECESSARY))
        .to.emit(manager, "ClaimDenied")
        .withArgs(id("big"), insurer.address, REASON.NOT_MEDICALLY_NECESSARY, 0n, true);
      expect((await manager.claim(id("big"))).status).to.equal(BigInt(ClaimStatus.FinalDenied));
      await expect(manager.connect(hospital).appeal(id("big"), id("again")))
        .to.be.revertedWithCustomError(manager, "ClaimsClaimStatusInvalid")
        .withArgs(id("big"), ClaimStatus.FinalDenied, ClaimStatus.Denied);
      await expect(manager.connect(insurer).denyAppeal(id("big"), 16))
        .to.be.revertedWithCustomError(manager, "ClaimsClaimStatusInvalid")
        .withArgs(id("big"), ClaimStatus.FinalDenied, ClaimStatus.Appealed);
      expect(await manager.usage(1, 0)).to.deep.equal([0n, 0n, 0n]);
    });

    it("refuses a rule reason and another insurer", async function () {
      const { manager, insurer, insurer2 } = await loadFixture(appealedFixture);
      await expect(manager.connect(insurer).denyAppeal(id("big"), 0))
        .to.be.revertedWithCustomError(manager, "ClaimsReasonInvalid")
        .withArgs(0, 16);
      await expect(manager.connect(insurer2).denyAppeal(id("big"), 16))
        .to.be.revertedWithCustomError(manager, "ClaimsCallerNotInsurer")
        .withArgs(1, insurer2.address);
    });
  });

  describe("withdraw", function () {
    it("pays the provider once from the insurer's escrow and emits ClaimPaid", async function () {
      const { manager, hospital, insurer, token, submit } = await loadFixture(fixture);
      await submit(id("c1"));
      await expect(manager.connect(hospital).withdraw(id("c1")))
        .to.emit(manager, "ClaimPaid")
        .withArgs(id("c1"), hospital.address, insurer.address, 80n * USD);
      expect(await token.balanceOf(hospital.address)).to.equal(80n * USD);
      expect(await manager.escrow(insurer.address)).to.deep.equal([100_000n * USD - 80n * USD, 0n]);
      expect((await manager.claim(id("c1"))).status).to.equal(BigInt(ClaimStatus.Paid));
      await expect(manager.connect(hospital).withdraw(id("c1")))
        .to.be.revertedWithCustomError(manager, "ClaimsClaimStatusInvalid")
        .withArgs(id("c1"), ClaimStatus.Paid, ClaimStatus.Approved);
    });

    it("refuses anyone but the provider, the member included", async function () {
      const { manager, forwarder, alice, stranger, submit } = await loadFixture(fixture);
      await submit(id("c1"));
      await expect(manager.connect(stranger).withdraw(id("c1")))
        .to.be.revertedWithCustomError(manager, "ClaimsCallerNotProvider")
        .withArgs(id("c1"), stranger.address);
      const data = manager.interface.encodeFunctionData("withdraw", [id("c1")]);
      await expect(signForwardRequest(alice.member, forwarder, { to: await manager.getAddress(), data }))
        .to.be.revertedWithCustomError(manager, "ClaimsCallerNotProvider")
        .withArgs(id("c1"), alice.member.address);
    });

    it("pays a provider whose PROVIDER role was revoked what it is owed", async function () {
      const { manager, authority, hospital, submit } = await loadFixture(fixture);
      await submit(id("c1"));
      await authority.revokeRole(ROLES.PROVIDER, hospital.address);
      await expect(manager.connect(hospital).withdraw(id("c1"))).to.emit(manager, "ClaimPaid");
    });

    it("refuses an unknown, pended or denied claim", async function () {
      const { manager, hospital, submit } = await loadFixture(pendedFixture);
      await expect(manager.connect(hospital).withdraw(id("nope")))
        .to.be.revertedWithCustomError(manager, "ClaimsClaimUnknown")
        .withArgs(id("nope"));
      await expect(manager.connect(hospital).withdraw(id("big")))
        .to.be.revertedWithCustomError(manager, "ClaimsClaimStatusInvalid")
        .withArgs(id("big"), ClaimStatus.Pended, ClaimStatus.Approved);
      await submit(id("zero"), [
        { category: SERVICE.DENTAL, amount: 1n },
        { category: SERVICE.VISION, amount: 1n },
      ]);
      await expect(manager.connect(hospital).withdraw(id("zero")))
        .to.be.revertedWithCustomError(manager, "ClaimsClaimStatusInvalid")
        .withArgs(id("zero"), ClaimStatus.Denied, ClaimStatus.Approved);
    });

    it("refuses an approved claim that pays nothing", async function () {
      const { manager, hospital, submit } = await loadFixture(fixture);
      await submit(id("ded"), [{ category: SERVICE.CONSULTATION, amount: 100n * USD }]);
      expect((await manager.claim(id("ded"))).status).to.equal(BigInt(ClaimStatus.Approved));
      await expect(manager.connect(hospital).withdraw(id("ded"))).to.be.revertedWithCustomError(
        manager,
        "ClaimsAmountZero",
      );
    });
  });

  describe("an insurer whose INSURER role is revoked (wind-down)", function () {
    /** A pended, an appealed and a requested record for the insurer, then its role revoked. */
    async function revokedFixture() {
      const f = await fixture();
      await f.submit(id("big"), BIG);
      await f.submit(id("other"), [{ category: SERVICE.SURGERY, amount: 5_000n * USD }], f.now - 2n * DAY);
      await f.manager.connect(f.insurer).denyClaim(id("other"), REASON.NOT_MEDICALLY_NECESSARY);
      await f.manager.connect(f.hospital).appeal(id("other"), id("evidence"));
      await f.requestAuth(SERVICE.SURGERY, id("pa1"));
      await f.requestAuth(SERVICE.IMAGING, id("pa2"));
      await f.authority.revokeRole(ROLES.INSURER, f.insurer.address);
      return f;
    }

    // Before issue 9 each of these was `restricted` to INSURER: the pended claims and the free escrow were locked
    // until the role came back.
    it("still decides its pended claims and appeals", async function () {
      const { manager, insurer } = await loadFixture(revokedFixture);
      await expect(manager.connect(insurer).approveClaim(id("big"), 2_800n * USD)).to.emit(manager, "ClaimApproved");
      await expect(manager.connect(insurer).approveAppeal(id("other"), 1_000n * USD)).to.emit(manager, "ClaimApproved");
    });

    it("still denies a pended claim and an appeal", async function () {
      const { manager, insurer } = await loadFixture(revokedFixture);
      await expect(manager.connect(insurer).denyClaim(id("big"), 16)).to.emit(manager, "ClaimDenied");
      await expect(manager.connect(insurer).denyAppeal(id("other"), 16)).to.emit(manager, "ClaimDenied");
    });

    it("still decides prior-authorisation requests", async function () {
      const { manager, insurer, now } = await loadFixture(revokedFixture);
      await expect(manager.connect(insurer).approvePriorAuth(1, 1n * USD, now + DAY)).to.emit(
        manager,
        "PriorAuthApproved",
      );
      await expect(manager.connect(insurer).denyPriorAuth(2, 16)).to.emit(manager, "PriorAuthDenied");
    });

    it("takes back its free escrow, and no more", async function () {
      const { manager, insurer, hospital } = await loadFixture(revokedFixture);
      await manager.connect(insurer).approveClaim(id("big"), 2_800n * USD);
      const { balance, owed } = await manager.escrow(insurer.address);
      await expect(manager.connect(insurer).withdrawEscrow(balance - owed + 1n, insurer.address))
        .to.be.revertedWithCustomError(manager, "ClaimsEscrowInsufficient")
        .withArgs(insurer.address, balance - owed + 1n, balance - owed);
      await expect(manager.connect(insurer).withdrawEscrow(balance - owed, insurer.address))
        .to.emit(manager, "EscrowWithdrawn")
        .withArgs(insurer.address, insurer.address, balance - owed, owed);
      // What it owes stays for the provider.
      await expect(manager.connect(hospital).withdraw(id("big"))).to.emit(manager, "ClaimPaid");
    });

    it("can neither issue a policy nor fund its escrow", async function () {
      const { manager, insurer, bob } = await loadFixture(revokedFixture);
      await expect(manager.connect(insurer).createPolicy(await defaultTerms(bob.member.address, bob.blinding)))
        .to.be.revertedWithCustomError(manager, "AccessManagedUnauthorized")
        .withArgs(insurer.address);
      await expect(manager.connect(insurer).fundEscrow(1))
        .to.be.revertedWithCustomError(manager, "AccessManagedUnauthorized")
        .withArgs(insurer.address);
    });
  });

  describe("views", function () {
    it("computes the fingerprint like the SDK, over the pseudonym and the blinded lines, on the service day", async function () {
      const { manager, alice, hospital, blinded, now } = await loadFixture(fixture);
      const member = alice.member.address;
      const lines = blinded(LINES);
      expect(await manager.fingerprintOf(member, hospital.address, now, lines)).to.equal(
        claimFingerprint(member, hospital.address, now, lines),
      );
      const day = (now / DAY) * DAY;
      expect(await manager.fingerprintOf(member, hospital.address, day, lines)).to.equal(
        await manager.fingerprintOf(member, hospital.address, day + DAY - 1n, lines),
      );
    });

    it("clamps policy years into the coverage period and refuses an unknown policy", async function () {
      const { manager, terms } = await loadFixture(fixture);
      const start = BigInt(terms.coverageStart);
      expect(await manager.policyYear(1, start - 1n)).to.equal(0n);
      expect(await manager.policyYear(1, start + YEAR)).to.equal(1n);
      expect(await manager.policyYear(1, start + 10n * YEAR)).to.equal(2n);
      await expect(manager.policyYear(3, start))
        .to.be.revertedWithCustomError(manager, "ClaimsPolicyUnknown")
        .withArgs(3);
    });

    it("matches the SDK preview for a submitted claim, in blinded codes and in plain terms", async function () {
      const { manager, insurer, hospital, alice, submit, blinded, now } = await loadFixture(fixture);
      const p = await manager.policy(1);
      const { balance, owed } = await manager.escrow(insurer.address);
      const input = {
        policy: p,
        usage: await manager.usage(1, 0),
        escrowAvailable: balance - owed,
        serviceDate: now - DAY,
      };
      const preview = previewAdjudication({ ...input, lines: blinded(LINES) });
      const plain = previewClaim({ ...input, blinding: alice.blinding, lines: [...LINES].reverse() });
      expect(plain.submitLines).to.deep.equal(blinded(LINES));
      await expect(submit(id("c1")))
        .to.emit(manager, "ClaimSubmitted")
        .withArgs(
          id("c1"),
          1n,
          hospital.address,
          (fp: string) => fp.length === 66,
          now - DAY,
          0n,
          plain.submitLines.map((l) => [l.category, l.amount]),
          (o: unknown[]) => o[0] === BigInt(preview.status),
        );
      const c = await manager.claim(id("c1"));
      for (const r of [preview, plain]) {
        expect(Number(c.status)).to.equal(r.status);
        expect(c.amount).to.equal(r.benefit);
        expect(c.memberShare).to.equal(r.memberShare);
      }
      expect(plain.lines.map((l) => l.category)).to.have.members(LINES.map((l) => l.category));
    });
  });

  describe("what an observer of every block reads", function () {
    it("sees each policy's own blinded codes for the same service, never the plain code", async function () {
      const { manager, alice, bob, hospital, issue, submit, now } = await loadFixture(fixture);
      const bobPolicy = await issue(bob);
      const therapy: ClaimLine[] = [{ category: SERVICE.MENTAL_HEALTH, amount: 150n * USD }];
      await submit(id("alice-therapy"), therapy);
      await submit(id("bob-therapy"), therapy, now - DAY, 0n, hospital, bobPolicy);
      const logged = async (claimId: string) => {
        const [log] = await manager.queryFilter(manager.filters.ClaimSubmitted(claimId));
        return Number(log.args.lines[0].category);
      };
      const [a, b] = [await logged(id("alice-therapy")), await logged(id("bob-therapy"))];
      expect([a, b]).to.deep.equal([
        alice.blinding.blind(SERVICE.MENTAL_HEALTH),
        bob.blinding.blind(SERVICE.MENTAL_HEALTH),
      ]);
      expect(a, "codes of two policies are not comparable").to.not.equal(b);
      expect([a, b]).to.not.include(SERVICE.MENTAL_HEALTH);
      // The same plain covered set is two unrelated blinded sets.
      const [p1, p2] = [await manager.policy(1), await manager.policy(bobPolicy)];
      expect(p1.coveredCategories).to.not.equal(p2.coveredCategories);
      expect([p1.member, p2.member]).to.deep.equal([alice.member.address, bob.member.address]);
    });

    it("sees a payment consent as blinded service codes, not the member's data categories", async function () {
      const { consent, alice, bob, clinic, allow } = await loadFixture(fixture);
      const mentalHealth = BigInt(DATA.BILLING | DATA.MENTAL_HEALTH);
      await allow(alice, clinic.address, mentalHealth);
      await allow(bob, clinic.address, mentalHealth);
      const stored = async (member: string) => (await consent.consent(member, clinic.address, PAYMENT)).categories;
      expect(await stored(alice.member.address)).to.equal(1n << BigInt(alice.blinding.blind(SERVICE.MENTAL_HEALTH)));
      expect(await stored(bob.member.address)).to.equal(1n << BigInt(bob.blinding.blind(SERVICE.MENTAL_HEALTH)));
      expect(await stored(alice.member.address)).to.not.equal(mentalHealth);
    });
  });
});
