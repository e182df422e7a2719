// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Insurance claims manager
/// @notice Insurers issue policies and fund an escrow in one ERC-20 payment token; providers request prior
///         authorisations and submit claims, which need the member's consent for the payment purpose, are refused
///         when duplicated, and are adjudicated at once by the policy's published rules (deductible, coinsurance,
///         annual limit, covered service categories, manual-review threshold). The insurer reviews pended claims
///         and decides appeals; providers collect approved amounts from the escrow by pull withdrawal.
/// @dev Only ids, addresses, amounts, codes, times and salted commitments of FHIR documents are stored or logged.
///      Every service-category code this contract sees is **blinded**: a policy's member is a per-policy pseudonym,
///      and the policy's codes are the plain codes of `ServiceCategories.sol` under a secret permutation of that
///      policy (derived by the SDK from the policy's blinding key, which the member, the insurer and the providers
///      she lets bill hold), so that covered sets, claim lines, prior authorisations and the member's payment
///      consent are meaningless without the key and cannot be compared across policies. The rules do not care:
///      they only ask whether a code is covered and whether two codes are equal, which a permutation keeps
///      (docs/claims.md, "Blinded service codes"). Reason codes are in `ClaimReasons.sol`, limits in
///      `ClaimsConstants.sol`; the rules are the pure library `Adjudication.sol`, documented in docs/claims.md and
///      mirrored line for line by the SDK (`src/claims/adjudication.ts`).
interface IClaimsManager {
    // ---------------------------------------------------------------------------------------------------------------
    // Types
    // ---------------------------------------------------------------------------------------------------------------

    /// @notice Where a claim stands.
    /// @dev None: never submitted. Pended: waits for the insurer's review. Approved: the insurer owes `amount` to the
    ///      provider. Denied: refused, appealable once within the appeal window. Appealed: waits for the insurer's
    ///      final decision. FinalDenied: the appeal was denied; nothing more can happen. Paid: the provider withdrew.
    enum ClaimStatus {
        None,
        Pended,
        Approved,
        Denied,
        Appealed,
        FinalDenied,
        Paid
    }

    /// @notice Where a prior authorisation stands.
    /// @dev Requested by a provider, then Approved or Denied by the insurer; an approved one becomes Used when a claim
    ///      cites it (one claim per authorisation).
    enum PriorAuthStatus {
        None,
        Requested,
        Approved,
        Denied,
        Used
    }

    /// @notice The terms of a policy as the insurer issues them. Amounts are in the payment token's smallest unit
    ///         and must fit in 96 bits.
    /// @dev Same field order as the stored {Policy}, which adds the insurer at the end.
    /// @param termsCommitment Salted commitment of the policy document (FHIR Coverage / InsurancePlan); non-zero.
    /// @param member The member's account for this policy: a pseudonym derived for this one policy (the data subject
    ///        whose consent claims need), which appears in no other relationship.
    /// @param coverageStart First second of coverage (unix time); policy years count from here.
    /// @param coverageEnd Last second of coverage (unix time); at most 100 policy years after the start.
    /// @param coinsuranceBps The member's share after the deductible, in basis points (0..10000).
    /// @param annualLimit Most the insurer pays per policy year; non-zero.
    /// @param deductible What the member pays per policy year before coinsurance applies; may be zero.
    /// @param coveredCategories Bit set of covered service categories over the policy's blinded codes (bit `b` for
    ///        blinded code `b`); non-zero.
    /// @param reviewThreshold A claim whose payable amount is above this goes to manual review (0: every claim that
    ///        pays anything is reviewed); a cited prior authorisation exempts its own lines up to its amount.
    struct PolicyTerms {
        bytes32 termsCommitment;
        address member;
        uint40 coverageStart;
        uint40 coverageEnd;
        uint16 coinsuranceBps;
        uint256 annualLimit;
        uint256 deductible;
        uint16 coveredCategories;
        uint256 reviewThreshold;
    }

