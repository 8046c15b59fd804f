import { describe, expect, it } from "vitest";
import { AttemptTimeoutError } from "../../src/errors/attempt-timeout-error.js";
import { watchAttempt } from "../../src/reliability/attempt-watch.js";
import { VirtualClock } from "./virtual-clock.js";

const reasonOf = (signal: AbortSignal) => signal.reason as AttemptTimeoutError;

describe("watchAttempt", () => {
  it("aborts at the total deadline with an AttemptTimeoutError", async () => {
    const clock = new VirtualClock();
    const w = watchAttempt(new AbortController().signal, { totalMs: 1000 }, clock, false);
    await clock.advance(999);
    expect(w.signal.aborted).toBe(false);
    await clock.advance(1);
    expect(w.signal.aborted).toBe(true);
    expect(reasonOf(w.signal)).toBeInstanceOf(AttemptTimeoutError);
    expect(w.timedOut?.kind).toBe("total");
    expect(w.timedOut?.message).toBe("the attempt took longer than 1s (--timeout)");
  });

  it("times the first chunk, then the silence between chunks", async () => {
    const clock = new VirtualClock();
    const w = watchAttempt(new AbortController().signal, { totalMs: 60_000, ttftMs: 500, idleMs: 200 }, clock, true);
    await clock.advance(400);
    w.onChunk();
    await clock.advance(150);
    w.onChunk();
    await clock.advance(150);
    w.onChunk();
    await clock.advance(199);
    expect(w.signal.aborted).toBe(false);
    await clock.advance(1);
    expect(w.timedOut?.kind).toBe("idle");
    expect(clock.now()).toBe(900);
  });

  it("fires the TTFT deadline when no chunk comes", async () => {
    const clock = new VirtualClock();
    const w = watchAttempt(new AbortController().signal, { ttftMs: 300, idleMs: 100 }, clock, true);
    await clock.advance(300);
    expect(w.timedOut?.kind).toBe("ttft");
  });

  it("ignores TTFT and idle deadlines for replies that are not streamed", async () => {
    const clock = new VirtualClock();
    const w = watchAttempt(new AbortController().signal, { ttftMs: 10, idleMs: 10 }, clock, false);
    await clock.advance(10_000);
    expect(w.signal.aborted).toBe(false);
    expect(clock.pending).toBe(0);
  });

  it("follows the parent signal, and dispose() stops the timers", async () => {
    const clock = new VirtualClock();
    const parent = new AbortController();
    const w = watchAttempt(parent.signal, { totalMs: 1000 }, clock, false);
    parent.abort(new Error("run stopped"));
    expect(w.signal.aborted).toBe(true);
    expect(w.timedOut).toBeUndefined();
    const w2 = watchAttempt(new AbortController().signal, { totalMs: 1000 }, clock, false);
    await clock.advance(1);
    w2.dispose();
    await clock.advance(5000);
    expect(w2.signal.aborted).toBe(false);
    expect(clock.pending).toBe(0);
  });
});
