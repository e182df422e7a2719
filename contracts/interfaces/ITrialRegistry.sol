// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IConsentVerifier} from "./IConsentVerifier.sol";

/// @title Trial registry
/// @notice Pre-registration of clinical trials that cannot be rewritten: protocol versions, pre-specified outcomes,
///         consent-form versions, consent-gated enrolment, anchored datasets, participant stipends and results.
///         Outcome switching is never silent: every outcome-set change and every gap between the pre-specified and
///         the reported outcomes is an event.
/// @dev Enrolment and every visit ask the consent registry whether the participant allows this registry contract
///      (the grantee) to use the trial's required data categories for `Purposes.trialResearch(trialId, version,
///      salt)`, where `version` is the consent-form version in force and `salt` the participant's trial secret,
///      which the site passes in (it is not stored): without it no one can tell which trial a consent is for.
///      A participant is the patient's trial relationship account, used for this one trial, holding no ETH: her
///      own calls ({withdraw}, {claimStipend}) come through the trusted forwarder (docs/trials.md, docs/privacy.md).
///      Only commitments of off-chain documents, accounts, counts, amounts and times are stored. Roles are read at
///      every call: a sponsor acts on its trials only while it holds SPONSOR, a site only while its investigator
///      holds INVESTIGATOR (both without an execution delay);
///      the one exception is {recoverBudget}, by which a sponsor takes back its own leftover money (docs/roles.md).
///      Stipends of every trial that pays in the same token are held in one pool per token; the pool's
///      {liabilities} are what the registry owes in that token, and when the token leaves the registry holding less
///      (a negative rebase, a fee), every payout from that pool scales by `balance / liabilities`, so that the
///      shortfall is borne pro rata by every claimant and sponsor (docs/trials.md).
interface ITrialRegistry {
    // ---------------------------------------------------------------- types

    /// @notice Lifecycle of a trial: `None` (0) an id never registered; `Registered` (1) registered, not yet
    ///         recruiting; `Recruiting` (2) enrolment open; `EnrolmentClosed` (3) visits and data continue, no new
    ///         participants; `Completed` (4) finished as planned (final); `Suspended` (5) paused by the sponsor or a
    ///         regulator, resumes to the status it left; `Terminated` (6) ended early (final).
    enum TrialStatus {
        None,
        Registered,
        Recruiting,
        EnrolmentClosed,
        Completed,
        Suspended,
        Terminated
    }

    /// @notice Where a participant stands in a trial: `None` (0) never enrolled; `Enrolled` (1) enrolled, takes
    ///         visits; `Withdrawn` (2) withdrew or was withdrawn (final; accrued stipends stay claimable).
    enum ParticipantStatus {
        None,
        Enrolled,
        Withdrawn
    }

    /// @notice Which commitment was missing (zero) in a call, reported by {TrialCommitmentMissing}: `Protocol` (0),
    ///         `ResearchStudy` (1), `Reason` (2, of an amendment), `Results` (3), `Dataset` (4, a Merkle root),
    ///         `Outcome` (5), `EthicsApproval` (6, of {recordEthicsApproval}).
    enum CommitmentKind {
        Protocol,
        ResearchStudy,
        Reason,
        Results,
        Dataset,
        Outcome,
        EthicsApproval
    }

    /// @notice One pre-specified (or reported) outcome.
    /// @dev Layout (in calldata and events only): two words.
    /// @param commitment Salted commitment of the outcome's definition (measure, time frame, analysis), off chain.
    /// @param primary True for a primary outcome, false for a secondary one.
    struct Outcome {
        bytes32 commitment;
        bool primary;
    }