    /// @notice A stored policy: its {PolicyTerms}, in the same order, and the insurer that issued it.
    /// @dev Layout (4 slots): slot 0 termsCommitment; slot 1 member | coverageStart | coverageEnd | coinsuranceBps
    ///      (256 bits); slot 2 annualLimit | deductible | coveredCategories (208 bits); slot 3 reviewThreshold |
    ///      insurer (256 bits). A submission reads slots 1 to 3.
    /// @param termsCommitment Salted commitment of the policy document.
    /// @param member The member's pseudonym for this policy.
    /// @param coverageStart First second of coverage.
    /// @param coverageEnd Last second of coverage.
    /// @param coinsuranceBps The member's share after the deductible, in basis points.
    /// @param annualLimit Most the insurer pays per policy year.
    /// @param deductible The member's yearly deductible.
    /// @param coveredCategories Bit set of covered service categories, over the policy's blinded codes.
    /// @param reviewThreshold Payable amounts above this are pended for manual review.
    /// @param insurer The account that issued the policy, funds its claims and decides them.
    struct Policy {
        bytes32 termsCommitment;
        address member;
        uint40 coverageStart;
        uint40 coverageEnd;
        uint16 coinsuranceBps;
        uint96 annualLimit;
        uint96 deductible;
        uint16 coveredCategories;
        uint96 reviewThreshold;
        address insurer;
    }

    /// @notice One line of a claim: a service category and the amount billed for it.
    /// @dev In calldata and events only (two words per line).
    /// @param category The policy's blinded code of the line's service category (0..15).
    /// @param amount Billed amount in the token's smallest unit; non-zero, at most 2^96-1.
    struct ClaimLine {
        uint8 category;
        uint256 amount;
    }

    /// @notice A stored claim. Its id is the claim commitment.
    /// @dev Layout: slot 0 provider | policyId | year | status | reason | decidedAt (256 bits); slot 1 amount |
    ///      memberShare | services (208 bits); slot 2 deductible (96 bits), written only for a claim that
    ///      holds a deductible it may have to give back, so that a claim decided at submission writes two slots.
    /// @param provider The provider that submitted the claim and is paid.
    /// @param policyId The policy the claim is made under.
    /// @param year The policy year of the service date (0 = the first; clamped into the coverage period).
    /// @param status Where the claim stands.
    /// @param reason Why it is pended or denied (see `ClaimReasons.sol`); 0 otherwise.
    /// @param decidedAt When the status last changed (the appeal window of a denial runs from here).
    /// @param amount Pended or Denied: the most the insurer may approve (the computed benefit, or the billed total of
    ///        a claim denied at submission). Approved or Paid: the approved amount.
    /// @param memberShare The member's cost share on covered lines (deductible + coinsurance + any amount above the
    ///        annual limit), fixed at adjudication.
    /// @param services Bit set of the claim's blinded service codes (bit `b` for each line's code `b`): what a
    ///        provider's appeal needs the member's payment consent for.
    /// @param deductible For a claim pended at submission: the part of the member's deductible it applied, held
    ///        while it is Pended or Approved and given back to the policy year when it is denied. For a claim
    ///        approved on appeal: what the approval applied again. 0 for a claim decided at submission (the
    ///        deductible of an approved one is final and in its `ClaimSubmitted` event).
    struct Claim {
        address provider;
        uint32 policyId;
        uint8 year;
        ClaimStatus status;
        uint8 reason;
        uint40 decidedAt;
        uint96 amount;
        uint96 memberShare;
        uint16 services;
        uint96 deductible;
    }

    /// @notice The outcome of adjudicating a claim at submission, claim-level totals. Per-line amounts follow
    ///         deterministically from the lines and these totals (see docs/claims.md) and are rebuilt by the SDK.
    /// @dev Computed by `Adjudication.adjudicate`; in events only.
    /// @param status Approved, Pended or Denied.
    /// @param reason Pend or denial reason (see `ClaimReasons.sol`); 0 when approved.
    /// @param billed Sum of all lines' billed amounts.
    /// @param eligible Sum of the billed amounts of covered lines (0 when the claim is denied).
    /// @param deductible Part of `eligible` applied to the member's deductible.
    /// @param coinsurance The member's coinsurance on the rest (rounded down per line).
    /// @param benefit What the insurer pays (or may approve, when pended), within what approved claims left of the
    ///        annual limit.
    /// @param memberShare `eligible - benefit`: deductible, coinsurance and any amount above the annual limit.
    struct Outcome {
        ClaimStatus status;
        uint8 reason;
        uint256 billed;
        uint256 eligible;
        uint256 deductible;
        uint256 coinsurance;
        uint256 benefit;
        uint256 memberShare;
    }

