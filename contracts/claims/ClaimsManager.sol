// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {HealthLedgerManaged} from "../common/HealthLedgerManaged.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IClaimsManager} from "../interfaces/IClaimsManager.sol";
import {IConsentVerifier} from "../interfaces/IConsentVerifier.sol";
import {DataCategories} from "../consent/DataCategories.sol";
import {Purposes} from "../consent/Purposes.sol";
import {Adjudication} from "./Adjudication.sol";
import {ClaimReasons} from "./ClaimReasons.sol";
import {ClaimsConstants} from "./ClaimsConstants.sol";
import {ServiceCategories} from "./ServiceCategories.sol";

/// @title ClaimsManager
/// @notice Consent-gated insurance claims with duplicate detection, rule-based adjudication, appeals and escrowed
///         pull payouts (see {IClaimsManager} and docs/claims.md).
/// @dev Storage and the claim state machine live here; the adjudication maths is the pure library
///      {Adjudication}, which this contract feeds with what it reads and whose outcome it then records, each write
///      in a function named for it. Who may call what is in `src/claims/permissions.ts`: the authority lets INSURER
///      issue policies and fund escrow and PROVIDER submit claims and request authorisations; this contract limits
///      decisions to the policy's insurer, escrow withdrawals to the caller's own escrow, payouts to the claim's
///      provider and appeals to its member or provider. Decisions and withdrawals need no live role, so that an
///      insurer whose role is revoked still settles what it owes and takes back what is free (wind-down).
///      Functions that move tokens are `nonReentrant` and follow checks-effects-interactions.
///      Service codes are blinded per policy (see {IClaimsManager}): this contract never unblinds anything, it
///      compares codes, tests them against the covered set and asks the member's payment consent for the bit set
///      of the codes a claim or authorisation bills, all in the policy's blinded space.
contract ClaimsManager is IClaimsManager, HealthLedgerManaged, ReentrancyGuard {
    using SafeERC20 for IERC20;

    // ---------------------------------------------------------------------------------------------------------------
    // Constants (the libraries' values, exposed for clients that read the ABI)
    // ---------------------------------------------------------------------------------------------------------------

    /// @notice Most lines a claim may have.
    uint256 public constant MAX_LINES = ClaimsConstants.MAX_LINES;
    /// @notice Largest amount accepted (amounts are stored in 96 bits).
    uint256 public constant MAX_AMOUNT = ClaimsConstants.MAX_AMOUNT;
    /// @notice Claims and prior-authorisation requests are accepted until this long after coverage ends.
    uint256 public constant FILING_WINDOW = ClaimsConstants.FILING_WINDOW;
    /// @notice A denial may be appealed until this long after it.
    uint256 public constant APPEAL_WINDOW = ClaimsConstants.APPEAL_WINDOW;
    /// @notice Most policy years a coverage period may span.
    uint256 public constant MAX_YEARS = ClaimsConstants.MAX_YEARS;
    /// @notice Domain tag of the duplicate fingerprint (v3: over blinded lines and the policy's pseudonym).
    bytes32 public constant FINGERPRINT_TAG = ClaimsConstants.FINGERPRINT_TAG;
    /// @notice Length of a policy year; the annual limit and deductible apply per policy year.
    uint256 public constant POLICY_YEAR = Adjudication.POLICY_YEAR;
    /// @notice Basis points in 100%.
    uint256 public constant BPS = Adjudication.BPS;

    // ---------------------------------------------------------------------------------------------------------------
    // Storage
    // ---------------------------------------------------------------------------------------------------------------

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
    /// @dev Each address is probed: the consent verifier must answer `isAuthorized`, the token `decimals()` and
    ///      `totalSupply()`; an empty account or another contract reverts `HealthLedgerContractInvalid`.
    /// @param initialAuthority The shared `HealthLedgerAuthority`.
    /// @param trustedForwarder The `HealthLedgerForwarder` that relays patients\' signed calls.
    /// @param consentVerifier_ The consent registry asked before every submission.
    /// @param paymentToken_ The ERC-20 token escrows and payouts are in.
    constructor(
        address initialAuthority,
        address trustedForwarder,
        address consentVerifier_,
        address paymentToken_
    ) HealthLedgerManaged(initialAuthority, trustedForwarder) {
        _requireAnswers(
            consentVerifier_,
            abi.encodeCall(
                IConsentVerifier.isAuthorized,
                (address(this), address(this), Purposes.PAYMENT, DataCategories.BILLING)
            )
        );
        _requireAnswers(paymentToken_, abi.encodeCall(IERC20Metadata.decimals, ()));
        _requireAnswers(paymentToken_, abi.encodeCall(IERC20.totalSupply, ()));
        _consent = IConsentVerifier(consentVerifier_);
        _token = IERC20(paymentToken_);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Policies and escrow
    // ---------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IClaimsManager
    function createPolicy(PolicyTerms calldata terms) external restricted returns (uint256 policyId) {
        if (terms.termsCommitment == 0) revert ClaimsCommitmentMissing();
        if (terms.member == address(0)) revert ClaimsMemberMissing();
        if (
            terms.coverageStart >= terms.coverageEnd ||
            uint256(terms.coverageEnd) - terms.coverageStart > MAX_YEARS * POLICY_YEAR
        ) revert ClaimsCoveragePeriodInvalid(terms.coverageStart, terms.coverageEnd);
        if (terms.coinsuranceBps > BPS) revert ClaimsCoinsuranceInvalid(terms.coinsuranceBps, BPS);
        if (terms.annualLimit == 0) revert ClaimsAmountZero();
        _checkAmount(terms.annualLimit);
        _checkAmount(terms.deductible);
        // A uint16 set has no bit beyond the sixteen codes, so only the empty set is invalid. The set is over the
        // policy's blinded codes: whether it is the plain terms blinded is for the member's wallet to check
        // (the SDK's `assertPolicyBlinding`), as only she and the insurer hold the key.
        if (terms.coveredCategories == 0) revert ClaimsCategorySetInvalid(terms.coveredCategories);
        _checkAmount(terms.reviewThreshold);

        policyId = ++_policyCount;
        SafeCast.toUint32(policyId); // claims and authorisations store policy ids in 32 bits
        _policies[policyId] = Policy({
            termsCommitment: terms.termsCommitment,
            member: terms.member,
            coverageStart: terms.coverageStart,
            coverageEnd: terms.coverageEnd,
            coinsuranceBps: terms.coinsuranceBps,
            annualLimit: uint96(terms.annualLimit),
            deductible: uint96(terms.deductible),
            coveredCategories: terms.coveredCategories,
            reviewThreshold: uint96(terms.reviewThreshold),
            insurer: _msgSender()
        });
        emit PolicyCreated(policyId, _msgSender(), terms.member, terms);
    }

    /// @inheritdoc IClaimsManager
    function fundEscrow(uint256 amount) external restricted nonReentrant {
        if (amount == 0) revert ClaimsAmountZero();
        uint256 before = _token.balanceOf(address(this));
        _token.safeTransferFrom(_msgSender(), address(this), amount);
        uint256 received = _token.balanceOf(address(this)) - before;
        Escrow storage e = _escrows[_msgSender()];
        uint256 balance = e.balance + received;
        if (balance > type(uint128).max) revert ClaimsAmountTooLarge(balance, type(uint128).max);
        e.balance = uint128(balance);
        emit EscrowFunded(_msgSender(), received, balance);
    }

    /// @inheritdoc IClaimsManager
    function withdrawEscrow(uint256 amount, address to) external nonReentrant {
        if (to == address(0)) revert ClaimsRecipientMissing();
        if (amount == 0) revert ClaimsAmountZero();
        Escrow storage e = _escrows[_msgSender()];
        uint256 balance = e.balance;
        uint256 available = balance - e.owed;
        if (amount > available) revert ClaimsEscrowInsufficient(_msgSender(), amount, available);
        balance -= amount;
        e.balance = uint128(balance);
        _token.safeTransfer(to, amount);
        emit EscrowWithdrawn(_msgSender(), to, amount, balance);
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
        if (requestCommitment == 0) revert ClaimsCommitmentMissing();
        if (category >= ServiceCategories.COUNT) revert ClaimsServiceCategoryUnknown(category);
        address member = _livePolicy(policyId);
        _requireConsent(member, _msgSender(), uint256(1) << category);

        authId = ++_authCount;
        _auths[authId] = PriorAuth({
            provider: _msgSender(),
            policyId: uint32(policyId),
            category: category,
            status: PriorAuthStatus.Requested,
            validUntil: 0,
            amount: 0
        });
        emit PriorAuthRequested(authId, policyId, _msgSender(), category, requestCommitment);
    }

    /// @inheritdoc IClaimsManager
    function approvePriorAuth(uint256 authId, uint256 amount, uint40 validUntil) external {
        PriorAuth storage a = _requestedAuth(authId);
        if (amount == 0) revert ClaimsAmountZero();
        _checkAmount(amount);
        if (validUntil < block.timestamp) revert ClaimsPriorAuthValidityInvalid(authId, validUntil, block.timestamp);
        a.status = PriorAuthStatus.Approved;
        a.validUntil = validUntil;
        a.amount = uint96(amount);
        emit PriorAuthApproved(authId, _msgSender(), amount, validUntil);
    }

    /// @inheritdoc IClaimsManager
    function denyPriorAuth(uint256 authId, uint8 reason) external {
        _checkInsurerReason(reason);
        PriorAuth storage a = _requestedAuth(authId);
        a.status = PriorAuthStatus.Denied;
        emit PriorAuthDenied(authId, _msgSender(), reason);
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
        if (claimCommitment == 0) revert ClaimsCommitmentMissing();
        if (_claims[claimCommitment].status != ClaimStatus.None) revert ClaimsCommitmentDuplicate(claimCommitment);
        bytes32 fingerprint;
        Outcome memory outcome;
        {
            uint256 services;
            (fingerprint, services) = _admitClaim(policyId, lines, serviceDate);
            Adjudication.Citation memory citation = _usePriorAuth(priorAuthId, policyId, lines, serviceDate);
            uint256 year;
            (outcome, year) = _adjudicate(policyId, lines, serviceDate, citation);
            _recordOutcome(policyId, year, outcome);
            _storeClaim(claimCommitment, policyId, year, outcome, services);
        }
        _fingerprints[fingerprint] = claimCommitment;
        emit ClaimSubmitted(
            claimCommitment,
            policyId,
            _msgSender(),
            fingerprint,
            serviceDate,
            priorAuthId,
            lines,
            outcome
        );
        return outcome.status;
    }

    /// @inheritdoc IClaimsManager
    function approveClaim(bytes32 claimId, uint256 amount) external {
        Claim storage c = _claimIn(claimId, ClaimStatus.Pended);
        uint256 policyId = c.policyId;
        address insurer = _requireInsurer(policyId);
        uint256 max = c.amount;
        if (amount == 0) revert ClaimsAmountZero();
        if (amount > max) revert ClaimsApprovalTooHigh(claimId, amount, max);
        Usage storage u = _commitBenefit(policyId, c.year, amount);
        u.reserved -= uint128(max);
        _owe(insurer, amount);
        if (amount < max) c.amount = uint96(amount);
        _decide(c, ClaimStatus.Approved, ClaimReasons.NONE);
        emit ClaimApproved(claimId, insurer, amount, 0, false);
    }

    /// @inheritdoc IClaimsManager
    function denyClaim(bytes32 claimId, uint8 reason) external {
        _checkInsurerReason(reason);
        Claim storage c = _claimIn(claimId, ClaimStatus.Pended);
        uint256 policyId = c.policyId;
        address insurer = _requireInsurer(policyId);
        // The reservation and the deductible the claim applied return to the policy year.
        Usage storage u = _usage[policyId][c.year];
        u.reserved -= c.amount;
        uint96 deductible = c.deductible;
        if (deductible != 0) u.deductibleMet -= deductible;
        _decide(c, ClaimStatus.Denied, reason);
        emit ClaimDenied(claimId, insurer, reason, deductible, false);
    }

    /// @inheritdoc IClaimsManager
    function appeal(bytes32 claimId, bytes32 evidenceCommitment) external {
        Claim storage c = _claimIn(claimId, ClaimStatus.Denied);
        address member = _policies[c.policyId].member;
        if (_msgSender() != member) {
            if (_msgSender() != c.provider) revert ClaimsCallerNotAppellant(claimId, _msgSender());
            _requireConsent(member, _msgSender(), c.services);
        }
        uint256 deadline = uint256(c.decidedAt) + APPEAL_WINDOW;
        if (block.timestamp > deadline) revert ClaimsAppealWindowClosed(claimId, uint40(deadline));
        if (evidenceCommitment == 0) revert ClaimsCommitmentMissing();
        _decide(c, ClaimStatus.Appealed, c.reason);
        emit ClaimAppealed(claimId, _msgSender(), evidenceCommitment);
    }

    /// @inheritdoc IClaimsManager
    function approveAppeal(bytes32 claimId, uint256 amount) external {
        Claim storage c = _claimIn(claimId, ClaimStatus.Appealed);
        uint256 policyId = c.policyId;
        address insurer = _requireInsurer(policyId);
        uint256 max = c.amount;
        if (amount == 0) revert ClaimsAmountZero();
        if (amount > max) revert ClaimsApprovalTooHigh(claimId, amount, max);
        Usage storage u = _commitBenefit(policyId, c.year, amount);
        _owe(insurer, amount);
        // The denial gave the claim's deductible back: apply again what is still due.
        uint256 applied = c.deductible;
        uint256 deductible = Adjudication.deductibleDue(_policies[policyId].deductible, u.deductibleMet, applied);
        if (deductible != 0) u.deductibleMet += uint96(deductible);
        if (deductible != applied) c.deductible = uint96(deductible);
        c.amount = uint96(amount);
        _decide(c, ClaimStatus.Approved, ClaimReasons.NONE);
        emit ClaimApproved(claimId, insurer, amount, deductible, true);
    }

    /// @inheritdoc IClaimsManager
    function denyAppeal(bytes32 claimId, uint8 reason) external {
        _checkInsurerReason(reason);
        Claim storage c = _claimIn(claimId, ClaimStatus.Appealed);
        address insurer = _requireInsurer(c.policyId);
        _decide(c, ClaimStatus.FinalDenied, reason);
        emit ClaimDenied(claimId, insurer, reason, 0, true);
    }

    /// @inheritdoc IClaimsManager
    function withdraw(bytes32 claimId) external nonReentrant {
        Claim storage c = _claimIn(claimId, ClaimStatus.Approved);
        address provider = c.provider;
        if (_msgSender() != provider) revert ClaimsCallerNotProvider(claimId, _msgSender());
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
    function priorAuthCount() external view returns (uint256) {
        return _authCount;
    }

    /// @inheritdoc IClaimsManager
    function usage(uint256 policyId, uint256 year) external view returns (Usage memory) {
        return _usage[policyId][year];
    }

    /// @inheritdoc IClaimsManager
    function escrow(address insurer) external view returns (Escrow memory) {
        return _escrows[insurer];
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
        return Adjudication.policyYear(p.coverageStart, p.coverageEnd, date);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Internals: checks and reads
    // ---------------------------------------------------------------------------------------------------------------

    /// @dev Checks everything that makes a claim admissible (live policy, service date, lines, no duplicate
    ///      fingerprint, the member's consent); returns its fingerprint and the set of its (blinded) service codes.
    function _admitClaim(
        uint256 policyId,
        ClaimLine[] calldata lines,
        uint40 serviceDate
    ) private view returns (bytes32 fingerprint, uint256 services) {
        address member = _livePolicy(policyId);
        if (serviceDate > block.timestamp) revert ClaimsServiceDateInFuture(serviceDate, block.timestamp);
        services = _checkLines(lines);
        fingerprint = _fingerprint(member, _msgSender(), serviceDate, lines);
        bytes32 existing = _fingerprints[fingerprint];
        if (existing != 0) revert ClaimsFingerprintDuplicate(fingerprint, existing);
        _requireConsent(member, _msgSender(), services);
    }

    /// @dev Reads what the rules need (the policy, its year's usage, the insurer's free escrow) and runs them.
    function _adjudicate(
        uint256 policyId,
        ClaimLine[] calldata lines,
        uint256 serviceDate,
        Adjudication.Citation memory citation
    ) private view returns (Outcome memory outcome, uint256 year) {
        Policy storage p = _policies[policyId];
        Adjudication.Rules memory rules = Adjudication.Rules({
            coverageStart: p.coverageStart,
            coverageEnd: p.coverageEnd,
            annualLimit: p.annualLimit,
            deductible: p.deductible,
            coinsuranceBps: p.coinsuranceBps,
            coveredCategories: p.coveredCategories,
            reviewThreshold: p.reviewThreshold
        });
        year = Adjudication.policyYear(rules.coverageStart, rules.coverageEnd, serviceDate);
        Escrow storage e = _escrows[p.insurer];
        outcome = Adjudication.adjudicate(
            rules,
            _usage[policyId][year],
            lines,
            serviceDate,
            citation,
            e.balance - e.owed
        );
    }

    /// @dev Validates lines (count, codes, amounts, canonical order, billed total) and returns the bit set of their
    ///      (blinded) codes: what the member's payment consent must cover.
    function _checkLines(ClaimLine[] calldata lines) private pure returns (uint256 services) {
        uint256 n = lines.length;
        if (n == 0 || n > MAX_LINES) revert ClaimsLineCountInvalid(n, MAX_LINES);
        uint256 previous = 0;
        uint256 billed = 0;
        for (uint256 i = 0; i < n; ++i) {
            uint256 category = lines[i].category;
            uint256 amount = lines[i].amount;
            if (category >= ServiceCategories.COUNT) revert ClaimsServiceCategoryUnknown(category);
            if (amount == 0) revert ClaimsAmountZero();
            _checkAmount(amount);
            uint256 key = (category << 96) | amount;
            if (key < previous) revert ClaimsLinesNotSorted(i);
            previous = key;
            services |= uint256(1) << category;
            billed += amount;
        }
        _checkAmount(billed);
    }

    /// @dev A requested authorisation whose policy's insurer is the caller.
    function _requestedAuth(uint256 authId) private view returns (PriorAuth storage a) {
        a = _auths[authId];
        PriorAuthStatus status = a.status;
        if (status == PriorAuthStatus.None) revert ClaimsPriorAuthUnknown(authId);
        if (status != PriorAuthStatus.Requested) {
            revert ClaimsPriorAuthStatusInvalid(authId, status, PriorAuthStatus.Requested);
        }
        _requireInsurer(a.policyId);
    }

    /// @dev The member of a policy that still takes claims.
    function _livePolicy(uint256 policyId) private view returns (address member) {
        Policy storage p = _policies[policyId];
        member = p.member;
        if (member == address(0)) revert ClaimsPolicyUnknown(policyId);
        uint256 filingDeadline = uint256(p.coverageEnd) + FILING_WINDOW;
        if (block.timestamp > filingDeadline) revert ClaimsPolicyExpired(policyId, uint40(filingDeadline));
    }

    /// @dev Reverts unless `member` lets `provider` bill the (blinded) service codes of `categories` for payment.
    function _requireConsent(address member, address provider, uint256 categories) private view {
        if (!_consent.isAuthorized(member, provider, Purposes.PAYMENT, categories)) {
            revert ClaimsConsentMissing(member, provider, categories);
        }
    }

    /// @dev The policy's insurer, which must be the caller (its INSURER role is not needed: see the contract's @dev).
    function _requireInsurer(uint256 policyId) private view returns (address insurer) {
        insurer = _policies[policyId].insurer;
        if (_msgSender() != insurer) revert ClaimsCallerNotInsurer(policyId, _msgSender());
    }

    /// @dev A claim that is in `expected` status.
    function _claimIn(bytes32 claimId, ClaimStatus expected) private view returns (Claim storage c) {
        c = _claims[claimId];
        ClaimStatus status = c.status;
        if (status == ClaimStatus.None) revert ClaimsClaimUnknown(claimId);
        if (status != expected) revert ClaimsClaimStatusInvalid(claimId, status, expected);
    }

    function _checkInsurerReason(uint8 reason) private pure {
        if (reason < ClaimReasons.INSURER_MIN) revert ClaimsReasonInvalid(reason, ClaimReasons.INSURER_MIN);
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
        return keccak256(abi.encode(FINGERPRINT_TAG, member, provider, Adjudication.serviceDay(serviceDate), lines));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Internals: writes (each named for what it writes)
    // ---------------------------------------------------------------------------------------------------------------

    /// @dev Marks a cited prior authorisation Used, after checking it may be cited; returns what the rules need of
    ///      it (no citation when `authId` is 0).
    function _usePriorAuth(
        uint256 authId,
        uint256 policyId,
        ClaimLine[] calldata lines,
        uint40 serviceDate
    ) private returns (Adjudication.Citation memory citation) {
        if (authId == 0) return Adjudication.Citation({category: Adjudication.NO_CATEGORY, amount: 0});
        PriorAuth storage a = _auths[authId];
        PriorAuthStatus status = a.status;
        if (status == PriorAuthStatus.None) revert ClaimsPriorAuthUnknown(authId);
        if (status != PriorAuthStatus.Approved) {
            revert ClaimsPriorAuthStatusInvalid(authId, status, PriorAuthStatus.Approved);
        }
        if (a.policyId != policyId || a.provider != _msgSender()) revert ClaimsPriorAuthMismatch(authId);
        uint40 validUntil = a.validUntil;
        if (serviceDate > validUntil) revert ClaimsPriorAuthExpired(authId, serviceDate, validUntil);
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
        citation = Adjudication.Citation({category: category, amount: a.amount});
    }

    /// @dev Records an outcome in its policy year: an approved claim commits its benefit (and the insurer owes
    ///      it), a pended one reserves it; both apply their deductible. A denied claim records nothing.
    function _recordOutcome(uint256 policyId, uint256 year, Outcome memory outcome) private {
        ClaimStatus status = outcome.status;
        if (status == ClaimStatus.Denied) return;
        uint256 deductible = outcome.deductible;
        uint256 benefit = outcome.benefit;
        Usage storage u = _usage[policyId][year];
        if (deductible != 0) u.deductibleMet += uint96(deductible);
        if (benefit == 0) return;
        if (status == ClaimStatus.Pended) {
            u.reserved += uint128(benefit);
        } else {
            u.committed += uint96(benefit);
            _escrows[_policies[policyId].insurer].owed += uint128(benefit);
        }
    }

    /// @dev Stores a new claim. Its third slot (the deductible it may give back) is written only for a pended
    ///      claim that applied one.
    function _storeClaim(
        bytes32 claimId,
        uint256 policyId,
        uint256 year,
        Outcome memory outcome,
        uint256 services
    ) private {
        ClaimStatus status = outcome.status;
        Claim storage c = _claims[claimId];
        c.provider = _msgSender();
        c.policyId = uint32(policyId);
        c.year = uint8(year);
        c.status = status;
        c.reason = outcome.reason;
        c.decidedAt = uint40(block.timestamp);
        c.amount = uint96(status == ClaimStatus.Denied ? outcome.billed : outcome.benefit);
        c.memberShare = uint96(outcome.memberShare);
        c.services = uint16(services);
        if (status == ClaimStatus.Pended && outcome.deductible != 0) c.deductible = uint96(outcome.deductible);
    }

    /// @dev Commits `amount` of benefit in a policy year, if what approved claims left of the annual limit allows
    ///      it; returns the year's usage.
    function _commitBenefit(uint256 policyId, uint256 year, uint256 amount) private returns (Usage storage u) {
        u = _usage[policyId][year];
        uint256 committed = u.committed;
        uint256 remaining = Adjudication.limitLeft(_policies[policyId].annualLimit, committed);
        if (amount > remaining) revert ClaimsAnnualLimitExceeded(policyId, year, amount, remaining);
        u.committed = uint96(committed + amount);
    }

    /// @dev Records that the insurer owes `amount` more, if its free escrow covers it.
    function _owe(address insurer, uint256 amount) private {
        Escrow storage e = _escrows[insurer];
        uint256 owed = e.owed;
        uint256 available = e.balance - owed;
        if (amount > available) revert ClaimsEscrowInsufficient(insurer, amount, available);
        e.owed = uint128(owed + amount);
    }

    /// @dev Moves a claim to `status` with `reason`, now.
    function _decide(Claim storage c, ClaimStatus status, uint8 reason) private {
        c.status = status;
        c.reason = reason;
        c.decidedAt = uint40(block.timestamp);
    }
}
