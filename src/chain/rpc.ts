/**
 * A minimal JSON-RPC transport for the readers and the auditor: anything with `send(method, params)` (an ethers
 * `JsonRpcProvider`, Hardhat's in-process provider) or a plain HTTP endpoint ({@link httpRpc}). Errors are sorted
 * into the three kinds a log scan must tell apart: the provider refused the query's size (split it), the endpoint is
 * unreachable for now (wait and retry), or anything else (stop).
 */

/** What the log fetcher and the auditor need from a node. */
export interface Rpc {
  send(method: string, params: readonly unknown[]): Promise<unknown>;
  /**
   * Several calls in one JSON-RPC batch request, answers in the calls' order; a call that failed is an
   * {@link RpcError} in its place. Optional: callers fall back to one `send` per call.
   */
  batch?(calls: readonly { method: string; params: readonly unknown[] }[]): Promise<unknown[]>;
}

/** A JSON-RPC error answer (`{"error": {"code", "message"}}`), or an HTTP failure status. */
export class RpcError extends Error {
  constructor(
    message: string,
    readonly code: number | undefined,
    readonly data?: unknown,
  ) {
    super(message);
    this.name = "RpcError";
  }
}

/** Options of {@link httpRpc}. */
export interface HttpRpcOptions {
  /** Milliseconds before a request counts as failed (and may be retried). Default 30 000. */
  timeoutMs?: number;
}

/** A JSON-RPC client over HTTP(S) with Node's `fetch`: one request per call, no retries (the callers retry). */
export function httpRpc(
  url: string,
  options: HttpRpcOptions = {},
): Rpc & { url: string; batch: NonNullable<Rpc["batch"]> } {
  const timeoutMs = options.timeoutMs ?? 30_000;
  let id = 0;
  type Answer = { id?: number; result?: unknown; error?: { code?: number; message?: string; data?: unknown } };
  const post = async (body: unknown): Promise<{ status: number; ok: boolean; body: Answer | Answer[] }> => {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    try {
      return { status: response.status, ok: response.ok, body: JSON.parse(text) as Answer | Answer[] };
    } catch {
      throw new RpcError(`HTTP ${response.status} from ${url}: ${text.slice(0, 200)}`, response.status);
    }
  };
  const settle = (answer: Answer) =>
    answer.error !== undefined
      ? new RpcError(answer.error.message ?? "JSON-RPC error", answer.error.code, answer.error.data)
      : answer.result;
  return {
    url,
    async send(method, params) {
      const { status, ok, body } = await post({ jsonrpc: "2.0", id: ++id, method, params });
      const value = settle(body as Answer);
      if (value instanceof RpcError) throw value;
      if (!ok) throw new RpcError(`HTTP ${status} from ${url}`, status);
      return value;
    },
    async batch(calls) {
      if (calls.length === 0) return [];
      const first = id + 1;
      const { status, ok, body } = await post(
        calls.map(({ method, params }) => ({ jsonrpc: "2.0", id: ++id, method, params })),
      );
      // A node that refuses batches answers with one error object.
      if (!Array.isArray(body)) {
        const value = settle(body);
        throw value instanceof RpcError
          ? value
          : new RpcError(`HTTP ${status} from ${url}: not a batch answer`, status);
      }
      if (!ok) throw new RpcError(`HTTP ${status} from ${url}`, status);
      const out = new Array<unknown>(calls.length);
      const answered = new Uint8Array(calls.length);
      for (const answer of body) {
        const i = Number(answer.id) - first;
        if (i >= 0 && i < calls.length) {
          out[i] = settle(answer);
          answered[i] = 1;
        }
      }
      // An error only where an answer is missing: an Error's stack trace is not free on every call of a large batch.
      for (let i = 0; i < calls.length; i++)
        if (answered[i] === 0) out[i] = new RpcError("no answer in the batch", undefined);
      return out;
    },
  };
}

/** Adapts anything with ethers' `send(method, params)` (a provider) to {@link Rpc}. */
export function asRpc(provider: { send(method: string, params: unknown[]): Promise<unknown> }): Rpc {
  return { send: (method, params) => provider.send(method, [...params]) };
}

/** Every message an error carries, nested causes and ethers' wrappers included, lower-cased. */
export function errorText(error: unknown): string {
  const parts: string[] = [];
  const seen = new Set<unknown>();
  const visit = (e: unknown, depth: number) => {
    if (e === null || e === undefined || depth > 5 || seen.has(e)) return;
    seen.add(e);
    if (typeof e === "string") {
      parts.push(e);
      return;
    }
    if (typeof e !== "object") return;
    const o = e as Record<string, unknown>;
    for (const key of ["message", "shortMessage", "code", "reason"]) {
      if (typeof o[key] === "string" || typeof o[key] === "number") parts.push(String(o[key]));
    }
    for (const key of ["error", "info", "cause", "data", "body"]) visit(o[key], depth + 1);
  };
  visit(error, 0);
  return parts.join(" | ").toLowerCase();
}

const RANGE_REFUSAL = [
  /block range/,
  /range (is )?too (large|wide|big)/,
  /exceeds? (the )?max(imum)?/,
  /more than \d+ (results|logs|blocks)/,
  /query returned more than/,
  /too many (results|logs|blocks)/,
  /response (size|is too large)/,
  /log response size exceeded/,
  /limit exceeded/,
  /query timeout exceeded/,
];

/** True when a provider refused a log query for its size (block range or result count): split it and ask again. */
export function isRangeRefusal(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === -32005) return true;
  const text = errorText(error);
  return RANGE_REFUSAL.some((pattern) => pattern.test(text));
}

const TRANSIENT = [
  /fetch failed/,
  /econnrefused/,
  /econnreset/,
  /socket hang up/,
  /other side closed/,
  /timeout|timed out|aborted/,
  /network_error|network error/,
  /too many requests|rate limit/,
  /http (429|502|503|504)/,
  /server_error/,
  /eai_again|enotfound/,
];

/** True when the endpoint failed in a way that may pass (connection refused or reset, timeout, rate limit, 5xx). */
export function isTransient(error: unknown): boolean {
  if (isRangeRefusal(error)) return false;
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 429 || code === 502 || code === 503 || code === 504) return true;
  const text = errorText(error);
  return TRANSIENT.some((pattern) => pattern.test(text));
}

/** Parses a JSON-RPC quantity (`"0x1a"`). */
export function quantity(value: unknown): number {
  if (typeof value !== "string" || !value.startsWith("0x"))
    throw new RpcError(`not a quantity: ${String(value)}`, undefined);
  return Number.parseInt(value, 16);
}

/** Formats a block number as a JSON-RPC quantity. */
export function toQuantity(n: number): string {
  return `0x${n.toString(16)}`;
}
