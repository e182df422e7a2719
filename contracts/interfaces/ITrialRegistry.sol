// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IConsentVerifier} from "./IConsentVerifier.sol";

/// @title Trial registry
/// @notice Pre-registration of clinical trials that cannot be rewritten: protocol versions, pre-specified outcomes,
///         consent-form versions, consent-gated enrolment, anchored datasets, participant stipends and results.
///         Outcome switching is never silent: every outcome-set change and every gap between the pre-specified and
///         the reported outcomes is an event.
/// @dev Enrolment and every visit ask the consent registry whether the participant allows this registry contract
///      (the grantee) to use the trial's required data categories for `Purposes.trialResearch(trialId, version)`,
///      where `version` is the consent-form version in force. Only commitments of off-chain documents, accounts,
///      counts, amounts and times are stored.
interface ITrialRegistry {
    // ---------------------------------------------------------------- types

    /// @notice Lifecycle of a trial. `None` marks an id that was never registered.
    enum TrialStatus {
        None,
        Registered,
        Recruiting,
        EnrolmentClosed,
        Completed,
        Suspended,
        Terminated
    }

    /// @notice Where a participant stands in a trial. Withdrawal is final.
    enum ParticipantStatus {
        None,
        Enrolled,
        Withdrawn
    }

    /// @notice Which commitment was missing (zero) in a call, reported by {TrialCommitmentMissing}.
    enum CommitmentKind {
        Protocol,
        ResearchStudy,
        Reason,
        Results,
        Dataset,
        Outcome
    }

    /// @notice One pre-specified (or reported) outcome.
    struct Outcome {
        /// Salted commitment of the outcome's definition (measure, time frame, analysis), kept off chain.
        bytes32 commitment;
        /// True for a primary outcome, false for a secondary one.
        bool primary;
    }

    /// @notice What a sponsor registers.
    struct Registration {
        /// Commitment of the protocol document, version 1.
        bytes32 protocolCommitment;
        /// Commitment of the FHIR ResearchStudy record (carries the WHO Trial Registration Data Set off chain).
        bytes32 researchStudyCommitment;
        /// Number of participants to enrol; enrolment stops there. Non-zero.
        uint32 targetEnrolment;
        /// Consent-form version in force at registration. Non-zero.
        uint32 consentFormVersion;
        /// Data categories the protocol needs (bit set of `DataCategories`); non-zero, only defined bits.
        uint32 requiredCategories;
        /// ERC-20 token stipends are paid in, or the zero address for a trial without stipends.
        address stipendToken;
        /// Stipend accrued per completed visit (zero exactly when `stipendToken` is zero).
        uint96 stipendPerVisit;
        /// The pre-specified outcomes: 1 to {MAX_OUTCOMES}, distinct, non-zero, at least one primary.
        Outcome[] outcomes;
    }

    /// @notice What a sponsor submits to amend a trial.
    struct Amendment {
        /// Commitment of the new protocol version. Non-zero.
        bytes32 protocolCommitment;
        /// Commitment of the document that gives the reason for the amendment. Non-zero.
        bytes32 reasonCommitment;
        /// New consent-form version (greater than the one in force), or 0 to keep the current one.
        uint32 consentFormVersion;
        /// New outcome set, or empty to keep the current one.
        Outcome[] outcomes;
    }

