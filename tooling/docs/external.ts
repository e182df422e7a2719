/**
 * Why and how-to-fix for errors that Health Ledger contracts inherit from OpenZeppelin, whose own NatSpec often
 * leaves them undocumented. docs/errors.md uses these where the contract's NatSpec says nothing.
 */
export const EXTERNAL_ERRORS: Readonly<Record<string, { why: string; fix: string }>> = {
  AccessManagerAlreadyScheduled: {
    why: "The same operation (caller, target, calldata) is already scheduled and not yet executed or cancelled.",
    fix: "Execute or cancel the scheduled operation first, or wait for it to expire.",
  },
  AccessManagerNotScheduled: {
    why: "The caller has an execution delay for this function, and the operation was not scheduled (or was cancelled).",
    fix: "Call `schedule(target, data, 0)` first, then `execute` once the delay has passed.",
  },
  AccessManagerNotReady: {
    why: "The operation is scheduled, but its delay has not passed yet.",
    fix: "Wait until the time given in `OperationScheduled`, then execute.",
  },
  AccessManagerExpired: {
    why: "The operation was scheduled but not executed within the expiration window (one week).",
    fix: "Schedule it again.",
  },
  AccessManagerLockedRole: {
    why: "ADMIN and PUBLIC are built-in roles whose admin, guardian and membership rules cannot be changed.",
    fix: "Use another role id.",
  },
  AccessManagerBadConfirmation: {
    why: "`renounceRole` was called with an account other than the caller.",
    fix: "Pass your own address as `callerConfirmation`.",
  },
  AccessManagerUnauthorizedAccount: {
    why: "The caller does not hold the role required for this admin operation.",
    fix: "Call from an account holding the role named in the error (see docs/roles.md).",
  },
  AccessManagerUnauthorizedCall: {
    why: "The caller may not call this function on the target through the authority.",
    fix: "Grant the caller the function's role (docs/roles.md) or call from an account that holds it.",
  },
  AccessManagerUnauthorizedConsume: {
    why: "A contract that is not consuming a scheduled operation tried to consume one.",
    fix: "Only AccessManaged targets consume their own scheduled operations; do not call this directly.",
  },
  AccessManagerUnauthorizedCancel: {
    why: "Only the account that scheduled an operation, an ADMIN or a guardian of its role may cancel it.",
    fix: "Cancel from the scheduler, an ADMIN or a GUARDIAN account.",
  },
  AccessManagerInvalidInitialAdmin: {
    why: "The authority was deployed with the zero address as its first admin.",
    fix: "Deploy with a real admin account.",
  },
  AccessManagedUnauthorized: {
    why: "The caller does not hold the role this function is mapped to in the authority.",
    fix: "Grant the caller the role listed for this function in docs/roles.md.",
  },
  AccessManagedRequiredDelay: {
    why: "The caller holds the role, but with an execution delay, so the call must be scheduled.",
    fix: "Schedule the call on the authority, then execute it through the authority after the delay.",
  },
  AccessManagedInvalidAuthority: {
    why: "The contract was given an authority address that is not a contract.",
    fix: "Pass the deployed HealthLedgerAuthority address.",
  },
  ECDSAInvalidSignature: {
    why: "The signature does not recover to any address (r or s out of range, or v wrong).",
    fix: "Sign the exact EIP-712 typed data again with the SDK.",
  },
  ECDSAInvalidSignatureLength: {
    why: "The signature is not 65 bytes (r, s, v).",
    fix: "Pass the full 65-byte signature as produced by `signTypedData`.",
  },
  ECDSAInvalidSignatureS: {
    why: "The signature's s value is in the upper half of the curve order: a malleated signature.",
    fix: "Use the canonical (low-s) signature that standard signers produce.",
  },
  InvalidAccountNonce: {
    why: "The signed nonce is not the signer's current nonce: the signature was used already or is out of order.",
    fix: "Read `nonces(signer)` and sign again with that nonce.",
  },
  SafeERC20FailedOperation: {
    why: "The payment token refused or failed a transfer.",
    fix: "Check the token balance and allowance, and that the token is a standard ERC-20.",
  },
  ReentrancyGuardReentrantCall: {
    why: "A contract (usually a hostile token) tried to call back into the function while it was running.",
    fix: "Do not re-enter; use a standard token.",
  },
  AddressEmptyCode: {
    why: "A call went to an address with no contract code.",
    fix: "Check the target address.",
  },
  FailedCall: {
    why: "A low-level call failed without a reason.",
    fix: "Check the target and the calldata.",
  },
  InvalidShortString: { why: "A short string was longer than 31 bytes.", fix: "Use a shorter name or version." },
  StringTooLong: { why: "A string was too long for its short-string slot.", fix: "Use a shorter string." },
  SafeCastOverflowedUintDowncast: {
    why: "A value does not fit the smaller integer type it is stored in.",
    fix: "Pass a smaller value (see the function's documented bounds).",
  },
};
