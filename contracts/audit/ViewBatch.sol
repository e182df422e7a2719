// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title View batch
/// @notice Never deployed: the auditor places this runtime code at an unused address with `eth_call`'s state
///         override and reads a few hundred of the contracts' views in one call, all at the same block. A node's
///         cost is per request, not per view, and a hosted provider counts requests. Nodes without state overrides
///         are read with JSON-RPC batches instead (src/audit/views.ts).
contract ViewBatch {
    /// @notice Calls each target with its calldata, read-only, and returns every answer and whether it succeeded.
    /// @param targets The contract each call goes to.
    /// @param calls The calldata of each call, in the order of `targets`.
    /// @return ok Whether each call returned rather than reverted.
    /// @return answers Each call's return data (its revert data when it reverted).
    function read(
        address[] calldata targets,
        bytes[] calldata calls
    ) external view returns (bool[] memory ok, bytes[] memory answers) {
        uint256 n = calls.length;
        ok = new bool[](n);
        answers = new bytes[](n);
        for (uint256 i = 0; i < n; ++i) {
            (ok[i], answers[i]) = targets[i].staticcall(calls[i]);
        }
    }
}
