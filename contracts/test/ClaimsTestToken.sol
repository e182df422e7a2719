// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title Test stablecoin for claims
/// @notice A 6-decimal ERC-20 anyone can mint, standing in for a stablecoin in tests, the bench and the demo.
contract ClaimsTestToken is ERC20 {
    constructor() ERC20("Health Ledger Test Dollar", "hlUSD") {}

    /// @notice Mints `amount` to `to`.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @inheritdoc ERC20
    function decimals() public pure override returns (uint8) {
        return 6;
    }
}
