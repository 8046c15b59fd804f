import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai";
import type { FailureKind } from "./model-call-error.js";

export interface Classified {
  readonly kind: FailureKind;
  /** Stable type for results and counters: `rate_limit`, `server_error`, `timeout` … */
  readonly type: string;
  readonly status?: number;
  readonly message: string;
}

/**
 * The one place that decides what an error means. Retryable: 408, 409, 429, 5xx, connection
 * failures, timeouts, dropped streams. Permanent for the sample: other 4xx (400/422: context too
 * long …). Fatal for the run: 401, 403, and 404 (unknown model or wrong base URL).
 */
export function classifyApiError(error: unknown): Classified {
  const message = oneLine(error instanceof Error ? error.message : String(error));
  if (error instanceof APIUserAbortError) return { kind: "retryable", type: "aborted", message };
  if (error instanceof APIConnectionTimeoutError) return { kind: "retryable", type: "timeout", message };
  if (error instanceof APIConnectionError) return { kind: "retryable", type: "connection", message };
  if (error instanceof APIError && typeof error.status === "number") {
    const status = error.status;
    if (status === 401 || status === 403) return { kind: "fatal", type: "auth", status, message };
    if (status === 404) return { kind: "fatal", type: "not_found", status, message };
    if (status === 429) return { kind: "retryable", type: "rate_limit", status, message };
    if (status === 408 || status === 409) return { kind: "retryable", type: "timeout", status, message };
    if (status >= 500) return { kind: "retryable", type: "server_error", status, message };
    return { kind: "permanent", type: "bad_request", status, message };
  }
  if (error instanceof APIError) return { kind: "retryable", type: "stream", message };
  if (isAbort(error)) return { kind: "retryable", type: "timeout", message };
  if (error instanceof SyntaxError) return { kind: "retryable", type: "malformed", message };
  return { kind: "retryable", type: "connection", message };
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError");
}

function oneLine(s: string): string {
  const line = s.replace(/\s+/g, " ").trim();
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}
