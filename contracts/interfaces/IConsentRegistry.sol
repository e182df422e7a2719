// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC5267} from "@openzeppelin/contracts/interfaces/IERC5267.sol";
import {IConsentVerifier} from "./IConsentVerifier.sol";

/// @title Consent registry
/// @notice Patient-controlled, purpose-bound, expiring consent. A consent is keyed by (patient, grantee, purpose)
///         and covers a set of data categories (`DataCategories.sol`) between `startsAt` and `expiresAt`. Only the
///         patient, or a delegate she appointed (guardian, legal representative), may grant, change or revoke it,
///         directly or by an EIP-712 signature that anyone may relay; a grantee may renounce what it was given.
///         A delegate acts for the patient, never for itself: it may not make itself a grantee, and what it signs
///         is bound to the appointment it signed under. A PROVIDER may break the glass: record emergency access
///         without consent, visibly and forever.
/// @dev Every state change emits an event carrying enough fields to rebuild the whole state from logs. The
///      off-chain FHIR Consent document's commitment is carried by {ConsentGranted} only, not stored: storing it
///      would cost a second fresh slot (22,100 gas) per grant, beyond the 55,000 gas budget (see docs/consent.md).
interface IConsentRegistry is IConsentVerifier, IERC5267 {
    // ------------------------------------------------------------------------------------------------- structs

    /// @notice Who a delegate is to the patient. `None` marks an account that is not (or no longer) a delegate.
    enum DelegateKind {
        None,
        Guardian,
        LegalRepresentative
    }

    /// @notice A consent as stored.
    /// @dev Fits in one slot: bits 0..31 categories, 32..71 startsAt, 72..111 expiresAt, 112..143 version,
    ///      144..151 revoked, 152..255 unused. Its fields keep the order of their input twin {GrantTerms}.
    /// @param categories Bit set of data categories covered (`DataCategories.sol`); zero only if never granted.
    /// @param startsAt First second (unix time) at which the consent is in force.
    /// @param expiresAt First second at which the consent is no longer in force (`NO_EXPIRY` for never).
    /// @param version Increases at every grant, change, revocation and renunciation; zero if never granted.
    /// @param revoked True once revoked by the patient or a delegate, or renounced by the grantee, until granted
    ///        again.
    struct Consent {
        uint32 categories;
        uint40 startsAt;
        uint40 expiresAt;
        uint32 version;
        bool revoked;
    }

    /// @notice A delegation as stored: an account the patient allowed to act on her consents.
    /// @dev Fits in one slot: bits 0..7 kind, 8..47 expiresAt, 48..79 epoch, 80..255 unused. Removal clears
    ///      `kind` and `expiresAt` and keeps `epoch`, so that no later appointment reuses an epoch. Its fields keep
    ///      the order of their input twin {DelegateRequest}.
    /// @param kind What the delegate is to the patient; `None` when not (or no longer) a delegate.
    /// @param expiresAt First second at which the delegation is no longer valid; zero once removed.
    /// @param epoch How many times the patient appointed this account (1 for the first appointment): the number of
    ///        the current (or last) delegation, which the delegate's signed requests must carry.
    struct Delegation {
        DelegateKind kind;
        uint40 expiresAt;
        uint32 epoch;
    }

    /// @notice The terms of one grant in a batch, for the batch's patient.
    /// @dev Calldata only (six ABI words); stored as a {Consent}, whose fields keep this order.
    /// @param grantee Account allowed to use the data; neither the patient nor the acting delegate.
    /// @param purpose Purpose of use (`Purposes.sol`).
    /// @param categories Bit set of data categories covered; non-zero, only defined bits.
    /// @param startsAt First second the consent is in force (a past time means now).
    /// @param expiresAt First second it is no longer in force; in the future, after `startsAt`.
    /// @param documentCommitment Salted commitment of the FHIR Consent document (`src/records`), emitted in
    ///        {ConsentGranted}.
    struct GrantTerms {
        address grantee;
        bytes32 purpose;
        uint256 categories;
        uint40 startsAt;
        uint40 expiresAt;
        bytes32 documentCommitment;
    }

