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

    /// @notice Research in one trial under one consent-form version, salted with the participant's trial secret:
    ///         a consent for it covers that study only, a new consent-form version needs a new consent, and no one
    ///         without the salt can tell which trial the consent is for (trial ids and versions are small integers
    ///         that an unsalted hash would give away to a brute force over them).
    /// @dev The salt is the 32-byte secret of the patient's trial relationship (`identity.derive({kind: "trial",
    ///      ...}).secret`, docs/privacy.md). She gives it to the site at enrolment, off chain; `TrialRegistry.enroll`
    ///      and `recordVisit` take it to recompute this purpose, so once she is enrolled it is in public calldata
    ///      (the enrolment names her trial account and the trial anyway).
    /// @param trialId The trial's registry id.
    /// @param consentFormVersion The consent-form version the participant agreed to.
    /// @param salt The participant's trial secret (never zero in the SDK).
    /// @return purpose The derived purpose, `keccak256(abi.encode(RESEARCH, trialId, consentFormVersion, salt))`.
    function trialResearch(
        uint256 trialId,
        uint32 consentFormVersion,
        bytes32 salt
    ) internal pure returns (bytes32 purpose) {
        return keccak256(abi.encode(RESEARCH, trialId, consentFormVersion, salt));
    }
}
