// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IConsentVerifier} from "../interfaces/IConsentVerifier.sol";

/// @title ConsentCheckProbe
/// @notice Test-only: measures the gas of one `isAuthorized` call from another contract, as trials and claims
///         will call it. The registry account and its consent slot are cold at the first call of a transaction.
contract ConsentCheckProbe {
    /// @notice Emitted with the measured gas and the answer.
    /// @param gasUsed Gas spent by the call alone (gasleft() before minus after).
    /// @param authorized The check's answer.
    event CheckMeasured(uint256 gasUsed, bool authorized);

    /// @notice Calls `isAuthorized` once and emits the gas it took.
    /// @param verifier The consent registry.
    /// @param patient The data subject.
    /// @param grantee The grantee.
    /// @param purpose The purpose.
    /// @param requiredCategories The categories required.
    /// @return gasUsed The gas spent by the call.
    /// @return authorized The answer.
    function measure(
        IConsentVerifier verifier,
        address patient,
        address grantee,
        bytes32 purpose,
        uint256 requiredCategories
    ) external returns (uint256 gasUsed, bool authorized) {
        uint256 before = gasleft();
        authorized = verifier.isAuthorized(patient, grantee, purpose, requiredCategories);
        gasUsed = before - gasleft();
        emit CheckMeasured(gasUsed, authorized);
    }
}
