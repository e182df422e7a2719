// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {HealthLedgerManaged} from "../common/HealthLedgerManaged.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {Roles} from "../authority/Roles.sol";
import {DataCategories} from "../consent/DataCategories.sol";
import {Purposes} from "../consent/Purposes.sol";
import {IConsentVerifier} from "../interfaces/IConsentVerifier.sol";
import {ITrialRegistry} from "../interfaces/ITrialRegistry.sol";
import {TrialsConstants} from "./TrialsConstants.sol";

/// @title TrialRegistry
/// @notice Clinical-trial registry with append-only protocol versions, consent-gated enrolment, anchored datasets,
///         participant stipends and visible outcome switching (see {ITrialRegistry}).
/// @dev `register` is SPONSOR-restricted and `regulatorSuspend`/`regulatorResume` REGULATOR-restricted through the
///      shared authority. Every other function checks its caller against the trial itself (the sponsor that
///      registered it, a site the sponsor authorised, or the participant) and, for the sponsor and the sites, the
///      live role through the shared base: SPONSOR of the sponsor, INVESTIGATOR of the site, at every call, so a
///      revoked account loses its trials at once. The one wind-down exception is `recoverBudget`: a finished
///      trial's leftover budget is the sponsor's own money. Site checks run the cheap storage reads first and the
///      role check (a call to the authority) only for a caller that is an authorised site.
///      Stipend tokens are pooled per token: `_liabilities[token]` is what all trials owe in it, and payouts scale
///      by `min(1, balance / liabilities)` (see {_settle}), so a fee-taking or rebasing token's shortfall is borne
///      pro rata. The grantee of enrolment consents is this contract; the purpose binds the trial, the
///      consent-form version in force and the participant's salt (her trial secret, passed by the site at enrolment
///      and at each visit, never stored: storing it would cost a slot and add nothing, since it is in the
///      calldata). The storage-based `ReentrancyGuard` is used rather than the transient one because solc 0.8.30
///      warns on every `tstore` and the build treats warnings as errors; the guarded functions (funding, claims,
///      recovery) have no gas budget. Ethics approval gates `startRecruitment` only: the flag is never cleared and
///      a trial recruits only after `startRecruitment` (or a resume to the recruiting status it was suspended from),
///      so a check in `enroll` could never fail and would be dead code.
contract TrialRegistry is ITrialRegistry, HealthLedgerManaged, ReentrancyGuard {
    using SafeERC20 for IERC20;

    // ---------------------------------------------------------------- constants and storage

    /// @inheritdoc ITrialRegistry
    uint256 public constant MAX_OUTCOMES = TrialsConstants.MAX_OUTCOMES;
    /// @inheritdoc ITrialRegistry
    uint256 public constant RESULTS_DEADLINE = TrialsConstants.RESULTS_DEADLINE;

    IConsentVerifier private immutable _consentVerifier;

    uint256 private _trialCount;
    mapping(uint256 trialId => Trial trial) private _trials;
    mapping(uint256 trialId => mapping(uint32 version => ProtocolVersion protocol)) private _protocols;
    mapping(uint256 trialId => mapping(address investigator => bool authorized)) private _sites;
    mapping(uint256 trialId => mapping(address participant => Participant record)) private _participants;
    mapping(uint256 trialId => mapping(bytes32 merkleRoot => Dataset anchor)) private _datasets;
    mapping(address token => uint256 owed) private _liabilities;

    // ---------------------------------------------------------------- construction

    /// @notice Deploys the registry under the shared authority, asking `verifier` about consent.
    /// @param initialAuthority The shared `HealthLedgerAuthority`.
    /// @param trustedForwarder The `HealthLedgerForwarder` that relays patients\' signed calls.
    /// @param verifier The consent registry asked at enrolment and visits.
    constructor(
        address initialAuthority,
        address trustedForwarder,
        IConsentVerifier verifier
    ) HealthLedgerManaged(initialAuthority, trustedForwarder) {
        _requireAnswers(
            address(verifier),
            abi.encodeCall(IConsentVerifier.isAuthorized, (address(0), address(this), bytes32(0), 1))
        );
        _consentVerifier = verifier;
    }

    // ---------------------------------------------------------------- registration and lifecycle

    /// @inheritdoc ITrialRegistry
    function register(Registration calldata registration) external restricted returns (uint256 trialId) {
        if (registration.protocolCommitment == 0) revert TrialCommitmentMissing(0, CommitmentKind.Protocol);
        if (registration.researchStudyCommitment == 0) revert TrialCommitmentMissing(0, CommitmentKind.ResearchStudy);
        if (registration.targetEnrolment == 0) revert TrialTargetEnrolmentZero();
        if (registration.consentFormVersion == 0) {
            revert TrialConsentFormVersionInvalid(0, registration.consentFormVersion, 0);
        }
        uint32 categories = registration.requiredCategories;
        if (categories == 0 || categories & ~DataCategories.ALL != 0) revert TrialCategoriesInvalid(categories);
        if ((registration.stipendToken == address(0)) != (registration.stipendPerVisit == 0)) {
            revert TrialStipendMisconfigured(registration.stipendToken, registration.stipendPerVisit);
        }
        bytes32 setHash = _validateOutcomeSet(0, registration.outcomes);

        trialId = ++_trialCount;
        Trial storage t = _trials[trialId];
        t.status = TrialStatus.Registered;
        t.targetEnrolment = registration.targetEnrolment;
        t.consentFormVersion = registration.consentFormVersion;
        t.requiredCategories = categories;
        t.protocolVersion = 1;
        t.sponsor = _msgSender();
        t.registeredAt = uint40(block.timestamp);
        if (registration.stipendToken != address(0)) {
            t.stipendToken = registration.stipendToken;
            t.stipendPerVisit = registration.stipendPerVisit;
        }
        t.researchStudyCommitment = registration.researchStudyCommitment;
        t.outcomeSetHash = setHash;
        _protocols[trialId][1].protocolCommitment = registration.protocolCommitment;
        // Only the flag is stored; the approval's commitment is in the event, where an indexer finds it.
        bytes32 approval = registration.ethicsApprovalCommitment;
        if (approval != 0) t.ethicsApproved = true;

        emit TrialRegistered(
            trialId,
            _msgSender(),
            registration.protocolCommitment,
            registration.researchStudyCommitment,
            registration.targetEnrolment,
            registration.consentFormVersion,
            categories,
            registration.stipendToken,
            registration.stipendPerVisit,
            uint40(block.timestamp)
        );
        emit OutcomeSetDeclared(trialId, 1, setHash, registration.outcomes);
        if (approval != 0) emit EthicsApprovalRecorded(trialId, _msgSender(), approval);
    }

    /// @inheritdoc ITrialRegistry
    function recordEthicsApproval(uint256 trialId, bytes32 approvalCommitment) external {
        Trial storage t = _sponsorTrial(trialId);
        if (_isFinished(t.status)) revert TrialFinished(trialId, t.status);
        if (approvalCommitment == 0) revert TrialCommitmentMissing(trialId, CommitmentKind.EthicsApproval);
        t.ethicsApproved = true;
        emit EthicsApprovalRecorded(trialId, _msgSender(), approvalCommitment);
    }

    /// @inheritdoc ITrialRegistry
    function startRecruitment(uint256 trialId) external {
        Trial storage t = _sponsorTrial(trialId);
        // Slot 0 is read by `_move` anyway: the flag costs no extra read.
        if (!t.ethicsApproved) revert TrialEthicsApprovalMissing(trialId);
        _move(trialId, t, TrialStatus.Registered, TrialStatus.Recruiting, 0);
    }

    /// @inheritdoc ITrialRegistry
    function closeEnrolment(uint256 trialId) external {
        Trial storage t = _sponsorTrial(trialId);
        _move(trialId, t, TrialStatus.Recruiting, TrialStatus.EnrolmentClosed, 0);
    }

    /// @inheritdoc ITrialRegistry
    function complete(uint256 trialId) external {
        Trial storage t = _sponsorTrial(trialId);
        _move(trialId, t, TrialStatus.EnrolmentClosed, TrialStatus.Completed, 0);
        t.finishedAt = uint40(block.timestamp);
    }

    /// @inheritdoc ITrialRegistry
    function suspend(uint256 trialId, bytes32 reasonCommitment) external {
        Trial storage t = _sponsorTrial(trialId);
        _suspend(trialId, t, false, reasonCommitment);
    }

    /// @inheritdoc ITrialRegistry
    function resume(uint256 trialId) external {
        Trial storage t = _sponsorTrial(trialId);
        _requireNoRegulatorHold(trialId, t);
        _resume(trialId, t);
    }

    /// @inheritdoc ITrialRegistry
    function terminate(uint256 trialId, bytes32 reasonCommitment) external {
        Trial storage t = _sponsorTrial(trialId);
        _requireNoRegulatorHold(trialId, t);
        TrialStatus from = t.status;
        if (_isFinished(from)) revert TrialTransitionInvalid(trialId, from, TrialStatus.Terminated);
        t.status = TrialStatus.Terminated;
        t.suspendedFrom = TrialStatus.None;
        t.suspendedByRegulator = false;
        t.finishedAt = uint40(block.timestamp);
        emit TrialStatusChanged(trialId, _msgSender(), from, TrialStatus.Terminated, reasonCommitment, false);
    }

    /// @inheritdoc ITrialRegistry
    function regulatorSuspend(uint256 trialId, bytes32 reasonCommitment) external restricted {
        Trial storage t = _knownTrial(trialId);
        if (t.status == TrialStatus.Suspended && !t.suspendedByRegulator) {
            // Take over the sponsor's suspension: from now on only a regulator lifts it.
            t.suspendedByRegulator = true;
            emit TrialStatusChanged(
                trialId,
                _msgSender(),
                TrialStatus.Suspended,
                TrialStatus.Suspended,
                reasonCommitment,
                true
            );
            return;
        }
        _suspend(trialId, t, true, reasonCommitment);
    }

    /// @inheritdoc ITrialRegistry
    function regulatorResume(uint256 trialId) external restricted {
        Trial storage t = _knownTrial(trialId);
        _resume(trialId, t);
    }

    // ---------------------------------------------------------------- sites

    /// @inheritdoc ITrialRegistry
    function authorizeSite(uint256 trialId, address investigator) external {
        _sponsorTrial(trialId);
        if (_sites[trialId][investigator]) revert TrialSiteAlreadyAuthorized(trialId, investigator);
        _requireRole(Roles.INVESTIGATOR, investigator);
        _sites[trialId][investigator] = true;
        emit SiteAuthorized(trialId, investigator);
    }

    /// @inheritdoc ITrialRegistry
    function revokeSite(uint256 trialId, address investigator) external {
        _sponsorTrial(trialId);
        if (!_sites[trialId][investigator]) revert TrialSiteNotAuthorized(trialId, investigator);
        _sites[trialId][investigator] = false;
        emit SiteRevoked(trialId, investigator);
    }

    // ---------------------------------------------------------------- amendments

    /// @inheritdoc ITrialRegistry
    function amend(uint256 trialId, Amendment calldata amendment) external returns (uint32 version) {
        Trial storage t = _sponsorTrial(trialId);
        (bool formChanged, bool outcomesChanged, bytes32 newSet) = _checkAmendment(trialId, t, amendment);
        bytes32 previousSet = t.outcomeSetHash;

        version = t.protocolVersion + 1;
        t.protocolVersion = version;
        if (formChanged) t.consentFormVersion = amendment.consentFormVersion;
        bool afterEnrolment = outcomesChanged && t.enrolled != 0;
        if (outcomesChanged) t.outcomeSetHash = newSet;
        if (afterEnrolment) ++t.outcomeChangesAfterEnrolment;
        _protocols[trialId][version] = ProtocolVersion({
            protocolCommitment: amendment.protocolCommitment,
            reasonCommitment: amendment.reasonCommitment,
            amendedAt: uint40(block.timestamp),
            consentFormVersion: amendment.consentFormVersion,
            outcomesChanged: outcomesChanged
        });

        emit TrialAmended(
            trialId,
            version,
            amendment.protocolCommitment,
            amendment.reasonCommitment,
            t.consentFormVersion,
            formChanged,
            outcomesChanged
        );
        if (outcomesChanged) emit OutcomeSetDeclared(trialId, version, newSet, amendment.outcomes);
        if (afterEnrolment) {
            emit OutcomesSwitchedAfterEnrolment(
                trialId,
                version,
                previousSet,
                newSet,
                t.enrolled,
                t.outcomeChangesAfterEnrolment
            );
        }
    }

    // ---------------------------------------------------------------- participants

    /// @inheritdoc ITrialRegistry
    function enroll(uint256 trialId, address account, bytes32 salt, bytes32 researchSubjectCommitment) external {
        Trial storage t = _trials[trialId];
        if (t.status != TrialStatus.Recruiting) _revertNotRecruiting(trialId, t.status);
        address site = _requireSite(trialId);
        Participant storage p = _participants[trialId][account];
        if (p.status != ParticipantStatus.None) revert TrialParticipantAlreadyEnrolled(trialId, account, p.status);
        uint32 enrolled = t.enrolled;
        if (enrolled >= t.targetEnrolment) revert TrialEnrolmentFull(trialId, t.targetEnrolment);
        // A zero salt would make the purpose brute-forceable; checked at enrolment only (visits find no consent
        // under a salt the participant did not consent with).
        if (salt == 0) revert TrialConsentSaltMissing(trialId, account);
        uint32 form = t.consentFormVersion;
        _requireConsent(trialId, account, form, salt, t.requiredCategories);

        t.enrolled = ++enrolled;
        p.status = ParticipantStatus.Enrolled;
        p.enrolledAt = uint40(block.timestamp);
        emit ParticipantEnrolled(trialId, account, site, researchSubjectCommitment, form, enrolled);
    }

    /// @inheritdoc ITrialRegistry
    function withdraw(uint256 trialId) external {
        _withdraw(trialId, _msgSender());
    }

    /// @inheritdoc ITrialRegistry
    function withdrawParticipant(uint256 trialId, address account) external {
        _requireSite(trialId);
        _withdraw(trialId, account);
    }

    /// @inheritdoc ITrialRegistry
    function recordVisit(uint256 trialId, address account, bytes32 salt) external {
        Trial storage t = _trials[trialId];
        TrialStatus status = t.status;
        if (status != TrialStatus.Recruiting && status != TrialStatus.EnrolmentClosed) {
            _revertNotActive(trialId, status);
        }
        address site = _requireSite(trialId);
        Participant storage p = _participants[trialId][account];
        if (p.status != ParticipantStatus.Enrolled) revert TrialParticipantNotEnrolled(trialId, account);
        _requireConsent(trialId, account, t.consentFormVersion, salt, t.requiredCategories);

        uint96 stipend = t.stipendPerVisit;
        if (stipend != 0) {
            uint128 available = t.unallocated;
            if (available < stipend) revert TrialBudgetExhausted(trialId, stipend, available);
            unchecked {
                // available >= stipend; outstanding + stipend <= funded total, which fits the token's supply.
                t.unallocated = available - stipend;
                t.outstanding += stipend;
            }
            p.accrued += stipend;
        }
        uint32 visit = ++p.visits;
        emit VisitRecorded(trialId, account, site, visit, stipend);
    }

    /// @inheritdoc ITrialRegistry
    function anchorData(uint256 trialId, bytes32 merkleRoot, uint32 recordCount, bytes32 visitLabel) external {
        // No status check: a site anchors data it already holds in any status, the final data lock after
        // completion included (and the trial's slot stays unread, which pays for the INVESTIGATOR check).
        address site = _requireSite(trialId);
        if (merkleRoot == 0) revert TrialCommitmentMissing(trialId, CommitmentKind.Dataset);
        if (recordCount == 0) revert TrialDatasetEmpty(trialId);
        Dataset storage d = _datasets[trialId][merkleRoot];
        if (d.anchoredAt != 0) revert TrialDatasetAlreadyAnchored(trialId, merkleRoot);
        d.investigator = site;
        d.anchoredAt = uint40(block.timestamp);
        d.recordCount = recordCount;
        emit DataAnchored(trialId, merkleRoot, site, recordCount, visitLabel);
    }

    // ---------------------------------------------------------------- stipends

    /// @inheritdoc ITrialRegistry
    function fundBudget(uint256 trialId, uint256 amount) external nonReentrant {
        Trial storage t = _sponsorTrial(trialId);
        if (_isFinished(t.status)) revert TrialFinished(trialId, t.status);
        IERC20 token = IERC20(t.stipendToken);
        if (address(token) == address(0)) revert TrialStipendNotConfigured(trialId);
        uint256 owed = _liabilities[address(token)];
        uint256 held = token.balanceOf(address(this));
        if (held == 0 && owed != 0) revert TrialStipendPoolEmpty(address(token), owed);
        // Credit what actually arrived, so that a fee-taking token cannot make the budget over-committed.
        token.safeTransferFrom(_msgSender(), address(this), amount);
        uint256 received = token.balanceOf(address(this)) - held;
        if (received == 0) revert TrialFundingZero(trialId);
        // While the pool is short (held < owed), credit at the pool's rate: the deposit then neither pays for the
        // existing shortfall nor bears it, and the pool's rate is unchanged (rounded down, in its favour).
        uint256 credited = held < owed ? Math.mulDiv(received, owed, held) : received;
        t.unallocated += SafeCast.toUint128(credited);
        _liabilities[address(token)] = owed + credited;
        emit BudgetFunded(trialId, _msgSender(), received, credited);
    }

    /// @inheritdoc ITrialRegistry
    function claimStipend(uint256 trialId, address to) external nonReentrant returns (uint256 paid) {
        Trial storage t = _knownTrial(trialId);
        address claimant = _msgSender();
        if (to == address(0)) revert TrialStipendRecipientMissing(trialId);
        Participant storage p = _participants[trialId][claimant];
        uint256 amount = p.accrued;
        if (amount == 0) revert TrialStipendNotAccrued(trialId, claimant);
        p.accrued = 0;
        t.outstanding -= uint128(amount);
        IERC20 token = IERC20(t.stipendToken);
        paid = _settle(token, amount);
        emit StipendClaimed(trialId, claimant, to, amount, paid);
        if (paid != 0) token.safeTransfer(to, paid);
    }

    /// @inheritdoc ITrialRegistry
    function recoverBudget(uint256 trialId) external nonReentrant returns (uint256 paid) {
        // Wind-down exception: the trial's sponsor recovers its own leftover money even after losing SPONSOR.
        Trial storage t = _knownTrial(trialId);
        if (_msgSender() != t.sponsor) revert TrialCallerNotSponsor(trialId, _msgSender());
        _requireNoRegulatorHold(trialId, t);
        if (!_isFinished(t.status)) revert TrialNotFinished(trialId, t.status);
        uint256 amount = t.unallocated;
        if (amount == 0) revert TrialBudgetEmpty(trialId);
        t.unallocated = 0;
        IERC20 token = IERC20(t.stipendToken);
        paid = _settle(token, amount);
        emit BudgetRecovered(trialId, _msgSender(), amount, paid);
        if (paid != 0) token.safeTransfer(_msgSender(), paid);
    }

    // ---------------------------------------------------------------- results

    /// @inheritdoc ITrialRegistry
    function postResults(
        uint256 trialId,
        bytes32 resultsCommitment,
        Outcome[] calldata prespecified,
        bytes32[] calldata reported
    ) external {
        Trial storage t = _sponsorTrial(trialId);
        if (!_isFinished(t.status)) revert TrialNotFinished(trialId, t.status);
        if (t.resultsPostedAt != 0) revert TrialResultsAlreadyPosted(trialId);
        if (resultsCommitment == 0) revert TrialCommitmentMissing(trialId, CommitmentKind.Results);
        bytes32 given = keccak256(abi.encode(prespecified));
        if (given != t.outcomeSetHash) revert TrialOutcomeSetMismatch(trialId, given, t.outcomeSetHash);
        uint256 reportedCount = reported.length;
        if (reportedCount > MAX_OUTCOMES) revert TrialOutcomeCountInvalid(trialId, reportedCount, MAX_OUTCOMES);
        for (uint256 i = 0; i < reportedCount; ++i) {
            if (reported[i] == 0) revert TrialCommitmentMissing(trialId, CommitmentKind.Outcome);
            for (uint256 j = 0; j < i; ++j) {
                if (reported[j] == reported[i]) revert TrialOutcomeDuplicate(trialId, reported[i]);
            }
        }

        t.resultsPostedAt = uint40(block.timestamp);
        t.resultsCommitment = resultsCommitment;

        emit ResultsPosted(trialId, resultsCommitment, reported);
        uint256 prespecifiedCount = prespecified.length;
        uint256 matched; // bit i set when reported[i] is pre-specified
        for (uint256 i = 0; i < prespecifiedCount; ++i) {
            bytes32 outcome = prespecified[i].commitment;
            bool found;
            for (uint256 j = 0; j < reportedCount; ++j) {
                if (reported[j] == outcome) {
                    found = true;
                    matched |= 1 << j;
                    break;
                }
            }
            if (!found) emit PrespecifiedOutcomeNotReported(trialId, outcome, prespecified[i].primary);
        }
        for (uint256 j = 0; j < reportedCount; ++j) {
            if (matched & (1 << j) == 0) emit UnregisteredOutcomeReported(trialId, reported[j]);
        }
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc ITrialRegistry
    function consentVerifier() external view returns (IConsentVerifier) {
        return _consentVerifier;
    }

    /// @inheritdoc ITrialRegistry
    function trialCount() external view returns (uint256) {
        return _trialCount;
    }

    /// @inheritdoc ITrialRegistry
    function trial(uint256 trialId) external view returns (Trial memory) {
        return _trials[trialId];
    }

    /// @inheritdoc ITrialRegistry
    function protocolVersion(uint256 trialId, uint32 version) external view returns (ProtocolVersion memory) {
        return _protocols[trialId][version];
    }

    /// @inheritdoc ITrialRegistry
    function participant(uint256 trialId, address account) external view returns (Participant memory) {
        return _participants[trialId][account];
    }

    /// @inheritdoc ITrialRegistry
    function dataset(uint256 trialId, bytes32 merkleRoot) external view returns (Dataset memory) {
        return _datasets[trialId][merkleRoot];
    }

    /// @inheritdoc ITrialRegistry
    function isSite(uint256 trialId, address investigator) external view returns (bool) {
        return _sites[trialId][investigator];
    }

    /// @inheritdoc ITrialRegistry
    function liabilities(address token) external view returns (uint256) {
        return _liabilities[token];
    }

    /// @inheritdoc ITrialRegistry
    function resultsDueAt(uint256 trialId) public view returns (uint256) {
        uint256 finishedAt = _trials[trialId].finishedAt;
        return finishedAt == 0 ? 0 : finishedAt + RESULTS_DEADLINE;
    }

    /// @inheritdoc ITrialRegistry
    function resultsOverdue(uint256 trialId) external view returns (bool) {
        uint256 dueAt = resultsDueAt(trialId);
        return dueAt != 0 && _trials[trialId].resultsPostedAt == 0 && block.timestamp > dueAt;
    }

    /// @inheritdoc ITrialRegistry
    function outcomeSetHash(Outcome[] calldata outcomes) external pure returns (bytes32) {
        return keccak256(abi.encode(outcomes));
    }

    // ---------------------------------------------------------------- internals

    function _knownTrial(uint256 trialId) private view returns (Trial storage t) {
        t = _trials[trialId];
        if (t.status == TrialStatus.None) revert TrialUnknown(trialId);
    }

    /// @dev The trial, when the caller is its sponsor and still holds SPONSOR (with no execution delay).
    function _sponsorTrial(uint256 trialId) private view returns (Trial storage t) {
        t = _knownTrial(trialId);
        if (_msgSender() != t.sponsor) revert TrialCallerNotSponsor(trialId, _msgSender());
        _requireRole(Roles.SPONSOR, _msgSender());
    }

    /// @dev Reverts unless the caller is an authorised site of the trial and still holds INVESTIGATOR (with no
    ///      execution delay); returns the caller. The storage read first, so that only a site pays for the call to
    ///      the authority.
    function _requireSite(uint256 trialId) private view returns (address site) {
        site = _msgSender();
        if (!_sites[trialId][site]) revert TrialSiteNotAuthorized(trialId, site);
        _requireRole(Roles.INVESTIGATOR, site);
    }

    function _requireNoRegulatorHold(uint256 trialId, Trial storage t) private view {
        // Only set while the trial is suspended: `_resume` and `terminate` clear it.
        if (t.suspendedByRegulator) revert TrialRegulatorHold(trialId);
    }

    /// @dev Settles `amount` owed from `token`'s pool: the liabilities fall by `amount`, and the payout is
    ///      `amount * min(1, balance / liabilities)`, rounded down. A payout at the pool's rate leaves the rate of
    ///      everyone still owed unchanged (or higher, by the rounding), so no claimant takes another's money.
    function _settle(IERC20 token, uint256 amount) private returns (uint256 paid) {
        uint256 owed = _liabilities[address(token)];
        uint256 held = token.balanceOf(address(this));
        if (held == 0) revert TrialStipendPoolEmpty(address(token), owed);
        paid = held < owed ? Math.mulDiv(amount, held, owed) : amount;
        _liabilities[address(token)] = owed - amount;
    }

    function _isFinished(TrialStatus status) private pure returns (bool) {
        return status == TrialStatus.Completed || status == TrialStatus.Terminated;
    }

    function _move(uint256 trialId, Trial storage t, TrialStatus from, TrialStatus to, bytes32 reason) private {
        if (t.status != from) revert TrialTransitionInvalid(trialId, t.status, to);
        t.status = to;
        emit TrialStatusChanged(trialId, _msgSender(), from, to, reason, false);
    }

    function _suspend(uint256 trialId, Trial storage t, bool byRegulator, bytes32 reason) private {
        TrialStatus from = t.status;
        if (from != TrialStatus.Registered && from != TrialStatus.Recruiting && from != TrialStatus.EnrolmentClosed) {
            revert TrialTransitionInvalid(trialId, from, TrialStatus.Suspended);
        }
        t.status = TrialStatus.Suspended;
        t.suspendedFrom = from;
        t.suspendedByRegulator = byRegulator;
        emit TrialStatusChanged(trialId, _msgSender(), from, TrialStatus.Suspended, reason, byRegulator);
    }

    function _resume(uint256 trialId, Trial storage t) private {
        TrialStatus to = t.suspendedFrom;
        if (t.status != TrialStatus.Suspended) revert TrialTransitionInvalid(trialId, t.status, to);
        t.status = to;
        t.suspendedFrom = TrialStatus.None;
        t.suspendedByRegulator = false;
        emit TrialStatusChanged(trialId, _msgSender(), TrialStatus.Suspended, to, 0, false);
    }

    function _withdraw(uint256 trialId, address account) private {
        Trial storage t = _knownTrial(trialId);
        Participant storage p = _participants[trialId][account];
        if (p.status != ParticipantStatus.Enrolled) revert TrialParticipantNotEnrolled(trialId, account);
        p.status = ParticipantStatus.Withdrawn;
        p.withdrawnAt = uint40(block.timestamp);
        ++t.withdrawn;
        emit ParticipantWithdrawn(trialId, account, _msgSender());
    }

    function _requireConsent(
        uint256 trialId,
        address account,
        uint32 form,
        bytes32 salt,
        uint32 categories
    ) private view {
        bytes32 purpose = Purposes.trialResearch(trialId, form, salt);
        if (!_consentVerifier.isAuthorized(account, address(this), purpose, categories)) {
            revert TrialConsentMissing(trialId, account, form);
        }
    }

    function _checkAmendment(
        uint256 trialId,
        Trial storage t,
        Amendment calldata amendment
    ) private view returns (bool formChanged, bool outcomesChanged, bytes32 newSet) {
        if (_isFinished(t.status)) revert TrialFinished(trialId, t.status);
        if (amendment.protocolCommitment == 0) revert TrialCommitmentMissing(trialId, CommitmentKind.Protocol);
        if (amendment.reasonCommitment == 0) revert TrialCommitmentMissing(trialId, CommitmentKind.Reason);
        formChanged = amendment.consentFormVersion != 0;
        if (formChanged && amendment.consentFormVersion <= t.consentFormVersion) {
            revert TrialConsentFormVersionInvalid(trialId, amendment.consentFormVersion, t.consentFormVersion);
        }
        outcomesChanged = amendment.outcomes.length != 0;
        if (outcomesChanged) {
            newSet = _validateOutcomeSet(trialId, amendment.outcomes);
            if (newSet == t.outcomeSetHash) revert TrialOutcomeSetUnchanged(trialId);
        }
    }

    function _validateOutcomeSet(uint256 trialId, Outcome[] calldata outcomes) private pure returns (bytes32) {
        uint256 count = outcomes.length;
        if (count == 0 || count > MAX_OUTCOMES) revert TrialOutcomeCountInvalid(trialId, count, MAX_OUTCOMES);
        bool hasPrimary;
        for (uint256 i = 0; i < count; ++i) {
            bytes32 c = outcomes[i].commitment;
            if (c == 0) revert TrialCommitmentMissing(trialId, CommitmentKind.Outcome);
            for (uint256 j = 0; j < i; ++j) {
                if (outcomes[j].commitment == c) revert TrialOutcomeDuplicate(trialId, c);
            }
            hasPrimary = hasPrimary || outcomes[i].primary;
        }
        if (!hasPrimary) revert TrialPrimaryOutcomeMissing(trialId);
        return keccak256(abi.encode(outcomes));
    }

    function _revertNotRecruiting(uint256 trialId, TrialStatus status) private pure {
        if (status == TrialStatus.None) revert TrialUnknown(trialId);
        revert TrialNotRecruiting(trialId, status);
    }

    function _revertNotActive(uint256 trialId, TrialStatus status) private pure {
        if (status == TrialStatus.None) revert TrialUnknown(trialId);
        revert TrialNotActive(trialId, status);
    }
}
