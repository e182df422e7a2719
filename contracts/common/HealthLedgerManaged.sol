// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {IAccessManager} from "@openzeppelin/contracts/access/manager/IAccessManager.sol";
import {IHealthLedgerManaged} from "../interfaces/IHealthLedgerManaged.sol";

/// @title HealthLedgerManaged
/// @notice The shared base of every Health Ledger domain contract (see {IHealthLedgerManaged}): OpenZeppelin
///         `AccessManaged` under the `HealthLedgerAuthority`, plus the one role check that contracts make themselves.
/// @dev Every role a contract checks itself is declared beside the authority's mappings in the permission table
///      (`src/authority/permissions.ts`); a test reads the compiled AST and fails when a contract calls {_hasRole} or
///      {_requireRole} with a role that no row of that function declares.
abstract contract HealthLedgerManaged is AccessManaged, IHealthLedgerManaged {
    /// @notice Binds the contract to the shared permission authority, refusing an address that is not one.
    /// @param initialAuthority The `HealthLedgerAuthority` (an OpenZeppelin AccessManager).
    constructor(address initialAuthority) AccessManaged(initialAuthority) {
        _requireAnswers(initialAuthority, abi.encodeCall(IAccessManager.expiration, ()));
    }

    /// @dev Whether `account` holds `roleId` with no execution delay: the one membership rule of contract checks.
    function _hasRole(uint64 roleId, address account) internal view returns (bool) {
        (bool member, uint32 delay) = IAccessManager(authority()).hasRole(roleId, account);
        return member && delay == 0;
    }

    /// @dev Reverts unless `account` holds `roleId` with no execution delay.
    function _requireRole(uint64 roleId, address account) internal view {
        (bool member, uint32 delay) = IAccessManager(authority()).hasRole(roleId, account);
        if (!member) revert HealthLedgerRoleMissing(account, roleId);
        if (delay != 0) revert HealthLedgerRoleDelayed(account, roleId, delay);
    }

    /// @dev Reverts unless `account` has code that answers the static call `probe` with at least one word.
    function _requireAnswers(address account, bytes memory probe) internal view {
        if (account.code.length == 0) revert HealthLedgerContractInvalid(account);
        (bool ok, bytes memory answer) = account.staticcall(probe);
        if (!ok || answer.length < 32) revert HealthLedgerContractInvalid(account);
    }
}