    /// @notice What a policy year has used.
    /// @dev Layout: slot 0 deductibleMet | committed (192 bits); slot 1 reserved. Invariants: `deductibleMet <=
    ///      deductible` and `committed <= annualLimit`; `reserved` is the sum of the pended claims' amounts and may
    ///      exceed what is left of the limit (reservations can overlap; the first approved takes the room).
    /// @param deductibleMet The member's deductible applied so far (by approved, paid and pended claims).
    /// @param committed Benefit approved (paid or not): the part of the annual limit really used.
    /// @param reserved Benefit that pended claims may still be approved for.
    struct Usage {
        uint96 deductibleMet;
        uint96 committed;
        uint128 reserved;
    }

    /// @notice An insurer's escrow.
    /// @dev Layout: balance | owed (256 bits, one slot). Invariant: `owed <= balance`.
    /// @param balance Tokens held for the insurer.
    /// @param owed Approved amounts not yet withdrawn by providers.
    struct Escrow {
        uint128 balance;
        uint128 owed;
    }

    /// @notice A stored prior authorisation.
    /// @dev Layout: slot 0 provider | policyId | category | status | validUntil (248 bits); slot 1 amount.
    /// @param provider The provider that requested it; only it may cite it.
    /// @param policyId The policy it is requested under.
    /// @param category The blinded code of the service category it authorises.
    /// @param status Where it stands.
    /// @param validUntil Latest service date it covers (set at approval).
    /// @param amount Approved amount: a claim citing it is not pended for review while the benefit of its lines of
    ///        this category is at most this (and the rest of the claim is within the review threshold).
    struct PriorAuth {
        address provider;
        uint32 policyId;
        uint8 category;
        PriorAuthStatus status;
        uint40 validUntil;
        uint96 amount;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Events
    // ---------------------------------------------------------------------------------------------------------------

    /// @notice Emitted when an insurer issues a policy.
    /// @param policyId The new policy's id.
    /// @param insurer The issuing insurer.
    /// @param member The member's pseudonym for this policy.
    /// @param terms The policy's terms, as given (the covered set over the policy's blinded codes).
    event PolicyCreated(uint256 indexed policyId, address indexed insurer, address indexed member, PolicyTerms terms);

    /// @notice Emitted when an insurer adds tokens to its escrow.
    /// @param insurer The insurer whose escrow grew.
    /// @param amount Tokens received by this contract.
    /// @param balance The insurer's escrow balance afterwards.
    event EscrowFunded(address indexed insurer, uint256 amount, uint256 balance);

    /// @notice Emitted when an insurer takes tokens out of its escrow (only what is not owed to providers).
    /// @param insurer The insurer whose escrow shrank.
    /// @param to Who received the tokens.
    /// @param amount Tokens sent.
    /// @param balance The insurer's escrow balance afterwards.
    event EscrowWithdrawn(address indexed insurer, address indexed to, uint256 amount, uint256 balance);

    /// @notice Emitted when a provider requests a prior authorisation.
    /// @param authId The new authorisation's id.
    /// @param policyId The policy it is requested under.
    /// @param provider The requesting provider.
    /// @param category The blinded code of the service category to authorise.
    /// @param requestCommitment Salted commitment of the request (FHIR Claim with use = preauthorization).
    event PriorAuthRequested(
        uint256 indexed authId,
        uint256 indexed policyId,
        address indexed provider,
        uint8 category,
        bytes32 requestCommitment
    );

    /// @notice Emitted when the insurer approves a prior authorisation.
    /// @param authId The authorisation.
    /// @param insurer The deciding insurer.
    /// @param amount The approved amount.
    /// @param validUntil Latest service date it covers.
    event PriorAuthApproved(uint256 indexed authId, address indexed insurer, uint256 amount, uint40 validUntil);

    /// @notice Emitted when the insurer denies a prior authorisation.
    /// @param authId The authorisation.
    /// @param insurer The deciding insurer.
    /// @param reason Denial reason (an insurer reason code, see `ClaimReasons.sol`).
    event PriorAuthDenied(uint256 indexed authId, address indexed insurer, uint8 reason);

