// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Batch flags
/// @notice The bits of `IDrugProvenance.Batch.flags`: what happened to a batch after its commissioning. Generated
///         into `src/constants.ts` (`BatchFlags`) for the SDK; documented in docs/provenance.md.
library BatchFlags {
    /// @notice The manufacturer or a regulator recalled the batch. Final.
    uint8 internal constant RECALLED = 1;
    /// @notice The batch is quarantined as suspect, awaiting a regulator's verdict.
    uint8 internal constant QUARANTINED = 2;
    /// @notice A regulator confirmed the batch illegitimate. Final.
    uint8 internal constant ILLEGITIMATE = 4;
    /// @notice A regulator cleared a quarantine of the batch at least once: from then on only its manufacturer or
    ///         a regulator may quarantine it again (holders report suspect packs with evidence instead).
    uint8 internal constant CLEARED = 8;
    /// @notice The flags that stop dispensing (every flag but {CLEARED}).
    uint8 internal constant UNSALEABLE = RECALLED | QUARANTINED | ILLEGITIMATE;
}
