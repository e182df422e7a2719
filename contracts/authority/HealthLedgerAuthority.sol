// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {IAccessManager} from "@openzeppelin/contracts/access/manager/IAccessManager.sol";
import {IHealthLedgerAuthority} from "../interfaces/IHealthLedgerAuthority.sol";
import {Roles} from "./Roles.sol";

/// @title HealthLedgerAuthority
/// @notice The permission authority shared by every Health Ledger contract (see {IHealthLedgerAuthority}).
/// @dev At construction it labels every role (emitting `RoleLabel`) and makes GUARDIAN the guardian of every
///      operational role. AccessManager locks the guardian of ADMIN_ROLE to ADMIN itself; this contract reports
///      GUARDIAN as the guardian of ADMIN_ROLE instead, so that a guardian can cancel an admin operation scheduled
///      under the admin's execution delay. `getRoleGuardian` is consulted only by `cancel`, so no other power moves.
contract HealthLedgerAuthority is AccessManager, IHealthLedgerAuthority {
    /// @notice Deploys the authority, labels every role and makes GUARDIAN the guardian of every role.
    /// @param initialAdmin The first ADMIN, active immediately with no execution delay. Deployment wires the
    ///        system, then raises the admin's execution delay (see `src/authority/permissions.ts`).
    constructor(address initialAdmin) AccessManager(initialAdmin) {
        (uint64[] memory ids, string[] memory labels) = Roles.all();
        for (uint256 i = 0; i < ids.length; ++i) {
            emit RoleLabel(ids[i], labels[i]);
            if (ids[i] != Roles.ADMIN) _setRoleGuardian(ids[i], Roles.GUARDIAN);
        }
    }

    /// @inheritdoc IHealthLedgerAuthority
    function roles() external pure returns (uint64[] memory ids, string[] memory labels) {
        return Roles.all();
    }

    /// @inheritdoc IAccessManager
    /// @dev GUARDIAN for ADMIN_ROLE (fixed; AccessManager forbids changing it), the stored guardian otherwise.
    function getRoleGuardian(uint64 roleId) public view override(AccessManager, IAccessManager) returns (uint64) {
        return roleId == Roles.ADMIN ? Roles.GUARDIAN : super.getRoleGuardian(roleId);
    }
}
