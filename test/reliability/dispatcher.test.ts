import { describe, expect, it } from "vitest";
import type { ModelCallError } from "../../src/errors/model-call-error.js";
import type { EvalEvent } from "../../src/events.js";
import type { ChatRequest } from "../../src/work/model.js";
import { createDispatcher, type DispatcherOptions } from "../../src/reliability/dispatcher.js";
import { hang, httpError, ok, scriptedModel } from "./fake-model.js";
import { VirtualClock } from "./virtual-clock.js";

const request: ChatRequest = { model: "m", messages: [{ role: "user", content: "2+2?" }], max_tokens: 16 };
const ctx = (id = "s1", signal = new AbortController().signal) => ({ id, signal });

function setup(script: Parameters<typeof scriptedModel>[2], options: Partial<DispatcherOptions> = {}, streaming = false) {
  const clock = new VirtualClock();
  const events: EvalEvent[] = [];
  const client = scriptedModel("m", () => clock.now(), script, streaming);
  const dispatcher = createDispatcher(client, {
    concurrency: 4,
    clock,
    emit: (e) => events.push(e),
    endpoint: "http://api.test/v1",
    random: () => 0.5,
    backoff: { baseMs: 500, capMs: 8000 },
    ...options,
  });
  return { clock, events, client, dispatcher };
}

/** Runs a call to the end in virtual time; resolves with its outcome or its error. */
async function settle<T>(clock: VirtualClock, p: Promise<T>): Promise<{ value?: T; error?: ModelCallError }> {
  let done = false;
  const result = p.then(
    (value) => ({ value }),
    (error: ModelCallError) => ({ error }),
  );
  void result.then(() => (done = true));
  await clock.runUntil(() => done);
  return result;
}

describe("createDispatcher: retries", () => {
  it("sends once when the first attempt succeeds, reporting it as events", async () => {
    const { clock, events, dispatcher } = setup(() => ok("4"));
    const { value } = await settle(clock, dispatcher.call(request, ctx()));
    expect(value).toMatchObject({ attempts: 1, queue_ms: 0, reply: { text: "4" } });
    expect(value?.served_by).toBeUndefined();
    expect(events.map((e) => e.type)).toEqual(["request-start", "request-end"]);
  });

  it("retries 5xx with full-jitter exponential backoff", async () => {
    const { clock, events, client, dispatcher } = setup((n) => (n <= 3 ? httpError(n === 2 ? 502 : 500) : ok()));
    const { value } = await settle(clock, dispatcher.call(request, ctx()));
    expect(value?.attempts).toBe(4);
    // random() = 0.5: half of the ceilings 500, 1000, 2000.
    expect(client.calls.map((c) => c.at)).toEqual([0, 250, 750, 1750]);
    expect(events.filter((e) => e.type === "retry")).toEqual([
      { type: "retry", model: "m", id: "s1", attempt: 1, cause: "server_error", delay_ms: 250 },
      { type: "retry", model: "m", id: "s1", attempt: 2, cause: "server_error", delay_ms: 500 },
      { type: "retry", model: "m", id: "s1", attempt: 3, cause: "server_error", delay_ms: 1000 },
    ]);
  });

  it("never retries sooner than Retry-After asked, and no later than needed", async () => {
    const { clock, client, dispatcher } = setup((n) => (n === 1 ? httpError(429, { "retry-after": "3" }) : n === 2 ? httpError(429, { "retry-after-ms": "10" }) : ok()));
    await settle(clock, dispatcher.call(request, ctx()));
    // 3 s asked (above the 250 ms backoff); then 10 ms asked, below the 500 ms backoff.
    expect(client.calls.map((c) => c.at)).toEqual([0, 3000, 3500]);
  });

  it("gives up after --max-retries with a retryable error naming the cause", async () => {
    const { clock, client, dispatcher } = setup(() => httpError(503), { maxRetries: 2 });
    const { error } = await settle(clock, dispatcher.call(request, ctx()));
    expect(client.calls).toHaveLength(3);
    expect(error?.info).toMatchObject({ kind: "retryable", type: "server_error", attempts: 3, status: 503 });
    expect(error?.message).toBe("gave up after 3 attempts: 503 status 503");
  });

  it("does not retry a permanent failure", async () => {
    const { clock, client, dispatcher } = setup(() => httpError(400, {}, { message: "maximum context length is 8192 tokens", code: "context_length_exceeded" }));
    const { error } = await settle(clock, dispatcher.call(request, ctx()));
    expect(client.calls).toHaveLength(1);
    expect(error?.info).toMatchObject({ kind: "permanent", type: "context_length", attempts: 1 });
  });

  it("a fatal failure names model and endpoint, and fails every later call without sending", async () => {
    const { clock, client, dispatcher } = setup(() => httpError(401, {}, { message: "Incorrect API key provided." }));
    const { error } = await settle(clock, dispatcher.call(request, ctx()));
    expect(error?.info).toMatchObject({ kind: "fatal", type: "auth", status: 401, model: "m", endpoint: "http://api.test/v1" });
    expect(error?.message).toBe("authentication failed (check the API key) for model m at http://api.test/v1: 401 Incorrect API key provided.");
    const again = await settle(clock, dispatcher.call(request, ctx("s2")));
    expect(again.error?.info.kind).toBe("fatal");
    expect(client.calls).toHaveLength(1);
  });

  it("stops waiting when the run's signal aborts, as an `aborted` error", async () => {
    const { clock, dispatcher } = setup(() => httpError(500));
    const ac = new AbortController();
    const p = dispatcher.call(request, ctx("s1", ac.signal));
    await clock.advance(100); // in backoff now
    ac.abort(new Error("stop"));
    await expect(p).rejects.toMatchObject({ info: { type: "aborted", kind: "retryable", cutOff: "aborted" } });
  });

  it("a call that fails on its own is not marked cut off", async () => {
    const { clock, dispatcher } = setup(() => httpError(400));
    const { error } = await settle(clock, dispatcher.call(request, ctx()));
    expect(error?.info.kind).toBe("permanent");
    expect(error?.info.cutOff).toBeUndefined();
  });
});