    /// @notice A trial as stored.
    /// @dev Layout: slot 0 = status, suspendedFrom, suspendedByRegulator, consentFormVersion, requiredCategories,
    ///      targetEnrolment, enrolled, withdrawn, protocolVersion, outcomeChangesAfterEnrolment (31 bytes, read by
    ///      every enrolment and visit); slot 1 = sponsor, registeredAt, resultsPostedAt; slot 2 = stipendToken,
    ///      stipendPerVisit; slot 3 = unallocated, outstanding; slots 4-6 = the three commitments.
    struct Trial {
        /// Current lifecycle status.
        TrialStatus status;
        /// Status to return to when a suspension is lifted (`None` unless suspended).
        TrialStatus suspendedFrom;
        /// True while suspended by a REGULATOR: only a REGULATOR can lift it.
        bool suspendedByRegulator;
        /// Consent-form version in force; participants must have consented to this one.
        uint32 consentFormVersion;
        /// Data categories the protocol needs (bit set of `DataCategories`).
        uint32 requiredCategories;
        /// Enrolment target.
        uint32 targetEnrolment;
        /// Participants ever enrolled (withdrawals do not free a place).
        uint32 enrolled;
        /// Participants who withdrew.
        uint32 withdrawn;
        /// Current protocol version (1 at registration, +1 per amendment).
        uint32 protocolVersion;
        /// How many times the outcome set changed after the first enrolment. Never decreases.
        uint32 outcomeChangesAfterEnrolment;
        /// The sponsor that registered the trial and alone moves it.
        address sponsor;
        /// Block time of registration; never changes.
        uint48 registeredAt;
        /// Block time results were posted, or 0.
        uint48 resultsPostedAt;
        /// Stipend token, or the zero address.
        address stipendToken;
        /// Stipend per completed visit.
        uint96 stipendPerVisit;
        /// Funded stipend budget not yet accrued to anyone nor recovered.
        uint128 unallocated;
        /// Stipends accrued to participants and not yet claimed.
        uint128 outstanding;
        /// Commitment of the FHIR ResearchStudy record.
        bytes32 researchStudyCommitment;
        /// `keccak256(abi.encode(outcomes))` of the current outcome set (see {outcomeSetHash}).
        bytes32 outcomeSetHash;
        /// Results commitment, or zero before results are posted.
        bytes32 resultsCommitment;
    }

    /// @notice One protocol version. Version 1 holds only the registered protocol commitment.
    /// @dev Layout: two commitment slots, then amendedAt, consentFormVersion and outcomesChanged in one slot.
    struct ProtocolVersion {
        /// Commitment of this protocol version.
        bytes32 protocolCommitment;
        /// Commitment of the reason for the amendment (zero for version 1).
        bytes32 reasonCommitment;
        /// Block time of the amendment (zero for version 1: see `Trial.registeredAt`).
        uint48 amendedAt;
        /// Consent-form version this amendment introduced, or 0 if it kept the one in force.
        uint32 consentFormVersion;
        /// Whether this amendment replaced the outcome set.
        bool outcomesChanged;
    }

    /// @notice One participant of one trial.
    /// @dev Layout: one slot (29 bytes).
    struct Participant {
        /// Enrolled or withdrawn.
        ParticipantStatus status;
        /// Block time of enrolment.
        uint48 enrolledAt;
        /// Block time of withdrawal, or 0.
        uint48 withdrawnAt;
        /// Completed visits recorded.
        uint32 visits;
        /// Stipend accrued and not yet claimed.
        uint96 accrued;
    }

    /// @notice An anchored dataset, keyed by its Merkle root.
    /// @dev Layout: one slot (30 bytes).
    struct Dataset {
        /// The investigator who anchored it.
        address investigator;
        /// Block time of anchoring.
        uint48 anchoredAt;
        /// Number of case-report records under the root.
        uint32 recordCount;
    }

    // ---------------------------------------------------------------- events

    /// @notice Emitted when a sponsor registers a trial.
    /// @param trialId The new trial's registry id.
    /// @param sponsor The registering sponsor.
    /// @param protocolCommitment Commitment of protocol version 1.
    /// @param researchStudyCommitment Commitment of the FHIR ResearchStudy record.
    /// @param targetEnrolment Enrolment target.
    /// @param consentFormVersion Consent-form version in force.
    /// @param requiredCategories Data categories the protocol needs.
    /// @param stipendToken Stipend token or the zero address.
    /// @param stipendPerVisit Stipend per completed visit.
    /// @param registeredAt Block time of registration.
    event TrialRegistered(
        uint256 indexed trialId,
        address indexed sponsor,
        bytes32 protocolCommitment,
        bytes32 researchStudyCommitment,
        uint32 targetEnrolment,
        uint32 consentFormVersion,
        uint32 requiredCategories,
        address stipendToken,
        uint96 stipendPerVisit,
        uint48 registeredAt
    );

