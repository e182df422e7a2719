// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {RecordCommitments} from "../records/RecordCommitments.sol";

/// @title Record commitments harness
/// @notice Test-only: exposes the internal functions of {RecordCommitments} so tests compare them with TypeScript.
contract RecordCommitmentsHarness {
    /// @notice See {RecordCommitments.typeHash}.
    /// @param resourceType The FHIR resource type.
    /// @return The type hash.
    function typeHash(string calldata resourceType) external pure returns (bytes32) {
        return RecordCommitments.typeHash(resourceType);
    }

    /// @notice See {RecordCommitments.commitment} (from hashes).
    /// @param resourceTypeHash The resource type's domain separator.
    /// @param salt The record's salt.
    /// @param payloadHash keccak256 of the canonical JSON.
    /// @return The commitment.
    function commitmentOfHashes(
        bytes32 resourceTypeHash,
        bytes32 salt,
        bytes32 payloadHash
    ) external pure returns (bytes32) {
        return RecordCommitments.commitment(resourceTypeHash, salt, payloadHash);
    }

    /// @notice See {RecordCommitments.commitment} (from the record).
    /// @param resourceType The FHIR resource type.
    /// @param salt The record's salt.
    /// @param canonicalJson The canonical JSON, UTF-8 encoded.
    /// @return The commitment.
    function commitmentOf(
        string calldata resourceType,
        bytes32 salt,
        bytes calldata canonicalJson
    ) external pure returns (bytes32) {
        return RecordCommitments.commitment(resourceType, salt, canonicalJson);
    }
}