    /// @notice What a sponsor registers.
    /// @dev Calldata only; {Trial} stores its scalar fields in the same order.
    /// @param protocolCommitment Commitment of the protocol document, version 1. Non-zero.
    /// @param researchStudyCommitment Commitment of the FHIR ResearchStudy record (carries the WHO Trial
    ///        Registration Data Set off chain). Non-zero.
    /// @param ethicsApprovalCommitment Commitment of the ethics committee's approval letter (a salted FHIR
    ///        DocumentReference; WHO TRDS item 21), or zero when the approval is not yet given (record it later with
    ///        {recordEthicsApproval}: recruitment needs it). Not stored: a non-zero one sets `Trial.ethicsApproved`
    ///        and is emitted in {EthicsApprovalRecorded}.
    /// @param targetEnrolment Number of participants to enrol; enrolment stops there. Non-zero.
    /// @param consentFormVersion Consent-form version in force at registration. Non-zero.
    /// @param requiredCategories Data categories the protocol needs (bit set of `DataCategories`); non-zero, only
    ///        defined bits.
    /// @param stipendToken ERC-20 token stipends are paid in, or the zero address for a trial without stipends.
    /// @param stipendPerVisit Stipend accrued per completed visit (zero exactly when `stipendToken` is zero).
    /// @param outcomes The pre-specified outcomes: 1 to {MAX_OUTCOMES}, distinct, non-zero, at least one primary.
    struct Registration {
        bytes32 protocolCommitment;
        bytes32 researchStudyCommitment;
        bytes32 ethicsApprovalCommitment;
        uint32 targetEnrolment;
        uint32 consentFormVersion;
        uint32 requiredCategories;
        address stipendToken;
        uint96 stipendPerVisit;
        Outcome[] outcomes;
    }

    /// @notice What a sponsor submits to amend a trial.
    /// @dev Calldata only; {ProtocolVersion} stores its fields in the same order.
    /// @param protocolCommitment Commitment of the new protocol version. Non-zero.
    /// @param reasonCommitment Commitment of the document that gives the reason for the amendment. Non-zero.
    /// @param consentFormVersion New consent-form version (greater than the one in force), or 0 to keep it.
    /// @param outcomes New outcome set, or empty to keep the current one.
    struct Amendment {
        bytes32 protocolCommitment;
        bytes32 reasonCommitment;
        uint32 consentFormVersion;
        Outcome[] outcomes;
    }

    /// @notice A trial as stored.
    /// @dev Eight slots. Slot 0 (32 bytes), everything enrolment, visits and the lifecycle read: status,
    ///      suspendedFrom, suspendedByRegulator, targetEnrolment, consentFormVersion, requiredCategories, enrolled,
    ///      withdrawn, protocolVersion, outcomeChangesAfterEnrolment, ethicsApproved (its last free byte). Slot 1
    ///      (30 bytes): sponsor, registeredAt, resultsPostedAt. Slot 2 (32 bytes): stipendToken, stipendPerVisit.
    ///      Slot 3 (32 bytes): unallocated, outstanding. Slots 4-6: researchStudyCommitment, outcomeSetHash,
    ///      resultsCommitment. Slot 7 (5 bytes): finishedAt, written once when the trial finishes (slot 1 has only 2
    ///      free bytes; a new slot costs the finishing call 22,100 gas and nothing else).
    /// @param status Current lifecycle status.
    /// @param suspendedFrom Status to return to when a suspension is lifted (`None` unless suspended).
    /// @param suspendedByRegulator True while suspended by a REGULATOR: only a REGULATOR lifts it, and the sponsor
    ///        can neither terminate the trial nor recover its budget meanwhile.
    /// @param targetEnrolment Enrolment target.
    /// @param consentFormVersion Consent-form version in force; participants must have consented to this one.
    /// @param requiredCategories Data categories the protocol needs (bit set of `DataCategories`).
    /// @param enrolled Participants ever enrolled (withdrawals do not free a place).
    /// @param withdrawn Participants who withdrew.
    /// @param protocolVersion Current protocol version (1 at registration, +1 per amendment).
    /// @param outcomeChangesAfterEnrolment How many times the outcome set changed after the first enrolment. Never
    ///        decreases.
    /// @param ethicsApproved True once an ethics approval was recorded (at registration or by
    ///        {recordEthicsApproval}); `startRecruitment` needs it. Never cleared.
    /// @param sponsor The sponsor that registered the trial and alone moves it (while it holds SPONSOR).
    /// @param registeredAt Block time of registration; never changes.
    /// @param resultsPostedAt Block time results were posted, or 0.
    /// @param stipendToken Stipend token, or the zero address.
    /// @param stipendPerVisit Stipend per completed visit, in token units as credited (see {liabilities}).
    /// @param unallocated Funded budget not yet accrued to anyone nor recovered, in token units as credited.
    /// @param outstanding Stipends accrued to participants and not yet claimed, in token units as credited.
    /// @param researchStudyCommitment Commitment of the FHIR ResearchStudy record.
    /// @param outcomeSetHash `keccak256(abi.encode(outcomes))` of the current outcome set (see {outcomeSetHash}).
    /// @param resultsCommitment Results commitment, or zero before results are posted.
    /// @param finishedAt Block time the trial completed or was terminated, or 0 while unfinished; results are due
    ///        {RESULTS_DEADLINE} after it (see {resultsDueAt}).
    struct Trial {
        TrialStatus status;
        TrialStatus suspendedFrom;
        bool suspendedByRegulator;
        uint32 targetEnrolment;
        uint32 consentFormVersion;
        uint32 requiredCategories;
        uint32 enrolled;
        uint32 withdrawn;
        uint32 protocolVersion;
        uint32 outcomeChangesAfterEnrolment;
        bool ethicsApproved;
        address sponsor;
        uint40 registeredAt;
        uint40 resultsPostedAt;
        address stipendToken;
        uint96 stipendPerVisit;
        uint128 unallocated;
        uint128 outstanding;
        bytes32 researchStudyCommitment;
        bytes32 outcomeSetHash;
        bytes32 resultsCommitment;
        uint40 finishedAt;
    }

