// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Health Ledger role ids
/// @notice The one definition of every role id in the system. The TypeScript mirror in
///         `src/authority/roles.ts` is checked against {HealthLedgerAuthority-roles} by a test.
/// @dev Ids are `uint64` because OpenZeppelin's AccessManager uses `uint64` role ids. `ADMIN` is the
///      AccessManager's built-in `ADMIN_ROLE` (0); `PUBLIC` its built-in `PUBLIC_ROLE` (every account).
library Roles {
    /// @notice Configures roles and function permissions (AccessManager's ADMIN_ROLE).
    uint64 internal constant ADMIN = 0;
    /// @notice Health authority or medicines regulator: recalls, quarantine verdicts, trial suspension.
    uint64 internal constant REGULATOR = 1;
    /// @notice Hospital or clinic: emergency access, claim submission, prior-authorisation requests.
    uint64 internal constant PROVIDER = 2;
    /// @notice Marketing-authorisation holder that commissions serialized batches.
    uint64 internal constant MANUFACTURER = 3;
    /// @notice Wholesaler or logistics provider that holds and ships batches.
    uint64 internal constant DISTRIBUTOR = 4;
    /// @notice Pharmacy or hospital pharmacy that dispenses units to patients.
    uint64 internal constant DISPENSER = 5;
    /// @notice Organisation that registers and funds clinical trials.
    uint64 internal constant SPONSOR = 6;
    /// @notice Trial site investigator who enrols participants and anchors data.
    uint64 internal constant INVESTIGATOR = 7;
    /// @notice Payer that issues policies and adjudicates claims.
    uint64 internal constant INSURER = 8;
    /// @notice May cancel scheduled operations, including the admin's delayed operations.
    uint64 internal constant GUARDIAN = 9;
    /// @notice Every account (AccessManager's PUBLIC_ROLE).
    uint64 internal constant PUBLIC = type(uint64).max;

    /// @notice Number of labelled roles (ADMIN through GUARDIAN).
    uint256 internal constant COUNT = 10;

    /// @notice Every labelled role id, in id order, and its label.
    /// @return ids The role ids, 0 to COUNT - 1.
    /// @return labels The label of each role, e.g. "MANUFACTURER".
    function all() internal pure returns (uint64[] memory ids, string[] memory labels) {
        ids = new uint64[](COUNT);
        labels = new string[](COUNT);
        string[COUNT] memory names = [
            "ADMIN",
            "REGULATOR",
            "PROVIDER",
            "MANUFACTURER",
            "DISTRIBUTOR",
            "DISPENSER",
            "SPONSOR",
            "INVESTIGATOR",
            "INSURER",
            "GUARDIAN"
        ];
        for (uint256 i = 0; i < COUNT; ++i) {
            ids[i] = uint64(i);
            labels[i] = names[i];
        }
    }
}
