// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {HealthLedgerManaged} from "../common/HealthLedgerManaged.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IDrugProvenance} from "../interfaces/IDrugProvenance.sol";
import {Roles} from "../authority/Roles.sol";

/// @title DrugProvenance
/// @notice Serialized batches, two-phase custody, recalls, quarantine and unit verification (see {IDrugProvenance}).
/// @dev `commission` (MANUFACTURER), `clearQuarantine` and `confirmIllegitimate` (REGULATOR) are `restricted`: the
///      shared authority maps them to their role (src/provenance/permissions.ts). The other functions check their
///      caller against the batch (holder, receiver, sender, manufacturer) and the authority's `hasRole` (trading
///      partners, dispensers, regulators), because no single role fits them or, for `dispense`, because one
///      `hasRole` read costs ~5,000 gas less than `restricted`'s `canCall` (three reads) on the hottest path.
contract DrugProvenance is IDrugProvenance, HealthLedgerManaged {
    // ------------------------------------------------------------------ constants

    /// @notice Largest GTIN-14 as an integer.
    uint64 private constant _MAX_GTIN = 99_999_999_999_999;
    uint8 private constant _RECALLED = 1;
    uint8 private constant _QUARANTINED = 2;
    uint8 private constant _ILLEGITIMATE = 4;

    // ------------------------------------------------------------------ storage

    mapping(bytes32 batchId => Batch batch) private _batches;
    mapping(bytes32 batchId => mapping(address holder => Holding holding)) private _holdings;
    mapping(bytes32 shipmentId => ShipmentStatus status) private _shipments;
    /// @dev Units that left the supply chain (dispensed or destroyed), 256 per word: bit `position % 256` of word
    ///      `position / 256`. One bitmap read answers "may this unit be dispensed?".
    mapping(bytes32 batchId => mapping(uint256 word => uint256 bits)) private _spent;
    /// @dev Units destroyed (a subset of `_spent`), read only when a spent unit must be told apart.
    mapping(bytes32 batchId => mapping(uint256 word => uint256 bits)) private _destroyedUnits;
    /// @dev Inner nodes of a batch's serial tree proven against its root: proofs may stop at one of them.
    mapping(bytes32 batchId => mapping(bytes32 node => bool anchored)) private _anchors;

    /// @notice Binds the contract to the shared permission authority.
    /// @param initialAuthority The shared HealthLedgerAuthority.
    constructor(address initialAuthority) HealthLedgerManaged(initialAuthority) {}

    // ------------------------------------------------------------------ commissioning

    /// @inheritdoc IDrugProvenance
    function commission(
        uint64 gtin,
        bytes32 lot,
        uint40 expiresAt,
        uint32 unitCount,
        bytes32 serialRoot,
        bytes32 metadataCommitment
    ) external restricted returns (bytes32 batchId) {
        if (gtin == 0 || gtin > _MAX_GTIN) revert ProvenanceGtinInvalid(gtin);
        if (lot == bytes32(0)) revert ProvenanceLotMissing();
        if (expiresAt <= block.timestamp) revert ProvenanceExpiryInPast(expiresAt, block.timestamp);
        if (unitCount == 0) revert ProvenanceQuantityZero();
        if (serialRoot == bytes32(0) || metadataCommitment == bytes32(0)) revert ProvenanceCommitmentMissing();
        batchId = keccak256(abi.encode(gtin, lot));
        Batch storage batch = _batches[batchId];
        if (batch.manufacturer != address(0)) revert ProvenanceBatchExists(batchId);
        batch.manufacturer = msg.sender;
        batch.expiresAt = expiresAt;
        batch.unitCount = unitCount;
        batch.serialRoot = serialRoot;
        _holdings[batchId][msg.sender] = Holding({
            quantity: unitCount,
            dispensed: 0,
            destroyed: 0,
            supplier: msg.sender
        });
        emit BatchCommissioned(batchId, msg.sender, gtin, lot, expiresAt, unitCount, serialRoot, metadataCommitment);
    }

    // ------------------------------------------------------------------ custody

    /// @inheritdoc IDrugProvenance
    function ship(
        bytes32 batchId,
        address to,
        uint32 quantity,
        bytes32 documentsCommitment
    ) external returns (bytes32 shipmentId) {
        Batch storage batch = _existing(batchId);
        if (quantity == 0) revert ProvenanceQuantityZero();
        if (documentsCommitment == bytes32(0)) revert ProvenanceCommitmentMissing();
        if (to == msg.sender) revert ProvenanceShipToSelf(to);
        Holding storage holding = _holdings[batchId][msg.sender];
        uint32 held = holding.quantity;
        if (held < quantity) revert ProvenanceInsufficientHolding(batchId, msg.sender, held, quantity);
        _checkShippable(batchId, batch, to, holding.supplier);
        // The batch's manufacturer ships most; asking for its own role first saves two authority reads.
        bool senderIsPartner =
            msg.sender == batch.manufacturer
                ? _hasRole(Roles.MANUFACTURER, msg.sender) || _isPartner(msg.sender)
                : _isPartner(msg.sender);
        if (!senderIsPartner) revert ProvenanceNotTradingPartner(msg.sender);
        if (!_isPartner(to)) revert ProvenanceNotTradingPartner(to);
        shipmentId = keccak256(abi.encode(Shipment(batchId, msg.sender, to, quantity, documentsCommitment)));
        if (_shipments[shipmentId] != ShipmentStatus.None) revert ProvenanceShipmentExists(shipmentId);
        _shipments[shipmentId] = ShipmentStatus.InTransit;
        holding.quantity = held - quantity;
        emit ShipmentSent(shipmentId, batchId, msg.sender, to, quantity, documentsCommitment);
    }

    /// @inheritdoc IDrugProvenance
    function accept(Shipment calldata shipment) external {
        bytes32 shipmentId = _settle(shipment, ShipmentStatus.Accepted);
        if (!_isPartner(msg.sender)) revert ProvenanceNotTradingPartner(msg.sender);
        Holding storage holding = _holdings[shipment.batchId][msg.sender];
        holding.quantity += shipment.quantity;
        if (holding.supplier == address(0)) holding.supplier = shipment.from;
        emit ShipmentAccepted(shipmentId, shipment.batchId, msg.sender);
    }

    /// @inheritdoc IDrugProvenance
    function reject(Shipment calldata shipment) external {
        bytes32 shipmentId = _settle(shipment, ShipmentStatus.Rejected);
        _holdings[shipment.batchId][shipment.from].quantity += shipment.quantity;
        emit ShipmentRejected(shipmentId, shipment.batchId, msg.sender);
    }

    /// @inheritdoc IDrugProvenance
    function cancel(Shipment calldata shipment) external {
        bytes32 shipmentId = _settle(shipment, ShipmentStatus.Cancelled);
        _holdings[shipment.batchId][shipment.from].quantity += shipment.quantity;
        emit ShipmentCancelled(shipmentId, shipment.batchId, msg.sender);
    }

    // ------------------------------------------------------------------ units

    /// @inheritdoc IDrugProvenance
    function dispense(bytes32 batchId, uint256 position, string calldata serial, bytes32[] calldata proof) external {
        Batch storage batch = _existing(batchId);
        if (!_hasRole(Roles.DISPENSER, msg.sender)) revert ProvenanceNotDispenser(msg.sender);
        _checkSaleable(batchId, batch);
        Holding storage holding = _holdings[batchId][msg.sender];
        uint32 held = holding.quantity;
        if (held == 0) revert ProvenanceInsufficientHolding(batchId, msg.sender, 0, 1);
        _checkProof(batchId, batch, position, serial, proof);
        _spend(batchId, position, false);
        unchecked {
            holding.quantity = held - 1;
            ++holding.dispensed;
        }
        emit UnitDispensed(batchId, msg.sender, position);
    }

    /// @inheritdoc IDrugProvenance
    function destroy(bytes32 batchId, uint32 quantity, bytes32 evidenceCommitment) external {
        _existing(batchId);
        if (quantity == 0) revert ProvenanceQuantityZero();
        _debitForDestruction(batchId, quantity, evidenceCommitment);
        emit UnitsDestroyed(batchId, msg.sender, quantity, evidenceCommitment);
    }

    /// @inheritdoc IDrugProvenance
    function destroyUnits(bytes32 batchId, UnitProof[] calldata units, bytes32 evidenceCommitment) external {
        Batch storage batch = _existing(batchId);
        if (units.length == 0) revert ProvenanceQuantityZero();
        uint32 quantity = SafeCast.toUint32(units.length);
        _debitForDestruction(batchId, quantity, evidenceCommitment);
        for (uint256 i = 0; i < units.length; ++i) {
            UnitProof calldata unit = units[i];
            _checkProof(batchId, batch, unit.position, unit.serial, unit.proof);
            _spend(batchId, unit.position, true);
            emit UnitDestroyed(batchId, msg.sender, unit.position);
        }
        emit UnitsDestroyed(batchId, msg.sender, quantity, evidenceCommitment);
    }

    /// @inheritdoc IDrugProvenance
    function anchorSubtree(bytes32 batchId, bytes32 node, bytes32[] calldata proof) external {
        Batch storage batch = _existing(batchId);
        if (MerkleProof.processProofCalldata(proof, node) != batch.serialRoot) {
            revert ProvenanceSubtreeInvalid(batchId, node);
        }
        if (_anchors[batchId][node]) return;
        _anchors[batchId][node] = true;
        emit SubtreeAnchored(batchId, msg.sender, node);
    }

    // ------------------------------------------------------------------ recall and quarantine

    /// @inheritdoc IDrugProvenance
    function recall(bytes32 batchId, bytes32 reasonCommitment) external {
        Batch storage batch = _existing(batchId);
        if (msg.sender != batch.manufacturer && !_hasRole(Roles.REGULATOR, msg.sender)) {
            revert ProvenanceRecallUnauthorized(batchId, msg.sender);
        }
        if (reasonCommitment == bytes32(0)) revert ProvenanceCommitmentMissing();
        if (batch.flags & _RECALLED != 0) revert ProvenanceBatchAlreadyRecalled(batchId);
        batch.flags |= _RECALLED;
        emit BatchRecalled(batchId, msg.sender, reasonCommitment);
    }

    /// @inheritdoc IDrugProvenance
    function quarantine(bytes32 batchId, bytes32 reasonCommitment) external {
        Batch storage batch = _existing(batchId);
        if (
            msg.sender != batch.manufacturer &&
            _holdings[batchId][msg.sender].quantity == 0 &&
            !_hasRole(Roles.REGULATOR, msg.sender)
        ) revert ProvenanceQuarantineUnauthorized(batchId, msg.sender);
        if (reasonCommitment == bytes32(0)) revert ProvenanceCommitmentMissing();
        uint8 flags = batch.flags;
        if (flags & _ILLEGITIMATE != 0) revert ProvenanceBatchIllegitimate(batchId);
        if (flags & _QUARANTINED != 0) revert ProvenanceBatchAlreadyQuarantined(batchId);
        batch.flags = flags | _QUARANTINED;
        emit BatchQuarantined(batchId, msg.sender, reasonCommitment);
    }

    /// @inheritdoc IDrugProvenance
    function clearQuarantine(bytes32 batchId, bytes32 reasonCommitment) external restricted {
        Batch storage batch = _quarantined(batchId, reasonCommitment);
        batch.flags &= ~_QUARANTINED;
        emit QuarantineCleared(batchId, msg.sender, reasonCommitment);
    }

    /// @inheritdoc IDrugProvenance
    function confirmIllegitimate(bytes32 batchId, bytes32 reasonCommitment) external restricted {
        Batch storage batch = _quarantined(batchId, reasonCommitment);
        batch.flags = (batch.flags & ~_QUARANTINED) | _ILLEGITIMATE;
        emit BatchIllegitimate(batchId, msg.sender, reasonCommitment);
    }

    /// @inheritdoc IDrugProvenance
    function reportSuspect(
        bytes32 batchId,
        UnitProof calldata unit,
        bytes32 evidenceCommitment
    ) external returns (UnitStatus status) {
        if (!_isPartner(msg.sender) && !_hasRole(Roles.REGULATOR, msg.sender)) {
            revert ProvenanceReportUnauthorized(msg.sender);
        }
        if (evidenceCommitment == bytes32(0)) revert ProvenanceCommitmentMissing();
        status = _statusOf(batchId, unit.position, unit.serial, unit.proof);
        emit SuspectUnitReported(batchId, msg.sender, unit.position, status, evidenceCommitment);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IDrugProvenance
    function verifyUnit(
        bytes32 batchId,
        uint256 position,
        string calldata serial,
        bytes32[] calldata proof
    ) external view returns (UnitStatus status) {
        return _statusOf(batchId, position, serial, proof);
    }

    /// @inheritdoc IDrugProvenance
    function getBatch(bytes32 batchId) external view returns (Batch memory batch) {
        return _batches[batchId];
    }

    /// @inheritdoc IDrugProvenance
    function holdingOf(bytes32 batchId, address holder) external view returns (Holding memory holding) {
        return _holdings[batchId][holder];
    }

    /// @inheritdoc IDrugProvenance
    function shipmentStatus(bytes32 shipmentId) external view returns (ShipmentStatus status) {
        return _shipments[shipmentId];
    }

    /// @inheritdoc IDrugProvenance
    function isAnchored(bytes32 batchId, bytes32 node) external view returns (bool anchored) {
        return _anchors[batchId][node];
    }

    /// @inheritdoc IDrugProvenance
    function isTradingPartner(address account) external view returns (bool partner) {
        return _isPartner(account);
    }

    // ------------------------------------------------------------------ internals

    function _existing(bytes32 batchId) private view returns (Batch storage batch) {
        batch = _batches[batchId];
        if (batch.manufacturer == address(0)) revert ProvenanceBatchUnknown(batchId);
    }

    function _quarantined(bytes32 batchId, bytes32 reasonCommitment) private view returns (Batch storage batch) {
        batch = _existing(batchId);
        if (reasonCommitment == bytes32(0)) revert ProvenanceCommitmentMissing();
        if (batch.flags & _QUARANTINED == 0) revert ProvenanceBatchNotQuarantined(batchId);
    }

    /// @dev Dispensing needs a batch that is neither illegitimate, recalled, quarantined nor expired.
    function _checkSaleable(bytes32 batchId, Batch storage batch) private view {
        uint8 flags = batch.flags;
        if (flags != 0) {
            if (flags & _ILLEGITIMATE != 0) revert ProvenanceBatchIllegitimate(batchId);
            if (flags & _RECALLED != 0) revert ProvenanceBatchRecalled(batchId);
            revert ProvenanceBatchQuarantined(batchId);
        }
        if (block.timestamp >= batch.expiresAt) revert ProvenanceBatchExpired(batchId, batch.expiresAt);
    }

    /// @dev Shipping: never when illegitimate or quarantined; when recalled or expired only back toward the
    ///      manufacturer (to it, or to the sender's own supplier).
    function _checkShippable(bytes32 batchId, Batch storage batch, address to, address supplier) private view {
        uint8 flags = batch.flags;
        if (flags & _ILLEGITIMATE != 0) revert ProvenanceBatchIllegitimate(batchId);
        if (flags & _QUARANTINED != 0) revert ProvenanceBatchQuarantined(batchId);
        bool upstream = to == batch.manufacturer || to == supplier;
        if (upstream) return;
        if (flags & _RECALLED != 0) revert ProvenanceBatchRecalled(batchId);
        if (block.timestamp >= batch.expiresAt) revert ProvenanceBatchExpired(batchId, batch.expiresAt);
    }

    /// @dev Moves an in-transit shipment to `outcome` after checking who may do so; returns its id.
    function _settle(Shipment calldata shipment, ShipmentStatus outcome) private returns (bytes32 shipmentId) {
        shipmentId = keccak256(abi.encode(shipment));
        ShipmentStatus status = _shipments[shipmentId];
        if (status != ShipmentStatus.InTransit) revert ProvenanceShipmentNotInTransit(shipmentId, status);
        if (outcome == ShipmentStatus.Cancelled) {
            if (msg.sender != shipment.from) revert ProvenanceNotShipmentSender(shipmentId, msg.sender);
        } else if (msg.sender != shipment.to) {
            revert ProvenanceNotShipmentReceiver(shipmentId, msg.sender);
        }
        _shipments[shipmentId] = outcome;
    }

    function _debitForDestruction(bytes32 batchId, uint32 quantity, bytes32 evidenceCommitment) private {
        if (evidenceCommitment == bytes32(0)) revert ProvenanceCommitmentMissing();
        Holding storage holding = _holdings[batchId][msg.sender];
        uint32 held = holding.quantity;
        if (held < quantity) revert ProvenanceInsufficientHolding(batchId, msg.sender, held, quantity);
        unchecked {
            holding.quantity = held - quantity;
            holding.destroyed += quantity;
        }
    }

    function _checkProof(
        bytes32 batchId,
        Batch storage batch,
        uint256 position,
        string calldata serial,
        bytes32[] calldata proof
    ) private view {
        if (!_proven(batchId, batch, position, serial, proof)) revert ProvenanceProofInvalid(batchId, position);
    }

    /// @dev Sets the unit's spent bit (and its destroyed bit), refusing a unit already spent.
    function _spend(bytes32 batchId, uint256 position, bool destroyed) private {
        uint256 word = position >> 8;
        uint256 mask = 1 << (position & 0xff);
        uint256 bits = _spent[batchId][word];
        if (bits & mask != 0) {
            if (_destroyedUnits[batchId][word] & mask != 0) revert ProvenanceUnitDestroyed(batchId, position);
            revert ProvenanceUnitAlreadyDispensed(batchId, position);
        }
        _spent[batchId][word] = bits | mask;
        if (destroyed) _destroyedUnits[batchId][word] |= mask;
    }

    function _statusOf(
        bytes32 batchId,
        uint256 position,
        string calldata serial,
        bytes32[] calldata proof
    ) private view returns (UnitStatus) {
        Batch storage batch = _batches[batchId];
        if (batch.manufacturer == address(0) || !_proven(batchId, batch, position, serial, proof)) {
            return UnitStatus.Unknown;
        }
        uint256 word = position >> 8;
        uint256 mask = 1 << (position & 0xff);
        if (_spent[batchId][word] & mask != 0) {
            return _destroyedUnits[batchId][word] & mask != 0 ? UnitStatus.Destroyed : UnitStatus.Dispensed;
        }
        uint8 flags = batch.flags;
        if (flags & _ILLEGITIMATE != 0) return UnitStatus.Illegitimate;
        if (flags & _RECALLED != 0) return UnitStatus.Recalled;
        if (flags & _QUARANTINED != 0) return UnitStatus.Quarantined;
        if (block.timestamp >= batch.expiresAt) return UnitStatus.Expired;
        return UnitStatus.Authentic;
    }

    /// @dev Whether `proof` leads from the leaf `[position, serial]` to the batch's root or to an anchored subtree.
    function _proven(
        bytes32 batchId,
        Batch storage batch,
        uint256 position,
        string calldata serial,
        bytes32[] calldata proof
    ) private view returns (bool) {
        if (position >= batch.unitCount) return false;
        bytes32 node = MerkleProof.processProofCalldata(proof, _leaf(position, serial));
        return node == batch.serialRoot || _anchors[batchId][node];
    }

    /// @dev The StandardMerkleTree leaf of `[position uint256, serial string]`.
    function _leaf(uint256 position, string calldata serial) private pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(position, serial))));
    }

    function _isPartner(address account) private view returns (bool) {
        return
            _hasRole(Roles.DISTRIBUTOR, account) ||
            _hasRole(Roles.DISPENSER, account) ||
            _hasRole(Roles.MANUFACTURER, account);
    }
}