    /// @notice Emitted when an outcome set takes effect: at registration (version 1) and at each amendment that
    ///         replaces it.
    /// @param trialId The trial.
    /// @param protocolVersion The protocol version that declared this set.
    /// @param outcomeSetHash `keccak256(abi.encode(outcomes))`.
    /// @param outcomes The outcomes, in order.
    event OutcomeSetDeclared(
        uint256 indexed trialId,
        uint32 indexed protocolVersion,
        bytes32 outcomeSetHash,
        Outcome[] outcomes
    );

    /// @notice Emitted when the outcome set changes after the first participant was enrolled: allowed, but flagged.
    /// @param trialId The trial.
    /// @param protocolVersion The amending protocol version.
    /// @param previousOutcomeSetHash The replaced set.
    /// @param newOutcomeSetHash The new set.
    /// @param enrolledSoFar Participants enrolled when the set changed.
    /// @param changeCount The trial's count of such changes, this one included.
    event OutcomesSwitchedAfterEnrolment(
        uint256 indexed trialId,
        uint32 indexed protocolVersion,
        bytes32 previousOutcomeSetHash,
        bytes32 newOutcomeSetHash,
        uint32 enrolledSoFar,
        uint32 changeCount
    );

    /// @notice Emitted when the sponsor amends the protocol.
    /// @param trialId The trial.
    /// @param protocolVersion The new protocol version.
    /// @param protocolCommitment Commitment of the new protocol.
    /// @param reasonCommitment Commitment of the reason.
    /// @param consentFormVersion The consent-form version in force after the amendment.
    /// @param consentFormChanged Whether the amendment introduced a new consent-form version.
    /// @param outcomesChanged Whether the amendment replaced the outcome set.
    event TrialAmended(
        uint256 indexed trialId,
        uint32 indexed protocolVersion,
        bytes32 protocolCommitment,
        bytes32 reasonCommitment,
        uint32 consentFormVersion,
        bool consentFormChanged,
        bool outcomesChanged
    );

    /// @notice Emitted on every lifecycle transition.
    /// @param trialId The trial.
    /// @param actor Who moved it (the sponsor or a regulator).
    /// @param from Status before.
    /// @param to Status after.
    /// @param reasonCommitment Commitment of the reason (suspension, termination), or zero.
    /// @param regulatorHold True when, after the change, the trial is suspended by a REGULATOR (only a regulator can
    ///        lift it); a change from suspended to suspended is a regulator taking over the sponsor's suspension.
    event TrialStatusChanged(
        uint256 indexed trialId,
        address indexed actor,
        TrialStatus from,
        TrialStatus to,
        bytes32 reasonCommitment,
        bool regulatorHold
    );

    /// @notice Emitted when the sponsor authorises an investigator's site for its trial.
    /// @param trialId The trial.
    /// @param investigator The investigator account (holds INVESTIGATOR).
    event SiteAuthorized(uint256 indexed trialId, address indexed investigator);

    /// @notice Emitted when a site authorisation ends.
    /// @param trialId The trial.
    /// @param investigator The investigator account.
    /// @param by The sponsor, or anyone pruning an investigator who lost the INVESTIGATOR role.
    event SiteRevoked(uint256 indexed trialId, address indexed investigator, address by);

    /// @notice Emitted when an investigator enrols a consenting participant.
    /// @param trialId The trial.
    /// @param participant The participant's account.
    /// @param investigator The enrolling investigator.
    /// @param researchSubjectCommitment Commitment of the FHIR ResearchSubject record.
    /// @param consentFormVersion The consent-form version the participant consented to.
    /// @param enrolled Participants enrolled so far, this one included.
    event ParticipantEnrolled(
        uint256 indexed trialId,
        address indexed participant,
        address indexed investigator,
        bytes32 researchSubjectCommitment,
        uint32 consentFormVersion,
        uint32 enrolled
    );

