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
///      `_delegations[patient][delegate]`: bits 0..7 kind (enum), bits 8..47 expiresAt (uint40).
///      `_emergencyAccesses[patient]`: one uint256 counter. Nonces: OpenZeppelin {Nonces}, one slot per signer.
///
///      The FHIR Consent document commitment is emitted in {ConsentGranted}, not stored: a second fresh slot per
///      consent costs 22,100 gas and measured a new grant at 72,978 gas instead of 50,846, over its 55,000 budget,
///      while no contract needs it on chain (the check is about categories, purpose and time). Indexers and
///      `src/consent/history.ts` read it from the latest {ConsentGranted} of a consent.
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
        "uint40 startsAt,uint40 expiresAt,bytes32 documentCommitment,uint256 nonce,uint256 deadline)"
    );

    /// @dev EIP-712 type of {RevokeRequest}.
    bytes32 private constant _REVOKE_TYPEHASH = keccak256(
        "Revoke(address signer,address patient,address grantee,bytes32 purpose,uint256 nonce,uint256 deadline)"
    );

    /// @dev EIP-712 type of {DelegateRequest}.
    bytes32 private constant _DELEGATE_TYPEHASH = keccak256(
        "AppointDelegate(address patient,address delegate,uint8 kind,uint40 expiresAt,uint256 nonce,"
        "uint256 deadline)"
    );

    // ------------------------------------------------------------------------------------------------- storage

    mapping(bytes32 consentId => Consent consent) private _consents;
    mapping(address patient => mapping(address delegate => Delegation delegation)) private _delegations;
    mapping(address patient => uint256 count) private _emergencyAccesses;

    // --------------------------------------------------------------------------------------------- constructor

    /// @notice Deploys the registry under the shared permission authority.
    /// @param initialAuthority The `HealthLedgerAuthority` that decides who may call `breakGlass` (PROVIDER).
    constructor(address initialAuthority) HealthLedgerManaged(initialAuthority) EIP712("Health Ledger Consent", "1") {}

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
        _authorize(patient, msg.sender);
        return _grant(patient, grantee, purpose, categories, startsAt, expiresAt, documentCommitment, msg.sender);
    }

    /// @inheritdoc IConsentRegistry
    function revoke(address patient, address grantee, bytes32 purpose) external returns (uint32 version) {
        _authorize(patient, msg.sender);
        version = _revoke(patient, grantee, purpose);
        emit ConsentRevoked(patient, grantee, msg.sender, purpose, version);
    }

    /// @inheritdoc IConsentRegistry
    function renounce(address patient, bytes32 purpose) external returns (uint32 version) {
        version = _revoke(patient, msg.sender, purpose);
        emit ConsentRenounced(patient, msg.sender, purpose, version);
    }

    /// @inheritdoc IConsentRegistry
    function batch(address patient, GrantTerms[] calldata grants, RevokeTerms[] calldata revocations) external {
        uint256 size = grants.length + revocations.length;
        if (size == 0 || size > MAX_BATCH_SIZE) revert ConsentBatchSize(size, MAX_BATCH_SIZE);
        _authorize(patient, msg.sender);
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
                msg.sender
            );
        }
        for (uint256 i = 0; i < revocations.length; ++i) {
            RevokeTerms calldata r = revocations[i];
            uint32 version = _revoke(patient, r.grantee, r.purpose);
            emit ConsentRevoked(patient, r.grantee, msg.sender, r.purpose, version);
        }
    }

    /// @inheritdoc IConsentRegistry
    function grantBySig(GrantRequest calldata request, bytes calldata signature) external returns (uint32 version) {
        _authorize(request.patient, request.signer);
        _useSignature(
            request.signer,
            keccak256(abi.encode(_GRANT_TYPEHASH, request)),
            request.nonce,
            request.deadline,
            signature
        );
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
        _authorize(request.patient, request.signer);
        _useSignature(
            request.signer,
            keccak256(abi.encode(_REVOKE_TYPEHASH, request)),
            request.nonce,
            request.deadline,
            signature
        );
        version = _revoke(request.patient, request.grantee, request.purpose);
        emit ConsentRevoked(request.patient, request.grantee, request.signer, request.purpose, version);
    }

    /// @inheritdoc IConsentRegistry
    function cancelNonce() external returns (uint256 nonce) {
        nonce = _useNonce(msg.sender);
        emit NonceUsed(msg.sender, nonce);
    }

    // ------------------------------------------------------------------------------------------------ delegates

    /// @inheritdoc IConsentRegistry
    function appointDelegate(address delegate, DelegateKind kind, uint40 expiresAt) external {
        _appoint(msg.sender, delegate, kind, expiresAt);
    }

    /// @inheritdoc IConsentRegistry
    function appointDelegateBySig(DelegateRequest calldata request, bytes calldata signature) external {
        if (request.patient == address(0)) revert ConsentZeroPatient();
        _useSignature(
            request.patient,
            keccak256(abi.encode(_DELEGATE_TYPEHASH, request)),
            request.nonce,
            request.deadline,
            signature
        );
        _appoint(request.patient, request.delegate, request.kind, request.expiresAt);
    }

    /// @inheritdoc IConsentRegistry
    function removeDelegate(address patient, address delegate) external {
        if (msg.sender != patient && msg.sender != delegate) revert ConsentUnauthorizedActor(patient, msg.sender);
        if (_delegations[patient][delegate].kind == DelegateKind.None) revert ConsentDelegateUnknown(patient, delegate);
        delete _delegations[patient][delegate];
        emit DelegateRemoved(patient, delegate, msg.sender);
    }

    // ---------------------------------------------------------------------------------------- emergency access

    /// @inheritdoc IConsentRegistry
    function breakGlass(address patient, bytes32 reasonCommitment) external restricted returns (uint256 count) {
        if (patient == address(0)) revert ConsentZeroPatient();
        if (reasonCommitment == bytes32(0)) revert ConsentEmptyReason();
        count = ++_emergencyAccesses[patient];
        emit EmergencyAccessRecorded(patient, msg.sender, count, reasonCommitment);
    }

    // ---------------------------------------------------------------------------------------------------- views

    /// @inheritdoc IConsentVerifier
    function isAuthorized(
        address patient,
        address grantee,
        bytes32 purpose,
        uint256 requiredCategories
    ) external view returns (bool authorized) {
        if (requiredCategories == 0) revert ConsentEmptyCategories();
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

    /// @dev Reverts unless `actor` is `patient` or her unexpired delegate.
    function _authorize(address patient, address actor) private view {
        if (patient == address(0)) revert ConsentZeroPatient();
        if (actor == patient) return;
        Delegation memory d = _delegations[patient][actor];
        if (d.kind == DelegateKind.None) revert ConsentUnauthorizedActor(patient, actor);
        if (d.expiresAt <= block.timestamp) revert ConsentDelegateExpired(patient, actor, d.expiresAt);
    }

    /// @dev Validates the terms, writes the consent's slot and emits {ConsentGranted}.
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
        if (grantee == address(0)) revert ConsentZeroGrantee();
        if (grantee == patient) revert ConsentSelfGrant(patient);
        if (categories == 0) revert ConsentEmptyCategories();
        if (categories & ~DataCategories.ALL != 0) revert ConsentUnknownCategories(categories & ~DataCategories.ALL);
        if (expiresAt <= block.timestamp) revert ConsentExpiryInPast(expiresAt, block.timestamp);
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
        if (version == 0) revert ConsentNotFound(patient, grantee, purpose);
        if (c.revoked) revert ConsentAlreadyRevoked(patient, grantee, purpose);
        version += 1;
        c.version = version;
        c.revoked = true;
    }

    /// @dev Validates and stores a delegation, emitting {DelegateAppointed}; `patient` has already been checked.
    function _appoint(address patient, address delegate, DelegateKind kind, uint40 expiresAt) private {
        if (delegate == address(0)) revert ConsentZeroDelegate();
        if (delegate == patient) revert ConsentSelfDelegation(patient);
        if (kind == DelegateKind.None) revert ConsentInvalidDelegateKind();
        if (expiresAt <= block.timestamp) revert ConsentExpiryInPast(expiresAt, block.timestamp);
        _delegations[patient][delegate] = Delegation(kind, expiresAt);
        emit DelegateAppointed(patient, delegate, patient, kind, expiresAt);
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
        uint256 deadline,
        bytes calldata signature
    ) private {
        if (block.timestamp > deadline) revert ConsentSignatureExpired(deadline, block.timestamp);
        uint256 expected = _useNonce(signer);
        if (nonce != expected) revert ConsentInvalidNonce(signer, nonce, expected);
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
            revert ConsentInvalidSignature(signer);
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
