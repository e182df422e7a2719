// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title NaiveSerialRegistry (test-only gas peer)
/// @notice How public EVM provenance attempts usually store serials: one storage slot per unit, the serial typed
///         as an integer. Measured beside `DrugProvenance.commission` (`naive.commission1000`); not for use.
contract NaiveSerialRegistry {
    /// @notice The serial is already registered.
    /// @dev Fix: register each serial once.
    /// @param gtin The GTIN.
    /// @param serial The serial.
    error NaiveSerialExists(uint64 gtin, uint256 serial);

    /// @notice Emitted when a manufacturer registers serials, one storage slot each.
    /// @param manufacturer The registering account.
    /// @param gtin The GTIN.
    /// @param count How many serials.
    event NaiveSerialsRegistered(address indexed manufacturer, uint64 gtin, uint256 count);

    mapping(bytes32 unitKey => address owner) private _owners;

    /// @notice Registers each serial in its own slot, owned by the caller.
    /// @param gtin The GTIN.
    /// @param serials The serials, as integers.
    function register(uint64 gtin, uint256[] calldata serials) external {
        for (uint256 i = 0; i < serials.length; ++i) {
            bytes32 key = keccak256(abi.encode(gtin, serials[i]));
            if (_owners[key] != address(0)) revert NaiveSerialExists(gtin, serials[i]);
            _owners[key] = msg.sender;
        }
        emit NaiveSerialsRegistered(msg.sender, gtin, serials.length);
    }

    /// @notice The owner of a serial.
    /// @param gtin The GTIN.
    /// @param serial The serial.
    /// @return owner Its owner, zero when unregistered.
    function ownerOf(uint64 gtin, uint256 serial) external view returns (address owner) {
        return _owners[keccak256(abi.encode(gtin, serial))];
    }
}