    /// @notice One protocol version. Version 1 holds only the registered protocol commitment.
    /// @dev Three slots: the two commitments, then amendedAt, consentFormVersion and outcomesChanged (10 bytes).
    /// @param protocolCommitment Commitment of this protocol version.
    /// @param reasonCommitment Commitment of the reason for the amendment (zero for version 1).
    /// @param amendedAt Block time of the amendment (zero for version 1: see `Trial.registeredAt`).
    /// @param consentFormVersion Consent-form version this amendment introduced, or 0 if it kept the one in force.
    /// @param outcomesChanged Whether this amendment replaced the outcome set.
    struct ProtocolVersion {
        bytes32 protocolCommitment;
        bytes32 reasonCommitment;
        uint40 amendedAt;
        uint32 consentFormVersion;
        bool outcomesChanged;
    }

    /// @notice One participant of one trial.
    /// @dev Fits in one slot (27 bytes): status, enrolledAt, withdrawnAt, visits, accrued.
    /// @param status Enrolled or withdrawn.
    /// @param enrolledAt Block time of enrolment.
    /// @param withdrawnAt Block time of withdrawal, or 0.
    /// @param visits Completed visits recorded.
    /// @param accrued Stipend accrued and not yet claimed, in token units as credited.
    struct Participant {
        ParticipantStatus status;
        uint40 enrolledAt;
        uint40 withdrawnAt;
        uint32 visits;
        uint96 accrued;
    }

    /// @notice An anchored dataset, keyed by its Merkle root.
    /// @dev Fits in one slot (29 bytes): investigator, anchoredAt, recordCount.
    /// @param investigator The investigator who anchored it.
    /// @param anchoredAt Block time of anchoring.
    /// @param recordCount Number of case-report records under the root.
    struct Dataset {
        address investigator;
        uint40 anchoredAt;
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
        uint40 registeredAt
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

    /// @notice Emitted when a trial's status changes (every lifecycle transition), and when a regulator takes over
    ///         a sponsor's suspension (from suspended to suspended).
    /// @param trialId The trial.
    /// @param actor Who moved it (the sponsor or a regulator).
    /// @param from Status before.
    /// @param to Status after.
    /// @param reasonCommitment Commitment of the reason (suspension, termination), or zero.
    /// @param regulatorHold True when, after the change, the trial is suspended by a REGULATOR (only a regulator can
    ///        lift it).
    event TrialStatusChanged(
        uint256 indexed trialId,
        address indexed actor,
        TrialStatus from,
        TrialStatus to,
        bytes32 reasonCommitment,
        bool regulatorHold
    );

    /// @notice Emitted when the sponsor records the ethics committee's approval: at registration when it gives one,
    ///         and by {recordEthicsApproval} (again for each new approval, e.g. of an amended protocol).
    /// @dev The commitment is in the event only: the registry stores the flag (`Trial.ethicsApproved`), an indexer
    ///      rebuilds the commitments from here.
    /// @param trialId The trial.
    /// @param by The sponsor that recorded it.
    /// @param approvalCommitment Commitment of the approval letter (a salted FHIR DocumentReference).
    event EthicsApprovalRecorded(uint256 indexed trialId, address indexed by, bytes32 approvalCommitment);