describe("createDispatcher: timeouts", () => {
  it("cuts a hung attempt at --timeout and retries it", async () => {
    const { clock, events, client, dispatcher } = setup((n, o) => (n === 1 ? hang(o) : ok()), { timeouts: { totalMs: 2000 } });
    const { value } = await settle(clock, dispatcher.call(request, ctx()));
    expect(value?.attempts).toBe(2);
    expect(client.calls.map((c) => c.at)).toEqual([0, 2250]);
    expect(events.find((e) => e.type === "request-end" && !e.ok)).toMatchObject({ errorType: "timeout" });
  });

  it("cuts a stream that goes silent at the idle deadline", async () => {
    const { clock, events, dispatcher } = setup(
      (n, o) => {
        if (n > 1) return ok();
        o.onChunk?.();
        return hang(o);
      },
      { timeouts: { ttftMs: 10_000, idleMs: 700 } },
      true,
    );
    const { value } = await settle(clock, dispatcher.call(request, ctx()));
    expect(value?.attempts).toBe(2);
    expect(events.find((e) => e.type === "retry")).toMatchObject({ cause: "timeout" });
  });
});

describe("createDispatcher: limits", () => {
  it("keeps at most `concurrency` requests in flight", async () => {
    let inFlight = 0;
    let peak = 0;
    const { clock, dispatcher } = setup(async () => {
      peak = Math.max(peak, ++inFlight);
      await clock.sleep(100);
      inFlight--;
      return ok();
    });
    const all = Promise.all(Array.from({ length: 10 }, (_, i) => dispatcher.call(request, ctx(`s${i}`))));
    await clock.advance(1000);
    await all;
    expect(peak).toBe(4);
  });

  it("spaces requests by --rpm", async () => {
    const { clock, client, dispatcher } = setup(() => ok(), { rpm: 60, concurrency: 10 });
    const all = Promise.all(Array.from({ length: 3 }, (_, i) => dispatcher.call(request, ctx(`s${i}`))));
    await clock.advance(5000);
    const outcomes = await all;
    expect(client.calls.map((c) => c.at)).toEqual([0, 1000, 2000]);
    expect(outcomes.map((o) => o.queue_ms)).toEqual([0, 1000, 2000]);
  });

  it("halves the in-flight limit on a 429 storm and grows it back on success", async () => {
    let storm = true;
    const { clock, events, dispatcher } = setup(
      async () => {
        await clock.sleep(10);
        return storm ? httpError(429) : ok();
      },
      { concurrency: 16, maxRetries: 100 },
    );
    let done = false;
    const all = Promise.all(Array.from({ length: 64 }, (_, i) => dispatcher.call(request, ctx(`s${i}`)))).finally(() => (done = true));
    await clock.advance(2000);
    const low = dispatcher.limit ?? 16;
    expect(low).toBeLessThan(16);
    storm = false;
    await clock.runUntil(() => done);
    await all;
    expect(dispatcher.limit).toBeGreaterThan(low);
    const changes = events.filter((e) => e.type === "concurrency-change");
    expect(changes.some((e) => e.reason === "decrease")).toBe(true);
    expect(changes.some((e) => e.reason === "increase")).toBe(true);
  });
});

describe("createDispatcher: fallback", () => {
  it("sends the sample to the fallback model once the retries are spent, recording served_by", async () => {
    const clock = new VirtualClock();
    const events: EvalEvent[] = [];
    const backup = scriptedModel("backup", () => clock.now(), () => ok("from backup"));
    const fallback = createDispatcher(backup, { concurrency: 2, clock, emit: (e) => events.push(e) });
    const primary = scriptedModel("m", () => clock.now(), () => httpError(503));
    const dispatcher = createDispatcher(primary, { concurrency: 2, clock, emit: (e) => events.push(e), maxRetries: 1, fallback, random: () => 0 });
    const { value } = await settle(clock, dispatcher.call(request, ctx()));
    expect(value).toMatchObject({ served_by: "backup", attempts: 3, reply: { text: "from backup" } });
    expect(backup.calls.map((c) => c.model)).toEqual(["backup"]);
    expect(events).toContainEqual({ type: "fallback", model: "m", id: "s1", to: "backup", reason: "retries_exhausted" });
  });

  it("validates its options", () => {
    const client = scriptedModel("m", () => 0, () => ok());
    expect(() => createDispatcher(client, { concurrency: 0 })).toThrow("Expected `concurrency` to be an integer >= 1, got 0");
    expect(() => createDispatcher(client, { concurrency: 1, maxRetries: -1 })).toThrow("Expected `maxRetries` to be an integer >= 0, got -1");
    expect(() => createDispatcher(client, { concurrency: 1, timeouts: { totalMs: 0 } })).toThrow("Expected `timeouts.totalMs` to be a number > 0, got 0");
  });
});