    /// @notice One revocation in a batch, for the batch's patient.
    /// @dev Calldata only (two ABI words).
    /// @param grantee The consent's grantee.
    /// @param purpose The consent's purpose.
    struct RevokeTerms {
        address grantee;
        bytes32 purpose;
    }

    /// @notice A grant signed off-chain (EIP-712 type `Grant`) by the patient or her delegate, relayed by anyone.
    /// @dev Calldata only (eleven ABI words, hashed as they come: the EIP-712 struct hash is
    ///      `keccak256(abi.encode(GRANT_TYPEHASH, request))`).
    /// @param signer The signing account: the patient or one of her delegates (an EOA or an ERC-1271 wallet).
    /// @param patient The data subject.
    /// @param grantee Account allowed to use the data; neither the patient nor the signer.
    /// @param purpose Purpose of use.
    /// @param categories Bit set of data categories covered.
    /// @param startsAt First second the consent is in force.
    /// @param expiresAt First second it is no longer in force.
    /// @param documentCommitment Salted commitment of the FHIR Consent document.
    /// @param delegationEpoch The signer's delegation it signed under, `delegation(patient, signer).epoch`; 0 when
    ///        the patient signs. A request signed under a delegation that has since ended does not work under a
    ///        later one.
    /// @param nonce The signer's next nonce ({nonces}); a signature works once.
    /// @param deadline Last second (unix time) at which the signature may be submitted.
    struct GrantRequest {
        address signer;
        address patient;
        address grantee;
        bytes32 purpose;
        uint256 categories;
        uint40 startsAt;
        uint40 expiresAt;
        bytes32 documentCommitment;
        uint32 delegationEpoch;
        uint256 nonce;
        uint40 deadline;
    }

    /// @notice A revocation signed off-chain (EIP-712 type `Revoke`) by the patient or her delegate.
    /// @dev Calldata only (seven ABI words, hashed as they come).
    /// @param signer The signing account: the patient or one of her delegates.
    /// @param patient The data subject.
    /// @param grantee The consent's grantee.
    /// @param purpose The consent's purpose.
    /// @param delegationEpoch The signer's delegation it signed under; 0 when the patient signs.
    /// @param nonce The signer's next nonce.
    /// @param deadline Last second at which the signature may be submitted.
    struct RevokeRequest {
        address signer;
        address patient;
        address grantee;
        bytes32 purpose;
        uint32 delegationEpoch;
        uint256 nonce;
        uint40 deadline;
    }

    /// @notice A delegate appointment signed off-chain (EIP-712 type `AppointDelegate`) by the patient.
    /// @dev Calldata only (six ABI words, hashed as they come); stored as a {Delegation}, whose fields keep this
    ///      order.
    /// @param patient The patient appointing (and signing).
    /// @param delegate The account appointed.
    /// @param kind What the delegate is to the patient (not `None`).
    /// @param expiresAt First second at which the delegation is no longer valid.
    /// @param nonce The patient's next nonce.
    /// @param deadline Last second at which the signature may be submitted.
    struct DelegateRequest {
        address patient;
        address delegate;
        DelegateKind kind;
        uint40 expiresAt;
        uint256 nonce;
        uint40 deadline;
    }

    // -------------------------------------------------------------------------------------------------- events

    /// @notice Emitted when a consent is granted, or its terms change (a new version replaces the previous one).
    /// @param patient The data subject.
    /// @param grantee The account allowed to use the data.
    /// @param actor The account that acted: the patient or her delegate (the signer, for a relayed grant).
    /// @param purpose The purpose of use.
    /// @param categories The bit set of data categories covered.
    /// @param startsAt First second the consent is in force.
    /// @param expiresAt First second it is no longer in force.
    /// @param version The consent's new version.
    /// @param documentCommitment Salted commitment of the FHIR Consent document (only recorded here).
    event ConsentGranted(
        address indexed patient,
        address indexed grantee,
        address indexed actor,
        bytes32 purpose,
        uint256 categories,
        uint40 startsAt,
        uint40 expiresAt,
        uint32 version,
        bytes32 documentCommitment
    );

