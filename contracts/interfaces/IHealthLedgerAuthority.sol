// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessManager} from "@openzeppelin/contracts/access/manager/IAccessManager.sol";

/// @title Health Ledger permission authority
/// @notice The one contract that says who may call what across consent, provenance, trials and claims.
///         It is an OpenZeppelin AccessManager: roles are granted to accounts, and each restricted function
///         of every Health Ledger contract is mapped to one role. Its events list every grant and mapping.
interface IHealthLedgerAuthority is IAccessManager {
    /// @notice Every labelled role of the system, in id order.
    /// @return ids The role ids (see `Roles.sol`).
    /// @return labels The human-readable label of each role, as also emitted in `RoleLabel` at deployment.
    function roles() external pure returns (uint64[] memory ids, string[] memory labels);
}
