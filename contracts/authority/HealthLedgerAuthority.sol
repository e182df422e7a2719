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
///      `schedule` marks operations set at least `guardianProofDelay` ahead, and `cancel` refuses them to anyone but
///      their scheduler and an ADMIN.
contract HealthLedgerAuthority is AccessManager, IHealthLedgerAuthority {
    uint32 private immutable _guardianProofDelay;

    /// @dev The nonce of an operation's guardian-proof scheduling (0: none). A later scheduling of the same operation
    ///      has a higher nonce, so the mark never outlives the scheduling it was made for.
    mapping(bytes32 operationId => uint32 nonce) private _guardianProof;

    /// @notice Deploys the authority, labels every role and makes GUARDIAN the guardian of every role.
    /// @param initialAdmin The first ADMIN, active immediately with no execution delay. Deployment wires the
    ///        system, then raises the admin's execution delay (see `src/authority/permissions.ts`).
    /// @param guardianProofDelay_ Seconds ahead an operation must be scheduled for no guardian to cancel it.
    constructor(address initialAdmin, uint32 guardianProofDelay_) AccessManager(initialAdmin) {
        if (guardianProofDelay_ == 0) revert AuthorityGuardianProofDelayZero();
        _guardianProofDelay = guardianProofDelay_;
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

    /// @inheritdoc IHealthLedgerAuthority
    function guardianProofDelay() external view returns (uint32) {
        return _guardianProofDelay;
    }

    /// @inheritdoc IHealthLedgerAuthority
    function isGuardianProof(bytes32 operationId) public view returns (bool) {
        uint32 nonce = _guardianProof[operationId];
        return nonce != 0 && nonce == getNonce(operationId) && getSchedule(operationId) != 0;
    }

    /// @inheritdoc IAccessManager
    /// @dev GUARDIAN for ADMIN_ROLE (fixed; AccessManager forbids changing it), the stored guardian otherwise.
    function getRoleGuardian(uint64 roleId) public view override(AccessManager, IAccessManager) returns (uint64) {
        return roleId == Roles.ADMIN ? Roles.GUARDIAN : super.getRoleGuardian(roleId);
    }

    /// @inheritdoc IAccessManager
    /// @dev Marks the operation guardian-proof (emitting {OperationGuardianProof}) when it is set to run at least
    ///      `guardianProofDelay` from now.
    function schedule(
        address target,
        bytes calldata data,
        uint48 when
    ) public override(AccessManager, IAccessManager) returns (bytes32 operationId, uint32 nonce) {
        (operationId, nonce) = super.schedule(target, data, when);
        uint48 timepoint = getSchedule(operationId);
        if (timepoint >= block.timestamp + _guardianProofDelay) {
            _guardianProof[operationId] = nonce;
            emit OperationGuardianProof(operationId, nonce, timepoint);
        }
    }

    /// @inheritdoc IAccessManager
    /// @dev A guardian-proof operation may be cancelled only by its scheduler or an ADMIN.
    function cancel(
        address caller,
        address target,
        bytes calldata data
    ) public override(AccessManager, IAccessManager) returns (uint32) {
        address sender = _msgSender();
        if (sender != caller) {
            bytes32 operationId = hashOperation(caller, target, data);
            (bool isAdmin, ) = hasRole(Roles.ADMIN, sender);
            if (!isAdmin && isGuardianProof(operationId)) revert AuthorityGuardianCannotCancel(operationId);
        }
        return super.cancel(caller, target, data);
    }

    /// @dev Keeps every ADMIN's execution delay below the guardian-proof delay, so that the admin's fast path always
    ///      stays cancellable by a guardian.
    function _grantRole(
        uint64 roleId,
        address account,
        uint32 grantDelay,
        uint32 executionDelay
    ) internal override returns (bool) {
        if (roleId == Roles.ADMIN && executionDelay != 0 && executionDelay >= _guardianProofDelay) {
            revert AuthorityAdminDelayTooLong(executionDelay, _guardianProofDelay);
        }
        return super._grantRole(roleId, account, grantDelay, executionDelay);
    }
}