    /// @notice Emitted when the patient or her delegate revokes a consent; it is no longer in force.
    /// @param patient The data subject.
    /// @param grantee The consent's grantee.
    /// @param actor The account that acted: the patient or her delegate (the signer, for a relayed revocation).
    /// @param purpose The consent's purpose.
    /// @param version The consent's new version.
    event ConsentRevoked(
        address indexed patient,
        address indexed grantee,
        address indexed actor,
        bytes32 purpose,
        uint32 version
    );

    /// @notice Emitted when a grantee renounces a consent given to it; it is no longer in force.
    /// @param patient The data subject.
    /// @param grantee The grantee, which is also the account that acted.
    /// @param purpose The consent's purpose.
    /// @param version The consent's new version.
    event ConsentRenounced(address indexed patient, address indexed grantee, bytes32 purpose, uint32 version);

    /// @notice Emitted when the patient appoints a delegate, or re-appoints one with new terms (a new delegation,
    ///         with the next epoch: requests the delegate signed under an earlier one no longer work).
    /// @param patient The patient.
    /// @param delegate The account appointed.
    /// @param actor The account that acted (always the patient: only she appoints).
    /// @param kind What the delegate is to the patient.
    /// @param expiresAt First second at which the delegation is no longer valid.
    /// @param epoch The delegation's epoch, which the delegate's signed requests must carry.
    event DelegateAppointed(
        address indexed patient,
        address indexed delegate,
        address indexed actor,
        DelegateKind kind,
        uint40 expiresAt,
        uint32 epoch
    );

    /// @notice Emitted when a delegation ends: revoked by the patient, or resigned by the delegate.
    /// @param patient The patient.
    /// @param delegate The former delegate.
    /// @param actor The account that acted: the patient (revocation) or the delegate (resignation).
    event DelegateRemoved(address indexed patient, address indexed delegate, address indexed actor);

    /// @notice Emitted when a provider records emergency access to a patient's records without consent ("break
    ///         the glass").
    /// @param patient The patient whose records were accessed.
    /// @param provider The PROVIDER account that accessed them.
    /// @param count The patient's emergency-access count after this one (1 for the first).
    /// @param reasonCommitment Salted commitment of the off-chain reason (e.g. a FHIR AuditEvent).
    event EmergencyAccessRecorded(
        address indexed patient,
        address indexed provider,
        uint256 indexed count,
        bytes32 reasonCommitment
    );

    /// @notice Emitted when a signer's nonce is used up: by a relayed request it signed (before that request's own
    ///         event, in the same transaction), or cancelled with `cancelNonce` (then alone). Lets an indexer
    ///         rebuild every account's nonce from logs.
    /// @param account The signer, which is also the account that acted.
    /// @param nonce The nonce used; the account's next nonce is `nonce + 1`.
    event NonceUsed(address indexed account, uint256 nonce);

    // -------------------------------------------------------------------------------------------------- errors

    /// @notice The patient address is zero.
    /// @dev Fix: Pass the patient's account address.
    error ConsentPatientZero();

    /// @notice The grantee address is zero.
    /// @dev Fix: Pass the account of the party being given access.
    error ConsentGranteeZero();

    /// @notice The delegate address is zero.
    /// @dev Fix: Pass the account of the guardian or legal representative.
    error ConsentDelegateZero();

    /// @notice A patient tried to grant consent to herself, which means nothing.
    /// @param patient The patient, also given as grantee.
    /// @dev Fix: Grant to another account; a patient always has access to her own data.
    error ConsentGranteeIsPatient(address patient);

