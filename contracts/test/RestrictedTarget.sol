// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";

/// @notice Test-only contract with restricted functions, used to test permission wiring.
contract RestrictedTarget is AccessManaged {
    uint256 public pings;

    constructor(address authority) AccessManaged(authority) {}

    function ping() external restricted {
        ++pings;
    }

    function pingTwice() external restricted {
        pings += 2;
    }
}
