// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IConsentVerifier} from "../interfaces/IConsentVerifier.sol";

/// @title Configurable consent verifier for claims tests
/// @notice Answers `isAuthorized` from a table the test sets: categories allowed per (patient, grantee, purpose).
contract ClaimsMockConsentVerifier is IConsentVerifier {
    mapping(bytes32 key => uint256 categories) private _allowed;

    /// @notice Allows `grantee` to use `categories` of `patient` for `purpose` (replaces any earlier setting).
    function setAllowed(address patient, address grantee, bytes32 purpose, uint256 categories) external {
        _allowed[keccak256(abi.encode(patient, grantee, purpose))] = categories;
    }

    /// @inheritdoc IConsentVerifier
    function isAuthorized(
        address patient,
        address grantee,
        bytes32 purpose,
        uint256 requiredCategories
    ) external view returns (bool) {
        uint256 allowed = _allowed[keccak256(abi.encode(patient, grantee, purpose))];
        return requiredCategories != 0 && allowed & requiredCategories == requiredCategories;
    }
}