    /// @notice Emitted when the sponsor authorises an investigator's site for its trial.
    /// @param trialId The trial.
    /// @param investigator The investigator account (holds INVESTIGATOR).
    event SiteAuthorized(uint256 indexed trialId, address indexed investigator);

    /// @notice Emitted when the sponsor ends a site authorisation.
    /// @param trialId The trial.
    /// @param investigator The investigator account.
    event SiteRevoked(uint256 indexed trialId, address indexed investigator);

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
    /// @param stipend Stipend accrued for the visit (moved from the trial's unallocated budget to the participant).
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

    /// @notice Emitted when the sponsor funds the stipend budget.
    /// @param trialId The trial.
    /// @param funder The sponsor.
    /// @param received Tokens the registry received (after any transfer fee).
    /// @param credited What the trial's unallocated budget and the token's {liabilities} grew by: `received`, or
    ///        more while the token's pool is short, at the pool's rate (`received * liabilities / balance`), so that
    ///        the new money neither pays for the existing shortfall nor bears it.
    event BudgetFunded(uint256 indexed trialId, address indexed funder, uint256 received, uint256 credited);

    /// @notice Emitted when a participant claims accrued stipends.
    /// @param trialId The trial.
    /// @param participant The participant whose accrued stipend is settled.
    /// @param to The account the tokens were sent to, named by the participant (her trial account, or another:
    ///        naming an account she uses elsewhere links the two in public, by her choice).
    /// @param amount The accrued stipend settled (what the participant's accrued balance, the trial's outstanding
    ///        stipends and the token's {liabilities} fell by).
    /// @param paid Tokens sent: `amount`, or `amount * balance / liabilities` while the token's pool is short.
    event StipendClaimed(
        uint256 indexed trialId,
        address indexed participant,
        address indexed to,
        uint256 amount,
        uint256 paid
    );

    /// @notice Emitted when the sponsor recovers the unallocated budget of a finished trial.
    /// @param trialId The trial.
    /// @param sponsor The sponsor paid.
    /// @param amount The unallocated budget settled (what the trial's unallocated budget and the token's
    ///        {liabilities} fell by).
    /// @param paid Tokens sent: `amount`, or `amount * balance / liabilities` while the token's pool is short.
    event BudgetRecovered(uint256 indexed trialId, address indexed sponsor, uint256 amount, uint256 paid);

    /// @notice Emitted when the sponsor posts results.
    /// @param trialId The trial.
    /// @param resultsCommitment Commitment of the results document.
    /// @param reported The outcome commitments the results report.
    event ResultsPosted(uint256 indexed trialId, bytes32 resultsCommitment, bytes32[] reported);

    /// @notice Emitted when results are posted, once for each outcome of the set in force that they do not report.
    /// @param trialId The trial.
    /// @param outcome The outcome commitment.
    /// @param primary Whether it was a primary outcome.
    event PrespecifiedOutcomeNotReported(uint256 indexed trialId, bytes32 indexed outcome, bool primary);

    /// @notice Emitted when results are posted, once for each reported outcome that is not in the set in force.
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
    error TrialCallerNotSponsor(uint256 trialId, address caller);

    /// @notice The lifecycle does not allow moving from `from` to `to`.
    /// @dev Fix: follow registered → recruiting → enrolment closed → completed; suspend/resume and terminate only
    ///      from an unfinished state (see docs/trials.md).
    /// @param trialId The trial.
    /// @param from Current status.
    /// @param to Requested status.
    error TrialTransitionInvalid(uint256 trialId, TrialStatus from, TrialStatus to);

    /// @notice A REGULATOR suspended the trial: until a regulator lifts the hold, the sponsor can neither resume nor
    ///         terminate it, nor recover its budget.
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
    error TrialPrimaryOutcomeMissing(uint256 trialId);

    /// @notice An amendment "replaces" the outcome set with the same set.
    /// @dev Fix: pass an empty outcome list to keep the current set.
    /// @param trialId The trial.
    error TrialOutcomeSetUnchanged(uint256 trialId);

