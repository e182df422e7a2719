/**
 * Typed errors of the records library. Every error is an `Error` whose message says what is wrong and what to do;
 * the store's errors also carry the commitment they are about, so callers can branch on the class and log the id.
 */

/** Base class of every error thrown by `src/records/`. */
export class RecordError extends Error {
  override readonly name: string = "RecordError";
}

/** Input that cannot be committed to or looked up: not JSON, no `resourceType`, a malformed salt or commitment. */
export class RecordInputError extends RecordError {
  override readonly name = "RecordInputError";
}

/** The store holds nothing, not even a tombstone, under the commitment. */
export class RecordNotFoundError extends RecordError {
  override readonly name = "RecordNotFoundError";

  constructor(
    /** The commitment that was looked up. */
    readonly commitment: string,
    /** Where the store looked, e.g. `folder /srv/records`. */
    readonly location: string,
  ) {
    super(`No record ${commitment} in ${location}: it was never stored here (check the commitment and the store)`);
  }
}

/** What the store holds under the commitment does not open it: the payload, salt or file was changed. */
export class RecordTamperedError extends RecordError {
  override readonly name = "RecordTamperedError";

  constructor(
    /** The commitment whose stored record failed the integrity check. */
    readonly commitment: string,
    /** What failed, e.g. `the payload or salt was changed (they commit to 0x…)`. */
    readonly reason: string,
  ) {
    super(`Record ${commitment} failed its integrity check: ${reason}. Restore it from a trusted copy`);
  }
}

/** The record was erased: its payload and salt are gone for good, only the (unlinkable) commitment remains. */
export class RecordErasedError extends RecordError {
  override readonly name = "RecordErasedError";

  constructor(
    /** The commitment of the erased record. */
    readonly commitment: string,
    /** When it was erased (ISO 8601), as written in its tombstone. */
    readonly erasedAt: string,
  ) {
    super(
      `Record ${commitment} was erased at ${erasedAt}: its payload and salt no longer exist anywhere in this store`,
    );
  }
}

/** The record opened fine but is not of the resource type the caller asked for. */
export class RecordTypeMismatchError extends RecordError {
  override readonly name = "RecordTypeMismatchError";

  constructor(
    /** The commitment that was read. */
    readonly commitment: string,
    /** The resource type the caller expected. */
    readonly expected: string,
    /** The resource type the record has. */
    readonly actual: string,
  ) {
    super(`Record ${commitment} is a ${actual}, not a ${expected}: check which commitment you passed`);
  }
}
