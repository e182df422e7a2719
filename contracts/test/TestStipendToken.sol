// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title TestStipendToken
/// @notice Test-only ERC-20 anyone can mint, used as the stipend token in tests, the demo and the gas bench.
contract TestStipendToken is ERC20 {
    constructor() ERC20("Test Stipend", "STIP") {}

    /// @notice Mints `amount` to `to`.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}
