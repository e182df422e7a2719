// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Data categories
/// @notice Bits of the category set a consent covers. A consent covers a request when every requested bit is set.
///         Mirrored in `src/consent/categories.ts` (a test checks they match); documented in docs/consent.md.
library DataCategories {
    uint256 internal constant DEMOGRAPHICS = 1 << 0;
    uint256 internal constant CONDITIONS = 1 << 1;
    uint256 internal constant MEDICATIONS = 1 << 2;
    uint256 internal constant ALLERGIES = 1 << 3;
    uint256 internal constant LAB_RESULTS = 1 << 4;
    uint256 internal constant IMAGING = 1 << 5;
    uint256 internal constant GENOMICS = 1 << 6;
    uint256 internal constant MENTAL_HEALTH = 1 << 7;
    uint256 internal constant SUBSTANCE_USE = 1 << 8;
    uint256 internal constant SEXUAL_REPRODUCTIVE_HEALTH = 1 << 9;
    uint256 internal constant IMMUNIZATIONS = 1 << 10;
    uint256 internal constant PROCEDURES = 1 << 11;
    uint256 internal constant VITAL_SIGNS = 1 << 12;
    uint256 internal constant CLINICAL_NOTES = 1 << 13;
    uint256 internal constant BILLING = 1 << 14;
    uint256 internal constant DEVICES = 1 << 15;

    /// @notice Every defined category; a set with any other bit is invalid.
    uint256 internal constant ALL = (1 << 16) - 1;
}
