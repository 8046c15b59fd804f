import { describe, expect, it } from "vitest";
import { parseDuration, parseReset, parseRetryAfter, serverRetryAfterMs } from "../../src/errors/retry-after.js";

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

describe("serverRetryAfterMs", () => {
  it("reads retry-after-ms, retry-after seconds and an HTTP-date", () => {
    expect(serverRetryAfterMs(new Headers({ "retry-after-ms": "1250" }), NOW)).toBe(1250);
    expect(serverRetryAfterMs(new Headers({ "retry-after": "3" }), NOW)).toBe(3000);
    expect(serverRetryAfterMs(new Headers({ "retry-after": "0.5" }), NOW)).toBe(500);
    const date = new Date(NOW + 7000).toUTCString();
    expect(serverRetryAfterMs(new Headers({ "retry-after": date }), NOW)).toBe(7000);
    expect(serverRetryAfterMs(new Headers({ "retry-after": new Date(NOW - 5000).toUTCString() }), NOW)).toBe(0);
  });

  it("takes the longest wait asked for", () => {
    const h = new Headers({ "retry-after-ms": "200", "retry-after": "2", "x-ratelimit-reset-tokens": "6m0s", "x-ratelimit-remaining-tokens": "0" });
    expect(serverRetryAfterMs(h, NOW)).toBe(360_000);
  });

  it("ignores the reset of a limit that still has room", () => {
    const h = { "x-ratelimit-reset-requests": "24h0m0s", "x-ratelimit-remaining-requests": "120", "x-ratelimit-reset-tokens": "850ms", "x-ratelimit-remaining-tokens": "0" };
    expect(serverRetryAfterMs(h, NOW)).toBe(850);
  });

  it("reads a reset without a remaining count, as seconds, epoch seconds or an ISO date", () => {
    expect(serverRetryAfterMs({ "x-ratelimit-reset": "4" }, NOW)).toBe(4000);
    expect(serverRetryAfterMs({ "X-RateLimit-Reset": String(NOW / 1000 + 30) }, NOW)).toBe(30_000);
    expect(serverRetryAfterMs({ "x-ratelimit-reset-requests": new Date(NOW + 1500).toISOString() }, NOW)).toBe(1500);
  });

  it("is undefined when nothing usable is there", () => {
    expect(serverRetryAfterMs(undefined, NOW)).toBeUndefined();
    expect(serverRetryAfterMs(new Headers(), NOW)).toBeUndefined();
    expect(serverRetryAfterMs(new Headers({ "retry-after": "soon", "retry-after-ms": "" }), NOW)).toBeUndefined();
    expect(serverRetryAfterMs({ "x-ratelimit-reset-tokens": "later" }, NOW)).toBeUndefined();
  });
});

describe("header value parsers", () => {
  it("parses Go durations as OpenAI sends them", () => {
    expect(parseDuration("1s")).toBe(1000);
    expect(parseDuration("6m0s")).toBe(360_000);
    expect(parseDuration("1h2m3.5s")).toBe(3_723_500);
    expect(parseDuration("120ms")).toBe(120);
    expect(parseDuration("1m30ms")).toBe(60_030);
    expect(parseDuration("5x")).toBeUndefined();
    expect(parseDuration("1s ")).toBeUndefined();
  });

  it("parses Retry-After only as seconds or a date", () => {
    expect(parseRetryAfter(" 12 ", NOW)).toBe(12_000);
    expect(parseRetryAfter("-3", NOW)).toBeUndefined();
    expect(parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", NOW)).toBe(0);
  });

  it("parses resets in every accepted form", () => {
    expect(parseReset("2.5", NOW)).toBe(2500);
    expect(parseReset("20ms", NOW)).toBe(20);
    expect(parseReset("2026-01-01T12:00:10Z", NOW)).toBe(10_000);
    expect(parseReset("tomorrow", NOW)).toBeUndefined();
  });
});
