import { describe, expect, it } from "vitest";
import { AttemptTimeoutError } from "../../src/errors/attempt-timeout-error.js";
import { AttemptWatchdog } from "../../src/reliability/attempt-watch.js";
import { VirtualClock } from "./virtual-clock.js";

const live = () => new AbortController().signal;

describe("AttemptWatchdog", () => {
  it("aborts at the total deadline with an AttemptTimeoutError", async () => {
    const clock = new VirtualClock();
    const w = new AttemptWatchdog({ totalMs: 1000 }, clock, 100).watch(live(), false);
    await clock.advance(999);
    expect(w.signal.aborted).toBe(false);
    await clock.advance(1);
    expect(w.signal.aborted).toBe(true);
    expect(w.signal.reason).toBeInstanceOf(AttemptTimeoutError);
    expect(w.timedOut?.kind).toBe("total");
    expect(w.timedOut?.message).toBe("the attempt took longer than 1s (--timeout)");
  });

  it("times the first chunk, then the silence between chunks", async () => {
    const clock = new VirtualClock();
    const w = new AttemptWatchdog({ totalMs: 60_000, ttftMs: 500, idleMs: 200 }, clock, 50).watch(live(), true);
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
    const w = new AttemptWatchdog({ ttftMs: 300, idleMs: 100 }, clock, 100).watch(live(), true);
    await clock.advance(300);
    expect(w.timedOut?.kind).toBe("ttft");
  });

  it("fires within one tick (a tenth of the shortest deadline) by default", async () => {
    const clock = new VirtualClock();
    const w = new AttemptWatchdog({ totalMs: 2000 }, clock).watch(live(), false);
    await clock.advance(1999);
    expect(w.signal.aborted).toBe(false);
    await clock.advance(200);
    expect(w.timedOut?.kind).toBe("total");
  });

  it("ignores TTFT and idle deadlines for replies that are not streamed, and allocates nothing then", async () => {
    const clock = new VirtualClock();
    const parent = live();
    const w = new AttemptWatchdog({ ttftMs: 10, idleMs: 10 }, clock, 5).watch(parent, false);
    expect(w.signal).toBe(parent);
    await clock.advance(10_000);
    expect(w.timedOut).toBeUndefined();
    expect(clock.pending).toBe(0);
  });

  it("one tick serves every attempt; the last one out stops it; the parent's abort goes through", async () => {
    const clock = new VirtualClock();
    const dog = new AttemptWatchdog({ totalMs: 1000 }, clock, 100);
    const parent = new AbortController();
    const ws = [dog.watch(parent.signal, false), dog.watch(live(), false), dog.watch(live(), false)];
    await clock.advance(0);
    expect(clock.pending).toBe(1);
    parent.abort(new Error("run stopped"));
    expect(ws[0]!.signal.aborted).toBe(true);
    expect(ws[0]!.timedOut).toBeUndefined();
    for (const w of ws) w.dispose();
    await clock.advance(0);
    expect(clock.pending).toBe(0);
    await clock.advance(5000);
    expect(ws[1]!.timedOut).toBeUndefined();
    // Watching again starts a new tick.
    const again = dog.watch(live(), false);
    await clock.advance(1000);
    expect(again.timedOut?.kind).toBe("total");
  });
});