    /// @notice Emitted when a provider submits a claim, with the outcome of its adjudication.
    /// @param claimId The claim's id (its commitment of the FHIR Claim).
    /// @param policyId The policy.
    /// @param provider The submitting provider.
    /// @param fingerprint The duplicate fingerprint computed on chain over the blinded lines (see {fingerprintOf}).
    /// @param serviceDate The date of service (unix time).
    /// @param priorAuthId The cited prior authorisation, 0 for none.
    /// @param lines The claim's lines as submitted (blinded codes).
    /// @param adjudication The outcome and its amounts.
    event ClaimSubmitted(
        bytes32 indexed claimId,
        uint256 indexed policyId,
        address indexed provider,
        bytes32 fingerprint,
        uint40 serviceDate,
        uint256 priorAuthId,
        ClaimLine[] lines,
        Outcome adjudication
    );

    /// @notice Emitted when the insurer approves a pended claim or an appealed one.
    /// @param claimId The claim.
    /// @param insurer The deciding insurer.
    /// @param amount The approved amount, now owed to the provider and committed against the annual limit.
    /// @param deductible The part of the member's deductible the decision applied again (an approved appeal of a
    ///        claim whose denial gave its deductible back); 0 on review.
    /// @param onAppeal True for a decision on appeal (final).
    event ClaimApproved(
        bytes32 indexed claimId,
        address indexed insurer,
        uint256 amount,
        uint256 deductible,
        bool onAppeal
    );

    /// @notice Emitted when the insurer denies a pended claim or an appealed one.
    /// @param claimId The claim.
    /// @param insurer The deciding insurer.
    /// @param reason Denial reason (an insurer reason code, see `ClaimReasons.sol`).
    /// @param deductible The part of the member's deductible given back to the policy year (a pended claim's);
    ///        0 on appeal.
    /// @param onAppeal True for a decision on appeal (final).
    event ClaimDenied(
        bytes32 indexed claimId,
        address indexed insurer,
        uint8 reason,
        uint256 deductible,
        bool onAppeal
    );

    /// @notice Emitted when the provider or the member appeals a denied claim.
    /// @param claimId The claim.
    /// @param appellant Who appealed (the claim's provider or the policy's member).
    /// @param evidenceCommitment Salted commitment of the appeal's evidence (e.g. a FHIR DocumentReference).
    event ClaimAppealed(bytes32 indexed claimId, address indexed appellant, bytes32 evidenceCommitment);

    /// @notice Emitted when a provider withdraws an approved claim's amount from the insurer's escrow.
    /// @param claimId The claim.
    /// @param provider The paid provider.
    /// @param insurer The insurer whose escrow paid.
    /// @param amount Tokens sent.
    event ClaimPaid(bytes32 indexed claimId, address indexed provider, address indexed insurer, uint256 amount);

    // ---------------------------------------------------------------------------------------------------------------
    // Errors
    // ---------------------------------------------------------------------------------------------------------------

    /// @notice No policy has this id.
    /// @dev Fix: use an id from a `PolicyCreated` event.
    /// @param policyId The unknown id.
    error ClaimsPolicyUnknown(uint256 policyId);

    /// @notice The policy's coverage ended longer ago than the filing window, so it takes no more claims or
    ///         prior-authorisation requests.
    /// @dev Fix: nothing on chain; the claim is past timely filing (see `FILING_WINDOW`).
    /// @param policyId The policy.
    /// @param filingDeadline The last second a claim could be submitted under it.
    error ClaimsPolicyExpired(uint256 policyId, uint40 filingDeadline);

    /// @notice The caller is not the insurer that issued the policy.
    /// @dev Fix: decide and review only with the issuing insurer's account (it keeps these powers after losing its
    ///      INSURER role, to wind down).
    /// @param policyId The policy.
    /// @param caller The caller.
    error ClaimsCallerNotInsurer(uint256 policyId, address caller);

    /// @notice The policy's member is the zero address.
    /// @dev Fix: issue the policy to the member's account.
    error ClaimsMemberMissing();

    /// @notice The coverage period is empty, reversed, or longer than 100 policy years.
    /// @dev Fix: give `coverageStart < coverageEnd` within 100 years.
    /// @param coverageStart The start given.
    /// @param coverageEnd The end given.
    error ClaimsCoveragePeriodInvalid(uint40 coverageStart, uint40 coverageEnd);

