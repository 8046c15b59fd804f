import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createShutdown } from "../../src/commands/shutdown.js";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function setup(graceMs?: number) {
  const log: string[] = [];
  const shutdown = createShutdown({
    graceMs,
    onStop: () => log.push("stop"),
    onAbort: () => log.push("abort"),
    onForce: () => log.push("force"),
    write: (t) => log.push(t.trim()),
  });
  return { log, shutdown };
}

describe("createShutdown", () => {
  it("first signal stops; the grace period's end aborts", () => {
    const { log, shutdown } = setup(5000);
    shutdown.signal();
    expect(log).toEqual(["stopping: no new samples are read; samples in flight get 5 s to finish (Ctrl-C again to cancel them)", "stop"]);
    vi.advanceTimersByTime(4999);
    expect(log).not.toContain("abort");
    vi.advanceTimersByTime(1);
    expect(log.slice(2)).toEqual(["grace period of 5 s over: cancelling samples in flight (they stay undone; a rerun does them)", "abort"]);
  });

  it("a second signal aborts at once, a third forces, and the timer does not fire after", () => {
    const { log, shutdown } = setup();
    shutdown.signal();
    shutdown.signal();
    expect(log.filter((l) => l === "abort")).toHaveLength(1);
    expect(log).toContain("second signal: cancelling samples in flight (they stay undone; a rerun does them)");
    vi.advanceTimersByTime(60_000);
    expect(log.filter((l) => l === "abort")).toHaveLength(1);
    shutdown.signal();
    shutdown.signal();
    expect(log.filter((l) => l === "force")).toHaveLength(1);
  });

  it("dispose cancels the grace timer when the run ends first", () => {
    const { log, shutdown } = setup(1000);
    shutdown.signal();
    shutdown.dispose();
    vi.advanceTimersByTime(5000);
    expect(log).not.toContain("abort");
  });

  it("validates graceMs", () => {
    expect(() => createShutdown({ graceMs: -1, onStop() {}, onAbort() {}, write() {} })).toThrow("Expected `graceMs` to be a number >= 0, got -1");
  });
});