    /// @notice Emitted when a participant withdraws or is withdrawn (final).
    /// @param trialId The trial.
    /// @param participant The participant.
    /// @param by The participant or an authorised investigator.
    event ParticipantWithdrawn(uint256 indexed trialId, address indexed participant, address indexed by);

    /// @notice Emitted when an investigator records a completed visit.
    /// @param trialId The trial.
    /// @param participant The participant.
    /// @param investigator The recording investigator.
    /// @param visit The participant's visit count, this one included.
    /// @param stipend Stipend accrued for the visit.
    event VisitRecorded(
        uint256 indexed trialId,
        address indexed participant,
        address indexed investigator,
        uint32 visit,
        uint96 stipend
    );

    /// @notice Emitted when an investigator anchors a dataset commitment.
    /// @param trialId The trial.
    /// @param merkleRoot Merkle root of the case-report records.
    /// @param investigator The anchoring investigator.
    /// @param recordCount Number of records under the root.
    /// @param visitLabel Label of the visit or data cut (e.g. the bytes32 of "week-12").
    event DataAnchored(
        uint256 indexed trialId,
        bytes32 indexed merkleRoot,
        address indexed investigator,
        uint32 recordCount,
        bytes32 visitLabel
    );

    /// @notice Emitted when the stipend budget is funded.
    /// @param trialId The trial.
    /// @param funder The sponsor.
    /// @param amount Tokens received by the registry.
    event BudgetFunded(uint256 indexed trialId, address indexed funder, uint256 amount);

    /// @notice Emitted when a participant claims accrued stipends.
    /// @param trialId The trial.
    /// @param participant The participant paid.
    /// @param amount Tokens paid.
    event StipendClaimed(uint256 indexed trialId, address indexed participant, uint256 amount);

    /// @notice Emitted when the sponsor recovers the unallocated budget of a finished trial.
    /// @param trialId The trial.
    /// @param sponsor The sponsor paid.
    /// @param amount Tokens returned.
    event BudgetRecovered(uint256 indexed trialId, address indexed sponsor, uint256 amount);

    /// @notice Emitted when the sponsor posts results.
    /// @param trialId The trial.
    /// @param resultsCommitment Commitment of the results document.
    /// @param reported The outcome commitments the results report.
    event ResultsPosted(uint256 indexed trialId, bytes32 resultsCommitment, bytes32[] reported);

    /// @notice Emitted, with the results, for each pre-specified outcome the results do not report.
    /// @param trialId The trial.
    /// @param outcome The outcome commitment.
    /// @param primary Whether it was a primary outcome.
    event PrespecifiedOutcomeNotReported(uint256 indexed trialId, bytes32 indexed outcome, bool primary);

    /// @notice Emitted, with the results, for each reported outcome that is not in the current outcome set.
    /// @param trialId The trial.
    /// @param outcome The outcome commitment.
    event UnregisteredOutcomeReported(uint256 indexed trialId, bytes32 indexed outcome);

    // ---------------------------------------------------------------- errors

    /// @notice The trial id was never registered.
    /// @dev Fix: use an id from a `TrialRegistered` event (ids start at 1).
    /// @param trialId The unknown id.
    error TrialUnknown(uint256 trialId);

    /// @notice Only the trial's sponsor may do this.
    /// @dev Fix: send the transaction from the account that registered the trial.
    /// @param trialId The trial.
    /// @param caller The caller.
    error TrialNotSponsor(uint256 trialId, address caller);

    /// @notice The lifecycle does not allow moving from `from` to `to`.
    /// @dev Fix: follow registered → recruiting → enrolment closed → completed; suspend/resume and terminate only
    ///      from an unfinished state (see docs/trials.md).
    /// @param trialId The trial.
    /// @param from Current status.
    /// @param to Requested status.
    error TrialInvalidTransition(uint256 trialId, TrialStatus from, TrialStatus to);

    /// @notice A REGULATOR suspended the trial; the sponsor cannot lift it.
    /// @dev Fix: ask the regulator to call `regulatorResume`.
    /// @param trialId The trial.
    error TrialRegulatorHold(uint256 trialId);