    /// @notice The pre-specified outcome list passed with the results is not the trial's current outcome set.
    /// @dev Fix: pass the outcomes of the last `OutcomeSetDeclared` event, in order (SDK: `currentOutcomes`).
    /// @param trialId The trial.
    /// @param given The hash of the list passed.
    /// @param expected The stored outcome-set hash.
    error TrialOutcomeSetMismatch(uint256 trialId, bytes32 given, bytes32 expected);

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
    /// @param given The version given.
    /// @param current The version in force (0 at registration).
    error TrialConsentFormVersionInvalid(uint256 trialId, uint32 given, uint32 current);

    /// @notice Stipend token and stipend per visit must be both set or both zero.
    /// @dev Fix: give a token and a non-zero stipend, or neither.
    /// @param token The token given.
    /// @param stipendPerVisit The stipend given.
    error TrialStipendMisconfigured(address token, uint96 stipendPerVisit);

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

    /// @notice Enrolment needs a recruiting trial.
    /// @dev Fix: the sponsor calls `startRecruitment` (or `resume` after a suspension).
    /// @param trialId The trial.
    /// @param status Its status.
    error TrialNotRecruiting(uint256 trialId, TrialStatus status);

    /// @notice Visits need a recruiting or enrolment-closed trial (datasets may be anchored in any status).
    /// @dev Fix: wait for recruitment to start or a suspension to be lifted; finished trials take no visits.
    /// @param trialId The trial.
    /// @param status Its status.
    error TrialNotActive(uint256 trialId, TrialStatus status);

    /// @notice Results and budget recovery need a completed or terminated trial.
    /// @dev Fix: complete (or terminate) the trial first.
    /// @param trialId The trial.
    /// @param status Its status.
    error TrialNotFinished(uint256 trialId, TrialStatus status);

    /// @notice A completed or terminated trial cannot be amended or funded, nor record an ethics approval.
    /// @dev Fix: register a new trial.
    /// @param trialId The trial.
    /// @param status Its status.
    error TrialFinished(uint256 trialId, TrialStatus status);

    /// @notice The participant has no consent in force for research in this trial, under the consent-form version
    ///         in force and the salt given, to this registry, covering the required categories (none, for another
    ///         trial, expired, revoked, for an older consent-form version, or a wrong salt).
    /// @dev Fix: check the salt is the participant's trial secret; the participant grants consent in the consent
    ///      registry to this registry contract for `Purposes.trialResearch(trialId, consentFormVersion, salt)` (SDK
    ///      `trialResearchPurpose`, `signResearchConsent`), covering the trial's required categories.
    /// @param trialId The trial.
    /// @param participant The participant.
    /// @param consentFormVersion The consent-form version required.
    error TrialConsentMissing(uint256 trialId, address participant, uint32 consentFormVersion);

    /// @notice A consent salt must be non-zero: a zero salt makes the research purpose the hash of small integers,
    ///         which anyone can brute-force to the trial.
    /// @dev Fix: pass the participant's trial secret (SDK `trialParticipant(identity, registry, trialId).salt`),
    ///      and have her consent under it.
    /// @param trialId The trial.
    /// @param participant The participant.
    error TrialConsentSaltMissing(uint256 trialId, address participant);

    /// @notice The participant is already enrolled in, or withdrew from, the trial.
    /// @dev Fix: nothing to do; a withdrawn participant cannot be re-enrolled.
    /// @param trialId The trial.
    /// @param participant The participant.
    /// @param status The participant's status.
    error TrialParticipantAlreadyEnrolled(uint256 trialId, address participant, ParticipantStatus status);

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
    error TrialStipendNotConfigured(uint256 trialId);

    /// @notice Funding must be non-zero (after any transfer fee).
    /// @dev Fix: approve the registry and fund a positive amount.
    /// @param trialId The trial.
    error TrialFundingZero(uint256 trialId);

    /// @notice The unallocated budget cannot cover this visit's stipend.
    /// @dev Fix: the sponsor funds the budget (`fundBudget`).
    /// @param trialId The trial.
    /// @param stipend The stipend per visit.
    /// @param available The unallocated budget.
    error TrialBudgetExhausted(uint256 trialId, uint256 stipend, uint256 available);

    /// @notice A stipend claim must name where the tokens go.
    /// @dev Fix: pass the recipient account (the participant's own trial account, or any account she chooses).
    /// @param trialId The trial.
    error TrialStipendRecipientMissing(uint256 trialId);

