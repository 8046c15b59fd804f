import type * as Sdk from "openai";
import { openaiSdk } from "./openai-sdk.js";
import { serverRetryAfterMs } from "./retry-after.js";
import { AttemptTimeoutError } from "./attempt-timeout-error.js";
import { isReplyTooLargeError } from "./reply-too-large-error.js";
import type { FailureKind } from "./model-call-error.js";

/** An API error classified: retry it, give up on the sample, or stop the run; with a stable type. */
export interface Classified {
  readonly kind: FailureKind;
  /** Stable type for results and counters: `rate_limit`, `server_error`, `timeout` … */
  readonly type: string;
  readonly status?: number;
  readonly message: string;
  /** How long the server asked us to wait (Retry-After, retry-after-ms, x-ratelimit-reset-*), in ms. */
  readonly retryAfterMs?: number;
  /** For a connection failure: the network error code down the cause chain (`ECONNREFUSED`, `ENOTFOUND` …). */
  readonly networkCode?: string;
}

/**
 * The one place that decides what an error means.
 * - Retryable: 408, 409, 429, 5xx, connection failures, timeouts (the SDK's or an attempt deadline),
 *   a stream that dropped mid-way, a 200 whose body is malformed.
 * - Permanent for the sample: other 4xx (400/422: context too long, bad parameter …), and a reply
 *   past its size cap (ReplyTooLargeError: a server that streams without end would do it again).
 * - Fatal for the run: 401, 403, 404 (unknown model or wrong base URL), and 429 `insufficient_quota`
 *   (out of credit: retrying cannot help, and every sample would fail the same way); a TLS certificate that
 *   does not verify (`tls`).
 * Errors from other clients are read the same way when they carry a numeric `status`; a network
 * error code (ECONNRESET …) or a fetch TypeError is a connection failure; anything else a model
 * function threw is permanent for the sample (`model_error`): retrying a bug only repeats it.
 * `nowEpochMs` dates an HTTP-date Retry-After.
 */
export function classifyApiError(error: unknown, nowEpochMs: number = Date.now()): Classified {
  const message = oneLine(error instanceof Error ? error.message : String(error));
  if (error instanceof AttemptTimeoutError) return { kind: "retryable", type: "timeout", message };
  const tooLarge = causeMatching(error, isReplyTooLargeError);
  if (tooLarge) return { kind: "permanent", type: "reply_too_large", message: tooLarge.message };
  const { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } = openaiSdk();
  if (error instanceof APIUserAbortError) return { kind: "retryable", type: "aborted", message };
  if (error instanceof APIConnectionTimeoutError) return { kind: "retryable", type: "timeout", message };
  // A certificate that cannot be verified fails the same way on every attempt: a setting to fix, not an outage.
  const untrusted = causeMatching(error, hasTlsCode);
  if (untrusted) return { kind: "fatal", type: "tls", message: `the endpoint's TLS certificate cannot be verified (${untrusted.code}); if it is yours, trust its CA with NODE_EXTRA_CA_CERTS=ca.pem`, networkCode: untrusted.code };
  if (error instanceof APIConnectionError) return { kind: "retryable", type: "connection", message, ...networkCodeOf(error) };
  const status = statusOf(error, APIError);
  if (status !== undefined) {
    const e = error as { headers?: unknown; code?: unknown; error?: { code?: unknown } };
    const retryAfterMs = serverRetryAfterMs(e.headers as Headers | undefined, nowEpochMs);
    const wait = retryAfterMs === undefined ? {} : { retryAfterMs };
    const code = typeof e.code === "string" ? e.code : typeof e.error?.code === "string" ? e.error.code : undefined;
    if (status === 401 || status === 403) return { kind: "fatal", type: "auth", status, message };
    if (status === 404) return { kind: "fatal", type: "not_found", status, message };
    if (status === 429 && code === "insufficient_quota") return { kind: "fatal", type: "quota", status, message };
    if (status === 429) return { kind: "retryable", type: "rate_limit", status, message, ...wait };
    if (status === 408) return { kind: "retryable", type: "timeout", status, message, ...wait };
    if (status === 409) return { kind: "retryable", type: "conflict", status, message, ...wait };
    if (status >= 500) return { kind: "retryable", type: "server_error", status, message, ...wait };
    if (code === "context_length_exceeded") return { kind: "permanent", type: "context_length", status, message };
    return { kind: "permanent", type: "bad_request", status, message };
  }
  // An error event inside a 200 stream: the server gave up mid-reply.
  if (error instanceof APIError) return { kind: "retryable", type: "stream", message };
  if (error instanceof Error && error.name === "StreamDroppedError") return { kind: "retryable", type: "stream", message };
  if (isAbort(error)) return { kind: "retryable", type: "timeout", message };
  if (error instanceof SyntaxError) return { kind: "retryable", type: "malformed", message };
  if (error instanceof TypeError || isNetworkError(error)) return { kind: "retryable", type: "connection", message, ...networkCodeOf(error) };
  return { kind: "permanent", type: "model_error", message };
}

/** An HTTP status carried by the error (the SDK's APIError, or another client's `status`/`statusCode`). */
function statusOf(error: unknown, APIError: typeof Sdk.APIError): number | undefined {
  if (error instanceof APIError) return typeof error.status === "number" ? error.status : undefined;
  if (typeof error !== "object" || error === null) return undefined;
  const e = error as { status?: unknown; statusCode?: unknown };
  const s = typeof e.status === "number" ? e.status : e.statusCode;
  return typeof s === "number" && Number.isInteger(s) && s >= 400 && s <= 599 ? s : undefined;
}

const NETWORK_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "ECONNABORTED", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN", "ENOTFOUND"]);

/** The first network error code down the cause chain, as `{ networkCode }` (or nothing). */
function networkCodeOf(error: unknown): { networkCode?: string } {
  const failure = causeMatching(error, hasNetworkCode);
  return failure ? { networkCode: failure.code } : {};
}

/** The error, or the first error down its `cause` chain, that satisfies `guard`. */
function causeMatching<T>(error: unknown, guard: (e: unknown) => e is T): T | undefined {
  for (let e: unknown = error, depth = 0; typeof e === "object" && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (guard(e)) return e;
  }
  return undefined;
}

/** A Node or undici network failure, on the error or anywhere down its `cause` chain. */
function isNetworkError(error: unknown): boolean {
  return causeMatching(error, hasNetworkCode) !== undefined;
}

/** An error carrying a Node or undici network failure code. */
function hasNetworkCode(e: unknown): e is { code: string } {
  const code = (e as { code?: unknown }).code;
  return typeof code === "string" && (NETWORK_CODES.has(code) || code.startsWith("UND_ERR"));
}

/** Node's codes for a server certificate that does not verify (openssl's, and the host name check's). */
const TLS_CODES = new Set(["UNABLE_TO_GET_ISSUER_CERT", "UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "CERT_SIGNATURE_FAILURE", "CERT_NOT_YET_VALID", "CERT_HAS_EXPIRED", "DEPTH_ZERO_SELF_SIGNED_CERT", "SELF_SIGNED_CERT_IN_CHAIN", "CERT_CHAIN_TOO_LONG", "CERT_REVOKED", "INVALID_CA", "CERT_UNTRUSTED", "CERT_REJECTED", "HOSTNAME_MISMATCH", "ERR_TLS_CERT_ALTNAME_INVALID"]);

function hasTlsCode(e: unknown): e is { code: string } {
  const code = (e as { code?: unknown }).code;
  return typeof code === "string" && TLS_CODES.has(code);
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError");
}

function oneLine(s: string): string {
  const line = s.replace(/\s+/g, " ").trim();
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}