    /// @notice A required commitment was zero.
    /// @dev Fix: commit the document with the SDK (`commit(...)`) and pass its commitment.
    /// @param trialId The trial (0 at registration).
    /// @param kind Which commitment was missing.
    error TrialCommitmentMissing(uint256 trialId, CommitmentKind kind);

    /// @notice An outcome set must hold 1 to {MAX_OUTCOMES} outcomes.
    /// @dev Fix: pass at least one and at most MAX_OUTCOMES outcomes.
    /// @param trialId The trial (0 at registration).
    /// @param count Outcomes given.
    /// @param max The bound.
    error TrialOutcomeCountInvalid(uint256 trialId, uint256 count, uint256 max);

    /// @notice An outcome commitment appears twice in one list.
    /// @dev Fix: list each outcome once.
    /// @param trialId The trial (0 at registration).
    /// @param outcome The repeated commitment.
    error TrialOutcomeDuplicate(uint256 trialId, bytes32 outcome);

    /// @notice An outcome set has no primary outcome.
    /// @dev Fix: mark at least one outcome `primary`.
    /// @param trialId The trial (0 at registration).
    error TrialNoPrimaryOutcome(uint256 trialId);

    /// @notice An amendment "replaces" the outcome set with the same set.
    /// @dev Fix: pass an empty outcome list to keep the current set.
    /// @param trialId The trial.
    error TrialOutcomeSetUnchanged(uint256 trialId);

    /// @notice The pre-specified outcome list passed with the results is not the trial's current outcome set.
    /// @dev Fix: pass the outcomes of the last `OutcomeSetDeclared` event, in order (SDK: `currentOutcomes`).
    /// @param trialId The trial.
    /// @param expected The stored outcome-set hash.
    /// @param given The hash of the list passed.
    error TrialOutcomeSetMismatch(uint256 trialId, bytes32 expected, bytes32 given);

    /// @notice The enrolment target must be non-zero.
    /// @dev Fix: pass the planned number of participants.
    error TrialTargetEnrolmentZero();

    /// @notice The required data categories are empty or hold an undefined bit.
    /// @dev Fix: combine bits of `DataCategories` (src/consent/categories.ts).
    /// @param categories The categories given.
    error TrialCategoriesInvalid(uint32 categories);

    /// @notice A consent-form version must be non-zero and, in an amendment, greater than the one in force.
    /// @dev Fix: number consent-form versions 1, 2, 3, ...; pass 0 in an amendment to keep the current one.
    /// @param trialId The trial (0 at registration).
    /// @param current The version in force (0 at registration).
    /// @param given The version given.
    error TrialConsentFormVersionInvalid(uint256 trialId, uint32 current, uint32 given);

    /// @notice Stipend token and stipend per visit must be both set or both zero.
    /// @dev Fix: give a token and a non-zero stipend, or neither.
    /// @param token The token given.
    /// @param stipendPerVisit The stipend given.
    error TrialStipendMisconfigured(address token, uint96 stipendPerVisit);

    /// @notice A site can only be authorised for an account holding INVESTIGATOR in the authority.
    /// @dev Fix: have the admin grant INVESTIGATOR to the account first.
    /// @param trialId The trial.
    /// @param account The account.
    error TrialNotInvestigator(uint256 trialId, address account);

    /// @notice The investigator is already an authorised site of the trial.
    /// @dev Fix: nothing to do.
    /// @param trialId The trial.
    /// @param investigator The investigator.
    error TrialSiteAlreadyAuthorized(uint256 trialId, address investigator);

    /// @notice The caller (or the named account) is not an authorised site of the trial.
    /// @dev Fix: ask the sponsor to call `authorizeSite` for this investigator.
    /// @param trialId The trial.
    /// @param account The account.
    error TrialSiteNotAuthorized(uint256 trialId, address account);

    /// @notice Only the sponsor may revoke a site whose investigator still holds INVESTIGATOR.
    /// @dev Fix: ask the sponsor, or the admin to revoke the role first.
    /// @param trialId The trial.
    /// @param investigator The investigator.
    error TrialSiteStillValid(uint256 trialId, address investigator);

