// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Record commitments
/// @notice Recomputes the salted commitment of an off-chain record exactly as `src/records/commitment.ts` does, so a
///         contract (or an auditor's script) can check that a revealed record opens a commitment stored on chain.
///         Layout (docs/commitments.md):
///         `commitment = keccak256(abi.encode(typeHash, salt, keccak256(canonicalJson)))` with
///         `typeHash = keccak256(bytes.concat("health-ledger.record.v1:", bytes(resourceType)))`.
/// @dev Pure functions. Contracts normally store and compare commitments only: recomputing one on chain puts the
///      record in calldata for everyone to read, so do it only for records meant to be public (a trial protocol, a
///      drug's batch data), never for patient data, which is checked off chain.
library RecordCommitments {
    /// @notice Version tag of the commitment scheme, followed by the `:` that separates it from the resource type.
    bytes internal constant SCHEME_PREFIX = "health-ledger.record.v1:";

    /// @notice The domain separator of a FHIR resource type.
    /// @param resourceType The FHIR resource type, e.g. "Consent".
    /// @return The type hash, `keccak256("health-ledger.record.v1:" ++ resourceType)`.
    function typeHash(string memory resourceType) internal pure returns (bytes32) {
        return keccak256(bytes.concat(SCHEME_PREFIX, bytes(resourceType)));
    }

    /// @notice The commitment from its three hashed parts (when the payload hash is already known).
    /// @param resourceTypeHash The resource type's domain separator (see {typeHash}).
    /// @param salt The record's 32-byte salt.
    /// @param payloadHash keccak256 of the record's RFC 8785 canonical JSON (UTF-8).
    /// @return The commitment, `keccak256(abi.encode(resourceTypeHash, salt, payloadHash))`.
    function commitment(bytes32 resourceTypeHash, bytes32 salt, bytes32 payloadHash) internal pure returns (bytes32) {
        return keccak256(abi.encode(resourceTypeHash, salt, payloadHash));
    }

    /// @notice The commitment of a record from its resource type, salt and canonical bytes.
    /// @param resourceType The FHIR resource type, e.g. "Consent".
    /// @param salt The record's 32-byte salt.
    /// @param canonicalJson The record's RFC 8785 canonical JSON, UTF-8 encoded.
    /// @return The commitment that `commit(resource, salt)` computes in TypeScript.
    function commitment(
        string memory resourceType,
        bytes32 salt,
        bytes memory canonicalJson
    ) internal pure returns (bytes32) {
        return commitment(typeHash(resourceType), salt, keccak256(canonicalJson));
    }
}
