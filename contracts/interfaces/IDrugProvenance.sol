// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Drug provenance
/// @notice Serialized medicine batches (GS1 GTIN, lot, expiry, serials), two-phase custody between trading partners,
///         recalls, quarantine, destruction and per-unit verification that catches cloned serials. Only proofs and
///         commitments go on chain; commercial documents stay off chain (DSCSA / EU FMD style).
/// @dev A batch's serials are the leaves `[position uint256, serial string]` of an `@openzeppelin/merkle-tree`
///      StandardMerkleTree; its root is stored once, so commissioning costs the same for 1 or 1,000,000 units.
///      Per-unit state lives in bitmaps indexed by position, 256 units per storage word. Quantities are conserved:
///      `unitCount = Σ holders (held + dispensed + destroyed) + Σ shipments in transit`.
///      Trading partners are accounts holding MANUFACTURER, DISTRIBUTOR or DISPENSER (with no execution delay) in
///      the shared authority.
interface IDrugProvenance {
    // ------------------------------------------------------------------ types

    /// @notice The one answer of {verifyUnit}, in the order it is decided: a unit fact (not in the batch,
    ///         dispensed, destroyed) first, then the batch's state (illegitimate, recalled, quarantined, expired).
    enum UnitStatus {
        /// Unknown batch, position beyond the unit count, or a proof that does not bind serial to position.
        Unknown,
        /// In the batch, not dispensed or destroyed, batch neither expired, recalled nor quarantined: saleable.
        Authentic,
        /// The batch's expiry has passed.
        Expired,
        /// The batch was recalled.
        Recalled,
        /// The batch is quarantined as suspect, awaiting a regulator's verdict.
        Quarantined,
        /// A regulator confirmed the batch illegitimate (counterfeit, diverted, stolen...). Final.
        Illegitimate,
        /// The unit was already dispensed to a patient: a pack showing this serial again is a clone.
        Dispensed,
        /// The unit was destroyed.
        Destroyed
    }

    /// @notice The life of a shipment.
    enum ShipmentStatus {
        /// No such shipment.
        None,
        /// Sent, waiting for the receiver.
        InTransit,
        /// The receiver took custody.
        Accepted,
        /// The receiver refused it; the quantity went back to the sender.
        Rejected,
        /// The sender withdrew it before acceptance; the quantity went back to the sender.
        Cancelled
    }

    /// @notice A batch as stored: one slot of identity and state, one slot of serial root.
    /// @dev Layout: slot 0 = manufacturer (160) | expiresAt (40) | unitCount (32) | flags (8);
    ///      slot 1 = serialRoot. Flags: bit 0 recalled, bit 1 quarantined, bit 2 illegitimate.
    struct Batch {
        /// The account that commissioned the batch; zero for an unknown batch.
        address manufacturer;
        /// First second (unix time) at which the batch is expired.
        uint40 expiresAt;
        /// Number of serialized units, the leaves of the serial tree (positions 0 .. unitCount-1).
        uint32 unitCount;
        /// Bit set: 1 = recalled, 2 = quarantined, 4 = illegitimate.
        uint8 flags;
        /// Root of the StandardMerkleTree of `[position, serial]` leaves.
        bytes32 serialRoot;
    }

    /// @notice One account's custody of one batch.
    /// @dev Layout (one slot): quantity (32) | dispensed (32) | destroyed (32) | supplier (160).
    struct Holding {
        /// Units held now (saleable stock, not in transit).
        uint32 quantity;
        /// Units this account dispensed.
        uint32 dispensed;
        /// Units this account destroyed.
        uint32 destroyed;
        /// Whom this account first received the batch from (the manufacturer for itself); a recalled or expired
        /// batch may still be shipped back to it.
        address supplier;
    }

    /// @notice A shipment as sent. Only its hash (the shipment id) and status are stored: the receiver or sender
    ///         passes it back, read from {ShipmentSent}, to accept, reject or cancel.
    struct Shipment {
        /// The batch shipped.
        bytes32 batchId;
        /// Sender (holder of the units).
        address from;
        /// Receiver (a trading partner).
        address to;
        /// Units shipped.
        uint32 quantity;
        /// Salted commitment of the shipping documents (DSCSA transaction information and statement, a FHIR
        /// SupplyDelivery); unique per shipment.
        bytes32 documentsCommitment;
    }