    /// @notice The participant has no accrued stipend.
    /// @dev Fix: nothing to claim until a visit is recorded.
    /// @param trialId The trial.
    /// @param participant The participant.
    error TrialStipendNotAccrued(uint256 trialId, address participant);

    /// @notice No unallocated budget is left to recover.
    /// @dev Fix: nothing to do.
    /// @param trialId The trial.
    error TrialBudgetEmpty(uint256 trialId);

    /// @notice The registry holds none of the token although it owes some: a payout now would pay nothing, and a
    ///         deposit cannot be credited at the pool's rate.
    /// @dev Fix: wait until the registry holds the token again (a later rebase), or make the pool whole by
    ///      transferring up to `liabilities` tokens to the registry; the claim stays owed meanwhile.
    /// @param token The stipend token.
    /// @param liabilities What the registry owes in it (see {liabilities}).
    error TrialStipendPoolEmpty(address token, uint256 liabilities);

    /// @notice Recruitment cannot open before an ethics committee approved the trial (WHO TRDS item 21).
    /// @dev Fix: the sponsor records the approval's commitment with `recordEthicsApproval` (or passes it at
    ///      registration as `ethicsApprovalCommitment`), then starts recruitment.
    /// @param trialId The trial.
    error TrialEthicsApprovalMissing(uint256 trialId);

    /// @notice Results were already posted for this trial.
    /// @dev Fix: results are final; publish corrections off chain referencing the results commitment.
    /// @param trialId The trial.
    error TrialResultsAlreadyPosted(uint256 trialId);

    // ---------------------------------------------------------------- sponsor

    /// @notice Registers a trial (SPONSOR, through the authority). The caller becomes its sponsor; the registration
    ///         time never changes.
    /// @param registration What is registered.
    /// @return trialId The new registry id.
    function register(Registration calldata registration) external returns (uint256 trialId);

    /// @notice Records the ethics committee's approval of the trial (the trial's sponsor, holding SPONSOR), in any
    ///         unfinished status: registered, recruiting, enrolment closed or suspended. Sets `Trial.ethicsApproved`
    ///         (which `startRecruitment` needs) and emits {EthicsApprovalRecorded}; a new approval, e.g. after an
    ///         amendment, emits again.
    /// @param trialId The trial.
    /// @param approvalCommitment Commitment of the approval letter (a salted FHIR DocumentReference). Non-zero.
    function recordEthicsApproval(uint256 trialId, bytes32 approvalCommitment) external;

    /// @notice Opens recruitment (the trial's sponsor, holding SPONSOR): registered → recruiting. Needs a recorded
    ///         ethics approval ({TrialEthicsApprovalMissing}).
    /// @param trialId The trial.
    function startRecruitment(uint256 trialId) external;

    /// @notice Closes enrolment (the trial's sponsor, holding SPONSOR): recruiting → enrolment closed.
    /// @param trialId The trial.
    function closeEnrolment(uint256 trialId) external;

    /// @notice Completes the trial (the trial's sponsor, holding SPONSOR): enrolment closed → completed. Sets
    ///         `Trial.finishedAt`, from which results are due (see {resultsDueAt}).
    /// @param trialId The trial.
    function complete(uint256 trialId) external;

    /// @notice Suspends the trial (the trial's sponsor, holding SPONSOR) from registered, recruiting or enrolment
    ///         closed.
    /// @param trialId The trial.
    /// @param reasonCommitment Commitment of the reason (may be zero).
    function suspend(uint256 trialId, bytes32 reasonCommitment) external;

    /// @notice Lifts the sponsor's own suspension (the trial's sponsor, holding SPONSOR): back to the status it was
    ///         suspended from. Refused under a regulator's hold.
    /// @param trialId The trial.
    function resume(uint256 trialId) external;

    /// @notice Terminates the trial early (the trial's sponsor, holding SPONSOR), from any unfinished status. Final.
    ///         Refused under a regulator's hold. Sets `Trial.finishedAt`: results of a terminated trial are due too
    ///         (see {resultsDueAt}).
    /// @param trialId The trial.
    /// @param reasonCommitment Commitment of the reason (may be zero).
    function terminate(uint256 trialId, bytes32 reasonCommitment) external;

