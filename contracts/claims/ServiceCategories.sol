// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {DataCategories} from "../consent/DataCategories.sol";

/// @title Service categories of claim lines
/// @notice The plain codes a claim line or prior authorisation names its service by, and the data categories
///         (`DataCategories.sol`) that billing a service reveals. On chain every code is **blinded**: each policy
///         has its own secret permutation of these sixteen codes (derived by the SDK from the policy's key), and
///         covered sets, lines, authorisations and the member's payment consent use the permuted codes only.
///         Mirrored in `src/claims/categories.ts` (a test checks they match); documented in docs/claims.md.
/// @dev The contract reads none of this library: it needs no plain code. The table stays the one source of which
///      data categories a service reveals, which the SDK uses to turn a member's plain data-category choice for a
///      payment consent into the set of services she lets a provider bill (`paymentConsentServices`). It packs each
///      code's data-category set into 16 bits of one word; every claim also reveals `DataCategories.BILLING`.
library ServiceCategories {
    /// @notice Office visit or consultation.
    uint8 internal constant CONSULTATION = 0;
    /// @notice Emergency department care.
    uint8 internal constant EMERGENCY = 1;
    /// @notice Inpatient stay.
    uint8 internal constant INPATIENT = 2;
    /// @notice Surgery.
    uint8 internal constant SURGERY = 3;
    /// @notice Laboratory tests.
    uint8 internal constant LABORATORY = 4;
    /// @notice Imaging (radiology).
    uint8 internal constant IMAGING = 5;
    /// @notice Dispensed medicines.
    uint8 internal constant PHARMACY = 6;
    /// @notice Mental-health care.
    uint8 internal constant MENTAL_HEALTH = 7;
    /// @notice Substance-use treatment.
    uint8 internal constant SUBSTANCE_USE = 8;
    /// @notice Maternity and reproductive care.
    uint8 internal constant MATERNITY = 9;
    /// @notice Preventive care and immunisations.
    uint8 internal constant PREVENTIVE = 10;
    /// @notice Genetic testing.
    uint8 internal constant GENETIC_TESTING = 11;
    /// @notice Medical devices and equipment.
    uint8 internal constant MEDICAL_DEVICES = 12;
    /// @notice Rehabilitation and therapy.
    uint8 internal constant REHABILITATION = 13;
    /// @notice Dental care.
    uint8 internal constant DENTAL = 14;
    /// @notice Vision care.
    uint8 internal constant VISION = 15;

    /// @notice Number of codes (0..COUNT-1).
    uint256 internal constant COUNT = 16;

    /// @notice Every defined code's bit; a covered-category set with any other bit is invalid.
    uint256 internal constant ALL = (1 << COUNT) - 1;

    /// @notice The data categories each code reveals, 16 bits per code: bits `16c..16c+15` for code `c`.
    uint256 internal constant DATA_CATEGORY_TABLE =
        (DataCategories.CONDITIONS << (16 * CONSULTATION)) |
            ((DataCategories.CONDITIONS | DataCategories.PROCEDURES | DataCategories.VITAL_SIGNS) << (16 * EMERGENCY)) |
            ((DataCategories.CONDITIONS | DataCategories.PROCEDURES | DataCategories.MEDICATIONS) << (16 * INPATIENT)) |
            ((DataCategories.CONDITIONS | DataCategories.PROCEDURES) << (16 * SURGERY)) |
            (DataCategories.LAB_RESULTS << (16 * LABORATORY)) |
            (DataCategories.IMAGING << (16 * IMAGING)) |
            (DataCategories.MEDICATIONS << (16 * PHARMACY)) |
            (DataCategories.MENTAL_HEALTH << (16 * MENTAL_HEALTH)) |
            (DataCategories.SUBSTANCE_USE << (16 * SUBSTANCE_USE)) |
            ((DataCategories.SEXUAL_REPRODUCTIVE_HEALTH | DataCategories.PROCEDURES) << (16 * MATERNITY)) |
            ((DataCategories.IMMUNIZATIONS | DataCategories.VITAL_SIGNS) << (16 * PREVENTIVE)) |
            (DataCategories.GENOMICS << (16 * GENETIC_TESTING)) |
            (DataCategories.DEVICES << (16 * MEDICAL_DEVICES)) |
            (DataCategories.PROCEDURES << (16 * REHABILITATION)) |
            (DataCategories.PROCEDURES << (16 * DENTAL)) |
            (DataCategories.PROCEDURES << (16 * VISION));
}
