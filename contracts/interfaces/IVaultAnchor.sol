// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Vault anchor
/// @notice Public anchors for the record vault (docs/vault.md): the salted commitments of records stored in a vault,
///         and the heads of each vault operator's hash-chained disclosure log.
/// @dev Nothing here names a patient. A record anchor is a salted commitment alone (no account, no category), so it
///      confirms a record only for whoever already holds the record and its salt. A log anchor is keyed by the
///      operator that sends it: each vault anchors its own log, and can only lengthen it, so an operator that
///      rewrites history after an anchor is caught by any patient holding an entry it anchored.
interface IVaultAnchor {
    // -------------------------------------------------------------------------------------------------- structs

    /// @notice The latest anchored head of one operator's disclosure log.
    /// @dev Stored in two slots: `head`, then `count` (uint64) and `anchoredAt` (uint40) sharing one.
    struct LogHead {
        /// @notice The hash of the log's last entry (see docs/vault.md, "The disclosure log").
        bytes32 head;
        /// @notice How many entries the log held at that head (entries are numbered 1, 2, …).
        uint64 count;
        /// @notice When it was anchored (unix seconds); 0 if never.
        uint40 anchoredAt;
    }

    // -------------------------------------------------------------------------------------------------- events

    /// @notice A record's salted commitment was anchored.
    /// @param commitment The commitment (`docs/commitments.md`).
    event RecordAnchored(bytes32 indexed commitment);

    /// @notice A vault operator anchored the head of its disclosure log.
    /// @param operator The account that sent it (the vault's anchoring account).
    /// @param count The number of entries in the log at this head.
    /// @param head The hash of its last entry.
    event LogAnchored(address indexed operator, uint64 count, bytes32 head);

    // -------------------------------------------------------------------------------------------------- errors

    /// @notice A zero commitment was given; a commitment is a keccak256 digest and is never zero.
    /// @dev Fix: anchor the `commitment` that `commit(resource)` returned (src/records).
    error VaultAnchorCommitmentZero();

    /// @notice An empty batch, or more commitments than `MAX_ANCHOR_BATCH` in one call.
    /// @param size The batch's size.
    /// @param max The largest batch accepted.
    /// @dev Fix: split the commitments into batches of 1 to `max`.
    error VaultAnchorBatchSizeInvalid(uint256 size, uint256 max);

    /// @notice A log head with a zero hash.
    /// @dev Fix: anchor the hash of the log's last entry (`VaultLog.head()`).
    error VaultAnchorLogHeadZero();

    /// @notice A log head that does not lengthen the caller's anchored log: a log only grows.
    /// @param operator The caller.
    /// @param count The entry count given.
    /// @param anchoredCount The entry count already anchored.
    /// @dev Fix: anchor only after new entries were appended, with the log's current entry count.
    error VaultAnchorLogNotLonger(address operator, uint64 count, uint64 anchoredCount);

    // ----------------------------------------------------------------------------------------------- functions

    /// @notice Anchors record commitments. Anyone may anchor (a commitment names no one and confirms nothing
    ///         without its record and salt); the vault refuses a record whose commitment is not anchored. A
    ///         commitment already anchored keeps its first time and emits nothing.
    /// @param commitments The commitments, 1 to `MAX_ANCHOR_BATCH`, none zero.
    function anchorRecords(bytes32[] calldata commitments) external;

    /// @notice Anchors the head of the caller's disclosure log; `count` must exceed the count anchored before.
    /// @param count The log's current number of entries.
    /// @param head The hash of its last entry, not zero.
    function anchorLog(uint64 count, bytes32 head) external;

    /// @notice When a commitment was first anchored.
    /// @param commitment The commitment.
    /// @return anchoredAt Unix seconds; 0 if it was never anchored.
    function recordAnchoredAt(bytes32 commitment) external view returns (uint40 anchoredAt);

    /// @notice The latest anchored head of an operator's disclosure log.
    /// @param operator The vault's anchoring account.
    /// @return head The head (all zero if never anchored).
    function logHead(address operator) external view returns (LogHead memory head);

    /// @notice The largest number of commitments `anchorRecords` takes in one call.
    /// @return The limit.
    function MAX_ANCHOR_BATCH() external view returns (uint256); // solhint-disable-line func-name-mixedcase
}
