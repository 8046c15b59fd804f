import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { systemClock } from "../../src/clock.js";
import type { EvalEvent } from "../../src/events.js";
import type { ChatRequest } from "../../src/work/model.js";
import { createDispatcher } from "../../src/reliability/dispatcher.js";
import { EndpointBreaker } from "../../src/reliability/endpoint-breaker.js";
import { httpError, ok, scriptedModel } from "./fake-model.js";

// Opossum times its reset with the global timers, so these tests fake them (and performance.now, which systemClock reads).
const request: ChatRequest = { model: "m", messages: [{ role: "user", content: "hi" }], max_tokens: 8 };
const now = () => systemClock.now();
const sleep = (ms: number) => systemClock.sleep(ms);

describe("createDispatcher with an endpoint breaker", () => {
  let breaker: EndpointBreaker | undefined;
  let t0 = 0;
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date", "performance"] });
    t0 = now();
  });
  afterEach(() => {
    breaker?.dispose();
    vi.useRealTimers();
  });

  it("an outage opens the breaker: samples wait instead of failing, one probe per reset, then a ramp back up", async () => {
    const events: { at: number; e: EvalEvent }[] = [];
    const emit = (e: EvalEvent) => events.push({ at: now() - t0, e });
    breaker = new EndpointBreaker("http://api.test/v1", { consecutiveFailures: 3, resetTimeoutMs: 1000 }, { emit });
    const client = scriptedModel("m", () => now() - t0, async () => {
      await sleep(10);
      return now() - t0 < 3000 ? httpError(503) : ok();
    });
    const dispatcher = createDispatcher(client, { concurrency: 8, emit, breaker, random: () => 0.5, maxRetries: 20 });
    const all = Promise.all(Array.from({ length: 20 }, (_, i) => dispatcher.call(request, { id: `s${i}`, signal: new AbortController().signal })));
    await vi.advanceTimersByTimeAsync(10_000);
    const outcomes = await all;

    expect(outcomes).toHaveLength(20);
    expect(outcomes.every((o) => o.reply.text === "ok")).toBe(true);
    const openedAt = events.find(({ e }) => e.type === "breaker-open")?.at ?? Number.NaN;
    expect(openedAt).toBe(10);
    const during = client.calls.filter((c) => c.at > openedAt && c.at < 3000);
    expect(during.map((c) => c.at)).toEqual([1010, 2020]); // the half-open probes, nothing else
    expect(events.filter(({ e }) => e.type === "breaker-open")).toHaveLength(1);
    expect(events.find(({ e }) => e.type === "breaker-close")?.e).toMatchObject({ open_ms: 3030 });
    expect(events.map(({ e }) => e)).toContainEqual({ type: "concurrency-change", model: "m", limit: 1, reason: "restart" });
    // After the probe closes the breaker, requests ramp up (1, 2, 4 …) instead of all going at once.
    const after = client.calls.filter((c) => c.at >= 3030);
    const firstWave = after.filter((c) => c.at === after[0]!.at);
    expect(firstWave.length).toBeLessThanOrEqual(2);
  });

  it("a long outage fails no sample: failed half-open probes do not use up its retries", async () => {
    breaker = new EndpointBreaker("http://api.test/v1", { consecutiveFailures: 2, resetTimeoutMs: 1000 });
    const client = scriptedModel("m", () => now() - t0, async () => {
      await sleep(10);
      return now() - t0 < 30_000 ? httpError(503) : ok();
    });
    const dispatcher = createDispatcher(client, { concurrency: 2, breaker, maxRetries: 1, random: () => 0 });
    const settled = Promise.allSettled(Array.from({ length: 4 }, (_, i) => dispatcher.call(request, { id: `s${i}`, signal: new AbortController().signal })));
    await vi.advanceTimersByTimeAsync(40_000);
    const outcomes = await settled;
    expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "fulfilled", "fulfilled", "fulfilled"]);
    expect(client.calls.length).toBeGreaterThan(25); // ~one probe a second for 30 s, spread over the samples
  });

  it("sends a sample to the fallback when the breaker stays open longer than fallbackAfterMs", async () => {
    const events: EvalEvent[] = [];
    breaker = new EndpointBreaker("http://primary.test/v1", { consecutiveFailures: 1, resetTimeoutMs: 60_000 }, { emit: (e) => events.push(e) });
    const backup = scriptedModel("backup", now, () => ok("backup says hi"));
    const fallback = createDispatcher(backup, { concurrency: 2 });
    const primary = scriptedModel("m", now, () => httpError(500));
    const dispatcher = createDispatcher(primary, { concurrency: 2, breaker, fallback, fallbackAfterMs: 5000, random: () => 0, emit: (e) => events.push(e) });
    const p = dispatcher.call(request, { id: "s1", signal: new AbortController().signal });
    await vi.advanceTimersByTimeAsync(4999);
    expect(backup.calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    await expect(p).resolves.toMatchObject({ served_by: "backup", attempts: 2 });
    expect(primary.calls).toHaveLength(1);
    expect(events).toContainEqual({ type: "fallback", model: "m", id: "s1", to: "backup", reason: "breaker_open" });
  });
});