    /// @notice A delegate tried to grant a consent (or change one) whose grantee is itself. A delegate acts for the
    ///         patient, never for itself: a consent it gave itself could outlive its delegation.
    /// @param patient The patient.
    /// @param delegate The delegate, also given as grantee.
    /// @dev Fix: Ask the patient to grant it from her own account (or her own signature).
    error ConsentGranteeIsDelegate(address patient, address delegate);

    /// @notice A patient tried to appoint herself as her own delegate.
    /// @param patient The patient, also given as delegate.
    /// @dev Fix: Appoint another account (a guardian or legal representative).
    error ConsentDelegateIsPatient(address patient);

    /// @notice A grant's category set is empty: a consent must cover at least one category.
    /// @dev Fix: Set at least one bit from `DataCategories.sol` (`src/consent/categories.ts`).
    error ConsentCategoriesEmpty();

    /// @notice The category set has bits that are not defined in `DataCategories.sol`.
    /// @param unknownBits The undefined bits that were set.
    /// @dev Fix: Build the set with `categorySet(...)` from `src/consent/categories.ts`.
    error ConsentCategoriesUnknown(uint256 unknownBits);

    /// @notice An expiry (of a consent or a delegation) is not in the future.
    /// @param expiresAt The expiry given.
    /// @param currentTime The current block time.
    /// @dev Fix: Choose an expiry after the current time (or `NO_EXPIRY`).
    error ConsentExpiryInPast(uint40 expiresAt, uint40 currentTime);

    /// @notice A consent would start at or after it expires, so it would never be in force.
    /// @param startsAt The start given.
    /// @param expiresAt The expiry given.
    /// @dev Fix: Choose a start before the expiry.
    error ConsentStartAfterExpiry(uint40 startsAt, uint40 expiresAt);

    /// @notice The account acting for the patient is neither the patient nor one of her delegates.
    /// @param patient The patient.
    /// @param actor The account that tried to act.
    /// @dev Fix: Act from the patient's account, or have the patient appoint this account with `appointDelegate`.
    error ConsentActorUnauthorized(address patient, address actor);

    /// @notice The account acting for the patient was her delegate, but the delegation has expired.
    /// @param patient The patient.
    /// @param delegate The delegate.
    /// @param expiredAt When the delegation expired.
    /// @dev Fix: Ask the patient to appoint the delegate again with a later expiry.
    error ConsentDelegateExpired(address patient, address delegate, uint40 expiredAt);

    /// @notice The account is not a delegate of the patient, so there is nothing to remove.
    /// @param patient The patient.
    /// @param delegate The account that is not her delegate.
    /// @dev Fix: Check `delegation(patient, delegate)` first.
    error ConsentDelegateUnknown(address patient, address delegate);

    /// @notice A delegate kind of `None` was given for an appointment.
    /// @dev Fix: Appoint as `Guardian` (1) or `LegalRepresentative` (2); use `removeDelegate` to end a delegation.
    error ConsentDelegateKindInvalid();

    /// @notice A signed request names another delegation than the signer's current one: a delegate signed it
    ///         under an appointment that has since ended or been replaced (removed, expired, re-appointed), or the
    ///         patient signed it with a non-zero epoch.
    /// @param patient The patient.
    /// @param signer The account that signed.
    /// @param delegationEpoch The epoch the request carries.
    /// @param expected The signer's current epoch, `delegation(patient, signer).epoch` (0 for the patient).
    /// @dev Fix: Sign the request again under the current delegation (`signGrant` / `signRevoke` read the epoch).
    error ConsentDelegationEpochMismatch(address patient, address signer, uint32 delegationEpoch, uint32 expected);

    /// @notice No consent was ever granted for this (patient, grantee, purpose).
    /// @param patient The patient.
    /// @param grantee The grantee.
    /// @param purpose The purpose.
    /// @dev Fix: Check the key with `consent(patient, grantee, purpose)`; there is nothing to revoke.
    error ConsentUnknown(address patient, address grantee, bytes32 purpose);

