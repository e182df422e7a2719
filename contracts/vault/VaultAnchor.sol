// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IVaultAnchor} from "../interfaces/IVaultAnchor.sol";

/// @title VaultAnchor
/// @notice Anchors record commitments and vault disclosure-log heads (see {IVaultAnchor}).
/// @dev No role is checked: anchoring a salted commitment reveals and authorises nothing, and a log head is keyed by
///      its sender, so no account can touch another's log. It is therefore not managed by the authority (nothing to
///      restrict) and takes no forwarder: the vault operator and the record's writer send their own transactions.
///      Storage: `_recordAnchors[commitment]` one uint40 per commitment; `_logHeads[operator]` two slots (head; then
///      count uint64 and anchoredAt uint40 packed).
contract VaultAnchor is IVaultAnchor {
    /// @inheritdoc IVaultAnchor
    uint256 public constant MAX_ANCHOR_BATCH = 256;

    mapping(bytes32 commitment => uint40 anchoredAt) private _recordAnchors;
    mapping(address operator => LogHead head) private _logHeads;

    /// @inheritdoc IVaultAnchor
    function anchorRecords(bytes32[] calldata commitments) external {
        uint256 size = commitments.length;
        if (size == 0 || size > MAX_ANCHOR_BATCH) revert VaultAnchorBatchSizeInvalid(size, MAX_ANCHOR_BATCH);
        for (uint256 i = 0; i < size; ++i) {
            bytes32 commitment = commitments[i];
            if (commitment == bytes32(0)) revert VaultAnchorCommitmentZero();
            if (_recordAnchors[commitment] != 0) continue;
            _recordAnchors[commitment] = uint40(block.timestamp);
            emit RecordAnchored(commitment);
        }
    }

    /// @inheritdoc IVaultAnchor
    function anchorLog(uint64 count, bytes32 head) external {
        if (head == bytes32(0)) revert VaultAnchorLogHeadZero();
        LogHead storage current = _logHeads[msg.sender];
        if (count <= current.count) revert VaultAnchorLogNotLonger(msg.sender, count, current.count);
        current.head = head;
        current.count = count;
        current.anchoredAt = uint40(block.timestamp);
        emit LogAnchored(msg.sender, count, head);
    }

    /// @inheritdoc IVaultAnchor
    function recordAnchoredAt(bytes32 commitment) external view returns (uint40 anchoredAt) {
        return _recordAnchors[commitment];
    }

    /// @inheritdoc IVaultAnchor
    function logHead(address operator) external view returns (LogHead memory head) {
        return _logHeads[operator];
    }
}
