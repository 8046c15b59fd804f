import { describe, expect, it } from "vitest";
import { encodingFor, loadTokenCounter, tokenCounter } from "../../src/cost/count-tokens.js";
import { outputTokenBound, promptTokenBound, settledSpend, worstCase } from "../../src/cost/worst-case.js";
import type { ChatRequest } from "../../src/work/model.js";

const question =
  "Question: Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. How many clips did Natalia sell altogether in April and May?\nAnswer:";

describe("token counts (gpt-tokenizer, offline)", () => {
  it("picks cl100k for GPT-4 and GPT-3.5, o200k for the rest", () => {
    expect(["gpt-4", "gpt-4-turbo", "gpt-4-0613", "gpt-3.5-turbo"].map(encodingFor)).toEqual(Array(4).fill("cl100k_base"));
    expect(["gpt-4o", "gpt-4o-mini", "gpt-4.1-mini", "o3-mini", "claude-3-5-sonnet", "llama"].map(encodingFor)).toEqual(Array(6).fill("o200k_base"));
  });

  it("counts a chat prompt as OpenAI bills it: content + 3 per message + role + 3 priming", async () => {
    const counter = await loadTokenCounter("gpt-4o-mini");
    expect(counter.encoding).toBe("o200k_base");
    expect(counter.text(question)).toBe(39);
    expect(counter.chat([{ role: "user", content: question }])).toBe(39 + 3 + 1 + 3);
    expect(counter.text("")).toBe(0);
    expect(counter.text("<|endoftext|>")).toBeGreaterThan(1);
  });

  it("adds names, tool calls and tool definitions", () => {
    const chars = tokenCounter("o200k_base", (t) => t.length);
    expect(chars.chat([{ role: "user", content: "ab", name: "x" }])).toBe(3 + 3 + 4 + 2 + 1 + 1);
    expect(chars.chat([], [{ a: 1 }])).toBe(3 + JSON.stringify([{ a: 1 }]).length);
  });
});

describe("worst cases", () => {
  const request: ChatRequest = { model: "m", messages: [{ role: "user", content: question }], max_tokens: 256 };

  it("bounds prompt tokens by the UTF-8 size of the messages, above any byte-level tokenizer's count", async () => {
    const counter = await loadTokenCounter("gpt-4o");
    const bound = promptTokenBound(request);
    expect(bound).toBe(16 + Buffer.byteLength(JSON.stringify(request.messages)));
    expect(bound).toBeGreaterThan(counter.chat(request.messages));
    const emoji = { ...request, messages: [{ role: "user" as const, content: "🙂".repeat(10) }] };
    expect(promptTokenBound(emoji)).toBeGreaterThanOrEqual(40);
  });

  it("bounds output by max_tokens (or max_completion_tokens) times n; none is no bound", () => {
    expect(outputTokenBound(request)).toBe(256);
    expect(outputTokenBound({ ...request, n: 3 })).toBe(768);
    expect(outputTokenBound({ model: "m", messages: [], extra: { max_completion_tokens: 1000 } })).toBe(1000);
    expect(outputTokenBound({ model: "m", messages: [] })).toBeNull();
    expect(() => worstCase({ model: "m", messages: [] }, null)).toThrow("Expected `max_tokens` on requests to m under a budget: without it their cost has no bound");
  });

  it("prices the worst case at full input and output rates", () => {
    const price = { input: 1, output: 2, cached_input: 0.1 };
    const p = promptTokenBound(request);
    expect(worstCase(request, price)).toEqual({ usd: (p * 1 + 256 * 2) / 1e6, tokens: p + 256 });
    expect(worstCase(request, null).usd).toBeNull();
  });

  it("settles at the reported usage, or at a bound when the server reported none", () => {
    const price = { input: 1, output: 2 };
    const reply = { text: "#### 72", finish_reason: "stop", ttft_ms: null, e2e_ms: 1 };
    expect(settledSpend(request, { ...reply, usage: { prompt_tokens: 46, completion_tokens: 5 } }, price)).toEqual({ usd: (46 + 10) / 1e6, tokens: 51 });
    const bytes = Buffer.byteLength(JSON.stringify(["#### 72", null]));
    const p = promptTokenBound(request);
    expect(settledSpend(request, { ...reply, usage: null }, price)).toEqual({ usd: (p + 2 * bytes) / 1e6, tokens: p + bytes });
  });
});

describe("usageOrEstimate", () => {
  it("keeps reported usage, and counts offline (marked estimated) when there is none", async () => {
    const { usageOrEstimate } = await import("../../src/cost/estimate-usage.js");
    const request: ChatRequest = { model: "gpt-4o-mini", messages: [{ role: "user", content: question }], max_tokens: 10 };
    const reply = { text: "She sold 72 clips.", finish_reason: "stop", ttft_ms: null, e2e_ms: 1 };
    const reported = { prompt_tokens: 1, completion_tokens: 2 };
    expect(await usageOrEstimate(request, { ...reply, usage: reported })).toBe(reported);
    const counter = await loadTokenCounter("gpt-4o-mini");
    expect(await usageOrEstimate(request, { ...reply, usage: null })).toEqual({ prompt_tokens: 46, completion_tokens: counter.text("She sold 72 clips."), estimated: true });
  });
});
