// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {HealthLedgerManaged} from "../common/HealthLedgerManaged.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IClaimsManager} from "../interfaces/IClaimsManager.sol";
import {IConsentVerifier} from "../interfaces/IConsentVerifier.sol";
import {DataCategories} from "../consent/DataCategories.sol";
import {Purposes} from "../consent/Purposes.sol";
import {ClaimReasons} from "./ClaimReasons.sol";
import {ServiceCategories} from "./ServiceCategories.sol";

/// @title ClaimsManager
/// @notice Consent-gated insurance claims with duplicate detection, rule-based adjudication, appeals and escrowed
///         pull payouts (see {IClaimsManager} and docs/claims.md).
/// @dev Who may call what is decided by the shared authority (`src/claims/permissions.ts`): INSURER issues
///      policies, funds escrow and decides; PROVIDER submits claims and requests prior authorisations. Decisions are
///      further limited to the policy's own insurer, payouts to the claim's provider and appeals to its provider or
///      member. Functions that move tokens are `nonReentrant` and follow checks-effects-interactions.
contract ClaimsManager is IClaimsManager, HealthLedgerManaged, ReentrancyGuard {
    using SafeERC20 for IERC20;

    // ---------------------------------------------------------------------------------------------------------------
    // Constants
    // ---------------------------------------------------------------------------------------------------------------

    /// @notice Most lines a claim may have.
    uint256 public constant MAX_LINES = 16;
    /// @notice Largest amount accepted (amounts are stored in 96 bits).
    uint256 public constant MAX_AMOUNT = type(uint96).max;
    /// @notice Claims and prior-authorisation requests are accepted until this long after coverage ends.
    uint256 public constant FILING_WINDOW = 180 days;
    /// @notice A denial may be appealed until this long after it.
    uint256 public constant APPEAL_WINDOW = 180 days;
    /// @notice Length of a policy year; the annual limit and deductible apply per policy year.
    uint256 public constant POLICY_YEAR = 365 days;
    /// @notice Most policy years a coverage period may span.
    uint256 public constant MAX_YEARS = 100;
    /// @notice Basis points in 100%.
    uint256 public constant BPS = 10_000;
    /// @notice Domain tag of the duplicate fingerprint.
    bytes32 public constant FINGERPRINT_TAG = keccak256("health-ledger.claims.fingerprint.v1");

    // ---------------------------------------------------------------------------------------------------------------
    // Storage
    // ---------------------------------------------------------------------------------------------------------------

    /// @dev What a policy year has used. Layout: deductibleMet | benefit (192 bits, one slot).
    struct Usage {
        uint96 deductibleMet;
        uint96 benefit;
    }

    /// @dev An insurer's escrow. Layout: balance | owed (256 bits, one slot). Invariant: owed <= balance.
    struct Escrow {
        uint128 balance;
        uint128 owed;
    }

    IConsentVerifier private immutable _consent;
    IERC20 private immutable _token;

    // Both counters share one slot, so the first prior-authorisation request does not pay for a fresh slot.
    uint128 private _policyCount;
    uint128 private _authCount;
    mapping(uint256 policyId => Policy policy) private _policies;
    mapping(bytes32 claimId => Claim claim) private _claims;
    mapping(bytes32 fingerprint => bytes32 claimId) private _fingerprints;
    mapping(uint256 authId => PriorAuth auth) private _auths;
    mapping(uint256 policyId => mapping(uint256 year => Usage usage)) private _usage;
    mapping(address insurer => Escrow escrow) private _escrows;

    /// @notice Deploys the claims manager under the shared authority, asking `consentVerifier_` before every
    ///         submission and holding escrows in `paymentToken_`.
    /// @param initialAuthority The shared `HealthLedgerAuthority`.
    /// @param consentVerifier_ The consent registry asked before every submission.
    /// @param paymentToken_ The ERC-20 token escrows and payouts are in.
    constructor(
        address initialAuthority,
        address consentVerifier_,
        address paymentToken_
    ) HealthLedgerManaged(initialAuthority) {
        if (initialAuthority == address(0) || consentVerifier_ == address(0) || paymentToken_ == address(0)) {
            revert ClaimsZeroAddress();
        }
        _consent = IConsentVerifier(consentVerifier_);
        _token = IERC20(paymentToken_);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Policies and escrow
    // ---------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IClaimsManager
    function createPolicy(PolicyTerms calldata terms) external restricted returns (uint256 policyId) {
        if (terms.member == address(0)) revert ClaimsMemberZero();
        if (
            terms.coverageStart >= terms.coverageEnd ||
            uint256(terms.coverageEnd) - terms.coverageStart > MAX_YEARS * POLICY_YEAR
        ) revert ClaimsCoveragePeriodInvalid(terms.coverageStart, terms.coverageEnd);
        if (terms.annualLimit == 0) revert ClaimsAmountZero();
        _checkAmount(terms.annualLimit);
        _checkAmount(terms.deductible);
        _checkAmount(terms.reviewThreshold);
        if (terms.coinsuranceBps > BPS) revert ClaimsCoinsuranceInvalid(terms.coinsuranceBps);
        if (terms.coveredCategories == 0) revert ClaimsCategorySetInvalid(terms.coveredCategories);
        if (terms.termsCommitment == 0) revert ClaimsCommitmentZero();

        policyId = ++_policyCount;
        SafeCast.toUint32(policyId); // claims and authorisations store policy ids in 32 bits
        _policies[policyId] = Policy({
            member: terms.member,
            coverageStart: terms.coverageStart,
            coverageEnd: terms.coverageEnd,
            coinsuranceBps: terms.coinsuranceBps,
            annualLimit: uint96(terms.annualLimit),
            deductible: uint96(terms.deductible),
            coveredCategories: terms.coveredCategories,
            insurer: msg.sender,
            reviewThreshold: uint96(terms.reviewThreshold),
            termsCommitment: terms.termsCommitment
        });
        emit PolicyCreated(policyId, msg.sender, terms.member, terms);
    }

    /// @inheritdoc IClaimsManager
    function fundEscrow(uint256 amount) external restricted nonReentrant {
        if (amount == 0) revert ClaimsAmountZero();
        uint256 before = _token.balanceOf(address(this));
        _token.safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = _token.balanceOf(address(this)) - before;
        Escrow storage e = _escrows[msg.sender];
        uint256 balance = e.balance + received;
        if (balance > type(uint128).max) revert ClaimsAmountTooLarge(balance, type(uint128).max);
        e.balance = uint128(balance);
        emit EscrowFunded(msg.sender, received, balance);
    }

    /// @inheritdoc IClaimsManager
    function withdrawEscrow(uint256 amount, address to) external restricted nonReentrant {
        if (to == address(0)) revert ClaimsZeroAddress();
        if (amount == 0) revert ClaimsAmountZero();
        Escrow storage e = _escrows[msg.sender];
        uint256 balance = e.balance;
        uint256 available = balance - e.owed;
        if (amount > available) revert ClaimsEscrowInsufficient(msg.sender, available, amount);
        balance -= amount;
        e.balance = uint128(balance);
        _token.safeTransfer(to, amount);
        emit EscrowWithdrawn(msg.sender, to, amount, balance);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Prior authorisation
    // ---------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IClaimsManager
    function requestPriorAuth(
        uint256 policyId,
        uint8 category,
        bytes32 requestCommitment
    ) external restricted returns (uint256 authId) {
        if (requestCommitment == 0) revert ClaimsCommitmentZero();
        if (category >= ServiceCategories.COUNT) revert ClaimsServiceCategoryUnknown(category);
        (address member, , ) = _livePolicy(policyId);
        _requireConsent(member, DataCategories.BILLING | ServiceCategories.dataCategories(category));

        authId = ++_authCount;
        _auths[authId] = PriorAuth({
            provider: msg.sender,
            policyId: uint32(policyId),
            category: category,
            status: PriorAuthStatus.Requested,
            validUntil: 0,
            amount: 0
        });
        emit PriorAuthRequested(authId, policyId, msg.sender, category, requestCommitment);
    }

    /// @inheritdoc IClaimsManager
    function approvePriorAuth(uint256 authId, uint256 amount, uint40 validUntil) external restricted {
        PriorAuth storage a = _requestedAuth(authId);
        if (amount == 0) revert ClaimsAmountZero();
        _checkAmount(amount);
        if (validUntil < block.timestamp) revert ClaimsPriorAuthValidityInvalid(validUntil);
        a.status = PriorAuthStatus.Approved;
        a.validUntil = validUntil;
        a.amount = uint96(amount);
        emit PriorAuthApproved(authId, msg.sender, amount, validUntil);
    }

    /// @inheritdoc IClaimsManager
    function denyPriorAuth(uint256 authId, uint8 reason) external restricted {
        _checkInsurerReason(reason);
        PriorAuth storage a = _requestedAuth(authId);
        a.status = PriorAuthStatus.Denied;
        emit PriorAuthDenied(authId, msg.sender, reason);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Claims
    // ---------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IClaimsManager
    function submitClaim(
        uint256 policyId,
        bytes32 claimCommitment,
        ClaimLine[] calldata lines,
        uint40 serviceDate,
        uint256 priorAuthId
    ) external restricted returns (ClaimStatus) {
        if (claimCommitment == 0) revert ClaimsCommitmentZero();
        if (_claims[claimCommitment].status != ClaimStatus.None) revert ClaimsDuplicateCommitment(claimCommitment);
        (bytes32 fingerprint, uint256 billed) = _admitClaim(policyId, lines, serviceDate);
        (Adjudication memory adj, uint256 year) = _adjudicateClaim(policyId, lines, serviceDate, priorAuthId, billed);

        _claims[claimCommitment] = Claim({
            provider: msg.sender,
            policyId: uint32(policyId),
            year: uint8(year),
            status: adj.status,
            reason: adj.reason,
            decidedAt: uint40(block.timestamp),
            amount: uint96(adj.status == ClaimStatus.Denied ? billed : adj.benefit),
            memberShare: uint96(adj.memberShare)
        });
        _fingerprints[fingerprint] = claimCommitment;
        emit ClaimSubmitted(claimCommitment, policyId, msg.sender, fingerprint, serviceDate, priorAuthId, lines, adj);
        return adj.status;
    }

    /// @inheritdoc IClaimsManager
    function approveClaim(bytes32 claimId, uint256 amount) external restricted {
        Claim storage c = _claimIn(claimId, ClaimStatus.Pended);
        address insurer = _requireInsurer(c.policyId);
        uint256 max = c.amount;
        if (amount == 0) revert ClaimsAmountZero();
        if (amount > max) revert ClaimsApprovalTooHigh(claimId, amount, max);
        _owe(insurer, amount);
        if (amount < max) {
            // Give the part not approved back to the annual limit.
            Usage storage u = _usage[c.policyId][c.year];
            u.benefit -= uint96(max - amount);
            c.amount = uint96(amount);
        }
        _decide(c, ClaimStatus.Approved, ClaimReasons.NONE);
        emit ClaimApproved(claimId, insurer, amount, false);
    }

    /// @inheritdoc IClaimsManager
    function denyClaim(bytes32 claimId, uint8 reason) external restricted {
        _checkInsurerReason(reason);
        Claim storage c = _claimIn(claimId, ClaimStatus.Pended);
        address insurer = _requireInsurer(c.policyId);
        // The reserved benefit returns to the annual limit; the deductible applied at adjudication stays applied.
        _usage[c.policyId][c.year].benefit -= c.amount;
        _decide(c, ClaimStatus.Denied, reason);
        emit ClaimDenied(claimId, insurer, reason, false);
    }

    /// @inheritdoc IClaimsManager
    function appeal(bytes32 claimId, bytes32 evidenceCommitment) external {
        Claim storage c = _claims[claimId];
        ClaimStatus status = c.status;
        if (status == ClaimStatus.FinalDenied) revert ClaimsAppealAlreadyUsed(claimId);
        _requireStatus(claimId, status, ClaimStatus.Denied);
        if (msg.sender != c.provider && msg.sender != _policies[c.policyId].member) {
            revert ClaimsNotAppellant(claimId, msg.sender);
        }
        uint256 deadline = uint256(c.decidedAt) + APPEAL_WINDOW;
        if (block.timestamp > deadline) revert ClaimsAppealWindowClosed(claimId, deadline);
        if (evidenceCommitment == 0) revert ClaimsCommitmentZero();
        _decide(c, ClaimStatus.Appealed, c.reason);
        emit ClaimAppealed(claimId, msg.sender, evidenceCommitment);
    }

    /// @inheritdoc IClaimsManager
    function approveAppeal(bytes32 claimId, uint256 amount) external restricted {
        Claim storage c = _claimIn(claimId, ClaimStatus.Appealed);
        uint256 policyId = c.policyId;
        address insurer = _requireInsurer(policyId);
        uint256 max = c.amount;
        if (amount == 0) revert ClaimsAmountZero();
        if (amount > max) revert ClaimsApprovalTooHigh(claimId, amount, max);
        uint256 year = c.year;
        Usage storage u = _usage[policyId][year];
        uint256 remaining = _policies[policyId].annualLimit - u.benefit;
        if (amount > remaining) revert ClaimsAnnualLimitExceeded(policyId, year, remaining, amount);
        _owe(insurer, amount);
        u.benefit += uint96(amount);
        c.amount = uint96(amount);
        _decide(c, ClaimStatus.Approved, ClaimReasons.NONE);
        emit ClaimApproved(claimId, insurer, amount, true);
    }

    /// @inheritdoc IClaimsManager
    function denyAppeal(bytes32 claimId, uint8 reason) external restricted {
        _checkInsurerReason(reason);
        Claim storage c = _claimIn(claimId, ClaimStatus.Appealed);
        address insurer = _requireInsurer(c.policyId);
        _decide(c, ClaimStatus.FinalDenied, reason);
        emit ClaimDenied(claimId, insurer, reason, true);
    }

    /// @inheritdoc IClaimsManager
    function withdraw(bytes32 claimId) external nonReentrant {
        Claim storage c = _claims[claimId];
        ClaimStatus status = c.status;
        if (status == ClaimStatus.Paid) revert ClaimsAlreadyPaid(claimId);
        _requireStatus(claimId, status, ClaimStatus.Approved);
        address provider = c.provider;
        if (msg.sender != provider) revert ClaimsNotProvider(claimId, msg.sender);
        uint256 amount = c.amount;
        if (amount == 0) revert ClaimsAmountZero();
        address insurer = _policies[c.policyId].insurer;

        c.status = ClaimStatus.Paid;
        Escrow storage e = _escrows[insurer];
        e.balance -= uint128(amount);
        e.owed -= uint128(amount);

        _token.safeTransfer(provider, amount);
        emit ClaimPaid(claimId, provider, insurer, amount);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IClaimsManager
    function consentVerifier() external view returns (address) {
        return address(_consent);
    }

    /// @inheritdoc IClaimsManager
    function paymentToken() external view returns (address) {
        return address(_token);
    }

    /// @inheritdoc IClaimsManager
    function policy(uint256 policyId) external view returns (Policy memory) {
        return _policies[policyId];
    }

    /// @inheritdoc IClaimsManager
    function policyCount() external view returns (uint256) {
        return _policyCount;
    }

    /// @inheritdoc IClaimsManager
    function claim(bytes32 claimId) external view returns (Claim memory) {
        return _claims[claimId];
    }

    /// @inheritdoc IClaimsManager
    function priorAuth(uint256 authId) external view returns (PriorAuth memory) {
        return _auths[authId];
    }

    /// @inheritdoc IClaimsManager
    function usage(uint256 policyId, uint256 year) external view returns (uint256 deductibleMet, uint256 benefit) {
        Usage storage u = _usage[policyId][year];
        return (u.deductibleMet, u.benefit);
    }

    /// @inheritdoc IClaimsManager
    function escrow(address insurer) external view returns (uint256 balance, uint256 owed) {
        Escrow storage e = _escrows[insurer];
        return (e.balance, e.owed);
    }

    /// @inheritdoc IClaimsManager
    function claimOfFingerprint(bytes32 fingerprint) external view returns (bytes32 claimId) {
        return _fingerprints[fingerprint];
    }

    /// @inheritdoc IClaimsManager
    function fingerprintOf(
        address member,
        address provider,
        uint40 serviceDate,
        ClaimLine[] calldata lines
    ) external pure returns (bytes32) {
        return _fingerprint(member, provider, serviceDate, lines);
    }

    /// @inheritdoc IClaimsManager
    function policyYear(uint256 policyId, uint256 date) external view returns (uint256) {
        Policy storage p = _policies[policyId];
        if (p.member == address(0)) revert ClaimsPolicyUnknown(policyId);
        return _yearOf(p.coverageStart, p.coverageEnd, date);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------------------------------

    /// @dev Checks everything that makes a claim admissible (live policy, service date, lines, no duplicate
    ///      fingerprint, the member's consent); returns its fingerprint and billed total.
    function _admitClaim(
        uint256 policyId,
        ClaimLine[] calldata lines,
        uint40 serviceDate
    ) private view returns (bytes32 fingerprint, uint256 billed) {
        (address member, , ) = _livePolicy(policyId);
        if (serviceDate > block.timestamp) revert ClaimsServiceDateInFuture(serviceDate, block.timestamp);
        uint256 revealed;
        (revealed, billed) = _checkLines(lines);
        fingerprint = _fingerprint(member, msg.sender, serviceDate, lines);
        bytes32 existing = _fingerprints[fingerprint];
        if (existing != 0) revert ClaimsDuplicateFingerprint(fingerprint, existing);
        _requireConsent(member, revealed);
    }

    /// @dev Adjudicates an admitted claim: consumes a cited prior authorisation, denies a service date outside the
    ///      coverage period, otherwise applies the rules line by line.
    function _adjudicateClaim(
        uint256 policyId,
        ClaimLine[] calldata lines,
        uint256 serviceDate,
        uint256 priorAuthId,
        uint256 billed
    ) private returns (Adjudication memory adj, uint256 year) {
        Policy storage p = _policies[policyId];
        uint256 threshold = p.reviewThreshold;
        if (priorAuthId != 0) threshold = _usePriorAuth(priorAuthId, policyId, lines, serviceDate, threshold);
        uint256 start = p.coverageStart;
        uint256 end = p.coverageEnd;
        year = _yearOf(start, end, serviceDate);
        adj.billed = billed;
        if (serviceDate < start || serviceDate > end) {
            adj.status = ClaimStatus.Denied;
            adj.reason = ClaimReasons.OUTSIDE_COVERAGE_PERIOD;
        } else {
            _adjudicate(p, _usage[policyId][year], lines, threshold, adj);
        }
    }

    /// @dev Adjudicates the lines of an in-period claim into `adj` and records the policy year's usage; for an
    ///      approved claim also what the insurer now owes. Line by line, in order, for covered lines: the deductible
    ///      takes what it still needs; the member's coinsurance is `rest * bps / 10000` rounded down; the insurer's
    ///      share is capped by what is left of the annual limit.
    function _adjudicate(
        Policy storage p,
        Usage storage u,
        ClaimLine[] calldata lines,
        uint256 threshold,
        Adjudication memory adj
    ) private {
        uint256 covered = p.coveredCategories;
        uint256 deductibleMet = u.deductibleMet;
        uint256 benefit = u.benefit;
        uint256 deductibleLeft = p.deductible - deductibleMet;
        uint256 limitLeft = p.annualLimit - benefit;
        uint256 bps = p.coinsuranceBps;
        for (uint256 i = 0; i < lines.length; ++i) {
            if ((covered >> lines[i].category) & 1 == 0) continue;
            uint256 amount = lines[i].amount;
            adj.eligible += amount;
            uint256 d = amount < deductibleLeft ? amount : deductibleLeft;
            deductibleLeft -= d;
            adj.deductible += d;
            uint256 rest = amount - d;
            uint256 coins = (rest * bps) / BPS;
            adj.coinsurance += coins;
            uint256 pay = rest - coins;
            if (pay > limitLeft) pay = limitLeft;
            limitLeft -= pay;
            adj.benefit += pay;
        }
        if (adj.eligible == 0) {
            adj.status = ClaimStatus.Denied;
            adj.reason = ClaimReasons.SERVICE_NOT_COVERED;
            return;
        }
        uint256 payout = adj.benefit;
        adj.memberShare = adj.eligible - payout;
        _classify(p.insurer, threshold, adj);
        if (adj.deductible != 0 || payout != 0) {
            u.deductibleMet = uint96(deductibleMet + adj.deductible);
            u.benefit = uint96(benefit + payout);
        }
    }

    /// @dev Approves an adjudicated claim (recording what the insurer owes) or pends it: above the review threshold,
    ///      or when the insurer's free escrow does not cover the benefit.
    function _classify(address insurer, uint256 threshold, Adjudication memory adj) private {
        uint256 payout = adj.benefit;
        if (payout > threshold) {
            adj.status = ClaimStatus.Pended;
            adj.reason = ClaimReasons.PENDED_FOR_REVIEW;
            return;
        }
        adj.status = ClaimStatus.Approved;
        if (payout == 0) return;
        Escrow storage e = _escrows[insurer];
        uint256 owed = e.owed;
        if (e.balance - owed < payout) {
            adj.status = ClaimStatus.Pended;
            adj.reason = ClaimReasons.PENDED_ESCROW_SHORT;
        } else {
            e.owed = uint128(owed + payout);
        }
    }

    /// @dev Validates lines (count, codes, amounts, canonical order) and returns the data categories they reveal
    ///      (with BILLING) and their billed total.
    function _checkLines(ClaimLine[] calldata lines) private pure returns (uint256 revealed, uint256 billed) {
        uint256 n = lines.length;
        if (n == 0 || n > MAX_LINES) revert ClaimsLineCountInvalid(n, MAX_LINES);
        revealed = DataCategories.BILLING;
        uint256 previous = 0;
        for (uint256 i = 0; i < n; ++i) {
            uint256 category = lines[i].category;
            uint256 amount = lines[i].amount;
            if (category >= ServiceCategories.COUNT) revert ClaimsServiceCategoryUnknown(category);
            if (amount == 0) revert ClaimsAmountZero();
            _checkAmount(amount);
            uint256 key = (category << 96) | amount;
            if (key < previous) revert ClaimsLinesNotSorted(i);
            previous = key;
            revealed |= ServiceCategories.dataCategories(category);
            billed += amount;
        }
        _checkAmount(billed);
    }

    /// @dev Consumes an approved prior authorisation cited by a claim; returns the review threshold it raises.
    function _usePriorAuth(
        uint256 authId,
        uint256 policyId,
        ClaimLine[] calldata lines,
        uint256 serviceDate,
        uint256 threshold
    ) private returns (uint256) {
        PriorAuth storage a = _auths[authId];
        PriorAuthStatus status = a.status;
        if (status == PriorAuthStatus.None) revert ClaimsPriorAuthUnknown(authId);
        if (status != PriorAuthStatus.Approved) revert ClaimsPriorAuthStatusInvalid(authId, status);
        if (a.policyId != policyId || a.provider != msg.sender) revert ClaimsPriorAuthMismatch(authId);
        if (serviceDate > a.validUntil) revert ClaimsPriorAuthExpired(authId, a.validUntil);
        uint256 category = a.category;
        bool billed = false;
        for (uint256 i = 0; i < lines.length; ++i) {
            if (lines[i].category == category) {
                billed = true;
                break;
            }
        }
        if (!billed) revert ClaimsPriorAuthMismatch(authId);
        a.status = PriorAuthStatus.Used;
        uint256 authorised = a.amount;
        return authorised > threshold ? authorised : threshold;
    }

    /// @dev A requested authorisation whose policy's insurer is the caller.
    function _requestedAuth(uint256 authId) private view returns (PriorAuth storage a) {
        a = _auths[authId];
        PriorAuthStatus status = a.status;
        if (status == PriorAuthStatus.None) revert ClaimsPriorAuthUnknown(authId);
        if (status != PriorAuthStatus.Requested) revert ClaimsPriorAuthStatusInvalid(authId, status);
        _requireInsurer(a.policyId);
    }

    /// @dev The member and coverage period of a policy that still takes claims.
    function _livePolicy(uint256 policyId) private view returns (address member, uint256 start, uint256 end) {
        Policy storage p = _policies[policyId];
        member = p.member;
        if (member == address(0)) revert ClaimsPolicyUnknown(policyId);
        start = p.coverageStart;
        end = p.coverageEnd;
        uint256 filingDeadline = end + FILING_WINDOW;
        if (block.timestamp > filingDeadline) revert ClaimsPolicyExpired(policyId, filingDeadline);
    }

    function _requireConsent(address member, uint256 categories) private view {
        if (!_consent.isAuthorized(member, msg.sender, Purposes.PAYMENT, categories)) {
            revert ClaimsConsentMissing(member, msg.sender, categories);
        }
    }

    /// @dev The policy's insurer, which must be the caller.
    function _requireInsurer(uint256 policyId) private view returns (address insurer) {
        insurer = _policies[policyId].insurer;
        if (msg.sender != insurer) revert ClaimsNotPolicyInsurer(policyId, msg.sender);
    }

    /// @dev A claim that is in `expected` status.
    function _claimIn(bytes32 claimId, ClaimStatus expected) private view returns (Claim storage c) {
        c = _claims[claimId];
        _requireStatus(claimId, c.status, expected);
    }

    function _requireStatus(bytes32 claimId, ClaimStatus status, ClaimStatus expected) private pure {
        if (status == ClaimStatus.None) revert ClaimsUnknown(claimId);
        if (status != expected) revert ClaimsStatusInvalid(claimId, status);
    }

    /// @dev Records that the insurer owes `amount` more, if its free escrow covers it.
    function _owe(address insurer, uint256 amount) private {
        Escrow storage e = _escrows[insurer];
        uint256 owed = e.owed;
        uint256 available = e.balance - owed;
        if (amount > available) revert ClaimsEscrowInsufficient(insurer, available, amount);
        e.owed = uint128(owed + amount);
    }

    function _decide(Claim storage c, ClaimStatus status, uint8 reason) private {
        c.status = status;
        c.reason = reason;
        c.decidedAt = uint40(block.timestamp);
    }

    function _checkInsurerReason(uint8 reason) private pure {
        if (reason < ClaimReasons.INSURER_MIN) revert ClaimsReasonInvalid(reason);
    }

    function _checkAmount(uint256 amount) private pure {
        if (amount > MAX_AMOUNT) revert ClaimsAmountTooLarge(amount, MAX_AMOUNT);
    }

    function _fingerprint(
        address member,
        address provider,
        uint40 serviceDate,
        ClaimLine[] calldata lines
    ) private pure returns (bytes32) {
        return keccak256(abi.encode(FINGERPRINT_TAG, member, provider, serviceDate, lines));
    }

    /// @dev Policy year of a date, clamped into the coverage period.
    function _yearOf(uint256 start, uint256 end, uint256 date) private pure returns (uint256) {
        if (date <= start) return 0;
        if (date > end) date = end;
        return (date - start) / POLICY_YEAR;
    }
}
