// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Claims limits and windows
/// @notice The limits and time windows of `ClaimsManager` that are not adjudication maths (those are in
///         `Adjudication.sol`). `ClaimsManager` exposes each as a public constant of the same name; the SDK gets
///         them through the generated `src/constants.ts`. Documented in docs/claims.md.
library ClaimsConstants {
    /// @notice Most lines a claim may have.
    uint256 internal constant MAX_LINES = 16;
    /// @notice Largest amount accepted (amounts are stored in 96 bits).
    uint256 internal constant MAX_AMOUNT = type(uint96).max;
    /// @notice Most policy years a coverage period may span.
    uint256 internal constant MAX_YEARS = 100;
    /// @notice Claims and prior-authorisation requests are accepted until this long after coverage ends.
    uint256 internal constant FILING_WINDOW = 180 days;
    /// @notice A denial may be appealed until this long after it.
    uint256 internal constant APPEAL_WINDOW = 180 days;
    /// @notice Domain tag of the duplicate fingerprint (v2: keyed on the service day, not the second; v3: over the
    ///         policy's pseudonymous member and blinded lines).
    bytes32 internal constant FINGERPRINT_TAG = keccak256("health-ledger.claims.fingerprint.v3");
}
