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
///      the shared authority; every role is read at each call, so an account whose role is revoked loses its powers
///      over the stock it holds at once (it may still reject and cancel shipments, which only return goods).
///      Custody is tracked by quantity, not by unit: the contract cannot tell which packs a holder has, so only the
///      parties accountable for a batch's serials (its manufacturer, from its own stock, and regulators) may mark
///      identified units destroyed; other holders destroy by quantity (see docs/provenance.md).
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

    /// @notice A batch as stored.
    /// @dev Two slots: slot 0 = bits 0..159 manufacturer, 160..199 expiresAt, 200..231 unitCount, 232..239 flags,
    ///      240..255 unused; slot 1 = serialRoot. The hot paths (`ship`, `dispense`, `verifyUnit`) read slot 0 for
    ///      every check and slot 1 only for a proof.
    /// @param manufacturer The account that commissioned the batch; zero for an unknown batch.
    /// @param expiresAt First second (unix time) at which the batch is expired.
    /// @param unitCount Number of serialized units, the leaves of the serial tree (positions 0 .. unitCount-1).
    /// @param flags Bit set of `BatchFlags` (`contracts/provenance/BatchFlags.sol`): 1 recalled, 2 quarantined,
    ///        4 illegitimate, 8 cleared at least once by a regulator.
    /// @param serialRoot Root of the StandardMerkleTree of `[position, serial]` leaves.
    struct Batch {
        address manufacturer;
        uint40 expiresAt;
        uint32 unitCount;
        uint8 flags;
        bytes32 serialRoot;
    }

    /// @notice One account's custody of one batch.
    /// @dev Fits in one slot: bits 0..31 quantity, 32..63 dispensed, 64..95 destroyed, 96..255 supplier. `ship`,
    ///      `accept` and `dispense` each write this one slot.
    /// @param quantity Units held now (saleable stock, not in transit).
    /// @param dispensed Units this account dispensed.
    /// @param destroyed Units of this account's stock destroyed (by itself, or by a regulator from its stock).
    /// @param supplier Whom this account first received the batch from (the manufacturer for itself); a recalled
    ///        or expired batch may still be shipped back to it.
    struct Holding {
        uint32 quantity;
        uint32 dispensed;
        uint32 destroyed;
        address supplier;
    }

    /// @notice A shipment as sent. Only its hash (the shipment id) and status are stored: the receiver or sender
    ///         passes it back, read from {ShipmentSent}, to accept, reject or cancel.
    /// @dev Calldata only (five ABI words); the shipment id is `keccak256(abi.encode(shipment))`.
    /// @param batchId The batch shipped.
    /// @param from Sender (holder of the units).
    /// @param to Receiver (a trading partner).
    /// @param quantity Units shipped.
    /// @param documentsCommitment Salted commitment of the shipping documents (DSCSA transaction information and
    ///        statement, a FHIR SupplyDelivery); unique per shipment.
    struct Shipment {
        bytes32 batchId;
        address from;
        address to;
        uint32 quantity;
        bytes32 documentsCommitment;
    }

    /// @notice One unit named by its position and serial, with the Merkle proof that binds them in the batch.
    /// @dev Calldata only (a position word, then the serial and the proof, ABI-encoded dynamically).
    /// @param position Position of the unit in the batch (its bit in the bitmaps).
    /// @param serial GS1 serial number (AI 21): up to 20 alphanumeric characters.
    /// @param proof StandardMerkleTree proof of the leaf `[position, serial]` (to the root or to an anchored
    ///        subtree).
    struct UnitProof {
        uint256 position;
        string serial;
        bytes32[] proof;
    }

    // ------------------------------------------------------------------ events

    /// @notice Emitted when a manufacturer commissions a serialized batch; it holds all the batch's units.
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

    /// @notice Emitted when a holder ships units of a batch; they are in transit until accepted, rejected or
    ///         cancelled. Indexed like its siblings (shipment, batch, receiver), so that a receiver finds the
    ///         shipments addressed to it.
    /// @param shipmentId `keccak256(abi.encode(shipment))` of the {Shipment}.
    /// @param batchId The batch shipped.
    /// @param from The sender.
    /// @param to The receiver.
    /// @param quantity Units shipped.
    /// @param documentsCommitment Commitment of the shipping documents.
    event ShipmentSent(
        bytes32 indexed shipmentId,
        bytes32 indexed batchId,
        address from,
        address indexed to,
        uint32 quantity,
        bytes32 documentsCommitment
    );

    /// @notice Emitted when the receiver accepts a shipment: custody of its units moved to the receiver.
    /// @param shipmentId The shipment.
    /// @param batchId The batch shipped.
    /// @param to The receiver, now holder of the units.
    event ShipmentAccepted(bytes32 indexed shipmentId, bytes32 indexed batchId, address indexed to);

    /// @notice Emitted when the receiver rejects a shipment: its units went back to the sender.
    /// @param shipmentId The shipment.
    /// @param batchId The batch shipped.
    /// @param to The receiver who rejected it.
    event ShipmentRejected(bytes32 indexed shipmentId, bytes32 indexed batchId, address indexed to);

    /// @notice Emitted when the sender cancels a shipment before acceptance: its units went back to the sender.
    /// @param shipmentId The shipment.
    /// @param batchId The batch shipped.
    /// @param from The sender who cancelled it.
    event ShipmentCancelled(bytes32 indexed shipmentId, bytes32 indexed batchId, address indexed from);

    /// @notice Emitted when a dispenser dispenses one unit to a patient.
    /// @param batchId The batch.
    /// @param dispenser The dispensing account.
    /// @param position The unit's position (its bit).
    event UnitDispensed(bytes32 indexed batchId, address indexed dispenser, uint256 indexed position);

    /// @notice Emitted when units of a holder's stock are destroyed: by the holder itself ({destroy}, or
    ///         {destroyUnits} by the batch's manufacturer), or by a regulator ({destroyUnits}).
    /// @param batchId The batch.
    /// @param holder The holder whose stock was debited.
    /// @param by The account that recorded the destruction (the holder, or a regulator).
    /// @param quantity Units destroyed.
    /// @param evidenceCommitment Commitment of the destruction record.
    event UnitsDestroyed(
        bytes32 indexed batchId,
        address indexed holder,
        address indexed by,
        uint32 quantity,
        bytes32 evidenceCommitment
    );

    /// @notice Emitted by {destroyUnits} for each identified unit destroyed, before {UnitsDestroyed}.
    /// @param batchId The batch.
    /// @param holder The holder whose stock the unit was.
    /// @param position The unit's position.
    event UnitDestroyed(bytes32 indexed batchId, address indexed holder, uint256 indexed position);

    /// @notice Emitted when an inner node of a batch's serial tree is proven against its root; unit proofs may
    ///         now stop at it (e.g. the subtree of a case of packs: 8 siblings instead of 20 for a 1,000,000-unit
    ///         batch).
    /// @param batchId The batch.
    /// @param by The account that anchored it.
    /// @param node The subtree's root.
    event SubtreeAnchored(bytes32 indexed batchId, address indexed by, bytes32 node);

    /// @notice Emitted when the batch is recalled: no more dispensing, shipping only back toward the manufacturer.
    /// @param batchId The batch.
    /// @param by The manufacturer or regulator who recalled it.
    /// @param reasonCommitment Commitment of the recall notice.
    event BatchRecalled(bytes32 indexed batchId, address indexed by, bytes32 reasonCommitment);

    /// @notice Emitted when the batch is put in quarantine as suspect: no shipping or dispensing until a regulator
    ///         decides.
    /// @param batchId The batch.
    /// @param by The holder, manufacturer or regulator who raised it.
    /// @param reasonCommitment Commitment of the suspect-product report.
    event BatchQuarantined(bytes32 indexed batchId, address indexed by, bytes32 reasonCommitment);

    /// @notice Emitted when a regulator clears the batch's quarantine: it is legitimate, and from now on only its
    ///         manufacturer or a regulator may quarantine it again.
    /// @param batchId The batch.
    /// @param regulator The regulator.
    /// @param reasonCommitment Commitment of the clearance notice.
    event QuarantineCleared(bytes32 indexed batchId, address indexed regulator, bytes32 reasonCommitment);

    /// @notice Emitted when a regulator confirms the quarantined batch illegitimate. Final: it can only be
    ///         destroyed.
    /// @param batchId The batch.
    /// @param regulator The regulator.
    /// @param reasonCommitment Commitment of the illegitimate-product notification.
    event BatchIllegitimate(bytes32 indexed batchId, address indexed regulator, bytes32 reasonCommitment);

    /// @notice Emitted when a trading partner or regulator reports a suspect unit, e.g. a pack whose serial was
    ///         already dispensed (a clone). No state changes: the report is for the regulator and the manufacturer.
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
    /// @param currentTime The current block time.
    error ProvenanceExpiryInPast(uint40 expiresAt, uint40 currentTime);

    /// @notice A quantity is zero.
    /// @dev Fix: commission, ship or destroy at least one unit.
    error ProvenanceQuantityZero();

    /// @notice A required commitment (serial root, metadata, shipping documents, reason, evidence) is zero.
    /// @dev Fix: commit the document with the SDK (`commit` from src/records) and pass its commitment.
    error ProvenanceCommitmentMissing();

    /// @notice The holder holds fewer units of the batch than the operation needs.
    /// @dev Fix: ship, destroy or dispense at most `held` units; accept incoming shipments first.
    /// @param batchId The batch.
    /// @param holder The account whose stock the operation debits.
    /// @param needed Units the operation needs.
    /// @param held Units it holds.
    error ProvenanceHoldingInsufficient(bytes32 batchId, address holder, uint32 needed, uint32 held);

    /// @notice A holder tried to ship to itself.
    /// @dev Fix: ship to another trading partner.
    /// @param batchId The batch.
    /// @param account The sender and receiver.
    error ProvenanceReceiverIsSender(bytes32 batchId, address account);

    /// @notice The account does not hold MANUFACTURER, DISTRIBUTOR or DISPENSER (without execution delay): it is
    ///         not, or no longer, a trading partner.
    /// @dev Fix: trade only with accounts the authority's admin granted a supply-chain role with no execution
    ///      delay; a holder whose role was revoked may still reject or cancel shipments, nothing else.
    /// @param account The account that is not a trading partner (the caller, or a shipment's receiver).
    error ProvenanceAccountNotTradingPartner(address account);

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
    error ProvenanceCallerNotReceiver(bytes32 shipmentId, address caller);

    /// @notice Only the shipment's sender may cancel it.
    /// @dev Fix: sign with the sender's account; the receiver rejects instead.
    /// @param shipmentId The shipment.
    /// @param caller The account that tried.
    error ProvenanceCallerNotSender(bytes32 shipmentId, address caller);

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

    /// @notice A regulator already cleared a quarantine of this batch, so a holder may not quarantine it again:
    ///         the regulator's verdict stands until the manufacturer or a regulator reopens it.
    /// @dev Fix: report the suspect pack with evidence (`reportSuspect`, SDK `dispenseOrReport`); the regulator
    ///      and the manufacturer see the report and may quarantine the batch again.
    /// @param batchId The batch.
    error ProvenanceBatchCleared(bytes32 batchId);

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

    /// @notice Only the batch's manufacturer (while it holds MANUFACTURER) or a REGULATOR may recall it.
    /// @dev Fix: sign with the manufacturer's or a regulator's account, holding its role with no execution delay.
    /// @param batchId The batch.
    /// @param caller The account that tried.
    error ProvenanceRecallUnauthorized(bytes32 batchId, address caller);

    /// @notice Only a REGULATOR, the batch's manufacturer (while it holds MANUFACTURER) or, until a regulator
    ///         first clears the batch, a trading partner holding units of it may quarantine it.
    /// @dev Fix: sign with such an account, holding its role with no execution delay; anyone else reports the
    ///      suspect pack with `reportSuspect`.
    /// @param batchId The batch.
    /// @param caller The account that tried.
    error ProvenanceQuarantineUnauthorized(bytes32 batchId, address caller);

    /// @notice Only trading partners and regulators may report suspect units.
    /// @dev Fix: sign with a trading partner's or a regulator's account, holding its role with no execution delay.
    /// @param batchId The batch the pack claims.
    /// @param caller The account that tried.
    error ProvenanceReportUnauthorized(bytes32 batchId, address caller);

    /// @notice Only the batch's manufacturer (while it holds MANUFACTURER), from its own stock, or a REGULATOR,
    ///         from any holder's stock, may mark identified units destroyed: custody is tracked by quantity, so the
    ///         contract cannot check that a holder has the packs it names.
    /// @dev Fix: destroy by quantity with `destroy` (your serials keep verifying as before), or return the packs to
    ///      the manufacturer, or have a regulator witness the destruction and record it by serial.
    /// @param batchId The batch.
    /// @param caller The account that tried.
    /// @param holder The holder whose stock it named.
    error ProvenanceDestructionUnauthorized(bytes32 batchId, address caller, address holder);

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

    /// @notice The unit was already dispensed: the pack in hand carries a cloned serial.
    /// @dev Fix: do not dispense the pack; report it (SDK `dispenseOrReport` / `reportSuspect`).
    /// @param batchId The batch.
    /// @param position The unit's position.
    error ProvenanceUnitAlreadyDispensed(bytes32 batchId, uint256 position);

    /// @notice The unit was destroyed: a pack carrying its serial is a clone or was diverted from destruction.
    /// @dev Fix: do not dispense the pack; report it (SDK `dispenseOrReport` / `reportSuspect`).
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

    /// @notice Ships `quantity` units of a batch the caller holds to a trading partner; the caller must be a
    ///         trading partner too. The units are in transit until the receiver accepts or rejects, or the caller
    ///         cancels. A recalled or expired batch may only go to its manufacturer or to the caller's supplier; a
    ///         quarantined or illegitimate one nowhere.
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

    /// @notice The receiver, a trading partner, accepts a shipment in transit: custody of its units moves to it.
    /// @param shipment The shipment as in its {ShipmentSent} event.
    function accept(Shipment calldata shipment) external;

    /// @notice The receiver rejects a shipment in transit: its units go back to the sender. Open to a receiver that
    ///         lost its role, so that goods never stay stuck in transit.
    /// @param shipment The shipment as in its {ShipmentSent} event.
    function reject(Shipment calldata shipment) external;

    /// @notice The sender cancels a shipment still in transit: its units go back to the sender. Open to a sender
    ///         that lost its role, so that goods never stay stuck in transit.
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

    /// @notice A holder that is a trading partner records the destruction of `quantity` units it holds. The units
    ///         are not identified, so their serials keep verifying as they did (see {destroyUnits}).
    /// @param batchId The batch.
    /// @param quantity Units destroyed, at most the caller's holding.
    /// @param evidenceCommitment Commitment of the destruction record.
    function destroy(bytes32 batchId, uint32 quantity, bytes32 evidenceCommitment) external;

    /// @notice Records the destruction of identified units, debited from `holder`'s stock; each then verifies as
    ///         Destroyed. Only the batch's manufacturer (holding MANUFACTURER) from its own stock, or a REGULATOR
    ///         from any holder's stock (a destruction it witnessed or ordered, also of an account that lost its
    ///         role): custody is tracked by quantity, so a holder could otherwise name packs that another holds.
    /// @param batchId The batch.
    /// @param holder The holder whose stock the units were (the caller, for the manufacturer).
    /// @param units The units, each with its proof.
    /// @param evidenceCommitment Commitment of the destruction record.
    function destroyUnits(
        bytes32 batchId,
        address holder,
        UnitProof[] calldata units,
        bytes32 evidenceCommitment
    ) external;

    /// @notice Anchors an inner node of a batch's serial tree (anyone may; it is checked against the root), so that
    ///         later unit proofs may stop at it. Anchoring an anchored node changes nothing.
    /// @param batchId The batch.
    /// @param node The subtree root (a node of the serial tree).
    /// @param proof The siblings from `node` up to the batch's serial root.
    function anchorSubtree(bytes32 batchId, bytes32 node, bytes32[] calldata proof) external;

    /// @notice Recalls a batch: its manufacturer (holding MANUFACTURER) or a REGULATOR. Final.
    /// @param batchId The batch.
    /// @param reasonCommitment Commitment of the recall notice.
    function recall(bytes32 batchId, bytes32 reasonCommitment) external;

    /// @notice Puts a batch in quarantine: a REGULATOR, the batch's manufacturer (holding MANUFACTURER), or a
    ///         trading partner holding units of it until a regulator first clears it (after a clearance, holders
    ///         report suspect packs with {reportSuspect} instead, so that one holder cannot undo the verdict).
    /// @param batchId The batch.
    /// @param reasonCommitment Commitment of the suspect-product report.
    function quarantine(bytes32 batchId, bytes32 reasonCommitment) external;

    /// @notice A REGULATOR clears a quarantine: the batch is legitimate. From then on only its manufacturer or a
    ///         regulator may quarantine it again.
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
    /// @return record The batch (zero manufacturer when unknown).
    function batch(bytes32 batchId) external view returns (Batch memory record);

    /// @notice One account's custody of one batch.
    /// @param batchId The batch.
    /// @param holder The account.
    /// @return stock Its holding (all zero when it never held the batch).
    function holding(bytes32 batchId, address holder) external view returns (Holding memory stock);

    /// @notice The status of a shipment (only its status is stored; the shipment is in its {ShipmentSent} event).
    /// @param shipmentId The shipment id.
    /// @return status See {ShipmentStatus}.
    function shipmentStatus(bytes32 shipmentId) external view returns (ShipmentStatus status);

    /// @notice Whether a node of a batch's serial tree is anchored.
    /// @param batchId The batch.
    /// @param node The node.
    /// @return anchored True once {anchorSubtree} proved it.
    function isAnchored(bytes32 batchId, bytes32 node) external view returns (bool anchored);

    /// @notice Whether trading is open to an account (MANUFACTURER, DISTRIBUTOR or DISPENSER, no execution delay).
    /// @param account The account.
    /// @return partner True for a trading partner.
    function isTradingPartner(address account) external view returns (bool partner);
}