    /// @notice One unit named by its position and serial, with the Merkle proof that binds them in the batch.
    struct UnitProof {
        /// Position of the unit in the batch (its bit in the bitmaps).
        uint256 position;
        /// GS1 serial number (AI 21): up to 20 alphanumeric characters.
        string serial;
        /// StandardMerkleTree proof of the leaf `[position, serial]`.
        bytes32[] proof;
    }

    // ------------------------------------------------------------------ events

    /// @notice A manufacturer commissioned a serialized batch and holds all its units.
    /// @param batchId `keccak256(abi.encode(gtin, lot))`.
    /// @param manufacturer The commissioning account.
    /// @param gtin GS1 GTIN-14 as an integer.
    /// @param lot GS1 lot (AI 10), ASCII left-aligned in 32 bytes.
    /// @param expiresAt First second at which the batch is expired.
    /// @param unitCount Number of serialized units.
    /// @param serialRoot Root of the serial tree.
    /// @param metadataCommitment Salted commitment of the batch's FHIR Medication resource.
    event BatchCommissioned(
        bytes32 indexed batchId,
        address indexed manufacturer,
        uint64 gtin,
        bytes32 lot,
        uint40 expiresAt,
        uint32 unitCount,
        bytes32 serialRoot,
        bytes32 metadataCommitment
    );

    /// @notice A holder shipped units of a batch; they are in transit until accepted, rejected or cancelled.
    /// @param shipmentId `keccak256(abi.encode(shipment))` of the {Shipment}.
    /// @param batchId The batch shipped.
    /// @param from The sender.
    /// @param to The receiver.
    /// @param quantity Units shipped.
    /// @param documentsCommitment Commitment of the shipping documents.
    event ShipmentSent(
        bytes32 shipmentId,
        bytes32 indexed batchId,
        address indexed from,
        address indexed to,
        uint32 quantity,
        bytes32 documentsCommitment
    );

    /// @notice The receiver accepted a shipment: custody of its units moved to the receiver.
    /// @param shipmentId The shipment.
    /// @param batchId The batch shipped.
    /// @param to The receiver, now holder of the units.
    event ShipmentAccepted(bytes32 indexed shipmentId, bytes32 indexed batchId, address indexed to);

    /// @notice The receiver rejected a shipment: its units went back to the sender.
    /// @param shipmentId The shipment.
    /// @param batchId The batch shipped.
    /// @param to The receiver who rejected it.
    event ShipmentRejected(bytes32 indexed shipmentId, bytes32 indexed batchId, address indexed to);

    /// @notice The sender cancelled a shipment before acceptance: its units went back to the sender.
    /// @param shipmentId The shipment.
    /// @param batchId The batch shipped.
    /// @param from The sender who cancelled it.
    event ShipmentCancelled(bytes32 indexed shipmentId, bytes32 indexed batchId, address indexed from);

    /// @notice A dispenser dispensed one unit to a patient.
    /// @param batchId The batch.
    /// @param dispenser The dispensing account.
    /// @param position The unit's position (its bit).
    event UnitDispensed(bytes32 indexed batchId, address indexed dispenser, uint256 indexed position);

    /// @notice A holder destroyed units of a batch.
    /// @param batchId The batch.
    /// @param holder The holder who destroyed them.
    /// @param quantity Units destroyed.
    /// @param evidenceCommitment Commitment of the destruction record.
    event UnitsDestroyed(bytes32 indexed batchId, address indexed holder, uint32 quantity, bytes32 evidenceCommitment);

    /// @notice One identified unit was destroyed (emitted by {destroyUnits} for each unit, before {UnitsDestroyed}).
    /// @param batchId The batch.
    /// @param holder The holder who destroyed it.
    /// @param position The unit's position.
    event UnitDestroyed(bytes32 indexed batchId, address indexed holder, uint256 indexed position);

    /// @notice An inner node of a batch's serial tree was proven against its root; unit proofs may now stop at it
    ///         (e.g. the subtree of a case of packs: 8 siblings instead of 20 for a 1,000,000-unit batch).
    /// @param batchId The batch.
    /// @param by The account that anchored it.
    /// @param node The subtree's root.
    event SubtreeAnchored(bytes32 indexed batchId, address indexed by, bytes32 node);

    /// @notice The batch was recalled: no more dispensing, shipping only back toward the manufacturer.
    /// @param batchId The batch.
    /// @param by The manufacturer or regulator who recalled it.
    /// @param reasonCommitment Commitment of the recall notice.
    event BatchRecalled(bytes32 indexed batchId, address indexed by, bytes32 reasonCommitment);