    /// @notice Suspends the trial (REGULATOR, through the authority); only a REGULATOR can lift it. Also takes over
    ///         a sponsor's suspension.
    /// @param trialId The trial.
    /// @param reasonCommitment Commitment of the reason (may be zero).
    function regulatorSuspend(uint256 trialId, bytes32 reasonCommitment) external;

    /// @notice Lifts a suspension (REGULATOR, through the authority).
    /// @param trialId The trial.
    function regulatorResume(uint256 trialId) external;

    /// @notice Authorises an investigator as a site of the trial (the trial's sponsor, holding SPONSOR). The
    ///         investigator must hold INVESTIGATOR now, and a site acts only while it still does.
    /// @param trialId The trial.
    /// @param investigator The investigator account.
    function authorizeSite(uint256 trialId, address investigator) external;

    /// @notice Ends a site authorisation (the trial's sponsor, holding SPONSOR).
    /// @param trialId The trial.
    /// @param investigator The investigator account.
    function revokeSite(uint256 trialId, address investigator) external;

    /// @notice Appends a protocol version (the trial's sponsor, holding SPONSOR), optionally with a new consent-form
    ///         version and outcome set. An outcome-set change after the first enrolment emits
    ///         {OutcomesSwitchedAfterEnrolment}.
    /// @param trialId The trial.
    /// @param amendment The amendment.
    /// @return version The new protocol version.
    function amend(uint256 trialId, Amendment calldata amendment) external returns (uint32 version);

    /// @notice Funds the stipend budget (the trial's sponsor, holding SPONSOR) by pulling `amount` tokens (approve
    ///         first). Credits what arrived, at the pool's rate while the token's pool is short (see {BudgetFunded}).
    /// @param trialId The trial.
    /// @param amount Tokens to pull.
    function fundBudget(uint256 trialId, uint256 amount) external;

    /// @notice Returns the unallocated budget of a completed or terminated trial to its sponsor, also one that no
    ///         longer holds SPONSOR (its own money). Pays `amount * balance / liabilities` while the token's pool is
    ///         short.
    /// @param trialId The trial.
    /// @return paid Tokens sent.
    function recoverBudget(uint256 trialId) external returns (uint256 paid);

    /// @notice Posts results (the trial's sponsor, holding SPONSOR; completed or terminated trial), once. Emits
    ///         {PrespecifiedOutcomeNotReported} and {UnregisteredOutcomeReported} for every gap. Also after
    ///         {resultsDueAt}: lateness is reported ({resultsOverdue}), never refused.
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

    /// @notice Enrols a participant whose consent is in force (an authorised site holding INVESTIGATOR; recruiting
    ///         trial). The consent is looked up under `Purposes.trialResearch(trialId, consentFormVersion, salt)`.
    /// @dev `salt` becomes public with this call's calldata: from now on anyone can link the account's research
    ///      consent to this trial, which the enrolment itself already shows. Sites check consent before sending
    ///      (SDK `enrollParticipant` asks `isAuthorized` with the purpose, not the salt), so that a refused
    ///      enrolment never puts the salt of a patient who is not enrolled on chain.
    /// @param trialId The trial.
    /// @param account The participant's account (her trial relationship account).
    /// @param salt The participant's trial secret, given by her to the site off chain. Non-zero.
    /// @param researchSubjectCommitment Commitment of the FHIR ResearchSubject record (may be zero).
    function enroll(uint256 trialId, address account, bytes32 salt, bytes32 researchSubjectCommitment) external;

    /// @notice Withdraws the caller from the trial. Final. A participant's trial account holds no ETH: she signs
    ///         the call and a relayer submits it through the trusted forwarder (SDK `signWithdraw`).
    /// @param trialId The trial.
    function withdraw(uint256 trialId) external;

    /// @notice Withdraws a participant (an authorised site holding INVESTIGATOR). Final.
    /// @param trialId The trial.
    /// @param account The participant.
    function withdrawParticipant(uint256 trialId, address account) external;

    /// @notice Records a completed visit and accrues the stipend (an authorised site holding INVESTIGATOR). The
    ///         participant's consent must be in force for the current consent-form version, under her salt.
    /// @param trialId The trial.
    /// @param account The participant.
    /// @param salt The participant's trial secret (as at enrolment).
    function recordVisit(uint256 trialId, address account, bytes32 salt) external;

