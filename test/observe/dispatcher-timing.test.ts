import { APIError } from "openai";
import { describe, expect, it } from "vitest";
import type { Clock } from "../../src/clock.js";
import type { EvalEvent } from "../../src/events.js";
import type { ChatReply, ModelClient } from "../../src/work/model.js";
import { createDispatcher } from "../../src/reliability/dispatcher.js";

/** A virtual clock: time moves only by `advance`, which wakes the sleeps that fall due. */
function manualClock(): Clock & { advance(ms: number): void } {
  let t = 0;
  const sleepers = new Set<{ due: number; wake: () => void }>();
  return {
    now: () => t,
    epochMs: () => t,
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        const sleeper = { due: t + ms, wake: resolve };
        sleepers.add(sleeper);
        signal?.addEventListener("abort", () => {
          sleepers.delete(sleeper);
          reject(signal.reason as Error);
        }, { once: true });
      }),
    advance: (ms) => {
      t += ms;
      for (const s of sleepers) {
        if (s.due > t) continue;
        sleepers.delete(s);
        s.wake();
      }
    },
  };
}

/** A model whose replies the test releases one by one. */
function gatedModel() {
  const pending: { resolve: (r: ChatReply) => void; reject: (e: unknown) => void }[] = [];
  const client: ModelClient = {
    model: "m",
    chat: () => new Promise<ChatReply>((resolve, reject) => pending.push({ resolve, reject })),
  };
  const reply: ChatReply = { text: "ok", finish_reason: "stop", usage: { prompt_tokens: 1, completion_tokens: 2 }, ttft_ms: 5, e2e_ms: 10 };
  return { client, pending, reply };
}

const flush = () => new Promise((r) => setImmediate(r));

describe("dispatcher timing contract", () => {
  it("counts the wait for a concurrency slot in queue_ms, and nothing before the first request", async () => {
    const clock = manualClock();
    const model = gatedModel();
    const d = createDispatcher(model.client, { concurrency: 1, clock });
    const signal = new AbortController().signal;
    const a = d.call({ model: "m", messages: [] }, { id: "a", signal });
    const b = d.call({ model: "m", messages: [] }, { id: "b", signal });
    await flush();
    expect(model.pending).toHaveLength(1);
    clock.advance(120);
    model.pending[0]!.resolve(model.reply);
    expect((await a).queue_ms).toBe(0);
    await flush();
    model.pending[1]!.resolve(model.reply);
    expect((await b).queue_ms).toBe(120);
  });

  it("counts the wait for the rate limit in queue_ms", async () => {
    const clock = manualClock();
    const model = gatedModel();
    // 60 requests per minute: one a second, so the second request waits about a second for its token.
    const d = createDispatcher(model.client, { concurrency: 4, clock, rpm: 60 });
    const signal = new AbortController().signal;
    const a = d.call({ model: "m", messages: [] }, { id: "a", signal });
    const b = d.call({ model: "m", messages: [] }, { id: "b", signal });
    await flush();
    expect(model.pending).toHaveLength(1);
    clock.advance(1000);
    await flush();
    expect(model.pending).toHaveLength(2);
    model.pending[0]!.resolve(model.reply);
    model.pending[1]!.resolve(model.reply);
    expect((await a).queue_ms).toBe(0);
    expect((await b).queue_ms).toBe(1000);
  });

  it("reports the HTTP status of each attempt in request-end (200, or the error's)", async () => {
    const events: EvalEvent[] = [];
    const model = gatedModel();
    const d = createDispatcher(model.client, { concurrency: 2, emit: (e) => events.push(e), maxRetries: 0 });
    const signal = new AbortController().signal;
    const ok = d.call({ model: "m", messages: [] }, { id: "a", signal });
    const limited = d.call({ model: "m", messages: [] }, { id: "b", signal });
    await flush();
    model.pending[0]!.resolve(model.reply);
    model.pending[1]!.reject(APIError.generate(429, { message: "slow down" }, "429 slow down", new Headers()));
    await ok;
    await expect(limited).rejects.toThrow();
    const ends = events.filter((e) => e.type === "request-end");
    expect(ends.map((e) => e.type === "request-end" && [e.id, e.ok, e.status, e.errorType])).toEqual([
      ["a", true, 200, undefined],
      ["b", false, 429, "rate_limit"],
    ]);
  });
});