    /// @notice The coinsurance is above 100%.
    /// @dev Fix: give basis points from 0 to 10000.
    /// @param coinsuranceBps The value given.
    /// @param max The largest accepted value (10000).
    error ClaimsCoinsuranceInvalid(uint16 coinsuranceBps, uint256 max);

    /// @notice The covered-category set is empty.
    /// @dev Fix: cover at least one service; blind the plain set with the SDK's `blindPolicyTerms` (a uint16 set
    ///      has no undefined bit).
    /// @param categories The set given.
    error ClaimsCategorySetInvalid(uint16 categories);

    /// @notice A commitment (policy terms, claim, prior-authorisation request or appeal evidence) is zero.
    /// @dev Fix: commit the FHIR document with the SDK's `commit()` and pass its commitment.
    error ClaimsCommitmentMissing();

    /// @notice An escrow withdrawal names the zero address as recipient.
    /// @dev Fix: give the account that should receive the tokens.
    error ClaimsRecipientMissing();

    /// @notice An amount that must be positive is zero (annual limit, line amount, escrow deposit or withdrawal,
    ///         approval, prior-authorisation amount, payout of an approved claim).
    /// @dev Fix: pass a positive amount in the token's smallest unit. An approved claim that pays nothing (its
    ///      benefit went to the deductible, coinsurance or a used-up annual limit) has nothing to withdraw.
    error ClaimsAmountZero();

    /// @notice An amount does not fit the 96 bits amounts are stored in (128 bits for an escrow balance).
    /// @dev Fix: amounts (and a claim's billed total) must be at most `MAX_AMOUNT` (2^96-1).
    /// @param amount The amount given or summed.
    /// @param max The largest accepted amount.
    error ClaimsAmountTooLarge(uint256 amount, uint256 max);

    /// @notice The service-category code is not defined.
    /// @dev Fix: use a blinded code (0..15): blind a plain code of `ServiceCategories.sol` with the policy's
    ///      blinding (the SDK's `PolicyBlinding.blind` or a provider's `ServiceCodebook`).
    /// @param category The code given.
    error ClaimsServiceCategoryUnknown(uint256 category);

    /// @notice A claim has no lines or more than `MAX_LINES`.
    /// @dev Fix: submit 1..MAX_LINES lines; split a larger bill into several claims.
    /// @param count The number of lines given.
    /// @param max The most accepted.
    error ClaimsLineCountInvalid(uint256 count, uint256 max);

    /// @notice The claim's lines are not in canonical order (by blinded code, then amount, non-decreasing), which
    ///         the duplicate fingerprint needs.
    /// @dev Fix: blind the lines with the SDK's `blindLines()`, which sorts them (or sort blinded lines with
    ///      `sortLines()`).
    /// @param index The first line out of order.
    error ClaimsLinesNotSorted(uint256 index);

    /// @notice The service date is in the future.
    /// @dev Fix: submit after the service took place.
    /// @param serviceDate The date given.
    /// @param currentTime The current block time.
    error ClaimsServiceDateInFuture(uint40 serviceDate, uint256 currentTime);

    /// @notice The member has not consented to the provider billing these services for payment.
    /// @dev Fix: the member (her policy pseudonym) grants the provider a consent for `Purposes.PAYMENT` whose
    ///      categories are the blinded service codes it may bill (the SDK's `paymentConsentServices` turns her plain
    ///      data-category choice into them); a provider's appeal needs it too, the member's own appeal does not.
    /// @param member The policy's member.
    /// @param provider The submitting or appealing provider (the grantee).
    /// @param categories The blinded service codes needed (bit `b` for code `b`).
    error ClaimsConsentMissing(address member, address provider, uint256 categories);

    /// @notice A claim with this commitment was already submitted.
    /// @dev Fix: do not resubmit; read the existing claim with {claim}.
    /// @param claimId The existing claim.
    error ClaimsCommitmentDuplicate(bytes32 claimId);

    /// @notice The same service (member, provider, service day and blinded lines) was already claimed, under another
    ///         salt or at another time of the same day.
    /// @dev Fix: do not bill a service twice; read the existing claim with {claim} (docs/claims.md says what the
    ///      fingerprint does and does not catch).
    /// @param fingerprint The duplicate fingerprint.
    /// @param existingClaimId The claim that already bills it.
    error ClaimsFingerprintDuplicate(bytes32 fingerprint, bytes32 existingClaimId);

