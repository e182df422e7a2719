/**
 * The vault's errors over HTTP (RFC 9457 `application/problem+json`): each has a type, a status and a detail that
 * says what is wrong and how to fix it.
 */

/** Every problem type the vault answers with, and its HTTP status. */
export const PROBLEMS = {
  "malformed-request": 400,
  "wrong-chain": 400,
  "content-mismatch": 400,
  "bad-signature": 401,
  "request-expired": 401,
  "consent-missing": 403,
  "writer-not-authorized": 403,
  "not-patient": 403,
  "no-wrapped-key": 403,
  "break-glass-missing": 403,
  "unknown-record": 404,
  "replayed-request": 409,
  "record-exists": 409,
  "record-erased": 410,
  "payload-too-large": 413,
  "unsupported-media-type": 415,
  "commitment-not-anchored": 422,
  "chain-unavailable": 503,
  "internal-error": 500,
} as const;

/** A problem type's slug. */
export type ProblemType = keyof typeof PROBLEMS;

/** The URI of a problem type. */
export function problemUri(type: ProblemType): string {
  return `urn:health-ledger:vault:problem:${type}`;
}

/** A refusal: thrown by the handlers, rendered as problem+json (and logged as a refused AuditEvent). */
export class VaultProblem extends Error {
  readonly status: number;
  constructor(
    readonly type: ProblemType,
    readonly detail: string,
  ) {
    super(detail);
    this.name = "VaultProblem";
    this.status = PROBLEMS[type];
  }

  /** The problem+json body. */
  body(): { type: string; title: string; status: number; detail: string } {
    return {
      type: problemUri(this.type),
      title: this.type.replace(/-/g, " "),
      status: this.status,
      detail: this.detail,
    };
  }
}

/** A problem from a response body, as the client raises it. */
export class VaultRequestError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    readonly detail: string,
  ) {
    super(`vault refused the request (${status} ${type.split(":").pop()}): ${detail}`);
    this.name = "VaultRequestError";
  }

  /** The slug (`consent-missing`, …). */
  get problem(): string {
    return this.type.split(":").pop() ?? this.type;
  }
}
