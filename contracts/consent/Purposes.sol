// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Purposes of use
/// @notice The one definition of the well-known purposes a consent can be bound to, and of derived purposes such
///         as "research in trial N". Mirrored in `src/consent/purposes.ts` (a test checks they match).
/// @dev Each well-known purpose is the keccak256 of a fixed ASCII tag, so that anyone can recompute it.
library Purposes {
    /// @notice Diagnosis and care of the patient (HL7 PurposeOfUse TREAT).
    bytes32 internal constant TREATMENT = keccak256("health-ledger.purpose.treatment");
    /// @notice Payment and insurance claims (HL7 PurposeOfUse HPAYMT).
    bytes32 internal constant PAYMENT = keccak256("health-ledger.purpose.payment");
    /// @notice Research in general (HL7 PurposeOfUse HRESCH); prefer {trialResearch} for one study.
    bytes32 internal constant RESEARCH = keccak256("health-ledger.purpose.research");
    /// @notice Public-health reporting (HL7 PurposeOfUse PUBHLTH).
    bytes32 internal constant PUBLIC_HEALTH = keccak256("health-ledger.purpose.public-health");
    /// @notice Emergency care (HL7 PurposeOfUse ETREAT).
    bytes32 internal constant EMERGENCY = keccak256("health-ledger.purpose.emergency");

    /// @notice Research in one trial under one consent-form version: a consent for it covers that study only,
    ///         and a new consent-form version needs a new consent.
    /// @param trialId The trial's registry id.
    /// @param consentFormVersion The consent-form version the participant agreed to.
    /// @return The derived purpose, `keccak256(abi.encode(RESEARCH, trialId, consentFormVersion))`.
    function trialResearch(uint256 trialId, uint32 consentFormVersion) internal pure returns (bytes32) {
        return keccak256(abi.encode(RESEARCH, trialId, consentFormVersion));
    }
}