    /// @notice The batch was put in quarantine as suspect: no shipping or dispensing until a regulator decides.
    /// @param batchId The batch.
    /// @param by The holder, manufacturer or regulator who raised it.
    /// @param reasonCommitment Commitment of the suspect-product report.
    event BatchQuarantined(bytes32 indexed batchId, address indexed by, bytes32 reasonCommitment);

    /// @notice A regulator cleared the batch's quarantine: it is legitimate.
    /// @param batchId The batch.
    /// @param regulator The regulator.
    /// @param reasonCommitment Commitment of the clearance notice.
    event QuarantineCleared(bytes32 indexed batchId, address indexed regulator, bytes32 reasonCommitment);

    /// @notice A regulator confirmed the quarantined batch illegitimate. Final: it can only be destroyed.
    /// @param batchId The batch.
    /// @param regulator The regulator.
    /// @param reasonCommitment Commitment of the illegitimate-product notification.
    event BatchIllegitimate(bytes32 indexed batchId, address indexed regulator, bytes32 reasonCommitment);

    /// @notice A trading partner or regulator reported a suspect unit, e.g. a pack whose serial was already
    ///         dispensed (a clone). No state changes: the report is for the regulator and the manufacturer.
    /// @param batchId The batch the pack claims to belong to (may be unknown).
    /// @param reporter The reporting account.
    /// @param position The position the pack claims.
    /// @param status What {verifyUnit} answered for the pack.
    /// @param evidenceCommitment Commitment of the report.
    event SuspectUnitReported(
        bytes32 indexed batchId,
        address indexed reporter,
        uint256 indexed position,
        UnitStatus status,
        bytes32 evidenceCommitment
    );

    // ------------------------------------------------------------------ errors

    /// @notice The batch id names no commissioned batch.
    /// @dev Fix: compute the id as `keccak256(abi.encode(gtin, lot))` (SDK `batchIdOf`) of a commissioned batch.
    /// @param batchId The id given.
    error ProvenanceBatchUnknown(bytes32 batchId);

    /// @notice A batch with this GTIN and lot was already commissioned.
    /// @dev Fix: use a new lot number; a GTIN and lot identify one batch.
    /// @param batchId The existing batch.
    error ProvenanceBatchExists(bytes32 batchId);

    /// @notice The GTIN is zero or has more than 14 digits.
    /// @dev Fix: pass the GTIN-14 as an integer (SDK `parseGtin` also checks the check digit).
    /// @param gtin The value given.
    error ProvenanceGtinInvalid(uint64 gtin);

    /// @notice The lot is empty (zero).
    /// @dev Fix: encode the GS1 lot (AI 10) with the SDK's `encodeLot`.
    error ProvenanceLotMissing();

    /// @notice The expiry is not in the future.
    /// @dev Fix: pass the first second after the expiry date (SDK `expiryTimestamp`); do not commission expired
    ///      stock.
    /// @param expiresAt The expiry given.
    /// @param now_ The block time.
    error ProvenanceExpiryInPast(uint40 expiresAt, uint256 now_);

    /// @notice A quantity is zero.
    /// @dev Fix: commission, ship or destroy at least one unit.
    error ProvenanceQuantityZero();

    /// @notice A required commitment (serial root, metadata, shipping documents, reason, evidence) is zero.
    /// @dev Fix: commit the document with the SDK (`commit` from src/records) and pass its commitment.
    error ProvenanceCommitmentMissing();

    /// @notice The holder holds fewer units of the batch than the operation needs.
    /// @dev Fix: ship, destroy or dispense at most `held` units; accept incoming shipments first.
    /// @param batchId The batch.
    /// @param holder The account.
    /// @param held Units it holds.
    /// @param needed Units the operation needs.
    error ProvenanceInsufficientHolding(bytes32 batchId, address holder, uint32 held, uint32 needed);

    /// @notice A holder tried to ship to itself.
    /// @dev Fix: ship to another trading partner.
    /// @param account The sender and receiver.
    error ProvenanceShipToSelf(address account);

    /// @notice The account does not hold MANUFACTURER, DISTRIBUTOR or DISPENSER (without execution delay).
    /// @dev Fix: trade only with accounts the authority's admin granted a supply-chain role.
    /// @param account The account that is not a trading partner.
    error ProvenanceNotTradingPartner(address account);

