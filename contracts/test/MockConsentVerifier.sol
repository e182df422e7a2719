// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IConsentVerifier} from "../interfaces/IConsentVerifier.sol";

/// @title MockConsentVerifier
/// @notice Test-only consent verifier: a test sets which categories a patient granted a grantee for a purpose.
contract MockConsentVerifier is IConsentVerifier {
    mapping(bytes32 key => uint256 categories) private _granted;

    /// @notice Sets the categories `patient` grants `grantee` for `purpose` (0 = no consent).
    function setConsent(address patient, address grantee, bytes32 purpose, uint256 categories) external {
        _granted[keccak256(abi.encode(patient, grantee, purpose))] = categories;
    }

    /// @inheritdoc IConsentVerifier
    function isAuthorized(
        address patient,
        address grantee,
        bytes32 purpose,
        uint256 requiredCategories
    ) external view returns (bool authorized) {
        uint256 granted = _granted[keccak256(abi.encode(patient, grantee, purpose))];
        return requiredCategories != 0 && granted & requiredCategories == requiredCategories;
    }
}
