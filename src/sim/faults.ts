import type { IncomingHttpHeaders } from "node:http";

/** A request as the fault hook sees it. `body` is the parsed JSON body (undefined when absent or invalid). */
export interface SimRequest {
  readonly method: string;
  /** The path without the query, e.g. `/v1/chat/completions`. */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: unknown;
}

/**
 * A failure to inject into one response:
 * - `{status, headers?, body?}`: answer with this status at once. `body` is sent as JSON (a string as is);
 *   by default an OpenAI-shaped error for the status (429 `rate_limit_exceeded`, 5xx `server_error` …).
 * - `{hang: true}`: never answer; the connection stays open until the client gives up or the sim closes.
 * - `{dropAfterChunks: k}`: a streamed reply sends its first k SSE events, then the connection is cut;
 *   a JSON reply sends its headers and the first half of its body, then the connection is cut.
 * - `{malformed: true}`: a streamed reply's second event is not valid JSON; a JSON reply's body is cut
 *   short (status 200, `application/json`, a body that does not parse).
 */
export type Fault =
  | { readonly status: number; readonly headers?: Readonly<Record<string, string>>; readonly body?: unknown }
  | { readonly hang: true }
  | { readonly dropAfterChunks: number }
  | { readonly malformed: true };

/**
 * Decides, per request, whether to inject a fault. `n` is the request's 1-based ordinal among all
 * requests the sim has received (so `n <= 2` fails the first two). Return undefined to answer normally.
 * A hook that throws, or returns something that is not a Fault, gets a 500 reply saying so.
 */
export type FaultHook = (request: SimRequest, n: number) => Fault | undefined;

/** A fault after checking its shape; `reason` says what is wrong with one that is not a Fault. */
export type CheckedFault =
  | { readonly kind: "status"; readonly status: number; readonly headers: Readonly<Record<string, string>>; readonly body: unknown }
  | { readonly kind: "hang" }
  | { readonly kind: "drop"; readonly afterChunks: number }
  | { readonly kind: "malformed" }
  | { readonly kind: "invalid"; readonly reason: string };

/** Checks what a fault hook returned. */
export function checkFault(f: unknown): CheckedFault {
  if (typeof f !== "object" || f === null) return { kind: "invalid", reason: `Expected a fault object, got ${typeof f}` };
  const r = f as Record<string, unknown>;
  if ("status" in r) {
    const s = r.status;
    if (typeof s !== "number" || !Number.isInteger(s) || s < 200 || s > 599) {
      return { kind: "invalid", reason: `Expected fault \`status\` to be an integer from 200 to 599, got ${String(s)}` };
    }
    const headers = r.headers ?? {};
    if (typeof headers !== "object" || headers === null) return { kind: "invalid", reason: "Expected fault `headers` to be an object" };
    return { kind: "status", status: s, headers: headers as Record<string, string>, body: r.body };
  }
  if (r.hang === true) return { kind: "hang" };
  if (r.malformed === true) return { kind: "malformed" };
  if ("dropAfterChunks" in r) {
    const k = r.dropAfterChunks;
    if (typeof k !== "number" || !Number.isInteger(k) || k < 0) {
      return { kind: "invalid", reason: `Expected fault \`dropAfterChunks\` to be an integer >= 0, got ${String(k)}` };
    }
    return { kind: "drop", afterChunks: k };
  }
  return { kind: "invalid", reason: "Expected a fault with `status`, `hang`, `dropAfterChunks` or `malformed`" };
}
