// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title Hostile token for claims tests
/// @notice An ERC-20 that, when armed, calls back into a target with prepared calldata during every transfer, to
///         prove that the claims manager cannot be re-entered to pay twice or drain an escrow.
/// @dev With `swallow` set, a failed re-entry is recorded in `lastReentryFailed` and the transfer goes on; otherwise
///      the re-entry's revert bubbles up and fails the outer call.
contract ClaimsReentrantToken is ERC20 {
    address private _target;
    bytes private _payload;
    bool private _swallow;
    bool private _armed;

    /// @notice Whether the last re-entry attempt reverted.
    bool public lastReentryFailed;
    /// @notice Number of re-entry attempts made.
    uint256 public reentryAttempts;

    constructor() ERC20("Hostile Dollar", "EVIL") {}

    /// @notice Mints `amount` to `to`.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Arms the token: the next transfers call `target` with `payload`.
    function arm(address target, bytes calldata payload, bool swallow) external {
        _target = target;
        _payload = payload;
        _swallow = swallow;
        _armed = true;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        if (!_armed) return;
        _armed = false;
        ++reentryAttempts;
        (bool ok, bytes memory ret) = _target.call(_payload);
        if (!ok && !_swallow) {
            assembly ("memory-safe") {
                revert(add(ret, 0x20), mload(ret))
            }
        }
        lastReentryFailed = !ok;
    }
}