    /// @notice Enrolment needs a recruiting trial.
    /// @dev Fix: the sponsor calls `startRecruitment` (or `resume` after a suspension).
    /// @param trialId The trial.
    /// @param status Its status.
    error TrialNotRecruiting(uint256 trialId, TrialStatus status);

    /// @notice Visits and data need a recruiting or enrolment-closed trial.
    /// @dev Fix: wait for recruitment to start or a suspension to be lifted; finished trials take no data.
    /// @param trialId The trial.
    /// @param status Its status.
    error TrialNotActive(uint256 trialId, TrialStatus status);

    /// @notice Results and budget recovery need a completed or terminated trial.
    /// @dev Fix: complete (or terminate) the trial first.
    /// @param trialId The trial.
    /// @param status Its status.
    error TrialNotFinished(uint256 trialId, TrialStatus status);

    /// @notice A completed or terminated trial cannot be amended or funded.
    /// @dev Fix: register a new trial.
    /// @param trialId The trial.
    /// @param status Its status.
    error TrialFinished(uint256 trialId, TrialStatus status);

    /// @notice The participant has no consent in force for research in this trial, under the consent-form version
    ///         in force, to this registry, covering the required categories (none, for another trial, expired,
    ///         revoked, or for an older consent-form version).
    /// @dev Fix: the participant grants consent in the consent registry to this registry contract for
    ///      `Purposes.trialResearch(trialId, consentFormVersion)` (view `enrolmentPurpose(trialId)`; SDK
    ///      `trialResearchPurpose`), covering the trial's required categories.
    /// @param trialId The trial.
    /// @param participant The participant.
    /// @param consentFormVersion The consent-form version required.
    error TrialConsentMissing(uint256 trialId, address participant, uint32 consentFormVersion);

    /// @notice The participant is already enrolled in, or withdrew from, the trial.
    /// @dev Fix: nothing to do; a withdrawn participant cannot be re-enrolled.
    /// @param trialId The trial.
    /// @param participant The participant.
    /// @param status The participant's status.
    error TrialAlreadyEnrolled(uint256 trialId, address participant, ParticipantStatus status);

    /// @notice The enrolment target is reached.
    /// @dev Fix: the target is fixed at registration; close enrolment (`closeEnrolment`).
    /// @param trialId The trial.
    /// @param target The target.
    error TrialEnrolmentFull(uint256 trialId, uint32 target);

    /// @notice The account is not an enrolled (non-withdrawn) participant.
    /// @dev Fix: enrol the participant first; withdrawn participants take no visits.
    /// @param trialId The trial.
    /// @param participant The account.
    error TrialParticipantNotEnrolled(uint256 trialId, address participant);

    /// @notice This Merkle root was already anchored for the trial (anchors are append-only).
    /// @dev Fix: nothing to do; anchor a new data cut under its own root.
    /// @param trialId The trial.
    /// @param merkleRoot The root.
    error TrialDatasetAlreadyAnchored(uint256 trialId, bytes32 merkleRoot);

    /// @notice A dataset must hold at least one record.
    /// @dev Fix: pass the number of records under the root.
    /// @param trialId The trial.
    error TrialDatasetEmpty(uint256 trialId);

    /// @notice The trial pays no stipends.
    /// @dev Fix: stipends are configured at registration; nothing to fund.
    /// @param trialId The trial.
    error TrialNoStipend(uint256 trialId);

    /// @notice Funding must be non-zero (after any transfer fee).
    /// @dev Fix: approve the registry and fund a positive amount.
    /// @param trialId The trial.
    error TrialFundingZero(uint256 trialId);

    /// @notice The unallocated budget cannot cover this visit's stipend.
    /// @dev Fix: the sponsor funds the budget (`fundBudget`).
    /// @param trialId The trial.
    /// @param available Unallocated budget.
    /// @param needed Stipend per visit.
    error TrialBudgetExhausted(uint256 trialId, uint256 available, uint256 needed);

    /// @notice The participant has no accrued stipend.
    /// @dev Fix: nothing to claim until a visit is recorded.
    /// @param trialId The trial.
    /// @param participant The participant.
    error TrialNothingToClaim(uint256 trialId, address participant);

