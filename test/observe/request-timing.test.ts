import { describe, expect, it } from "vitest";
import { outputTokens, requestTiming } from "../../src/observe/request-timing.js";

describe("requestTiming", () => {
  it("computes TPOT as (E2E − TTFT) / (output tokens − 1) and tokens per second as tokens / E2E", () => {
    const t = requestTiming({ ttft_ms: 200, e2e_ms: 1200, usage: { prompt_tokens: 10, completion_tokens: 101 }, chunks: 50 }, 4.123, 2);
    expect(t).toEqual({ e2e_ms: 1200, ttft_ms: 200, tpot_ms: 10, output_tokens_per_s: 84.17, queue_ms: 4.12, attempts: 2 });
  });

  it("falls back to the streamed chunk count when the server reported no usage", () => {
    const t = requestTiming({ ttft_ms: 100, e2e_ms: 500, usage: null, chunks: 41 }, 0, 1);
    expect(t.tpot_ms).toBe(10);
    expect(t.output_tokens_per_s).toBe(82);
  });

  it("has a null TTFT and TPOT for a reply that was not streamed — never an estimate", () => {
    const t = requestTiming({ ttft_ms: null, e2e_ms: 900, usage: { prompt_tokens: 10, completion_tokens: 90 } }, 0, 1);
    expect(t.ttft_ms).toBeNull();
    expect(t.tpot_ms).toBeNull();
    expect(t.output_tokens_per_s).toBe(100);
  });

  it("has a null TPOT with fewer than two output tokens, and null rates when the size is unknown", () => {
    expect(requestTiming({ ttft_ms: 50, e2e_ms: 60, usage: { prompt_tokens: 1, completion_tokens: 1 } }, 0, 1).tpot_ms).toBeNull();
    const unknown = requestTiming({ ttft_ms: null, e2e_ms: 60, usage: null }, 0, 1);
    expect(unknown.tpot_ms).toBeNull();
    expect(unknown.output_tokens_per_s).toBeNull();
  });
});

describe("outputTokens", () => {
  it("prefers reported usage, then chunks of a streamed reply", () => {
    expect(outputTokens({ ttft_ms: 1, e2e_ms: 2, usage: { prompt_tokens: 1, completion_tokens: 7 }, chunks: 3 })).toBe(7);
    expect(outputTokens({ ttft_ms: 1, e2e_ms: 2, usage: null, chunks: 3 })).toBe(3);
    expect(outputTokens({ ttft_ms: null, e2e_ms: 2, usage: null, chunks: 3 })).toBeNull();
  });
});
