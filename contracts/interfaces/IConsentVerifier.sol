// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Consent verifier
/// @notice The one question other Health Ledger contracts ask the consent registry.
interface IConsentVerifier {
    /// @notice Whether `patient` currently allows `grantee` to use the data categories `requiredCategories` for
    ///         `purpose`: true only for an existing, started, unexpired, unrevoked consent covering every
    ///         required category. Expiry is part of validity; callers need not check it. It never reverts: an
    ///         empty `requiredCategories` is answered `false` (a check that asks for nothing authorizes nothing).
    /// @param patient The data subject.
    /// @param grantee The account that wants to use the data.
    /// @param purpose The purpose of use (see `Purposes.sol`).
    /// @param requiredCategories Bit set of data categories needed (see `DataCategories.sol`); `false` when zero.
    /// @return authorized True when such a consent is in force now.
    function isAuthorized(
        address patient,
        address grantee,
        bytes32 purpose,
        uint256 requiredCategories
    ) external view returns (bool authorized);
}