    /// @notice The consent is already revoked or renounced.
    /// @param patient The patient.
    /// @param grantee The grantee.
    /// @param purpose The purpose.
    /// @dev Fix: Nothing to do; grant again to restore it.
    error ConsentAlreadyRevoked(address patient, address grantee, bytes32 purpose);

    /// @notice A signed request was submitted after its deadline.
    /// @param signer The account that signed.
    /// @param deadline The deadline signed.
    /// @param currentTime The current block time.
    /// @dev Fix: Ask the signer for a new signature with a later deadline.
    error ConsentSignatureExpired(address signer, uint40 deadline, uint40 currentTime);

    /// @notice A signed request's nonce is not the signer's next nonce (replayed, or out of order).
    /// @param signer The signer.
    /// @param nonce The nonce signed.
    /// @param expected The signer's next nonce.
    /// @dev Fix: Sign again with `nonces(signer)`; a signature works only once.
    error ConsentNonceInvalid(address signer, uint256 nonce, uint256 expected);

    /// @notice The signature is not the signer's over this request on this chain and contract: wrong signer,
    ///         tampered field, other domain, malformed, zero, high-s, or refused by the signer's ERC-1271 wallet.
    /// @param signer The account the request claims signed it.
    /// @dev Fix: Sign the exact typed data built by `src/consent/signing.ts` for this registry and chain.
    error ConsentSignatureInvalid(address signer);

    /// @notice A batch holds no change, or more than the maximum.
    /// @param size The number of grants plus revocations given.
    /// @param max The maximum, `MAX_BATCH_SIZE`.
    /// @dev Fix: Send between 1 and `MAX_BATCH_SIZE` changes per transaction.
    error ConsentBatchSizeInvalid(uint256 size, uint256 max);

    /// @notice An emergency access was recorded without a reason commitment.
    /// @dev Fix: Commit the reason (e.g. a FHIR AuditEvent) with `commit` from `src/records` and pass it.
    error ConsentCommitmentMissing();

    // ---------------------------------------------------------------------------------------------- functions

    /// @notice Grants a consent, or replaces its terms, for `patient`; the caller is the patient or her delegate,
    ///         and a delegate may not name itself as grantee.
    /// @param patient The data subject.
    /// @param grantee The account allowed to use the data.
    /// @param purpose Purpose of use (`Purposes.sol`).
    /// @param categories Bit set of data categories covered; non-zero, only defined bits.
    /// @param startsAt First second the consent is in force (a past time means now).
    /// @param expiresAt First second it is no longer in force; in the future, after `startsAt`.
    /// @param documentCommitment Salted commitment of the FHIR Consent document, emitted (not stored).
    /// @return version The consent's new version.
    function grant(
        address patient,
        address grantee,
        bytes32 purpose,
        uint256 categories,
        uint40 startsAt,
        uint40 expiresAt,
        bytes32 documentCommitment
    ) external returns (uint32 version);

    /// @notice Revokes a consent of `patient`; the caller is the patient or her delegate.
    /// @param patient The data subject.
    /// @param grantee The consent's grantee.
    /// @param purpose The consent's purpose.
    /// @return version The consent's new version.
    function revoke(address patient, address grantee, bytes32 purpose) external returns (uint32 version);

    /// @notice Gives up a consent granted to the caller.
    /// @param patient The data subject.
    /// @param purpose The consent's purpose.
    /// @return version The consent's new version.
    function renounce(address patient, bytes32 purpose) external returns (uint32 version);

    /// @notice Grants and revokes several consents of one patient in one transaction; the caller is the patient
    ///         or her delegate. Grants are applied first, in order, then revocations.
    /// @param patient The data subject.
    /// @param grants The consents to grant or change.
    /// @param revocations The consents to revoke.
    function batch(address patient, GrantTerms[] calldata grants, RevokeTerms[] calldata revocations) external;