    /// @notice No claim has this id.
    /// @dev Fix: use the commitment of a submitted claim.
    /// @param claimId The unknown id.
    error ClaimsClaimUnknown(bytes32 claimId);

    /// @notice The claim is not in the status the operation needs.
    /// @dev Fix: review only Pended claims, appeal only Denied ones (a FinalDenied claim was already appealed),
    ///      decide appeals only on Appealed ones, withdraw only Approved ones (a Paid one was already paid).
    /// @param claimId The claim.
    /// @param status Its current status.
    /// @param expected The status the operation needs.
    error ClaimsClaimStatusInvalid(bytes32 claimId, ClaimStatus status, ClaimStatus expected);

    /// @notice The appeal window of the denial has closed.
    /// @dev Fix: appeal within `APPEAL_WINDOW` of the denial.
    /// @param claimId The claim.
    /// @param deadline The last second an appeal was possible.
    error ClaimsAppealWindowClosed(bytes32 claimId, uint40 deadline);

    /// @notice Only the claim's provider or the policy's member may appeal.
    /// @dev Fix: appeal from the provider's or the member's account.
    /// @param claimId The claim.
    /// @param caller The caller.
    error ClaimsCallerNotAppellant(bytes32 claimId, address caller);

    /// @notice Only the claim's provider may withdraw its payment.
    /// @dev Fix: withdraw from the submitting provider's account.
    /// @param claimId The claim.
    /// @param caller The caller.
    error ClaimsCallerNotProvider(bytes32 claimId, address caller);

    /// @notice The approval is above what the rules computed (or, for a claim denied at submission, above its billed
    ///         total).
    /// @dev Fix: approve at most the claim's `amount` (see {claim}).
    /// @param claimId The claim.
    /// @param amount The amount given.
    /// @param max The most that may be approved.
    error ClaimsApprovalTooHigh(bytes32 claimId, uint256 amount, uint256 max);

    /// @notice Approving this amount would take the policy year's committed benefit above the annual limit.
    /// @dev Fix: approve at most `remaining` (what approved claims left of the limit).
    /// @param policyId The policy.
    /// @param year The policy year.
    /// @param amount The amount given.
    /// @param remaining What approved claims left of the annual limit.
    error ClaimsAnnualLimitExceeded(uint256 policyId, uint256 year, uint256 amount, uint256 remaining);

    /// @notice The insurer's escrow, less what it owes for approved unpaid claims, does not cover the amount.
    /// @dev Fix: the insurer funds the escrow with {fundEscrow} (or withdraws less).
    /// @param insurer The insurer.
    /// @param needed The amount needed.
    /// @param available Escrow balance minus approved unpaid amounts.
    error ClaimsEscrowInsufficient(address insurer, uint256 needed, uint256 available);

    /// @notice The reason code is not an insurer reason code.
    /// @dev Fix: give a code from `ClaimReasons.INSURER_MIN` (16) upwards.
    /// @param reason The code given.
    /// @param min The lowest insurer code.
    error ClaimsReasonInvalid(uint8 reason, uint8 min);

    /// @notice No prior authorisation has this id.
    /// @dev Fix: use an id from a `PriorAuthRequested` event.
    /// @param authId The unknown id.
    error ClaimsPriorAuthUnknown(uint256 authId);

    /// @notice The prior authorisation is not in the status the operation needs (Requested to decide, Approved to
    ///         cite).
    /// @dev Fix: decide only requested authorisations; cite only approved, unused ones.
    /// @param authId The authorisation.
    /// @param status Its current status.
    /// @param expected The status the operation needs.
    error ClaimsPriorAuthStatusInvalid(uint256 authId, PriorAuthStatus status, PriorAuthStatus expected);

    /// @notice The cited prior authorisation belongs to another policy or provider, or authorises a (blinded) code
    ///         the claim does not bill.
    /// @dev Fix: cite an authorisation requested by this provider under this policy for a billed category.
    /// @param authId The authorisation.
    error ClaimsPriorAuthMismatch(uint256 authId);

    /// @notice The service date is after the prior authorisation's validity.
    /// @dev Fix: request a new authorisation.
    /// @param authId The authorisation.
    /// @param serviceDate The claim's service date.
    /// @param validUntil Latest service date it covers.
    error ClaimsPriorAuthExpired(uint256 authId, uint40 serviceDate, uint40 validUntil);

