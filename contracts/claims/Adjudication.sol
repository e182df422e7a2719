// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IClaimsManager} from "../interfaces/IClaimsManager.sol";
import {ClaimReasons} from "./ClaimReasons.sol";

/// @title Claim adjudication rules
/// @notice The maths by which `ClaimsManager` adjudicates a claim and decides what a policy year still allows: pure
///         functions of their arguments, with no storage access. The contract reads and writes storage and runs the
///         claim state machine around them, as Uniswap v4 keeps `Pool.sol` apart from `PoolManager.sol`.
/// @dev Mirrored line for line by `src/claims/adjudication.ts` (same functions, same names, same order; each says
///      where its twin is), which the SDK's preview runs and a property test compares with the contract on random
///      claims. Change both together. The rules in words are in docs/claims.md.
///      A service code is read only by {isCovered} and by equality with the cited code, both of which a relabelling
///      of codes keeps: the rules decide alike over a policy's blinded codes and over the plain ones, given the lines
///      in the same order (the SDK's property test checks it), so `ClaimsManager` runs them in blinded space.
library Adjudication {
    /// @notice Basis points in 100%.
    uint256 internal constant BPS = 10_000;
    /// @notice Length of a policy year: the annual limit and the deductible apply per policy year.
    uint256 internal constant POLICY_YEAR = 365 days;
    /// @notice Length of a service day: the duplicate fingerprint keys on the service date's day.
    uint256 internal constant SERVICE_DAY = 1 days;
    /// @notice The category of a citation when a claim cites no prior authorisation (no line has it).
    uint256 internal constant NO_CATEGORY = type(uint256).max;

    /// @notice What the rules read of a policy (see `IClaimsManager.Policy`), widened to 256 bits.
    /// @dev In memory only.
    /// @param coverageStart First second of coverage.
    /// @param coverageEnd Last second of coverage.
    /// @param annualLimit Most the insurer pays per policy year.
    /// @param deductible The member's yearly deductible.
    /// @param coinsuranceBps The member's share after the deductible, in basis points.
    /// @param coveredCategories Bit set of covered service categories.
    /// @param reviewThreshold Benefits above this are pended for review.
    struct Rules {
        uint256 coverageStart;
        uint256 coverageEnd;
        uint256 annualLimit;
        uint256 deductible;
        uint256 coinsuranceBps;
        uint256 coveredCategories;
        uint256 reviewThreshold;
    }

    /// @notice The prior authorisation a claim cites: its category and approved amount.
    /// @dev In memory only. No citation: category `NO_CATEGORY`, amount 0.
    /// @param category The authorised service category.
    /// @param amount The authorised amount.
    struct Citation {
        uint256 category;
        uint256 amount;
    }

    /// @notice The policy year a date falls into: `(date - coverageStart) / POLICY_YEAR`, the date clamped into the
    ///         coverage period. Twin: `policyYear` in adjudication.ts.
    /// @param coverageStart First second of coverage.
    /// @param coverageEnd Last second of coverage.
    /// @param date A unix time.
    /// @return The policy year (0 = the first).
    function policyYear(uint256 coverageStart, uint256 coverageEnd, uint256 date) internal pure returns (uint256) {
        if (date <= coverageStart) return 0;
        if (date > coverageEnd) date = coverageEnd;
        return (date - coverageStart) / POLICY_YEAR;
    }

    /// @notice The day of a service date, which the duplicate fingerprint keys on. Twin: `serviceDay`.
    /// @param serviceDate A unix time.
    /// @return Days since the unix epoch.
    function serviceDay(uint256 serviceDate) internal pure returns (uint256) {
        return serviceDate / SERVICE_DAY;
    }

    /// @notice Adjudicates a claim against a policy and what its year has used. Twin: `adjudicate`.
    /// @dev Denied when the service date is outside the coverage period (reason 1) or no line is covered (reason 2);
    ///      otherwise the lines are split by {sumLines} and the claim is classified by {classify}.
    /// @param rules The policy's rules.
    /// @param usage What the claim's policy year has used.
    /// @param lines The claim's lines (validated and sorted by the caller).
    /// @param serviceDate The date of service.
    /// @param citation The cited prior authorisation (`NO_CATEGORY` for none).
    /// @param escrowAvailable The insurer's escrow balance minus what it owes.
    /// @return outcome The outcome; `deductible` and `benefit` are what the caller records in the year's usage.
    function adjudicate(
        Rules memory rules,
        IClaimsManager.Usage memory usage,
        IClaimsManager.ClaimLine[] calldata lines,
        uint256 serviceDate,
        Citation memory citation,
        uint256 escrowAvailable
    ) internal pure returns (IClaimsManager.Outcome memory outcome) {
        uint256 citedBenefit;
        (outcome, citedBenefit) = sumLines(rules, usage, lines, citation.category);
        if (serviceDate < rules.coverageStart || serviceDate > rules.coverageEnd) {
            return denied(outcome.billed, ClaimReasons.OUTSIDE_COVERAGE_PERIOD);
        }
        if (outcome.eligible == 0) return denied(outcome.billed, ClaimReasons.SERVICE_NOT_COVERED);
        outcome.memberShare = outcome.eligible - outcome.benefit;
        (outcome.status, outcome.reason) = classify(
            rules,
            usage,
            outcome.benefit,
            citedBenefit,
            citation.amount,
            escrowAvailable
        );
    }

    /// @notice A denied outcome: only the billed total and the reason. Twin: `denied`.
    /// @param billed Sum of the lines' billed amounts.
    /// @param reason The denial reason.
    /// @return outcome The outcome.
    function denied(uint256 billed, uint8 reason) internal pure returns (IClaimsManager.Outcome memory outcome) {
        outcome.status = IClaimsManager.ClaimStatus.Denied;
        outcome.reason = reason;
        outcome.billed = billed;
    }

    /// @notice Adds the lines up in order: every line to `billed`, each covered line through {addLine}. Twin:
    ///         `sumLines`.
    /// @param rules The policy's rules.
    /// @param usage What the policy year has used.
    /// @param lines The claim's lines.
    /// @param citedCategory The cited authorisation's category (`NO_CATEGORY` for none).
    /// @return outcome The totals: billed, eligible, deductible, coinsurance, benefit (status and reason unset).
    /// @return citedBenefit The benefit of the lines of the cited category.
    function sumLines(
        Rules memory rules,
        IClaimsManager.Usage memory usage,
        IClaimsManager.ClaimLine[] calldata lines,
        uint256 citedCategory
    ) internal pure returns (IClaimsManager.Outcome memory outcome, uint256 citedBenefit) {
        for (uint256 i = 0; i < lines.length; ++i) {
            uint256 category = lines[i].category;
            uint256 amount = lines[i].amount;
            outcome.billed += amount;
            if (!isCovered(rules.coveredCategories, category)) continue;
            uint256 benefit = addLine(rules, usage, outcome, amount);
            if (category == citedCategory) citedBenefit += benefit;
        }
    }

    /// @notice Adds one covered line to the totals of `outcome` (in memory), split by {splitLine} against the
    ///         deductible still due and what approved claims left of the annual limit, after the lines before it.
    ///         Pended claims' reservations do not cut a benefit here: {classify} pends a claim they would cut.
    ///         Twin: `addLine`.
    /// @param rules The policy's rules.
    /// @param usage What the policy year has used.
    /// @param outcome The totals of the lines before; updated.
    /// @param amount The line's billed amount.
    /// @return benefit The line's benefit.
    function addLine(
        Rules memory rules,
        IClaimsManager.Usage memory usage,
        IClaimsManager.Outcome memory outcome,
        uint256 amount
    ) internal pure returns (uint256 benefit) {
        uint256 deductibleLeft = rules.deductible - usage.deductibleMet - outcome.deductible;
        uint256 left = limitLeft(rules.annualLimit, usage.committed) - outcome.benefit;
        uint256 deductible;
        uint256 coinsurance;
        (deductible, coinsurance, benefit) = splitLine(amount, deductibleLeft, left, rules.coinsuranceBps);
        outcome.eligible += amount;
        outcome.deductible += deductible;
        outcome.coinsurance += coinsurance;
        outcome.benefit += benefit;
    }

    /// @notice One covered line: the deductible takes what it still needs; the member's coinsurance is
    ///         `rest * coinsuranceBps / BPS` rounded down (in the member's favour); the insurer's benefit is the
    ///         remainder, capped by what is left of the limit. Twin: `splitLine`.
    /// @param amount The line's billed amount.
    /// @param deductibleLeft The deductible still due before this line.
    /// @param limitLeft_ What is left of the annual limit before this line.
    /// @param coinsuranceBps The member's share after the deductible, in basis points.
    /// @return deductible The part applied to the deductible.
    /// @return coinsurance The member's coinsurance.
    /// @return benefit What the insurer pays for the line.
    function splitLine(
        uint256 amount,
        uint256 deductibleLeft,
        uint256 limitLeft_,
        uint256 coinsuranceBps
    ) internal pure returns (uint256 deductible, uint256 coinsurance, uint256 benefit) {
        deductible = amount < deductibleLeft ? amount : deductibleLeft;
        uint256 rest = amount - deductible;
        coinsurance = (rest * coinsuranceBps) / BPS;
        benefit = rest - coinsurance;
        if (benefit > limitLeft_) benefit = limitLeft_;
    }

    /// @notice Where an in-period claim with covered lines goes: Pended for review ({needsReview}, reason 3); else
    ///         Pended when other claims' reservations would cut its benefit (above {freeLimit}, reason 5); else
    ///         Pended when the insurer's free escrow does not cover it (reason 4); else Approved. Twin: `classify`.
    /// @param rules The policy's rules.
    /// @param usage What the policy year has used.
    /// @param benefit The claim's benefit.
    /// @param citedBenefit The benefit of the lines of the cited authorisation's category.
    /// @param citedAmount The cited authorisation's amount (0 for none).
    /// @param escrowAvailable The insurer's escrow balance minus what it owes.
    /// @return status Pended or Approved.
    /// @return reason The pend reason, or 0.
    function classify(
        Rules memory rules,
        IClaimsManager.Usage memory usage,
        uint256 benefit,
        uint256 citedBenefit,
        uint256 citedAmount,
        uint256 escrowAvailable
    ) internal pure returns (IClaimsManager.ClaimStatus status, uint8 reason) {
        if (needsReview(rules.reviewThreshold, benefit, citedBenefit, citedAmount)) {
            return (IClaimsManager.ClaimStatus.Pended, ClaimReasons.PENDED_FOR_REVIEW);
        }
        if (benefit > freeLimit(rules.annualLimit, usage)) {
            return (IClaimsManager.ClaimStatus.Pended, ClaimReasons.PENDED_LIMIT_RESERVED);
        }
        if (benefit > escrowAvailable) return (IClaimsManager.ClaimStatus.Pended, ClaimReasons.PENDED_ESCROW_SHORT);
        return (IClaimsManager.ClaimStatus.Approved, ClaimReasons.NONE);
    }

    /// @notice Whether a claim needs the insurer's review: its benefit is above the review threshold, and a cited
    ///         authorisation does not cover the excess: the lines of its category pay more than its amount, or the
    ///         other lines alone pay more than the threshold. An authorisation never pends a claim that would not
    ///         be pended without it, and covers only its own category. Twin: `needsReview`.
    /// @param reviewThreshold The policy's review threshold.
    /// @param benefit The claim's benefit.
    /// @param citedBenefit The benefit of the lines of the cited authorisation's category (0 for none).
    /// @param citedAmount The cited authorisation's amount (0 for none).
    /// @return Whether to pend it for review.
    function needsReview(
        uint256 reviewThreshold,
        uint256 benefit,
        uint256 citedBenefit,
        uint256 citedAmount
    ) internal pure returns (bool) {
        if (benefit <= reviewThreshold) return false;
        return citedBenefit > citedAmount || benefit - citedBenefit > reviewThreshold;
    }

    /// @notice What approved claims left of the annual limit: what a claim may still be approved for. Twin:
    ///         `limitLeft`.
    /// @param annualLimit The policy's annual limit.
    /// @param committed The year's committed benefit.
    /// @return The remaining room.
    function limitLeft(uint256 annualLimit, uint256 committed) internal pure returns (uint256) {
        return annualLimit - committed;
    }

    /// @notice What is left of the annual limit once pended claims' reservations are set aside: the most a claim
    ///         may be approved for at once without taking room a pended claim may need. Twin: `freeLimit`.
    /// @param annualLimit The policy's annual limit.
    /// @param usage What the policy year has used.
    /// @return The free room (0 when reservations cover what is left).
    function freeLimit(uint256 annualLimit, IClaimsManager.Usage memory usage) internal pure returns (uint256) {
        uint256 left = limitLeft(annualLimit, usage.committed);
        uint256 reserved = usage.reserved;
        return reserved < left ? left - reserved : 0;
    }

    /// @notice The part of a deductible a claim applied that is still due when its appeal is approved (its denial
    ///         gave it back, and other claims may have met the deductible since). Twin: `deductibleDue`.
    /// @param deductible The policy's yearly deductible.
    /// @param deductibleMet The year's deductible applied so far.
    /// @param applied What the claim applied at adjudication.
    /// @return What to apply again.
    function deductibleDue(uint256 deductible, uint256 deductibleMet, uint256 applied) internal pure returns (uint256) {
        uint256 due = deductible - deductibleMet;
        return applied < due ? applied : due;
    }

    /// @notice Whether a policy covers a service category. Twin: `isCovered`.
    /// @param coveredCategories The policy's covered-category bit set.
    /// @param category A service-category code.
    /// @return Whether bit `category` is set.
    function isCovered(uint256 coveredCategories, uint256 category) internal pure returns (bool) {
        return (coveredCategories >> category) & 1 == 1;
    }
}