    /// @notice Grants a consent signed by the patient or her delegate; anyone may submit it.
    /// @param request The signed grant.
    /// @param signature The signer's 65-byte ECDSA signature, or its ERC-1271 wallet's signature.
    /// @return version The consent's new version.
    function grantBySig(GrantRequest calldata request, bytes calldata signature) external returns (uint32 version);

    /// @notice Revokes a consent by a signature of the patient or her delegate; anyone may submit it.
    /// @param request The signed revocation.
    /// @param signature The signer's signature.
    /// @return version The consent's new version.
    function revokeBySig(RevokeRequest calldata request, bytes calldata signature) external returns (uint32 version);

    /// @notice Appoints (or re-appoints with new terms) a delegate of the caller, who is the patient. Every
    ///         appointment is a new delegation with the next epoch.
    /// @param delegate The guardian or legal representative.
    /// @param kind What the delegate is to the patient (not `None`).
    /// @param expiresAt First second at which the delegation is no longer valid; in the future.
    /// @return epoch The new delegation's epoch.
    function appointDelegate(address delegate, DelegateKind kind, uint40 expiresAt) external returns (uint32 epoch);

    /// @notice Appoints a delegate by the patient's signature; anyone may submit it.
    /// @param request The signed appointment.
    /// @param signature The patient's signature.
    /// @return epoch The new delegation's epoch.
    function appointDelegateBySig(
        DelegateRequest calldata request,
        bytes calldata signature
    ) external returns (uint32 epoch);

    /// @notice Ends a delegation: called by the patient (revocation) or by the delegate (resignation).
    /// @param patient The patient.
    /// @param delegate The delegate.
    function removeDelegate(address patient, address delegate) external;

    /// @notice Cancels the caller's next nonce: a signed request carrying it (say, a grant the patient changed her
    ///         mind about before the relayer submitted it) can no longer be submitted. Call it again for the next.
    /// @return nonce The nonce cancelled.
    function cancelNonce() external returns (uint256 nonce);

    /// @notice Records emergency access to `patient`'s records without consent. PROVIDER only.
    /// @param patient The patient whose records were accessed.
    /// @param reasonCommitment Salted commitment of the off-chain reason; non-zero.
    /// @return count The patient's emergency-access count after this one.
    function breakGlass(address patient, bytes32 reasonCommitment) external returns (uint256 count);

    /// @notice One consent, as stored (all zero if never granted).
    /// @param patient The data subject.
    /// @param grantee The grantee.
    /// @param purpose The purpose.
    /// @return consent_ The stored consent.
    function consent(address patient, address grantee, bytes32 purpose) external view returns (Consent memory consent_);

    /// @notice One delegation, as stored (kind `None` if not a delegate; check `expiresAt` for validity).
    /// @param patient The patient.
    /// @param delegate The account.
    /// @return delegation_ The stored delegation.
    function delegation(address patient, address delegate) external view returns (Delegation memory delegation_);

    /// @notice Whether `account` may act for `patient` now (it is the patient, or an unexpired delegate).
    /// @param patient The patient.
    /// @param account The account.
    /// @return True when `account` may grant, change and revoke `patient`'s consents now.
    function canActFor(address patient, address account) external view returns (bool);

    /// @notice How many emergency accesses were recorded for a patient.
    /// @param patient The patient.
    /// @return count The number of {EmergencyAccessRecorded} events for her.
    function emergencyAccessCount(address patient) external view returns (uint256 count);

    /// @notice The next nonce an account must sign (grant, revoke or appointment).
    /// @param owner The signer.
    /// @return The nonce its next signed request must carry.
    function nonces(address owner) external view returns (uint256);

    /// @notice Most grants plus revocations one {batch} may carry.
    /// @return The maximum.
    function MAX_BATCH_SIZE() external view returns (uint256); // solhint-disable-line func-name-mixedcase

    /// @notice The expiry meaning "never expires" (`type(uint40).max`).
    /// @return The value.
    function NO_EXPIRY() external view returns (uint40); // solhint-disable-line func-name-mixedcase
}
