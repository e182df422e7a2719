// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {HealthLedgerManaged} from "../common/HealthLedgerManaged.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {IConsentRegistry} from "../interfaces/IConsentRegistry.sol";
import {IConsentVerifier} from "../interfaces/IConsentVerifier.sol";
import {DataCategories} from "./DataCategories.sol";

/// @title ConsentRegistry
/// @notice Patient-controlled, purpose-bound, expiring consent with gasless signatures (see {IConsentRegistry}).
/// @dev Storage layout (each consent and each delegation fits into a single slot):
///
///      `_consents[consentId]`, `consentId = keccak256(abi.encode(patient, grantee, purpose))`:
///        bits   0..31   categories  (uint32; defined categories use bits 0..15, room to grow to 32)
///        bits  32..71   startsAt    (uint40 unix seconds)
///        bits  72..111  expiresAt   (uint40 unix seconds; NO_EXPIRY = type(uint40).max)
///        bits 112..143  version     (uint32; 0 = never granted)
///        bits 144..151  revoked     (bool)
///        bits 152..255  unused
///      `_delegations[patient][delegate]`: bits 0..7 kind (enum), bits 8..47 expiresAt (uint40), bits 48..79
///        epoch (uint32; kept when the delegation is removed, so that an epoch is never reused).
///      `_emergencyAccesses[patient]`: one uint256 counter. Nonces: OpenZeppelin {Nonces}, one slot per signer.
///
///      The FHIR Consent document commitment is emitted in {ConsentGranted}, not stored: a second fresh slot per
///      consent costs 22,100 gas and measured a new grant at 72,978 gas instead of 50,846, over its 55,000 budget,
///      while no contract needs it on chain (the check is about categories, purpose and time). Indexers and
///      `src/consent/history.ts` read it from the latest {ConsentGranted} of a consent.
///
///      Delegates: a delegate's signed request carries the epoch of the delegation it was signed under and is
///      refused under any other. Without it, a request the delegate signed and nobody relayed came back to life
///      when the patient re-appointed a delegate she had removed (its nonce was still the next one). An epoch
///      counter, not the appointment time, because a removal and a re-appointment in the same second would share
///      a time.
contract ConsentRegistry is IConsentRegistry, HealthLedgerManaged, EIP712, Nonces {
    // ----------------------------------------------------------------------------------------------- constants

    /// @inheritdoc IConsentRegistry
    /// @dev A grant in a batch costs about 30,000 gas, so a full batch stays near 3 million gas: far below the
    ///      osaka per-transaction gas cap of 2^24 = 16,777,216 (EIP-7825) and any block gas limit.
    uint256 public constant MAX_BATCH_SIZE = 100;

    /// @inheritdoc IConsentRegistry
    uint40 public constant NO_EXPIRY = type(uint40).max;

    /// @dev EIP-712 type of {GrantRequest}.
    bytes32 private constant _GRANT_TYPEHASH = keccak256(
        "Grant(address signer,address patient,address grantee,bytes32 purpose,uint256 categories,"
        "uint40 startsAt,uint40 expiresAt,bytes32 documentCommitment,uint32 delegationEpoch,uint256 nonce,"
        "uint40 deadline)"
    );

    /// @dev EIP-712 type of {RevokeRequest}.
    bytes32 private constant _REVOKE_TYPEHASH = keccak256(
        "Revoke(address signer,address patient,address grantee,bytes32 purpose,uint32 delegationEpoch,"
        "uint256 nonce,uint40 deadline)"
    );

    /// @dev EIP-712 type of {DelegateRequest}.
    bytes32 private constant _DELEGATE_TYPEHASH = keccak256(
        "AppointDelegate(address patient,address delegate,uint8 kind,uint40 expiresAt,uint256 nonce,"
        "uint40 deadline)"
    );

    // ------------------------------------------------------------------------------------------------- storage

    mapping(bytes32 consentId => Consent consent) private _consents;
    mapping(address patient => mapping(address delegate => Delegation delegation)) private _delegations;
    mapping(address patient => uint256 count) private _emergencyAccesses;

    // --------------------------------------------------------------------------------------------- constructor

    /// @notice Deploys the registry under the shared permission authority.
    /// @param initialAuthority The `HealthLedgerAuthority` that decides who may call `breakGlass` (PROVIDER).
    /// @param trustedForwarder The `HealthLedgerForwarder` that relays patients\' signed calls.
    constructor(
        address initialAuthority,
        address trustedForwarder
    ) HealthLedgerManaged(initialAuthority, trustedForwarder) EIP712("Health Ledger Consent", "1") {}

    // ------------------------------------------------------------------------------------------ consent changes

    /// @inheritdoc IConsentRegistry
    function grant(
        address patient,
        address grantee,
        bytes32 purpose,
        uint256 categories,
        uint40 startsAt,
        uint40 expiresAt,
        bytes32 documentCommitment
    ) external returns (uint32 version) {
        _authorize(patient, _msgSender());
        return _grant(patient, grantee, purpose, categories, startsAt, expiresAt, documentCommitment, _msgSender());
    }

    /// @inheritdoc IConsentRegistry
    function revoke(address patient, address grantee, bytes32 purpose) external returns (uint32 version) {
        _authorize(patient, _msgSender());
        version = _revoke(patient, grantee, purpose);
        emit ConsentRevoked(patient, grantee, _msgSender(), purpose, version);
    }

    /// @inheritdoc IConsentRegistry
    function renounce(address patient, bytes32 purpose) external returns (uint32 version) {
        version = _revoke(patient, _msgSender(), purpose);
        emit ConsentRenounced(patient, _msgSender(), purpose, version);
    }

    /// @inheritdoc IConsentRegistry
    function batch(address patient, GrantTerms[] calldata grants, RevokeTerms[] calldata revocations) external {
        uint256 size = grants.length + revocations.length;
        if (size == 0 || size > MAX_BATCH_SIZE) revert ConsentBatchSizeInvalid(size, MAX_BATCH_SIZE);
        _authorize(patient, _msgSender());
        for (uint256 i = 0; i < grants.length; ++i) {
            GrantTerms calldata g = grants[i];
            _grant(
                patient,
                g.grantee,
                g.purpose,
                g.categories,
                g.startsAt,
                g.expiresAt,
                g.documentCommitment,
                _msgSender()
            );
        }
        for (uint256 i = 0; i < revocations.length; ++i) {
            RevokeTerms calldata r = revocations[i];
            uint32 version = _revoke(patient, r.grantee, r.purpose);
            emit ConsentRevoked(patient, r.grantee, _msgSender(), r.purpose, version);
        }
    }

    /// @inheritdoc IConsentRegistry
    function grantBySig(GrantRequest calldata request, bytes calldata signature) external returns (uint32 version) {
        _authorizeSigner(request.patient, request.signer, request.delegationEpoch);
        _useSignature(request.signer, _hashRequest(request), request.nonce, request.deadline, signature);
        return
            _grant(
                request.patient,
                request.grantee,
                request.purpose,
                request.categories,
                request.startsAt,
                request.expiresAt,
                request.documentCommitment,
                request.signer
            );
    }

    /// @inheritdoc IConsentRegistry
    function revokeBySig(RevokeRequest calldata request, bytes calldata signature) external returns (uint32 version) {
        _authorizeSigner(request.patient, request.signer, request.delegationEpoch);
        _useSignature(request.signer, _hashRequest(request), request.nonce, request.deadline, signature);
        version = _revoke(request.patient, request.grantee, request.purpose);
        emit ConsentRevoked(request.patient, request.grantee, request.signer, request.purpose, version);
    }

    /// @inheritdoc IConsentRegistry
    function cancelNonce() external returns (uint256 nonce) {
        nonce = _useNonce(_msgSender());
        emit NonceUsed(_msgSender(), nonce);
    }

    // ------------------------------------------------------------------------------------------------ delegates

    /// @inheritdoc IConsentRegistry
    function appointDelegate(address delegate, DelegateKind kind, uint40 expiresAt) external returns (uint32 epoch) {
        return _appoint(_msgSender(), delegate, kind, expiresAt);
    }

    /// @inheritdoc IConsentRegistry
    function appointDelegateBySig(
        DelegateRequest calldata request,
        bytes calldata signature
    ) external returns (uint32 epoch) {
        if (request.patient == address(0)) revert ConsentPatientZero();
        _useSignature(request.patient, _hashRequest(request), request.nonce, request.deadline, signature);
        return _appoint(request.patient, request.delegate, request.kind, request.expiresAt);
    }

    /// @inheritdoc IConsentRegistry
    function removeDelegate(address patient, address delegate) external {
        if (_msgSender() != patient && _msgSender() != delegate) revert ConsentActorUnauthorized(patient, _msgSender());
        Delegation storage d = _delegations[patient][delegate];
        if (d.kind == DelegateKind.None) revert ConsentDelegateUnknown(patient, delegate);
        // The epoch stays, so that the next appointment gets a new one (see the layout comment).
        d.kind = DelegateKind.None;
        d.expiresAt = 0;
        emit DelegateRemoved(patient, delegate, _msgSender());
    }

    // ---------------------------------------------------------------------------------------- emergency access

    /// @inheritdoc IConsentRegistry
    function breakGlass(address patient, bytes32 reasonCommitment) external restricted returns (uint256 count) {
        if (patient == address(0)) revert ConsentPatientZero();
        if (reasonCommitment == bytes32(0)) revert ConsentCommitmentMissing();
        count = ++_emergencyAccesses[patient];
        emit EmergencyAccessRecorded(patient, _msgSender(), count, reasonCommitment);
    }

    // ---------------------------------------------------------------------------------------------------- views

    /// @inheritdoc IConsentVerifier
    function isAuthorized(
        address patient,
        address grantee,
        bytes32 purpose,
        uint256 requiredCategories
    ) external view returns (bool authorized) {
        if (requiredCategories == 0) return false;
        Consent memory c = _consents[_consentId(patient, grantee, purpose)];
        return
            !c.revoked &&
            c.startsAt <= block.timestamp &&
            block.timestamp < c.expiresAt &&
            requiredCategories & ~uint256(c.categories) == 0;
    }

    /// @inheritdoc IConsentRegistry
    function consent(
        address patient,
        address grantee,
        bytes32 purpose
    ) external view returns (Consent memory consent_) {
        return _consents[_consentId(patient, grantee, purpose)];
    }

    /// @inheritdoc IConsentRegistry
    function delegation(address patient, address delegate) external view returns (Delegation memory delegation_) {
        return _delegations[patient][delegate];
    }

    /// @inheritdoc IConsentRegistry
    function canActFor(address patient, address account) external view returns (bool) {
        if (patient == address(0)) return false;
        return account == patient || block.timestamp < _delegations[patient][account].expiresAt;
    }

    /// @inheritdoc IConsentRegistry
    function emergencyAccessCount(address patient) external view returns (uint256 count) {
        return _emergencyAccesses[patient];
    }

    /// @inheritdoc IConsentRegistry
    function nonces(address owner) public view override(IConsentRegistry, Nonces) returns (uint256) {
        return super.nonces(owner);
    }

    // ------------------------------------------------------------------------------------------------ internals

    /// @dev Reverts unless `actor` is `patient` or her unexpired delegate; returns the delegation's epoch (0 for
    ///      the patient).
    function _authorize(address patient, address actor) private view returns (uint32 epoch) {
        if (patient == address(0)) revert ConsentPatientZero();
        if (actor == patient) return 0;
        Delegation memory d = _delegations[patient][actor];
        if (d.kind == DelegateKind.None) revert ConsentActorUnauthorized(patient, actor);
        if (d.expiresAt <= block.timestamp) revert ConsentDelegateExpired(patient, actor, d.expiresAt);
        return d.epoch;
    }

    /// @dev {_authorize} for the signer of a request, which must also carry the signer's current delegation epoch
    ///      (0 when the patient signs): a delegate's request is valid only under the delegation it was signed under.
    function _authorizeSigner(address patient, address signer, uint32 delegationEpoch) private view {
        uint32 expected = _authorize(patient, signer);
        if (delegationEpoch != expected) {
            revert ConsentDelegationEpochMismatch(patient, signer, delegationEpoch, expected);
        }
    }

    /// @dev Validates the terms, writes the consent's slot and emits {ConsentGranted}. `actor` (the patient or her
    ///      delegate, already authorized) may not be the grantee: a patient's consent to herself means nothing, and
    ///      a delegate's consent to itself would outlive the delegation it was given under.
    function _grant(
        address patient,
        address grantee,
        bytes32 purpose,
        uint256 categories,
        uint40 startsAt,
        uint40 expiresAt,
        bytes32 documentCommitment,
        address actor
    ) private returns (uint32 version) {
        if (grantee == address(0)) revert ConsentGranteeZero();
        if (grantee == patient) revert ConsentGranteeIsPatient(patient);
        if (grantee == actor) revert ConsentGranteeIsDelegate(patient, actor);
        if (categories == 0) revert ConsentCategoriesEmpty();
        if (categories & ~DataCategories.ALL != 0) revert ConsentCategoriesUnknown(categories & ~DataCategories.ALL);
        if (expiresAt <= block.timestamp) revert ConsentExpiryInPast(expiresAt, uint40(block.timestamp));
        if (startsAt >= expiresAt) revert ConsentStartAfterExpiry(startsAt, expiresAt);
        Consent storage c = _consents[_consentId(patient, grantee, purpose)];
        version = c.version + 1;
        c.categories = uint32(categories);
        c.startsAt = startsAt;
        c.expiresAt = expiresAt;
        c.version = version;
        c.revoked = false;
        emit ConsentGranted(
            patient,
            grantee,
            actor,
            purpose,
            categories,
            startsAt,
            expiresAt,
            version,
            documentCommitment
        );
    }

    /// @dev Marks an existing, unrevoked consent revoked and bumps its version (the caller emits the event).
    function _revoke(address patient, address grantee, bytes32 purpose) private returns (uint32 version) {
        Consent storage c = _consents[_consentId(patient, grantee, purpose)];
        version = c.version;
        if (version == 0) revert ConsentUnknown(patient, grantee, purpose);
        if (c.revoked) revert ConsentAlreadyRevoked(patient, grantee, purpose);
        version += 1;
        c.version = version;
        c.revoked = true;
    }

    /// @dev Validates and stores a delegation under the next epoch, emitting {DelegateAppointed}; `patient` has
    ///      already been checked.
    function _appoint(
        address patient,
        address delegate,
        DelegateKind kind,
        uint40 expiresAt
    ) private returns (uint32 epoch) {
        if (delegate == address(0)) revert ConsentDelegateZero();
        if (delegate == patient) revert ConsentDelegateIsPatient(patient);
        if (kind == DelegateKind.None) revert ConsentDelegateKindInvalid();
        if (expiresAt <= block.timestamp) revert ConsentExpiryInPast(expiresAt, uint40(block.timestamp));
        Delegation storage d = _delegations[patient][delegate];
        epoch = d.epoch + 1;
        d.kind = kind;
        d.expiresAt = expiresAt;
        d.epoch = epoch;
        emit DelegateAppointed(patient, delegate, patient, kind, expiresAt, epoch);
    }

    /// @dev Checks a signed request's deadline, consumes the signer's nonce and verifies the signature over the
    ///      EIP-712 digest of `structHash` (this chain, this contract). An EOA's 65-byte signature is recovered
    ///      first (OpenZeppelin ECDSA refuses zero, malformed and high-s signatures); only if that fails and the
    ///      signer has code is it asked through ERC-1271 ({SignatureChecker}). Recovering first spares EOAs the
    ///      2,600-gas cold EXTCODESIZE that {SignatureChecker-isValidSignatureNow} would spend on every call.
    function _useSignature(
        address signer,
        bytes32 structHash,
        uint256 nonce,
        uint40 deadline,
        bytes calldata signature
    ) private {
        if (block.timestamp > deadline) revert ConsentSignatureExpired(signer, deadline, uint40(block.timestamp));
        uint256 expected = _useNonce(signer);
        if (nonce != expected) revert ConsentNonceInvalid(signer, nonce, expected);
        emit NonceUsed(signer, nonce);
        bytes32 digest = _hashTypedDataV4(structHash);
        if (signature.length == 65) {
            (address recovered, ECDSA.RecoverError err, ) = ECDSA.tryRecover(
                digest,
                uint8(signature[64]),
                bytes32(signature[0:32]),
                bytes32(signature[32:64])
            );
            if (err == ECDSA.RecoverError.NoError && recovered == signer) return;
        }
        if (signer.code.length == 0 || !SignatureChecker.isValidERC1271SignatureNow(signer, digest, signature)) {
            revert ConsentSignatureInvalid(signer);
        }
    }

    /// @dev The EIP-712 struct hash of a {GrantRequest} (see {_hashWords}).
    function _hashRequest(GrantRequest calldata request) private pure returns (bytes32) {
        uint256 offset;
        assembly ("memory-safe") {
            offset := request
        }
        return _hashWords(_GRANT_TYPEHASH, offset, 11);
    }

    /// @dev The EIP-712 struct hash of a {RevokeRequest} (see {_hashWords}).
    function _hashRequest(RevokeRequest calldata request) private pure returns (bytes32) {
        uint256 offset;
        assembly ("memory-safe") {
            offset := request
        }
        return _hashWords(_REVOKE_TYPEHASH, offset, 7);
    }

    /// @dev The EIP-712 struct hash of a {DelegateRequest} (see {_hashWords}).
    function _hashRequest(DelegateRequest calldata request) private pure returns (bytes32) {
        uint256 offset;
        assembly ("memory-safe") {
            offset := request
        }
        return _hashWords(_DELEGATE_TYPEHASH, offset, 6);
    }

    /// @dev `keccak256(typeHash ‖ the request's `words` ABI words at calldata `offset`)`: the same value as
    ///      `keccak256(abi.encode(typeHash, request))`, since every field of a request is a value type whose ABI
    ///      word is its EIP-712 encoding, but copied in one `calldatacopy` instead of field by field (measured: 928
    ///      gas less per `grantBySig`, which pays for the `delegationEpoch` field). A word with dirty high bits
    ///      hashes to a digest no one signs, and the ABI decoder refuses it anyway when the function reads it.
    function _hashWords(bytes32 typeHash, uint256 offset, uint256 words) private pure returns (bytes32 structHash) {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, typeHash)
            calldatacopy(add(ptr, 0x20), offset, mul(words, 0x20))
            structHash := keccak256(ptr, mul(add(words, 1), 0x20))
        }
    }

    /// @dev `keccak256(abi.encode(patient, grantee, purpose))`, computed in scratch memory.
    function _consentId(address patient, address grantee, bytes32 purpose) private pure returns (bytes32 id) {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, patient)
            mstore(add(ptr, 0x20), grantee)
            mstore(add(ptr, 0x40), purpose)
            id := keccak256(ptr, 0x60)
        }
    }
}
