// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {DataCategories} from "../consent/DataCategories.sol";
import {Purposes} from "../consent/Purposes.sol";

/// @title ConsentConstantsHarness
/// @notice Test-only: exposes `Purposes.sol` and `DataCategories.sol` so that a test can compare them with the
///         TypeScript mirrors in `src/consent/`.
contract ConsentConstantsHarness {
    /// @notice The well-known purposes, in the order TREATMENT, PAYMENT, RESEARCH, PUBLIC_HEALTH, EMERGENCY.
    /// @return purposes The five purpose ids.
    function purposes() external pure returns (bytes32[5] memory) {
        return [Purposes.TREATMENT, Purposes.PAYMENT, Purposes.RESEARCH, Purposes.PUBLIC_HEALTH, Purposes.EMERGENCY];
    }

    /// @notice `Purposes.trialResearch`.
    /// @param trialId The trial id.
    /// @param consentFormVersion The consent-form version.
    /// @param salt The participant's trial secret.
    /// @return The derived purpose.
    function trialResearch(uint256 trialId, uint32 consentFormVersion, bytes32 salt) external pure returns (bytes32) {
        return Purposes.trialResearch(trialId, consentFormVersion, salt);
    }

    /// @notice Every category bit, in bit order, and `ALL`.
    /// @return bits The sixteen category constants.
    /// @return all `DataCategories.ALL`.
    function categories() external pure returns (uint256[16] memory bits, uint256 all) {
        bits = [
            DataCategories.DEMOGRAPHICS,
            DataCategories.CONDITIONS,
            DataCategories.MEDICATIONS,
            DataCategories.ALLERGIES,
            DataCategories.LAB_RESULTS,
            DataCategories.IMAGING,
            DataCategories.GENOMICS,
            DataCategories.MENTAL_HEALTH,
            DataCategories.SUBSTANCE_USE,
            DataCategories.SEXUAL_REPRODUCTIVE_HEALTH,
            DataCategories.IMMUNIZATIONS,
            DataCategories.PROCEDURES,
            DataCategories.VITAL_SIGNS,
            DataCategories.CLINICAL_NOTES,
            DataCategories.BILLING,
            DataCategories.DEVICES
        ];
        all = DataCategories.ALL;
    }
}
