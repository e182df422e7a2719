// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title SilentContract
/// @notice Test-only: accepts every call and answers nothing, like a proxy with no implementation behind it.
contract SilentContract {
    /// @notice Accepts any call and returns no data.
    fallback() external {}
}
