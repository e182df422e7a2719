// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Claim reason codes
/// @notice Why a claim or claim line is pended or denied. Codes below `INSURER_MIN` are set by the adjudication
///         rules; codes from `INSURER_MIN` up are given by the insurer when it denies (suggested meanings below; an
///         insurer may publish more). Mirrored in `src/claims/reasons.ts`; documented in docs/claims.md.
library ClaimReasons {
    /// @notice No reason: approved.
    uint8 internal constant NONE = 0;
    /// @notice Denied: the service date is outside the policy's coverage period.
    uint8 internal constant OUTSIDE_COVERAGE_PERIOD = 1;
    /// @notice Denied (claim or line): the service category is not covered by the policy.
    uint8 internal constant SERVICE_NOT_COVERED = 2;
    /// @notice Pended: the benefit is above the review threshold (a cited authorisation exempts its own lines up to
    ///         its amount).
    uint8 internal constant PENDED_FOR_REVIEW = 3;
    /// @notice Pended: the insurer's free escrow does not cover the benefit.
    uint8 internal constant PENDED_ESCROW_SHORT = 4;
    /// @notice Pended: other pended claims' reservations on the annual limit would cut the benefit; it stays
    ///         approvable up to what approved claims left of the limit, and is decided like any pended claim.
    uint8 internal constant PENDED_LIMIT_RESERVED = 5;

    /// @notice The lowest code an insurer may give.
    uint8 internal constant INSURER_MIN = 16;
    /// @notice Suggested insurer code: not medically necessary.
    uint8 internal constant NOT_MEDICALLY_NECESSARY = 16;
    /// @notice Suggested insurer code: documentation insufficient.
    uint8 internal constant INSUFFICIENT_DOCUMENTATION = 17;
    /// @notice Suggested insurer code: the provider is not eligible (e.g. out of network).
    uint8 internal constant PROVIDER_NOT_ELIGIBLE = 18;
    /// @notice Suggested insurer code: suspected duplicate or fraudulent billing.
    uint8 internal constant SUSPECTED_FRAUD = 19;
}
