// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC1155} from "@openzeppelin/contracts/token/ERC1155/ERC1155.sol";

/// @title PeerERC1155
/// @notice Test-only peer for the gas benchmark: OpenZeppelin 5.4's ERC-1155, unchanged, as the baseline for a
///         custody transfer (`safeTransferFrom`). The constructor mints the starting balance, so no mint function
///         (and no permission on it) is needed.
contract PeerERC1155 is ERC1155 {
    /// @param holder The account that receives the starting balance.
    /// @param id The token id minted.
    /// @param amount How many units of `id` the holder starts with.
    constructor(address holder, uint256 id, uint256 amount) ERC1155("") {
        _mint(holder, id, amount, "");
    }
}
