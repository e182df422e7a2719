// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {HealthLedgerManaged} from "../common/HealthLedgerManaged.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {Roles} from "../authority/Roles.sol";
import {DataCategories} from "../consent/DataCategories.sol";
import {Purposes} from "../consent/Purposes.sol";
import {IConsentVerifier} from "../interfaces/IConsentVerifier.sol";
import {ITrialRegistry} from "../interfaces/ITrialRegistry.sol";

/// @title TrialRegistry
/// @notice Clinical-trial registry with append-only protocol versions, consent-gated enrolment, anchored datasets,
///         participant stipends and visible outcome switching (see {ITrialRegistry}).
/// @dev `register` is SPONSOR-restricted and `regulatorSuspend`/`regulatorResume` REGULATOR-restricted through the
///      shared authority. Every other function checks its caller against the trial itself: the sponsor that
///      registered it, a site the sponsor authorised (an account holding INVESTIGATOR at authorisation), or the
///      participant. The grantee of enrolment consents is this contract; the purpose binds the trial and the
///      consent-form version in force. The storage-based `ReentrancyGuard` is used rather than the transient one
///      because solc 0.8.30 warns on every `tstore` and the build treats warnings as errors; the guarded functions
///      (funding, claims, recovery) have no gas budget.
contract TrialRegistry is ITrialRegistry, HealthLedgerManaged, ReentrancyGuard {
    using SafeERC20 for IERC20;

    // ---------------------------------------------------------------- constants and storage

    /// @inheritdoc ITrialRegistry
    uint256 public constant MAX_OUTCOMES = 16;

    IConsentVerifier private immutable _consentVerifier;

    uint256 private _trialCount;
    mapping(uint256 trialId => Trial trial) private _trials;
    mapping(uint256 trialId => mapping(uint32 version => ProtocolVersion protocol)) private _protocols;
    mapping(uint256 trialId => mapping(address investigator => bool authorized)) private _sites;
    mapping(uint256 trialId => mapping(address participant => Participant record)) private _participants;
    mapping(uint256 trialId => mapping(bytes32 merkleRoot => Dataset dataset)) private _datasets;

    // ---------------------------------------------------------------- construction

    /// @notice Deploys the registry under the shared authority, asking `verifier` about consent.
    /// @param initialAuthority The shared `HealthLedgerAuthority`.
    /// @param verifier The consent registry asked at enrolment and visits.
    constructor(address initialAuthority, IConsentVerifier verifier) HealthLedgerManaged(initialAuthority) {
        _consentVerifier = verifier;
    }

    // ---------------------------------------------------------------- registration and lifecycle

    /// @inheritdoc ITrialRegistry
    function register(Registration calldata registration) external restricted returns (uint256 trialId) {
        if (registration.protocolCommitment == 0) revert TrialCommitmentMissing(0, CommitmentKind.Protocol);
        if (registration.researchStudyCommitment == 0) revert TrialCommitmentMissing(0, CommitmentKind.ResearchStudy);
        if (registration.targetEnrolment == 0) revert TrialTargetEnrolmentZero();
        if (registration.consentFormVersion == 0) {
            revert TrialConsentFormVersionInvalid(0, 0, registration.consentFormVersion);
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
        t.consentFormVersion = registration.consentFormVersion;
        t.requiredCategories = categories;
        t.targetEnrolment = registration.targetEnrolment;
        t.protocolVersion = 1;
        t.sponsor = msg.sender;
        t.registeredAt = uint48(block.timestamp);
        if (registration.stipendToken != address(0)) {
            t.stipendToken = registration.stipendToken;
            t.stipendPerVisit = registration.stipendPerVisit;
        }
        t.researchStudyCommitment = registration.researchStudyCommitment;
        t.outcomeSetHash = setHash;
        _protocols[trialId][1].protocolCommitment = registration.protocolCommitment;

        emit TrialRegistered(
            trialId,
            msg.sender,
            registration.protocolCommitment,
            registration.researchStudyCommitment,
            registration.targetEnrolment,
            registration.consentFormVersion,
            categories,
            registration.stipendToken,
            registration.stipendPerVisit,
            uint48(block.timestamp)
        );
        emit OutcomeSetDeclared(trialId, 1, setHash, registration.outcomes);
    }

    /// @inheritdoc ITrialRegistry
    function startRecruitment(uint256 trialId) external {
        Trial storage t = _sponsorTrial(trialId);
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
    }

    /// @inheritdoc ITrialRegistry
    function suspend(uint256 trialId, bytes32 reasonCommitment) external {
        Trial storage t = _sponsorTrial(trialId);
        _suspend(trialId, t, false, reasonCommitment);
    }

    /// @inheritdoc ITrialRegistry
    function resume(uint256 trialId) external {
        Trial storage t = _sponsorTrial(trialId);
        if (t.status == TrialStatus.Suspended && t.suspendedByRegulator) revert TrialRegulatorHold(trialId);
        _resume(trialId, t);
    }

    /// @inheritdoc ITrialRegistry
    function terminate(uint256 trialId, bytes32 reasonCommitment) external {
        Trial storage t = _sponsorTrial(trialId);
        TrialStatus from = t.status;
        if (_isFinished(from)) revert TrialInvalidTransition(trialId, from, TrialStatus.Terminated);
        t.status = TrialStatus.Terminated;
        t.suspendedFrom = TrialStatus.None;
        t.suspendedByRegulator = false;
        emit TrialStatusChanged(trialId, msg.sender, from, TrialStatus.Terminated, reasonCommitment, false);
    }

    /// @inheritdoc ITrialRegistry
    function regulatorSuspend(uint256 trialId, bytes32 reasonCommitment) external restricted {
        Trial storage t = _knownTrial(trialId);
        if (t.status == TrialStatus.Suspended && !t.suspendedByRegulator) {
            // Take over the sponsor's suspension: from now on only a regulator lifts it.
            t.suspendedByRegulator = true;
            emit TrialStatusChanged(
                trialId,
                msg.sender,
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
        bool isInvestigator = _hasRole(Roles.INVESTIGATOR, investigator);
        if (!isInvestigator) revert TrialNotInvestigator(trialId, investigator);
        _sites[trialId][investigator] = true;
        emit SiteAuthorized(trialId, investigator);
    }

    /// @inheritdoc ITrialRegistry
    function revokeSite(uint256 trialId, address investigator) external {
        Trial storage t = _knownTrial(trialId);
        if (!_sites[trialId][investigator]) revert TrialSiteNotAuthorized(trialId, investigator);
        if (msg.sender != t.sponsor) {
            bool isInvestigator = _hasRole(Roles.INVESTIGATOR, investigator);
            if (isInvestigator) revert TrialSiteStillValid(trialId, investigator);
        }
        _sites[trialId][investigator] = false;
        emit SiteRevoked(trialId, investigator, msg.sender);
    }

    // ---------------------------------------------------------------- amendments

    /// @inheritdoc ITrialRegistry
    function amend(uint256 trialId, Amendment calldata amendment) external returns (uint32 protocolVersion) {
        Trial storage t = _sponsorTrial(trialId);
        (bool formChanged, bool outcomesChanged, bytes32 newSet) = _checkAmendment(trialId, t, amendment);
        bytes32 previousSet = t.outcomeSetHash;

        protocolVersion = t.protocolVersion + 1;
        t.protocolVersion = protocolVersion;
        if (formChanged) t.consentFormVersion = amendment.consentFormVersion;
        bool afterEnrolment = outcomesChanged && t.enrolled != 0;
        if (outcomesChanged) t.outcomeSetHash = newSet;
        if (afterEnrolment) ++t.outcomeChangesAfterEnrolment;
        _protocols[trialId][protocolVersion] = ProtocolVersion({
            protocolCommitment: amendment.protocolCommitment,
            reasonCommitment: amendment.reasonCommitment,
            amendedAt: uint48(block.timestamp),
            consentFormVersion: amendment.consentFormVersion,
            outcomesChanged: outcomesChanged
        });

        emit TrialAmended(
            trialId,
            protocolVersion,
            amendment.protocolCommitment,
            amendment.reasonCommitment,
            t.consentFormVersion,
            formChanged,
            outcomesChanged
        );
        if (outcomesChanged) emit OutcomeSetDeclared(trialId, protocolVersion, newSet, amendment.outcomes);
        if (afterEnrolment) {
            emit OutcomesSwitchedAfterEnrolment(
                trialId,
                protocolVersion,
                previousSet,
                newSet,
                t.enrolled,
                t.outcomeChangesAfterEnrolment
            );
        }
    }

    // ---------------------------------------------------------------- participants

    /// @inheritdoc ITrialRegistry
    function enroll(uint256 trialId, address participant, bytes32 researchSubjectCommitment) external {
        Trial storage t = _trials[trialId];
        if (t.status != TrialStatus.Recruiting) _revertNotRecruiting(trialId, t.status);
        if (!_sites[trialId][msg.sender]) revert TrialSiteNotAuthorized(trialId, msg.sender);
        Participant storage p = _participants[trialId][participant];
        if (p.status != ParticipantStatus.None) revert TrialAlreadyEnrolled(trialId, participant, p.status);
        uint32 enrolled = t.enrolled;
        if (enrolled >= t.targetEnrolment) revert TrialEnrolmentFull(trialId, t.targetEnrolment);
        uint32 form = t.consentFormVersion;
        _requireConsent(trialId, participant, form, t.requiredCategories);

        t.enrolled = ++enrolled;
        p.status = ParticipantStatus.Enrolled;
        p.enrolledAt = uint48(block.timestamp);
        emit ParticipantEnrolled(trialId, participant, msg.sender, researchSubjectCommitment, form, enrolled);
    }

    /// @inheritdoc ITrialRegistry
    function withdraw(uint256 trialId) external {
        _withdraw(trialId, msg.sender);
    }

    /// @inheritdoc ITrialRegistry
    function withdrawParticipant(uint256 trialId, address participant) external {
        if (!_sites[trialId][msg.sender]) revert TrialSiteNotAuthorized(trialId, msg.sender);
        _withdraw(trialId, participant);
    }

    /// @inheritdoc ITrialRegistry
    function recordVisit(uint256 trialId, address participant) external {
        Trial storage t = _trials[trialId];
        TrialStatus status = t.status;
        if (status != TrialStatus.Recruiting && status != TrialStatus.EnrolmentClosed) {
            _revertNotActive(trialId, status);
        }
        if (!_sites[trialId][msg.sender]) revert TrialSiteNotAuthorized(trialId, msg.sender);
        Participant storage p = _participants[trialId][participant];
        if (p.status != ParticipantStatus.Enrolled) revert TrialParticipantNotEnrolled(trialId, participant);
        _requireConsent(trialId, participant, t.consentFormVersion, t.requiredCategories);

        uint96 stipend = t.stipendPerVisit;
        if (stipend != 0) {
            uint128 available = t.unallocated;
            if (available < stipend) revert TrialBudgetExhausted(trialId, available, stipend);
            unchecked {
                // available >= stipend; outstanding + stipend <= funded total, which fits the token's supply.
                t.unallocated = available - stipend;
                t.outstanding += stipend;
            }
            p.accrued += stipend;
        }
        uint32 visit = ++p.visits;
        emit VisitRecorded(trialId, participant, msg.sender, visit, stipend);
    }

    /// @inheritdoc ITrialRegistry
    function anchorData(uint256 trialId, bytes32 merkleRoot, uint32 recordCount, bytes32 visitLabel) external {
        TrialStatus status = _trials[trialId].status;
        if (status != TrialStatus.Recruiting && status != TrialStatus.EnrolmentClosed) {
            _revertNotActive(trialId, status);
        }
        if (!_sites[trialId][msg.sender]) revert TrialSiteNotAuthorized(trialId, msg.sender);
        if (merkleRoot == 0) revert TrialCommitmentMissing(trialId, CommitmentKind.Dataset);
        if (recordCount == 0) revert TrialDatasetEmpty(trialId);
        Dataset storage d = _datasets[trialId][merkleRoot];
        if (d.anchoredAt != 0) revert TrialDatasetAlreadyAnchored(trialId, merkleRoot);
        d.investigator = msg.sender;
        d.anchoredAt = uint48(block.timestamp);
        d.recordCount = recordCount;
        emit DataAnchored(trialId, merkleRoot, msg.sender, recordCount, visitLabel);
    }

    // ---------------------------------------------------------------- stipends

    /// @inheritdoc ITrialRegistry
    function fundBudget(uint256 trialId, uint256 amount) external nonReentrant {
        Trial storage t = _sponsorTrial(trialId);
        if (_isFinished(t.status)) revert TrialFinished(trialId, t.status);
        IERC20 token = IERC20(t.stipendToken);
        if (address(token) == address(0)) revert TrialNoStipend(trialId);
        // Credit what actually arrived, so that a fee-taking token cannot make the budget over-committed.
        uint256 before = token.balanceOf(address(this));
        token.safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = token.balanceOf(address(this)) - before;
        if (received == 0) revert TrialFundingZero(trialId);
        t.unallocated += SafeCast.toUint128(received);
        emit BudgetFunded(trialId, msg.sender, received);
    }

    /// @inheritdoc ITrialRegistry
    function claimStipend(uint256 trialId) external nonReentrant returns (uint256 amount) {
        Trial storage t = _knownTrial(trialId);
        Participant storage p = _participants[trialId][msg.sender];
        amount = p.accrued;
        if (amount == 0) revert TrialNothingToClaim(trialId, msg.sender);
        p.accrued = 0;
        t.outstanding -= uint128(amount);
        emit StipendClaimed(trialId, msg.sender, amount);
        IERC20(t.stipendToken).safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc ITrialRegistry
    function recoverBudget(uint256 trialId) external nonReentrant returns (uint256 amount) {
        Trial storage t = _sponsorTrial(trialId);
        if (!_isFinished(t.status)) revert TrialNotFinished(trialId, t.status);
        amount = t.unallocated;
        if (amount == 0) revert TrialNothingToRecover(trialId);
        t.unallocated = 0;
        emit BudgetRecovered(trialId, msg.sender, amount);
        IERC20(t.stipendToken).safeTransfer(msg.sender, amount);
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
        if (given != t.outcomeSetHash) revert TrialOutcomeSetMismatch(trialId, t.outcomeSetHash, given);
        uint256 reportedCount = reported.length;
        if (reportedCount > MAX_OUTCOMES) revert TrialOutcomeCountInvalid(trialId, reportedCount, MAX_OUTCOMES);
        for (uint256 i = 0; i < reportedCount; ++i) {
            if (reported[i] == 0) revert TrialCommitmentMissing(trialId, CommitmentKind.Outcome);
            for (uint256 j = 0; j < i; ++j) {
                if (reported[j] == reported[i]) revert TrialOutcomeDuplicate(trialId, reported[i]);
            }
        }

        t.resultsPostedAt = uint48(block.timestamp);
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
    function getTrial(uint256 trialId) external view returns (Trial memory) {
        return _trials[trialId];
    }

    /// @inheritdoc ITrialRegistry
    function getProtocolVersion(uint256 trialId, uint32 version) external view returns (ProtocolVersion memory) {
        return _protocols[trialId][version];
    }

    /// @inheritdoc ITrialRegistry
    function getParticipant(uint256 trialId, address participant) external view returns (Participant memory) {
        return _participants[trialId][participant];
    }

    /// @inheritdoc ITrialRegistry
    function getDataset(uint256 trialId, bytes32 merkleRoot) external view returns (Dataset memory) {
        return _datasets[trialId][merkleRoot];
    }

    /// @inheritdoc ITrialRegistry
    function isSite(uint256 trialId, address investigator) external view returns (bool) {
        return _sites[trialId][investigator];
    }

    /// @inheritdoc ITrialRegistry
    function enrolmentPurpose(uint256 trialId) external view returns (bytes32) {
        return Purposes.trialResearch(trialId, _knownTrial(trialId).consentFormVersion);
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

    function _sponsorTrial(uint256 trialId) private view returns (Trial storage t) {
        t = _knownTrial(trialId);
        if (msg.sender != t.sponsor) revert TrialNotSponsor(trialId, msg.sender);
    }

    function _isFinished(TrialStatus status) private pure returns (bool) {
        return status == TrialStatus.Completed || status == TrialStatus.Terminated;
    }

    function _move(uint256 trialId, Trial storage t, TrialStatus from, TrialStatus to, bytes32 reason) private {
        if (t.status != from) revert TrialInvalidTransition(trialId, t.status, to);
        t.status = to;
        emit TrialStatusChanged(trialId, msg.sender, from, to, reason, false);
    }

    function _suspend(uint256 trialId, Trial storage t, bool byRegulator, bytes32 reason) private {
        TrialStatus from = t.status;
        if (from != TrialStatus.Registered && from != TrialStatus.Recruiting && from != TrialStatus.EnrolmentClosed) {
            revert TrialInvalidTransition(trialId, from, TrialStatus.Suspended);
        }
        t.status = TrialStatus.Suspended;
        t.suspendedFrom = from;
        t.suspendedByRegulator = byRegulator;
        emit TrialStatusChanged(trialId, msg.sender, from, TrialStatus.Suspended, reason, byRegulator);
    }

    function _resume(uint256 trialId, Trial storage t) private {
        TrialStatus to = t.suspendedFrom;
        if (t.status != TrialStatus.Suspended) revert TrialInvalidTransition(trialId, t.status, to);
        t.status = to;
        t.suspendedFrom = TrialStatus.None;
        t.suspendedByRegulator = false;
        emit TrialStatusChanged(trialId, msg.sender, TrialStatus.Suspended, to, 0, false);
    }

    function _withdraw(uint256 trialId, address participant) private {
        Trial storage t = _knownTrial(trialId);
        Participant storage p = _participants[trialId][participant];
        if (p.status != ParticipantStatus.Enrolled) revert TrialParticipantNotEnrolled(trialId, participant);
        p.status = ParticipantStatus.Withdrawn;
        p.withdrawnAt = uint48(block.timestamp);
        ++t.withdrawn;
        emit ParticipantWithdrawn(trialId, participant, msg.sender);
    }

    function _requireConsent(uint256 trialId, address participant, uint32 form, uint32 categories) private view {
        bytes32 purpose = Purposes.trialResearch(trialId, form);
        if (!_consentVerifier.isAuthorized(participant, address(this), purpose, categories)) {
            revert TrialConsentMissing(trialId, participant, form);
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
            revert TrialConsentFormVersionInvalid(trialId, t.consentFormVersion, amendment.consentFormVersion);
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
        if (!hasPrimary) revert TrialNoPrimaryOutcome(trialId);
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