    /// @notice No unallocated budget is left to recover.
    /// @dev Fix: nothing to do.
    /// @param trialId The trial.
    error TrialNothingToRecover(uint256 trialId);

    /// @notice Results were already posted for this trial.
    /// @dev Fix: results are final; publish corrections off chain referencing the results commitment.
    /// @param trialId The trial.
    error TrialResultsAlreadyPosted(uint256 trialId);

    // ---------------------------------------------------------------- sponsor

    /// @notice Registers a trial (SPONSOR). The caller becomes its sponsor; the registration time never changes.
    /// @param registration What is registered.
    /// @return trialId The new registry id.
    function register(Registration calldata registration) external returns (uint256 trialId);

    /// @notice Opens recruitment (sponsor): registered → recruiting.
    /// @param trialId The trial.
    function startRecruitment(uint256 trialId) external;

    /// @notice Closes enrolment (sponsor): recruiting → enrolment closed.
    /// @param trialId The trial.
    function closeEnrolment(uint256 trialId) external;

    /// @notice Completes the trial (sponsor): enrolment closed → completed.
    /// @param trialId The trial.
    function complete(uint256 trialId) external;

    /// @notice Suspends the trial (sponsor) from registered, recruiting or enrolment closed.
    /// @param trialId The trial.
    /// @param reasonCommitment Commitment of the reason (may be zero).
    function suspend(uint256 trialId, bytes32 reasonCommitment) external;

    /// @notice Lifts a sponsor's suspension (sponsor): back to the status it was suspended from.
    /// @param trialId The trial.
    function resume(uint256 trialId) external;

    /// @notice Terminates the trial early (sponsor), from any unfinished status. Final.
    /// @param trialId The trial.
    /// @param reasonCommitment Commitment of the reason (may be zero).
    function terminate(uint256 trialId, bytes32 reasonCommitment) external;

    /// @notice Suspends the trial (REGULATOR); only a REGULATOR can lift it. Also takes over a sponsor's suspension.
    /// @param trialId The trial.
    /// @param reasonCommitment Commitment of the reason (may be zero).
    function regulatorSuspend(uint256 trialId, bytes32 reasonCommitment) external;

    /// @notice Lifts a regulator's suspension (REGULATOR).
    /// @param trialId The trial.
    function regulatorResume(uint256 trialId) external;

    /// @notice Authorises an investigator (holding INVESTIGATOR) as a site of the trial (sponsor).
    /// @param trialId The trial.
    /// @param investigator The investigator account.
    function authorizeSite(uint256 trialId, address investigator) external;

    /// @notice Ends a site authorisation: by the sponsor at any time, or by anyone once the investigator no longer
    ///         holds INVESTIGATOR.
    /// @param trialId The trial.
    /// @param investigator The investigator account.
    function revokeSite(uint256 trialId, address investigator) external;

    /// @notice Appends a protocol version (sponsor), optionally with a new consent-form version and outcome set.
    ///         An outcome-set change after the first enrolment emits {OutcomesSwitchedAfterEnrolment}.
    /// @param trialId The trial.
    /// @param amendment The amendment.
    /// @return protocolVersion The new protocol version.
    function amend(uint256 trialId, Amendment calldata amendment) external returns (uint32 protocolVersion);

    /// @notice Funds the stipend budget (sponsor) by pulling `amount` tokens (approve first).
    /// @param trialId The trial.
    /// @param amount Tokens to pull.
    function fundBudget(uint256 trialId, uint256 amount) external;

    /// @notice Returns the unallocated budget of a completed or terminated trial to the sponsor.
    /// @param trialId The trial.
    /// @return amount Tokens returned.
    function recoverBudget(uint256 trialId) external returns (uint256 amount);

