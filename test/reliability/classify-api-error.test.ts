import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai";
import { describe, expect, it } from "vitest";
import { AttemptTimeoutError } from "../../src/errors/attempt-timeout-error.js";
import { classifyApiError } from "../../src/errors/classify-api-error.js";

const NOW = Date.UTC(2026, 0, 1);
const apiError = (status: number, body: object = { message: `status ${status}` }, headers: Record<string, string> = {}) =>
  APIError.generate(status, { error: body }, undefined, new Headers(headers));

describe("classifyApiError", () => {
  it.each([
    [408, "retryable", "timeout"],
    [409, "retryable", "conflict"],
    [429, "retryable", "rate_limit"],
    [500, "retryable", "server_error"],
    [502, "retryable", "server_error"],
    [503, "retryable", "server_error"],
    [400, "permanent", "bad_request"],
    [422, "permanent", "bad_request"],
    [401, "fatal", "auth"],
    [403, "fatal", "auth"],
    [404, "fatal", "not_found"],
  ])("status %i is %s (%s)", (status, kind, type) => {
    const c = classifyApiError(apiError(status), NOW);
    expect([c.kind, c.type, c.status]).toEqual([kind, type, status]);
  });

  it("reads the server's wait on retryable statuses", () => {
    expect(classifyApiError(apiError(429, {}, { "retry-after": "2" }), NOW).retryAfterMs).toBe(2000);
    expect(classifyApiError(apiError(503, {}, { "retry-after-ms": "150" }), NOW).retryAfterMs).toBe(150);
    expect(classifyApiError(apiError(429), NOW).retryAfterMs).toBeUndefined();
  });

  it("knows the codes that change the meaning of a status", () => {
    const quota = classifyApiError(apiError(429, { code: "insufficient_quota", message: "You exceeded your current quota" }), NOW);
    expect([quota.kind, quota.type]).toEqual(["fatal", "quota"]);
    const ctx = classifyApiError(apiError(400, { code: "context_length_exceeded", message: "too long" }), NOW);
    expect([ctx.kind, ctx.type]).toEqual(["permanent", "context_length"]);
  });

  it("treats transport failures, timeouts, dropped and malformed streams as retryable", () => {
    const cases: [unknown, string][] = [
      [new APIConnectionError({ message: "Connection error." }), "connection"],
      [new APIConnectionTimeoutError(), "timeout"],
      [new APIUserAbortError(), "aborted"],
      [new AttemptTimeoutError("idle", 5000), "timeout"],
      [Object.assign(new Error("the stream ended before a finish_reason"), { name: "StreamDroppedError" }), "stream"],
      [new APIError(undefined, { message: "overloaded" }, undefined, new Headers()), "stream"],
      [new SyntaxError("Unexpected token"), "malformed"],
      [Object.assign(new Error("aborted"), { name: "TimeoutError" }), "timeout"],
      [new TypeError("fetch failed"), "connection"],
    ];
    for (const [error, type] of cases) expect(classifyApiError(error, NOW)).toMatchObject({ kind: "retryable", type });
  });

  it("a TLS certificate that does not verify is fatal (tls), through the SDK's connection error or fetch's", () => {
    const selfSigned = Object.assign(new Error("self-signed certificate"), { code: "DEPTH_ZERO_SELF_SIGNED_CERT" });
    for (const error of [new APIConnectionError({ message: "Connection error.", cause: new TypeError("fetch failed", { cause: selfSigned }) }), new TypeError("fetch failed", { cause: selfSigned })]) {
      expect(classifyApiError(error, NOW)).toMatchObject({ kind: "fatal", type: "tls", networkCode: "DEPTH_ZERO_SELF_SIGNED_CERT" });
    }
    const wrongHost = Object.assign(new Error("Hostname/IP does not match certificate's altnames"), { code: "ERR_TLS_CERT_ALTNAME_INVALID" });
    expect(classifyApiError(new TypeError("fetch failed", { cause: wrongHost }), NOW)).toMatchObject({ kind: "fatal", type: "tls" });
    // A connection the peer reset during the handshake is still a connection failure, retried.
    expect(classifyApiError(new TypeError("fetch failed", { cause: Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }) }), NOW)).toMatchObject({ kind: "retryable", type: "connection" });
  });

  it("reads other clients' errors by status or network code; anything else a model threw is permanent", () => {
    expect(classifyApiError(Object.assign(new Error("upstream"), { status: 503 }), NOW)).toMatchObject({ kind: "retryable", type: "server_error", status: 503 });
    expect(classifyApiError(Object.assign(new Error("nope"), { statusCode: 401 }), NOW)).toMatchObject({ kind: "fatal", type: "auth" });
    expect(classifyApiError(Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }), NOW)).toMatchObject({ kind: "retryable", type: "connection" });
    expect(classifyApiError(new Error("wrapped", { cause: Object.assign(new Error("x"), { code: "UND_ERR_SOCKET" }) }), NOW)).toMatchObject({ type: "connection" });
    expect(classifyApiError(new Error("boom"), NOW)).toMatchObject({ kind: "permanent", type: "model_error", message: "boom" });
    expect(classifyApiError("a string", NOW)).toMatchObject({ kind: "permanent", type: "model_error" });
  });

  it("keeps messages to one readable line", () => {
    const c = classifyApiError(new Error(`a\n  b ${"x".repeat(400)}`), NOW);
    expect(c.type).toBe("model_error");
    expect(c.message.startsWith("a b x")).toBe(true);
    expect(c.message.length).toBe(300);
  });
});
