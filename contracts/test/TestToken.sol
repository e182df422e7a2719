// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title TestToken
/// @notice The one test-only ERC-20 (never deployed on a public network): freely mintable, well-behaved by default,
///         and configurable into each hostile shape the contracts must survive: a fee taken on every transfer, a
///         rebase that scales every balance, and a hook that calls back into a target during one transfer (reentrancy).
/// @dev Balances are stored as shares; `balanceOf` is `shares * scale / 1e18`, so a rebase changes every balance at
///      once, as rebasing tokens do. Transfers convert amounts to shares (rounding down) and burn `feeBps` of them.
contract TestToken is ERC20 {
    uint256 private constant _ONE = 1e18;

    uint8 private immutable _decimals;
    // One slot, so that a well-behaved transfer reads one word more than a plain ERC-20 (the gas bench pays in it).
    uint128 private _scale = uint128(_ONE);
    uint16 private _feeBps;
    bool private _hookArmed;
    bool private _hookBubbles;

    address private _hookSource;
    address private _hookTarget;
    bytes private _hookData;

    /// @notice How many armed hooks called back successfully.
    uint256 public reentrySucceeded;
    /// @notice How many armed hooks called back and were refused.
    uint256 public reentryFailed;

    /// @notice A token named `name_` with `decimals_` decimals.
    /// @param name_ The token's name and symbol.
    /// @param decimals_ Its decimals (6 for a test dollar, 18 for a stipend token).
    constructor(string memory name_, uint8 decimals_) ERC20(name_, name_) {
        _decimals = decimals_;
    }

    /// @notice Mints `amount` to `to` (anyone may mint: test-only).
    /// @param to The recipient.
    /// @param amount The amount, in balance units.
    function mint(address to, uint256 amount) external {
        _mint(to, (amount * _ONE) / _scale);
    }

    /// @notice Takes `feeBps` of every later transfer (burnt), like a fee-on-transfer token.
    /// @param feeBps The fee in basis points (0 to 10,000).
    function setFee(uint16 feeBps) external {
        _feeBps = feeBps;
    }

    /// @notice Scales every balance by `numerator / denominator` from now on, like a rebasing token.
    /// @param numerator Scale numerator.
    /// @param denominator Scale denominator.
    function rebase(uint256 numerator, uint256 denominator) external {
        _scale = uint128((_scale * numerator) / denominator);
    }

    /// @notice During the next transfer out of `source` (any transfer when zero), calls `target` with `data` once.
    /// @param source Whose outgoing transfer triggers the hook, or the zero address for any transfer.
    /// @param target The contract called back.
    /// @param data The call.
    /// @param bubbles Whether a refused call back makes the transfer revert with its error.
    function arm(address source, address target, bytes calldata data, bool bubbles) external {
        _hookSource = source;
        _hookTarget = target;
        _hookData = data;
        _hookBubbles = bubbles;
        _hookArmed = true;
    }

    /// @inheritdoc ERC20
    function decimals() public view override returns (uint8) {
        return _decimals;
    }

    /// @inheritdoc ERC20
    function balanceOf(address account) public view override returns (uint256) {
        return (super.balanceOf(account) * _scale) / _ONE;
    }

    /// @inheritdoc ERC20
    function totalSupply() public view override returns (uint256) {
        return (super.totalSupply() * _scale) / _ONE;
    }

    /// @dev Moves shares (amount converted at the current scale, less the fee, which is burnt), then runs an armed
    ///      hook once.
    function _update(address from, address to, uint256 value) internal override {
        if (from == address(0) || to == address(0)) {
            super._update(from, to, value);
            return;
        }
        uint256 shares = (value * _ONE) / _scale;
        uint256 fee = (shares * _feeBps) / 10_000;
        super._update(from, to, shares - fee);
        if (fee != 0) super._update(from, address(0), fee);
        if (!_hookArmed || (_hookSource != address(0) && from != _hookSource)) return;
        _hookArmed = false;
        (bool ok, bytes memory ret) = _hookTarget.call(_hookData);
        if (ok) {
            ++reentrySucceeded;
            return;
        }
        ++reentryFailed;
        if (_hookBubbles) {
            assembly ("memory-safe") {
                revert(add(ret, 0x20), mload(ret))
            }
        }
    }
}
