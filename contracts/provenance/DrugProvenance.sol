// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {HealthLedgerManaged} from "../common/HealthLedgerManaged.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IDrugProvenance} from "../interfaces/IDrugProvenance.sol";
import {Roles} from "../authority/Roles.sol";
import {BatchFlags} from "./BatchFlags.sol";

/// @title DrugProvenance
/// @notice Serialized batches, two-phase custody, recalls, quarantine and unit verification (see {IDrugProvenance}).
/// @dev `commission` (MANUFACTURER), `clearQuarantine` and `confirmIllegitimate` (REGULATOR) are `restricted`: the
///      shared authority maps them to their role (src/provenance/permissions.ts). The other functions check their
///      caller against the batch (holder, receiver, sender, manufacturer) and its roles through the base's
///      `_hasRole` / `_requireRole`, because no single role fits them or, for `dispense`, because one role read
///      costs ~5,000 gas less than `restricted`'s `canCall` (three reads) on the hottest path.
contract DrugProvenance is IDrugProvenance, HealthLedgerManaged {
    // ------------------------------------------------------------------ constants

    /// @notice Largest GTIN-14 as an integer.
    uint64 private constant _MAX_GTIN = 99_999_999_999_999;

    // ------------------------------------------------------------------ storage

    mapping(bytes32 batchId => Batch record) private _batches;
    mapping(bytes32 batchId => mapping(address holder => Holding stock)) private _holdings;
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
    /// @param trustedForwarder The `HealthLedgerForwarder` that relays patients\' signed calls.
    constructor(
        address initialAuthority,
        address trustedForwarder
    ) HealthLedgerManaged(initialAuthority, trustedForwarder) {}

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
        if (expiresAt <= block.timestamp) revert ProvenanceExpiryInPast(expiresAt, uint40(block.timestamp));
        if (unitCount == 0) revert ProvenanceQuantityZero();
        if (serialRoot == bytes32(0) || metadataCommitment == bytes32(0)) revert ProvenanceCommitmentMissing();
        batchId = keccak256(abi.encode(gtin, lot));
        Batch storage record = _batches[batchId];
        if (record.manufacturer != address(0)) revert ProvenanceBatchExists(batchId);
        record.manufacturer = _msgSender();
        record.expiresAt = expiresAt;
        record.unitCount = unitCount;
        record.serialRoot = serialRoot;
        _holdings[batchId][_msgSender()] = Holding({
            quantity: unitCount,
            dispensed: 0,
            destroyed: 0,
            supplier: _msgSender()
        });
        emit BatchCommissioned(batchId, _msgSender(), gtin, lot, expiresAt, unitCount, serialRoot, metadataCommitment);
    }

    // ------------------------------------------------------------------ custody

    /// @inheritdoc IDrugProvenance
    function ship(
        bytes32 batchId,
        address to,
        uint32 quantity,
        bytes32 documentsCommitment
    ) external returns (bytes32 shipmentId) {
        Batch storage record = _existing(batchId);
        if (quantity == 0) revert ProvenanceQuantityZero();
        if (documentsCommitment == bytes32(0)) revert ProvenanceCommitmentMissing();
        if (to == _msgSender()) revert ProvenanceReceiverIsSender(batchId, to);
        Holding storage stock = _holdings[batchId][_msgSender()];
        uint32 held = stock.quantity;
        if (held < quantity) revert ProvenanceHoldingInsufficient(batchId, _msgSender(), quantity, held);
        _checkShippable(batchId, record, to, stock.supplier);
        // The batch's manufacturer ships most; asking for its own role first saves two authority reads.
        bool senderIsPartner =
            _msgSender() == record.manufacturer
                ? _hasRole(Roles.MANUFACTURER, _msgSender()) || _isPartner(_msgSender())
                : _isPartner(_msgSender());
        if (!senderIsPartner) revert ProvenanceAccountNotTradingPartner(_msgSender());
        if (!_isPartner(to)) revert ProvenanceAccountNotTradingPartner(to);
        shipmentId = keccak256(abi.encode(Shipment(batchId, _msgSender(), to, quantity, documentsCommitment)));
        if (_shipments[shipmentId] != ShipmentStatus.None) revert ProvenanceShipmentExists(shipmentId);
        _shipments[shipmentId] = ShipmentStatus.InTransit;
        stock.quantity = held - quantity;
        emit ShipmentSent(shipmentId, batchId, _msgSender(), to, quantity, documentsCommitment);
    }

    /// @inheritdoc IDrugProvenance
    function accept(Shipment calldata shipment) external {
        bytes32 shipmentId = _settle(shipment, ShipmentStatus.Accepted);
        if (!_isPartner(_msgSender())) revert ProvenanceAccountNotTradingPartner(_msgSender());
        Holding storage stock = _holdings[shipment.batchId][_msgSender()];
        stock.quantity += shipment.quantity;
        if (stock.supplier == address(0)) stock.supplier = shipment.from;
        emit ShipmentAccepted(shipmentId, shipment.batchId, _msgSender());
    }

    /// @inheritdoc IDrugProvenance
    function reject(Shipment calldata shipment) external {
        bytes32 shipmentId = _settle(shipment, ShipmentStatus.Rejected);
        _holdings[shipment.batchId][shipment.from].quantity += shipment.quantity;
        emit ShipmentRejected(shipmentId, shipment.batchId, _msgSender());
    }

    /// @inheritdoc IDrugProvenance
    function cancel(Shipment calldata shipment) external {
        bytes32 shipmentId = _settle(shipment, ShipmentStatus.Cancelled);
        _holdings[shipment.batchId][shipment.from].quantity += shipment.quantity;
        emit ShipmentCancelled(shipmentId, shipment.batchId, _msgSender());
    }

    // ------------------------------------------------------------------ units

    /// @inheritdoc IDrugProvenance
    function dispense(bytes32 batchId, uint256 position, string calldata serial, bytes32[] calldata proof) external {
        Batch storage record = _existing(batchId);
        _requireRole(Roles.DISPENSER, _msgSender());
        _checkSaleable(batchId, record);
        Holding storage stock = _holdings[batchId][_msgSender()];
        uint32 held = stock.quantity;
        if (held == 0) revert ProvenanceHoldingInsufficient(batchId, _msgSender(), 1, 0);
        _checkProof(batchId, record, position, serial, proof);
        _spend(batchId, position, false);
        unchecked {
            stock.quantity = held - 1;
            ++stock.dispensed;
        }
        emit UnitDispensed(batchId, _msgSender(), position);
    }

    /// @inheritdoc IDrugProvenance
    function destroy(bytes32 batchId, uint32 quantity, bytes32 evidenceCommitment) external {
        _existing(batchId);
        if (quantity == 0) revert ProvenanceQuantityZero();
        if (evidenceCommitment == bytes32(0)) revert ProvenanceCommitmentMissing();
        if (!_isPartner(_msgSender())) revert ProvenanceAccountNotTradingPartner(_msgSender());
        _debitForDestruction(batchId, _msgSender(), quantity);
        emit UnitsDestroyed(batchId, _msgSender(), _msgSender(), quantity, evidenceCommitment);
    }

    /// @inheritdoc IDrugProvenance
    function destroyUnits(
        bytes32 batchId,
        address holder,
        UnitProof[] calldata units,
        bytes32 evidenceCommitment
    ) external {
        Batch storage record = _existing(batchId);
        if (units.length == 0) revert ProvenanceQuantityZero();
        if (evidenceCommitment == bytes32(0)) revert ProvenanceCommitmentMissing();
        // The manufacturer answers for its serials, from its own stock; a regulator for any holder's.
        bool accountable =
            (holder == _msgSender() &&
                _msgSender() == record.manufacturer &&
                _hasRole(Roles.MANUFACTURER, _msgSender())) || _hasRole(Roles.REGULATOR, _msgSender());
        if (!accountable) revert ProvenanceDestructionUnauthorized(batchId, _msgSender(), holder);
        uint32 quantity = SafeCast.toUint32(units.length);
        _debitForDestruction(batchId, holder, quantity);
        for (uint256 i = 0; i < units.length; ++i) {
            UnitProof calldata unit = units[i];
            _checkProof(batchId, record, unit.position, unit.serial, unit.proof);
            _spend(batchId, unit.position, true);
            emit UnitDestroyed(batchId, holder, unit.position);
        }
        emit UnitsDestroyed(batchId, holder, _msgSender(), quantity, evidenceCommitment);
    }

    /// @inheritdoc IDrugProvenance
    function anchorSubtree(bytes32 batchId, bytes32 node, bytes32[] calldata proof) external {
        Batch storage record = _existing(batchId);
        if (MerkleProof.processProofCalldata(proof, node) != record.serialRoot) {
            revert ProvenanceSubtreeInvalid(batchId, node);
        }
        if (_anchors[batchId][node]) return;
        _anchors[batchId][node] = true;
        emit SubtreeAnchored(batchId, _msgSender(), node);
    }

    // ------------------------------------------------------------------ recall and quarantine

    /// @inheritdoc IDrugProvenance
    function recall(bytes32 batchId, bytes32 reasonCommitment) external {
        Batch storage record = _existing(batchId);
        if (!_isManufacturerOf(record) && !_hasRole(Roles.REGULATOR, _msgSender())) {
            revert ProvenanceRecallUnauthorized(batchId, _msgSender());
        }
        if (reasonCommitment == bytes32(0)) revert ProvenanceCommitmentMissing();
        if (record.flags & BatchFlags.RECALLED != 0) revert ProvenanceBatchAlreadyRecalled(batchId);
        record.flags |= BatchFlags.RECALLED;
        emit BatchRecalled(batchId, _msgSender(), reasonCommitment);
    }

    /// @inheritdoc IDrugProvenance
    function quarantine(bytes32 batchId, bytes32 reasonCommitment) external {
        Batch storage record = _existing(batchId);
        uint8 flags = record.flags;
        if (!_isManufacturerOf(record) && !_hasRole(Roles.REGULATOR, _msgSender())) {
            // A holder's alarm stops the batch once; after a regulator's clearance it reports with evidence.
            if (_holdings[batchId][_msgSender()].quantity == 0 || !_isPartner(_msgSender())) {
                revert ProvenanceQuarantineUnauthorized(batchId, _msgSender());
            }
            if (flags & BatchFlags.CLEARED != 0) revert ProvenanceBatchCleared(batchId);
        }
        if (reasonCommitment == bytes32(0)) revert ProvenanceCommitmentMissing();
        if (flags & BatchFlags.ILLEGITIMATE != 0) revert ProvenanceBatchIllegitimate(batchId);
        if (flags & BatchFlags.QUARANTINED != 0) revert ProvenanceBatchAlreadyQuarantined(batchId);
        record.flags = flags | BatchFlags.QUARANTINED;
        emit BatchQuarantined(batchId, _msgSender(), reasonCommitment);
    }

    /// @inheritdoc IDrugProvenance
    function clearQuarantine(bytes32 batchId, bytes32 reasonCommitment) external restricted {
        Batch storage record = _quarantined(batchId, reasonCommitment);
        record.flags = (record.flags & ~BatchFlags.QUARANTINED) | BatchFlags.CLEARED;
        emit QuarantineCleared(batchId, _msgSender(), reasonCommitment);
    }

    /// @inheritdoc IDrugProvenance
    function confirmIllegitimate(bytes32 batchId, bytes32 reasonCommitment) external restricted {
        Batch storage record = _quarantined(batchId, reasonCommitment);
        record.flags = (record.flags & ~BatchFlags.QUARANTINED) | BatchFlags.ILLEGITIMATE;
        emit BatchIllegitimate(batchId, _msgSender(), reasonCommitment);
    }

    /// @inheritdoc IDrugProvenance
    function reportSuspect(
        bytes32 batchId,
        UnitProof calldata unit,
        bytes32 evidenceCommitment
    ) external returns (UnitStatus status) {
        if (!_isPartner(_msgSender()) && !_hasRole(Roles.REGULATOR, _msgSender())) {
            revert ProvenanceReportUnauthorized(batchId, _msgSender());
        }
        if (evidenceCommitment == bytes32(0)) revert ProvenanceCommitmentMissing();
        status = _statusOf(batchId, unit.position, unit.serial, unit.proof);
        emit SuspectUnitReported(batchId, _msgSender(), unit.position, status, evidenceCommitment);
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
    function batch(bytes32 batchId) external view returns (Batch memory record) {
        return _batches[batchId];
    }

    /// @inheritdoc IDrugProvenance
    function holding(bytes32 batchId, address holder) external view returns (Holding memory stock) {
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

    function _existing(bytes32 batchId) private view returns (Batch storage record) {
        record = _batches[batchId];
        if (record.manufacturer == address(0)) revert ProvenanceBatchUnknown(batchId);
    }

    function _quarantined(bytes32 batchId, bytes32 reasonCommitment) private view returns (Batch storage record) {
        record = _existing(batchId);
        if (reasonCommitment == bytes32(0)) revert ProvenanceCommitmentMissing();
        if (record.flags & BatchFlags.QUARANTINED == 0) revert ProvenanceBatchNotQuarantined(batchId);
    }

    /// @dev Whether the caller is the batch's manufacturer and still holds MANUFACTURER (a revoked manufacturer
    ///      loses its say over the batches it made).
    function _isManufacturerOf(Batch storage record) private view returns (bool) {
        return _msgSender() == record.manufacturer && _hasRole(Roles.MANUFACTURER, _msgSender());
    }

    /// @dev Dispensing needs a batch that is neither illegitimate, recalled, quarantined nor expired.
    function _checkSaleable(bytes32 batchId, Batch storage record) private view {
        uint8 flags = record.flags;
        if (flags & BatchFlags.UNSALEABLE != 0) {
            if (flags & BatchFlags.ILLEGITIMATE != 0) revert ProvenanceBatchIllegitimate(batchId);
            if (flags & BatchFlags.RECALLED != 0) revert ProvenanceBatchRecalled(batchId);
            revert ProvenanceBatchQuarantined(batchId);
        }
        if (block.timestamp >= record.expiresAt) revert ProvenanceBatchExpired(batchId, record.expiresAt);
    }

    /// @dev Shipping: never when illegitimate or quarantined; when recalled or expired only back toward the
    ///      manufacturer (to it, or to the sender's own supplier).
    function _checkShippable(bytes32 batchId, Batch storage record, address to, address supplier) private view {
        uint8 flags = record.flags;
        if (flags & BatchFlags.ILLEGITIMATE != 0) revert ProvenanceBatchIllegitimate(batchId);
        if (flags & BatchFlags.QUARANTINED != 0) revert ProvenanceBatchQuarantined(batchId);
        bool upstream = to == record.manufacturer || to == supplier;
        if (upstream) return;
        if (flags & BatchFlags.RECALLED != 0) revert ProvenanceBatchRecalled(batchId);
        if (block.timestamp >= record.expiresAt) revert ProvenanceBatchExpired(batchId, record.expiresAt);
    }

    /// @dev Moves an in-transit shipment to `outcome` after checking who may do so; returns its id.
    function _settle(Shipment calldata shipment, ShipmentStatus outcome) private returns (bytes32 shipmentId) {
        shipmentId = keccak256(abi.encode(shipment));
        ShipmentStatus status = _shipments[shipmentId];
        if (status != ShipmentStatus.InTransit) revert ProvenanceShipmentNotInTransit(shipmentId, status);
        if (outcome == ShipmentStatus.Cancelled) {
            if (_msgSender() != shipment.from) revert ProvenanceCallerNotSender(shipmentId, _msgSender());
        } else if (_msgSender() != shipment.to) {
            revert ProvenanceCallerNotReceiver(shipmentId, _msgSender());
        }
        _shipments[shipmentId] = outcome;
    }

    function _debitForDestruction(bytes32 batchId, address holder, uint32 quantity) private {
        Holding storage stock = _holdings[batchId][holder];
        uint32 held = stock.quantity;
        if (held < quantity) revert ProvenanceHoldingInsufficient(batchId, holder, quantity, held);
        unchecked {
            stock.quantity = held - quantity;
            stock.destroyed += quantity;
        }
    }

    function _checkProof(
        bytes32 batchId,
        Batch storage record,
        uint256 position,
        string calldata serial,
        bytes32[] calldata proof
    ) private view {
        if (!_proven(batchId, record, position, serial, proof)) revert ProvenanceProofInvalid(batchId, position);
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
        Batch storage record = _batches[batchId];
        if (record.manufacturer == address(0) || !_proven(batchId, record, position, serial, proof)) {
            return UnitStatus.Unknown;
        }
        uint256 word = position >> 8;
        uint256 mask = 1 << (position & 0xff);
        if (_spent[batchId][word] & mask != 0) {
            return _destroyedUnits[batchId][word] & mask != 0 ? UnitStatus.Destroyed : UnitStatus.Dispensed;
        }
        uint8 flags = record.flags;
        if (flags & BatchFlags.ILLEGITIMATE != 0) return UnitStatus.Illegitimate;
        if (flags & BatchFlags.RECALLED != 0) return UnitStatus.Recalled;
        if (flags & BatchFlags.QUARANTINED != 0) return UnitStatus.Quarantined;
        if (block.timestamp >= record.expiresAt) return UnitStatus.Expired;
        return UnitStatus.Authentic;
    }

    /// @dev Whether `proof` leads from the leaf `[position, serial]` to the batch's root or to an anchored subtree.
    function _proven(
        bytes32 batchId,
        Batch storage record,
        uint256 position,
        string calldata serial,
        bytes32[] calldata proof
    ) private view returns (bool) {
        if (position >= record.unitCount) return false;
        bytes32 node = MerkleProof.processProofCalldata(proof, _leaf(position, serial));
        return node == record.serialRoot || _anchors[batchId][node];
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