    /// @notice Posts results (sponsor, completed or terminated trial), once. Emits
    ///         {PrespecifiedOutcomeNotReported} and {UnregisteredOutcomeReported} for every gap.
    /// @param trialId The trial.
    /// @param resultsCommitment Commitment of the results document.
    /// @param prespecified The current outcome set, in order, as declared (checked against the stored hash).
    /// @param reported The outcome commitments the results report (distinct, non-zero, at most MAX_OUTCOMES).
    function postResults(
        uint256 trialId,
        bytes32 resultsCommitment,
        Outcome[] calldata prespecified,
        bytes32[] calldata reported
    ) external;

    // ---------------------------------------------------------------- sites and participants

    /// @notice Enrols a participant (authorised site, recruiting trial) whose consent is in force.
    /// @param trialId The trial.
    /// @param participant The participant's account.
    /// @param researchSubjectCommitment Commitment of the FHIR ResearchSubject record (may be zero).
    function enroll(uint256 trialId, address participant, bytes32 researchSubjectCommitment) external;

    /// @notice Withdraws the caller from the trial. Final.
    /// @param trialId The trial.
    function withdraw(uint256 trialId) external;

    /// @notice Withdraws a participant (authorised site). Final.
    /// @param trialId The trial.
    /// @param participant The participant.
    function withdrawParticipant(uint256 trialId, address participant) external;

    /// @notice Records a completed visit (authorised site) and accrues the stipend. The participant's consent must be
    ///         in force for the current consent-form version.
    /// @param trialId The trial.
    /// @param participant The participant.
    function recordVisit(uint256 trialId, address participant) external;

    /// @notice Anchors a dataset commitment (authorised site). Append-only.
    /// @param trialId The trial.
    /// @param merkleRoot Merkle root of the case-report records (SDK: `datasetRoot`).
    /// @param recordCount Records under the root.
    /// @param visitLabel Label of the visit or data cut.
    function anchorData(uint256 trialId, bytes32 merkleRoot, uint32 recordCount, bytes32 visitLabel) external;

    /// @notice Pays the caller's accrued stipend (pull payment).
    /// @param trialId The trial.
    /// @return amount Tokens paid.
    function claimStipend(uint256 trialId) external returns (uint256 amount);

    // ---------------------------------------------------------------- views

    /// @notice The largest outcome set.
    /// @return The bound (16).
    function MAX_OUTCOMES() external view returns (uint256);

    /// @notice The consent registry asked at enrolment and visits.
    /// @return The verifier.
    function consentVerifier() external view returns (IConsentVerifier);

    /// @notice Number of trials registered (ids run from 1 to this).
    /// @return The count.
    function trialCount() external view returns (uint256);

    /// @notice A trial as stored.
    /// @param trialId The trial.
    /// @return The trial (all zero for an unknown id).
    function getTrial(uint256 trialId) external view returns (Trial memory);

    /// @notice One protocol version.
    /// @param trialId The trial.
    /// @param version The version (1 = registered).
    /// @return The version (all zero if it does not exist).
    function getProtocolVersion(uint256 trialId, uint32 version) external view returns (ProtocolVersion memory);

    /// @notice A participant's record.
    /// @param trialId The trial.
    /// @param participant The participant.
    /// @return The record.
    function getParticipant(uint256 trialId, address participant) external view returns (Participant memory);

    /// @notice An anchored dataset.
    /// @param trialId The trial.
    /// @param merkleRoot The root.
    /// @return The anchor (all zero if the root was never anchored).
    function getDataset(uint256 trialId, bytes32 merkleRoot) external view returns (Dataset memory);

    /// @notice Whether an account is an authorised site of the trial.
    /// @param trialId The trial.
    /// @param investigator The account.
    /// @return True when authorised.
    function isSite(uint256 trialId, address investigator) external view returns (bool);

    /// @notice The purpose a participant must consent to for enrolment and further visits now.
    /// @param trialId The trial.
    /// @return `Purposes.trialResearch(trialId, consentFormVersion in force)`.
    function enrolmentPurpose(uint256 trialId) external view returns (bytes32);

    /// @notice The hash the registry stores for an outcome list.
    /// @param outcomes The outcomes, in order.
    /// @return `keccak256(abi.encode(outcomes))`.
    function outcomeSetHash(Outcome[] calldata outcomes) external pure returns (bytes32);
}