    /// @notice A shipment with this id was already sent (same batch, parties, quantity and documents).
    /// @dev Fix: commit the shipping documents with a fresh salt for each shipment.
    /// @param shipmentId The existing shipment.
    error ProvenanceShipmentExists(bytes32 shipmentId);

    /// @notice The shipment is not in transit (never sent, with other fields, or already settled).
    /// @dev Fix: pass the shipment exactly as in its `ShipmentSent` event, while it is in transit.
    /// @param shipmentId The hash of the shipment given.
    /// @param status Its current status.
    error ProvenanceShipmentNotInTransit(bytes32 shipmentId, ShipmentStatus status);

    /// @notice Only the shipment's receiver may accept or reject it.
    /// @dev Fix: sign with the receiver's account.
    /// @param shipmentId The shipment.
    /// @param caller The account that tried.
    error ProvenanceNotShipmentReceiver(bytes32 shipmentId, address caller);

    /// @notice Only the shipment's sender may cancel it.
    /// @dev Fix: sign with the sender's account; the receiver rejects instead.
    /// @param shipmentId The shipment.
    /// @param caller The account that tried.
    error ProvenanceNotShipmentSender(bytes32 shipmentId, address caller);

    /// @notice The batch is recalled: it may only be shipped back toward the manufacturer, never dispensed.
    /// @dev Fix: return the units to the manufacturer or to your supplier, or destroy them.
    /// @param batchId The batch.
    error ProvenanceBatchRecalled(bytes32 batchId);

    /// @notice The batch is expired: it may only be shipped back toward the manufacturer, never dispensed.
    /// @dev Fix: return the units to the manufacturer or to your supplier, or destroy them.
    /// @param batchId The batch.
    /// @param expiresAt When it expired.
    error ProvenanceBatchExpired(bytes32 batchId, uint40 expiresAt);

    /// @notice The batch is quarantined: no shipping or dispensing until a regulator decides.
    /// @dev Fix: wait for the regulator to clear the quarantine (or to confirm the batch illegitimate).
    /// @param batchId The batch.
    error ProvenanceBatchQuarantined(bytes32 batchId);

    /// @notice A regulator confirmed the batch illegitimate: its units can only be destroyed.
    /// @dev Fix: destroy the units and keep the destruction record.
    /// @param batchId The batch.
    error ProvenanceBatchIllegitimate(bytes32 batchId);

    /// @notice The batch is already recalled.
    /// @dev Fix: nothing to do; a recall is final.
    /// @param batchId The batch.
    error ProvenanceBatchAlreadyRecalled(bytes32 batchId);

    /// @notice The batch is already quarantined.
    /// @dev Fix: nothing to do; wait for the regulator's verdict.
    /// @param batchId The batch.
    error ProvenanceBatchAlreadyQuarantined(bytes32 batchId);

    /// @notice The batch is not quarantined, so there is nothing to clear or confirm.
    /// @dev Fix: quarantine the batch first.
    /// @param batchId The batch.
    error ProvenanceBatchNotQuarantined(bytes32 batchId);

    /// @notice Only the batch's manufacturer or a REGULATOR may recall it.
    /// @dev Fix: sign with the manufacturer's or a regulator's account.
    /// @param batchId The batch.
    /// @param caller The account that tried.
    error ProvenanceRecallUnauthorized(bytes32 batchId, address caller);

    /// @notice Only a holder of the batch, its manufacturer or a REGULATOR may quarantine it.
    /// @dev Fix: sign with an account that holds units of the batch, or ask a regulator.
    /// @param batchId The batch.
    /// @param caller The account that tried.
    error ProvenanceQuarantineUnauthorized(bytes32 batchId, address caller);

    /// @notice Only trading partners and regulators may report suspect units.
    /// @dev Fix: sign with a trading partner's or a regulator's account.
    /// @param caller The account that tried.
    error ProvenanceReportUnauthorized(address caller);

    /// @notice The proof does not bind this serial to this position in this batch (wrong batch, serial, position
    ///         or proof; it must lead to the root or to an anchored subtree), or the position is beyond the unit
    ///         count.
    /// @dev Fix: build the proof with the SDK's serial tree of this batch (`SerialTree.proofFor`).
    /// @param batchId The batch.
    /// @param position The position given.
    error ProvenanceProofInvalid(bytes32 batchId, uint256 position);

