// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC2771Forwarder} from "@openzeppelin/contracts/metatx/ERC2771Forwarder.sol";

/// @title HealthLedgerForwarder
/// @notice The ERC-2771 forwarder every Health Ledger contract trusts: a patient's relationship account signs an
///         EIP-712 `ForwardRequest` and any relayer submits it and pays the gas, so that the account never holds ETH
///         and no funding source links a patient's accounts (docs/privacy.md). The target sees the signer as the
///         caller (`_msgSender()`), with the same checks as a direct call.
/// @dev OpenZeppelin's `ERC2771Forwarder` unchanged (nonces per signer, deadline, gas forwarded in full, value
///      matched, the target must trust this forwarder). EIP-712 domain: name "Health Ledger Forwarder", version "1".
contract HealthLedgerForwarder is ERC2771Forwarder {
    /// @notice Deploys the forwarder.
    constructor() ERC2771Forwarder("Health Ledger Forwarder") {}
}