    /// @notice Anchors a dataset commitment (an authorised site holding INVESTIGATOR). Append-only.
    /// @param trialId The trial.
    /// @param merkleRoot Merkle root of the case-report records (SDK: `datasetRoot`).
    /// @param recordCount Records under the root.
    /// @param visitLabel Label of the visit or data cut.
    function anchorData(uint256 trialId, bytes32 merkleRoot, uint32 recordCount, bytes32 visitLabel) external;

    /// @notice Pays the caller's accrued stipend (pull payment) to `to`: `accrued`, or
    ///         `accrued * balance / liabilities` while the token's pool is short. The caller is the participant's
    ///         trial account, which holds no ETH: she signs and a relayer submits through the trusted forwarder
    ///         (SDK `signClaimStipend`).
    /// @dev Privacy: `to` is public. Naming an account she uses elsewhere (her main wallet, another relationship's
    ///      account) links it to this trial account, and so to the trial, for ever: her choice, not the registry's.
    /// @param trialId The trial.
    /// @param to Where the tokens go. Non-zero.
    /// @return paid Tokens sent.
    function claimStipend(uint256 trialId, address to) external returns (uint256 paid);

    // ---------------------------------------------------------------- views

    /// @notice The largest outcome set.
    /// @return The bound (16).
    function MAX_OUTCOMES() external view returns (uint256);

    /// @notice How long after a trial finishes its results are due (WHO TRDS item 23: 12 months).
    /// @return The deadline in seconds (365 days).
    function RESULTS_DEADLINE() external view returns (uint256);

    /// @notice The consent registry asked at enrolment and visits.
    /// @return The verifier.
    function consentVerifier() external view returns (IConsentVerifier);

    /// @notice Number of trials registered (ids run from 1 to this).
    /// @return The count.
    function trialCount() external view returns (uint256);

    /// @notice A trial as stored.
    /// @param trialId The trial.
    /// @return The trial (all zero for an unknown id).
    function trial(uint256 trialId) external view returns (Trial memory);

    /// @notice One protocol version.
    /// @param trialId The trial.
    /// @param version The version (1 = registered).
    /// @return The version (all zero if it does not exist).
    function protocolVersion(uint256 trialId, uint32 version) external view returns (ProtocolVersion memory);

    /// @notice A participant's record.
    /// @param trialId The trial.
    /// @param account The participant.
    /// @return The record (all zero if never enrolled).
    function participant(uint256 trialId, address account) external view returns (Participant memory);

    /// @notice An anchored dataset.
    /// @param trialId The trial.
    /// @param merkleRoot The root.
    /// @return The anchor (all zero if the root was never anchored).
    function dataset(uint256 trialId, bytes32 merkleRoot) external view returns (Dataset memory);

    /// @notice Whether the sponsor authorised an account as a site of the trial. The site acts only while the
    ///         account also holds INVESTIGATOR without an execution delay (ask the authority's `hasRole`).
    /// @param trialId The trial.
    /// @param investigator The account.
    /// @return True when authorised.
    function isSite(uint256 trialId, address investigator) external view returns (bool);

    /// @notice What the registry owes in a stipend token: the unallocated budgets plus the unclaimed stipends of
    ///         every trial that pays in it. Payouts scale by `balance / liabilities` while the registry's balance
    ///         of the token is below this.
    /// @param token The stipend token.
    /// @return The liabilities, in token units as credited.
    function liabilities(address token) external view returns (uint256);

    /// @notice When the trial's results are due: `finishedAt + RESULTS_DEADLINE`.
    /// @param trialId The trial.
    /// @return The block time results are due by, or 0 while the trial is unfinished (or unknown).
    function resultsDueAt(uint256 trialId) external view returns (uint256);

    /// @notice Whether the trial's results are overdue: finished, no results posted, and the current block time past
    ///         {resultsDueAt}. Posting results (late) makes it false again.
    /// @param trialId The trial.
    /// @return True when overdue.
    function resultsOverdue(uint256 trialId) external view returns (bool);

    /// @notice The hash the registry stores for an outcome list.
    /// @param outcomes The outcomes, in order.
    /// @return `keccak256(abi.encode(outcomes))`.
    function outcomeSetHash(Outcome[] calldata outcomes) external pure returns (bytes32);
}
