// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {IAccessManager} from "@openzeppelin/contracts/access/manager/IAccessManager.sol";
import {ERC2771Context} from "@openzeppelin/contracts/metatx/ERC2771Context.sol";
import {ERC2771Forwarder} from "@openzeppelin/contracts/metatx/ERC2771Forwarder.sol";
import {Context} from "@openzeppelin/contracts/utils/Context.sol";
import {IHealthLedgerManaged} from "../interfaces/IHealthLedgerManaged.sol";

/// @title HealthLedgerManaged
/// @notice The shared base of every Health Ledger domain contract (see {IHealthLedgerManaged}): OpenZeppelin
///         `AccessManaged` under the `HealthLedgerAuthority`, the one role check that contracts make themselves, and
///         ERC-2771 calls relayed by the `HealthLedgerForwarder`, so that an account that holds no ETH (a patient's
///         relationship account) acts through a relayer. Every check reads the caller as `_msgSender()`.
/// @dev Every role a contract checks itself is declared beside the authority's mappings in the permission table
///      (`src/authority/permissions.ts`); a test reads the compiled AST and fails when a contract calls {_hasRole} or
///      {_requireRole} with a role that no row of that function declares.
abstract contract HealthLedgerManaged is AccessManaged, ERC2771Context, IHealthLedgerManaged {
    /// @notice Binds the contract to the shared permission authority and forwarder, refusing addresses that are not.
    /// @param initialAuthority The `HealthLedgerAuthority` (an OpenZeppelin AccessManager).
    /// @param trustedForwarder_ The `HealthLedgerForwarder` whose relayed calls act for their signer.
    constructor(
        address initialAuthority,
        address trustedForwarder_
    ) AccessManaged(initialAuthority) ERC2771Context(trustedForwarder_) {
        _requireAnswers(initialAuthority, abi.encodeCall(IAccessManager.expiration, ()));
        // A forwarder answers `verify` (false for this empty request); other contracts have no such function.
        ERC2771Forwarder.ForwardRequestData memory empty;
        _requireAnswers(trustedForwarder_, abi.encodeCall(ERC2771Forwarder.verify, (empty)));
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

    /// @dev The signer of a call relayed by the trusted forwarder, otherwise `msg.sender`.
    function _msgSender() internal view override(Context, ERC2771Context) returns (address) {
        return ERC2771Context._msgSender();
    }

    /// @dev The call data without the signer the trusted forwarder appends.
    function _msgData() internal view override(Context, ERC2771Context) returns (bytes calldata) {
        return ERC2771Context._msgData();
    }

    /// @dev 20 bytes: the signer's address appended by the trusted forwarder.
    function _contextSuffixLength() internal view override(Context, ERC2771Context) returns (uint256) {
        return ERC2771Context._contextSuffixLength();
    }
}
