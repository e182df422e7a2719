// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessManager} from "@openzeppelin/contracts/access/manager/IAccessManager.sol";

/// @title Health Ledger permission authority
/// @notice The one contract that says who may call what across consent, provenance, trials and claims.
///         It is an OpenZeppelin AccessManager: roles are granted to accounts, and each restricted function
///         of every Health Ledger contract is mapped to one role. Its events list every grant and mapping.
/// @dev GUARDIAN may cancel any scheduled operation, the ADMIN's included, so that one bad admin operation can be
///      stopped during its delay. So that a rogue guardian cannot freeze role management for ever (cancelling its own
///      removal again and again), an operation scheduled to run at least `guardianProofDelay()` after it was
///      scheduled is guardian-proof: only its scheduler or an ADMIN may cancel it. The guardian's veto is thus a
///      delay (it pushes a contested operation onto the slow path), and the admin's own execution delay must stay
///      below the guardian-proof delay, so that the fast path always remains cancellable. See docs/roles.md.
interface IHealthLedgerAuthority is IAccessManager {
    /// @notice Emitted when an operation is scheduled far enough ahead that no guardian can cancel it.
    /// @param operationId The operation (as in `OperationScheduled`).
    /// @param nonce The operation's nonce for this scheduling.
    /// @param schedule When it becomes executable.
    event OperationGuardianProof(bytes32 indexed operationId, uint32 nonce, uint48 schedule);

    /// @notice The operation was scheduled on the guardian-proof slow path: a guardian may not cancel it.
    /// @dev Fix: none for a guardian; its scheduler or an ADMIN may still cancel it.
    /// @param operationId The operation.
    error AuthorityGuardianCannotCancel(bytes32 operationId);

    /// @notice An ADMIN's execution delay must stay below the guardian-proof delay, or no admin operation could be
    ///         cancelled by a guardian.
    /// @dev Fix: choose a shorter admin delay (or deploy with a longer guardian-proof delay).
    /// @param executionDelay The delay given, in seconds.
    /// @param guardianProofDelay The guardian-proof delay, in seconds.
    error AuthorityAdminDelayTooLong(uint32 executionDelay, uint32 guardianProofDelay);

    /// @notice The guardian-proof delay must be non-zero.
    /// @dev Fix: deploy with a delay of several admin delays, e.g. 30 days.
    error AuthorityGuardianProofDelayZero();

    /// @notice Every labelled role of the system, in id order.
    /// @return ids The role ids (see `Roles.sol`).
    /// @return labels The human-readable label of each role, as also emitted in `RoleLabel` at deployment.
    function roles() external pure returns (uint64[] memory ids, string[] memory labels);

    /// @notice How far ahead of its scheduling an operation must be set to run for a guardian not to cancel it.
    /// @return The delay in seconds, fixed at deployment.
    function guardianProofDelay() external view returns (uint32);

    /// @notice Whether the operation's current scheduling is guardian-proof.
    /// @param operationId The operation.
    /// @return True when it is scheduled, not yet executed or cancelled, on the slow path.
    function isGuardianProof(bytes32 operationId) external view returns (bool);
}