    /// @notice An authorisation's validity must not end in the past.
    /// @dev Fix: give `validUntil` at or after the current time.
    /// @param authId The authorisation.
    /// @param validUntil The value given.
    /// @param currentTime The current block time.
    error ClaimsPriorAuthValidityInvalid(uint256 authId, uint40 validUntil, uint256 currentTime);

    // ---------------------------------------------------------------------------------------------------------------
    // Policies and escrow
    // ---------------------------------------------------------------------------------------------------------------

    /// @notice Issues a policy with the caller as its insurer (INSURER).
    /// @param terms The policy's terms (see {PolicyTerms}).
    /// @return policyId The new policy's id (sequential from 1).
    function createPolicy(PolicyTerms calldata terms) external returns (uint256 policyId);

    /// @notice Adds `amount` payment tokens to the caller's escrow (INSURER; the caller must have approved this
    ///         contract).
    /// @param amount Tokens to pull from the caller; the escrow grows by what actually arrives.
    function fundEscrow(uint256 amount) external;

    /// @notice Sends `amount` of the caller's escrow to `to`; only what exceeds approved unpaid claims may leave.
    ///         Needs no role, so that an insurer whose role was revoked takes back what is free (wind-down).
    /// @param amount Tokens to send.
    /// @param to The recipient.
    function withdrawEscrow(uint256 amount, address to) external;

    // ---------------------------------------------------------------------------------------------------------------
    // Prior authorisation
    // ---------------------------------------------------------------------------------------------------------------

    /// @notice Requests a prior authorisation for a service category under a policy (PROVIDER). Needs the member's
    ///         payment consent for the service, like a claim.
    /// @param policyId The policy.
    /// @param category The policy's blinded code of the service category.
    /// @param requestCommitment Salted commitment of the request (FHIR Claim, use = preauthorization).
    /// @return authId The new authorisation's id (sequential from 1).
    function requestPriorAuth(
        uint256 policyId,
        uint8 category,
        bytes32 requestCommitment
    ) external returns (uint256 authId);

    /// @notice Approves a requested prior authorisation (the policy's insurer, with or without its role).
    /// @param authId The authorisation.
    /// @param amount Claims citing it are not pended for review while the benefit of their lines of its category is
    ///        at most this (and the rest is within the policy's review threshold).
    /// @param validUntil Latest service date it covers.
    function approvePriorAuth(uint256 authId, uint256 amount, uint40 validUntil) external;

    /// @notice Denies a requested prior authorisation (the policy's insurer, with or without its role).
    /// @param authId The authorisation.
    /// @param reason An insurer reason code (see `ClaimReasons.sol`).
    function denyPriorAuth(uint256 authId, uint8 reason) external;

    // ---------------------------------------------------------------------------------------------------------------
    // Claims
    // ---------------------------------------------------------------------------------------------------------------

    /// @notice Submits a claim (PROVIDER) and adjudicates it at once by `Adjudication.adjudicate`: Denied when the
    ///         service date is outside the coverage period or no line is covered; Pended when its benefit needs
    ///         review, when other pended claims' reservations would cut it, or when the insurer's free escrow is
    ///         short; otherwise Approved.
    /// @param policyId The policy.
    /// @param claimCommitment Salted commitment of the FHIR Claim; becomes the claim's id.
    /// @param lines The lines, over the policy's blinded codes, sorted by code then amount (1..MAX_LINES).
    /// @param serviceDate The date of service (unix time), not in the future.
    /// @param priorAuthId An approved prior authorisation of this provider and policy to cite, or 0.
    /// @return status The claim's status after adjudication.
    function submitClaim(
        uint256 policyId,
        bytes32 claimCommitment,
        ClaimLine[] calldata lines,
        uint40 serviceDate,
        uint256 priorAuthId
    ) external returns (ClaimStatus status);

    /// @notice Approves a pended claim for `amount` (the policy's insurer, with or without its role): at most the
    ///         computed benefit and what approved claims left of the annual limit.
    /// @param claimId The claim.
    /// @param amount The approved amount.
    function approveClaim(bytes32 claimId, uint256 amount) external;

