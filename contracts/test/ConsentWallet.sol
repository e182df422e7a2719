// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @title ConsentWallet
/// @notice Test-only ERC-1271 contract wallet (a stand-in for a Safe) with one owner key. It approves a hash when
///         the owner signed it, unless switched to refuse everything; it can also call any contract as itself.
contract ConsentWallet is IERC1271 {
    address private immutable _owner;
    bool private _refuse;

    /// @param owner_ The key whose ECDSA signatures the wallet accepts.
    constructor(address owner_) {
        _owner = owner_;
    }

    /// @notice Makes the wallet refuse (or accept again) every signature.
    /// @param refuse_ True to refuse all.
    function setRefuse(bool refuse_) external {
        _refuse = refuse_;
    }

    /// @notice Calls `target` with `data` as the wallet (the wallet acting as a patient directly).
    /// @param target The contract to call.
    /// @param data The calldata.
    /// @return result The returned data.
    function execute(address target, bytes calldata data) external returns (bytes memory result) {
        bool ok;
        (ok, result) = target.call(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(result, 0x20), mload(result))
            }
        }
    }

    /// @inheritdoc IERC1271
    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        if (_refuse) return 0xffffffff;
        (address signer, ECDSA.RecoverError err, ) = ECDSA.tryRecover(hash, signature);
        return err == ECDSA.RecoverError.NoError && signer == _owner ? IERC1271.isValidSignature.selector : bytes4(0);
    }
}
