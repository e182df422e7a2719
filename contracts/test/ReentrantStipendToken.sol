// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title ReentrantStipendToken
/// @notice Test-only hostile ERC-20: on the next transfer out of a chosen account it calls the registry with a
///         prepared call (e.g. `claimStipend` again) and records whether the call succeeded. With `bubble` set it reverts
///         with the callee's error instead of swallowing it.
contract ReentrantStipendToken is ERC20 {
    address private _source;
    address private _target;
    bytes private _callData;
    bool private _bubble;
    bool private _armed;

    /// @notice Number of re-entrant calls that succeeded.
    uint256 public reentrySucceeded;
    /// @notice Number of re-entrant calls that reverted.
    uint256 public reentryFailed;

    constructor() ERC20("Hostile Stipend", "EVIL") {}

    /// @notice Mints `amount` to `to`.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Arms the attack: the next transfer out of `source` calls `target` with `callData` (once).
    function arm(address source, address target, bytes calldata callData, bool bubble) external {
        _source = source;
        _target = target;
        _callData = callData;
        _bubble = bubble;
        _armed = true;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        if (_armed && from == _source) {
            _armed = false;
            (bool ok, bytes memory ret) = _target.call(_callData);
            if (ok) {
                ++reentrySucceeded;
            } else {
                ++reentryFailed;
                if (_bubble) {
                    assembly ("memory-safe") {
                        revert(add(ret, 0x20), mload(ret))
                    }
                }
            }
        }
    }
}
