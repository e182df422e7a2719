// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Health Ledger managed contract
/// @notice What every Health Ledger domain contract shares: one permission authority and one rule for role checks.
///         A function is either `restricted` (the authority maps its selector to one role, and a member with an
///         execution delay schedules the call through the authority first) or checks roles itself; a contract's own
///         role check accepts a member only when the membership has no execution delay, because such a check has no
///         scheduling path. `docs/roles.md` lists every rule of both kinds.
interface IHealthLedgerManaged {
    /// @notice The account does not hold the role the function needs.
    /// @dev Fix: ask the ADMIN to grant the role (`roles:grant`), or call from an account that holds it.
    /// @param account The caller (or the account the function checked, e.g. a shipment's receiver).
    /// @param roleId The role it needs (see `Roles.sol`).
    error HealthLedgerRoleMissing(address account, uint64 roleId);

    /// @notice The account holds the role, but with an execution delay, and this check has no scheduling path.
    /// @dev Fix: ask the ADMIN to grant the role with no execution delay for this account; delays apply only to
    ///      `restricted` functions, which are scheduled through the authority.
    /// @param account The account checked.
    /// @param roleId The role it holds with a delay.
    /// @param executionDelay Its execution delay in seconds.
    error HealthLedgerRoleDelayed(address account, uint64 roleId, uint32 executionDelay);

    /// @notice An address given at deployment has no code, or its code does not answer as the expected contract.
    /// @dev Fix: deploy with the address of the right deployed contract (the authority, the consent registry, an
    ///      ERC-20 token), on this chain.
    /// @param account The address given.
    error HealthLedgerContractInvalid(address account);
}