    /// @notice The node is not an inner node of the batch's serial tree: the proof does not lead to its root.
    /// @dev Fix: take node and proof from the SDK's `SerialTree.anchorFor`.
    /// @param batchId The batch.
    /// @param node The node given.
    error ProvenanceSubtreeInvalid(bytes32 batchId, bytes32 node);

    /// @notice Only a DISPENSER (without execution delay) may dispense.
    /// @dev Fix: sign with a pharmacy's account that the authority's admin granted DISPENSER.
    /// @param caller The account that tried.
    error ProvenanceNotDispenser(address caller);

    /// @notice The unit was already dispensed: the pack in hand carries a cloned serial.
    /// @dev Fix: do not dispense the pack; quarantine it and report it (SDK `reportSuspect`).
    /// @param batchId The batch.
    /// @param position The unit's position.
    error ProvenanceUnitAlreadyDispensed(bytes32 batchId, uint256 position);

    /// @notice The unit was destroyed: a pack carrying its serial is a clone or was diverted from destruction.
    /// @dev Fix: do not dispense the pack; quarantine it and report it (SDK `reportSuspect`).
    /// @param batchId The batch.
    /// @param position The unit's position.
    error ProvenanceUnitDestroyed(bytes32 batchId, uint256 position);

    // ------------------------------------------------------------------ functions

    /// @notice Commissions a serialized batch; the caller (MANUFACTURER) holds all its units.
    /// @param gtin GS1 GTIN-14 as an integer (1 .. 99,999,999,999,999).
    /// @param lot GS1 lot (AI 10), ASCII left-aligned, non-zero.
    /// @param expiresAt First second at which the batch is expired; in the future.
    /// @param unitCount Number of serialized units (leaves of the serial tree); non-zero.
    /// @param serialRoot Root of the StandardMerkleTree of `[position uint256, serial string]` leaves.
    /// @param metadataCommitment Salted commitment of the FHIR Medication resource describing the batch.
    /// @return batchId `keccak256(abi.encode(gtin, lot))`.
    function commission(
        uint64 gtin,
        bytes32 lot,
        uint40 expiresAt,
        uint32 unitCount,
        bytes32 serialRoot,
        bytes32 metadataCommitment
    ) external returns (bytes32 batchId);

    /// @notice Ships `quantity` units of a batch the caller holds to a trading partner. The units are in transit
    ///         until the receiver accepts or rejects, or the caller cancels. A recalled or expired batch may only
    ///         go to its manufacturer or to the caller's supplier; a quarantined or illegitimate one nowhere.
    /// @param batchId The batch.
    /// @param to The receiver, a trading partner other than the caller.
    /// @param quantity Units to ship, at most the caller's holding.
    /// @param documentsCommitment Salted commitment of the shipping documents (FHIR SupplyDelivery).
    /// @return shipmentId `keccak256(abi.encode(Shipment))`.
    function ship(
        bytes32 batchId,
        address to,
        uint32 quantity,
        bytes32 documentsCommitment
    ) external returns (bytes32 shipmentId);

    /// @notice The receiver accepts a shipment in transit: custody of its units moves to the receiver.
    /// @param shipment The shipment as in its {ShipmentSent} event.
    function accept(Shipment calldata shipment) external;

    /// @notice The receiver rejects a shipment in transit: its units go back to the sender.
    /// @param shipment The shipment as in its {ShipmentSent} event.
    function reject(Shipment calldata shipment) external;

    /// @notice The sender cancels a shipment still in transit: its units go back to the sender.
    /// @param shipment The shipment as in its {ShipmentSent} event.
    function cancel(Shipment calldata shipment) external;

    /// @notice A DISPENSER holding the batch dispenses one unit to a patient. Refused when the unit was already
    ///         dispensed (a cloned serial) or destroyed, or the batch is recalled, quarantined, illegitimate or
    ///         expired.
    /// @param batchId The batch.
    /// @param position The unit's position.
    /// @param serial The unit's serial as printed on the pack.
    /// @param proof The serial tree proof of `[position, serial]` (to the root or to an anchored subtree).
    function dispense(bytes32 batchId, uint256 position, string calldata serial, bytes32[] calldata proof) external;

    /// @notice A holder destroys `quantity` unidentified units it holds. Their serials keep verifying as they did;
    ///         use {destroyUnits} to mark identified packs destroyed.
    /// @param batchId The batch.
    /// @param quantity Units destroyed, at most the caller's holding.
    /// @param evidenceCommitment Commitment of the destruction record.
    function destroy(bytes32 batchId, uint32 quantity, bytes32 evidenceCommitment) external;