    /// @notice Denies a pended claim (the policy's insurer, with or without its role); its reserved benefit and the
    ///         deductible it applied return to the policy year.
    /// @param claimId The claim.
    /// @param reason An insurer reason code.
    function denyClaim(bytes32 claimId, uint8 reason) external;

    /// @notice Appeals a denied claim, once, within `APPEAL_WINDOW` of the denial: the policy's member (her
    ///         pseudonym, through the forwarder, since it holds no ETH), or the claim's provider with the member's
    ///         payment consent for the claim's services.
    /// @param claimId The claim.
    /// @param evidenceCommitment Salted commitment of the evidence.
    function appeal(bytes32 claimId, bytes32 evidenceCommitment) external;

    /// @notice Approves an appealed claim for `amount` (the policy's insurer, with or without its role); final. The
    ///         deductible the claim's denial gave back is applied again, as far as it is still due.
    /// @param claimId The claim.
    /// @param amount The approved amount, at most the claim's `amount` and what approved claims left of the limit.
    function approveAppeal(bytes32 claimId, uint256 amount) external;

    /// @notice Denies an appealed claim (the policy's insurer, with or without its role); final.
    /// @param claimId The claim.
    /// @param reason An insurer reason code.
    function denyAppeal(bytes32 claimId, uint8 reason) external;

    /// @notice Pays an approved claim's amount to its provider from the insurer's escrow (the claim's provider, with
    ///         or without its role).
    /// @param claimId The claim.
    function withdraw(bytes32 claimId) external;

    // ---------------------------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------------------------

    /// @notice The consent registry asked before every submission.
    /// @return The consent verifier's address.
    function consentVerifier() external view returns (address);

    /// @notice The ERC-20 token escrows and payouts are in.
    /// @return The token's address.
    function paymentToken() external view returns (address);

    /// @notice A policy.
    /// @param policyId The policy's id.
    /// @return The stored policy (all zero when unknown).
    function policy(uint256 policyId) external view returns (Policy memory);

    /// @notice The number of policies issued so far (the last id).
    /// @return The count.
    function policyCount() external view returns (uint256);

    /// @notice A claim.
    /// @param claimId The claim's id (its commitment).
    /// @return The stored claim (status None when unknown).
    function claim(bytes32 claimId) external view returns (Claim memory);

    /// @notice A prior authorisation.
    /// @param authId Its id.
    /// @return The stored authorisation (status None when unknown).
    function priorAuth(uint256 authId) external view returns (PriorAuth memory);

    /// @notice The number of prior authorisations requested so far (the last id).
    /// @return The count.
    function priorAuthCount() external view returns (uint256);

    /// @notice What a policy year has used.
    /// @param policyId The policy.
    /// @param year The policy year (0 = the first).
    /// @return The year's usage (all zero when nothing was claimed).
    function usage(uint256 policyId, uint256 year) external view returns (Usage memory);

    /// @notice An insurer's escrow.
    /// @param insurer The insurer.
    /// @return Its balance and what it owes.
    function escrow(address insurer) external view returns (Escrow memory);

    /// @notice The claim that already bills a fingerprint.
    /// @param fingerprint A fingerprint from {fingerprintOf}.
    /// @return claimId The claim, or zero when none.
    function claimOfFingerprint(bytes32 fingerprint) external view returns (bytes32 claimId);

    /// @notice The duplicate fingerprint of a claim, as computed at submission:
    ///         `keccak256(abi.encode(FINGERPRINT_TAG, member, provider, serviceDate / 1 days, lines))`, over the
    ///         policy's pseudonymous member and blinded lines: a guess about a person's service can only be formed,
    ///         hence confirmed, by someone who holds both the pseudonym's link to her and the policy's key.
    /// @param member The policy's member (its pseudonym).
    /// @param provider The submitting provider.
    /// @param serviceDate The date of service (only its day counts).
    /// @param lines The blinded lines, in canonical order.
    /// @return The fingerprint.
    function fingerprintOf(
        address member,
        address provider,
        uint40 serviceDate,
        ClaimLine[] calldata lines
    ) external pure returns (bytes32);

    /// @notice The policy year a date falls into: `(date - coverageStart) / 365 days`, clamped to the coverage
    ///         period.
    /// @param policyId The policy.
    /// @param date A unix time.
    /// @return The policy year (0 = the first).
    function policyYear(uint256 policyId, uint256 date) external view returns (uint256);
}
