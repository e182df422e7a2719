// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Trials limits and deadlines
/// @notice The limits and deadlines of `TrialRegistry`. `TrialRegistry` exposes each as a public constant of the same
///         name; the SDK gets them through the generated `src/constants.ts`. Documented in docs/trials.md.
library TrialsConstants {
    /// @notice Most outcomes one outcome set (or one results posting) may hold.
    uint256 internal constant MAX_OUTCOMES = 16;
    /// @notice Results are due this long after a trial completes or is terminated (WHO TRDS item 23 and the WHO
    ///         joint statement on public disclosure of results: within 12 months). Lateness is reported by
    ///         `resultsOverdue`, not refused: results stay postable after it.
    uint256 internal constant RESULTS_DEADLINE = 365 days;
}