    /// @notice A holder destroys identified units it holds; each then verifies as Destroyed.
    /// @param batchId The batch.
    /// @param units The units, each with its proof.
    /// @param evidenceCommitment Commitment of the destruction record.
    function destroyUnits(bytes32 batchId, UnitProof[] calldata units, bytes32 evidenceCommitment) external;

    /// @notice Anchors an inner node of a batch's serial tree (anyone may; it is checked against the root), so that
    ///         later unit proofs may stop at it. Anchoring an anchored node changes nothing.
    /// @param batchId The batch.
    /// @param node The subtree root (a node of the serial tree).
    /// @param proof The siblings from `node` up to the batch's serial root.
    function anchorSubtree(bytes32 batchId, bytes32 node, bytes32[] calldata proof) external;

    /// @notice Whether a node of a batch's serial tree is anchored.
    /// @param batchId The batch.
    /// @param node The node.
    /// @return anchored True once {anchorSubtree} proved it.
    function isAnchored(bytes32 batchId, bytes32 node) external view returns (bool anchored);

    /// @notice Recalls a batch (its manufacturer or a REGULATOR). Final.
    /// @param batchId The batch.
    /// @param reasonCommitment Commitment of the recall notice.
    function recall(bytes32 batchId, bytes32 reasonCommitment) external;

    /// @notice Puts a batch in quarantine (a holder of it, its manufacturer or a REGULATOR).
    /// @param batchId The batch.
    /// @param reasonCommitment Commitment of the suspect-product report.
    function quarantine(bytes32 batchId, bytes32 reasonCommitment) external;

    /// @notice A REGULATOR clears a quarantine: the batch is legitimate.
    /// @param batchId The batch.
    /// @param reasonCommitment Commitment of the clearance notice.
    function clearQuarantine(bytes32 batchId, bytes32 reasonCommitment) external;

    /// @notice A REGULATOR confirms a quarantined batch illegitimate. Final.
    /// @param batchId The batch.
    /// @param reasonCommitment Commitment of the illegitimate-product notification.
    function confirmIllegitimate(bytes32 batchId, bytes32 reasonCommitment) external;

    /// @notice A trading partner or REGULATOR reports a suspect pack; emits {SuspectUnitReported} with the
    ///         pack's {verifyUnit} status. Changes no state.
    /// @param batchId The batch the pack claims.
    /// @param unit The pack's position, serial and proof (an empty proof for a serial unknown to the batch).
    /// @param evidenceCommitment Commitment of the report.
    /// @return status What {verifyUnit} answers for the pack.
    function reportSuspect(
        bytes32 batchId,
        UnitProof calldata unit,
        bytes32 evidenceCommitment
    ) external returns (UnitStatus status);

    /// @notice The one answer a verifier needs for a pack: is it authentic and saleable, and if not, why.
    /// @param batchId The batch (`keccak256(abi.encode(gtin, lot))`).
    /// @param position The unit's position.
    /// @param serial The serial printed on the pack.
    /// @param proof The serial tree proof of `[position, serial]` (to the root or to an anchored subtree).
    /// @return status See {UnitStatus}.
    function verifyUnit(
        bytes32 batchId,
        uint256 position,
        string calldata serial,
        bytes32[] calldata proof
    ) external view returns (UnitStatus status);

    /// @notice A batch as stored.
    /// @param batchId The batch.
    /// @return batch The batch (zero manufacturer when unknown).
    function getBatch(bytes32 batchId) external view returns (Batch memory batch);

    /// @notice One account's custody of one batch.
    /// @param batchId The batch.
    /// @param holder The account.
    /// @return holding Its holding (all zero when it never held the batch).
    function holdingOf(bytes32 batchId, address holder) external view returns (Holding memory holding);

    /// @notice The status of a shipment.
    /// @param shipmentId The shipment id.
    /// @return status See {ShipmentStatus}.
    function shipmentStatus(bytes32 shipmentId) external view returns (ShipmentStatus status);

    /// @notice Whether trading is open to an account (MANUFACTURER, DISTRIBUTOR or DISPENSER, no execution delay).
    /// @param account The account.
    /// @return partner True for a trading partner.
    function isTradingPartner(address account) external view returns (bool partner);
}
