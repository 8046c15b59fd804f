import { APIError } from "openai";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { systemClock } from "../../src/clock.js";
import type { EvalEvent } from "../../src/events.js";
import { BreakerOpenError, EndpointBreaker, isEndpointFailure } from "../../src/reliability/endpoint-breaker.js";

const status = (s: number) => APIError.generate(s, { error: { message: `status ${s}` } }, undefined, new Headers());
const failing = (s = 503) => () => Promise.reject(status(s));
const ok = () => Promise.resolve("ok");

describe("EndpointBreaker", () => {
  let events: EvalEvent[];
  let breaker: EndpointBreaker | undefined;
  const make = (options: ConstructorParameters<typeof EndpointBreaker>[1]) =>
    (breaker = new EndpointBreaker("http://api.test/v1", options, { clock: systemClock, emit: (e) => events.push(e) }));

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date", "performance"] });
    events = [];
  });
  afterEach(() => {
    breaker?.dispose();
    vi.useRealTimers();
  });

  it("opens after consecutive failures; samples wait; one probe after the reset timeout closes it", async () => {
    const b = make({ consecutiveFailures: 3, volumeThreshold: 1000, resetTimeoutMs: 2000 });
    for (let i = 0; i < 3; i++) await expect(b.fire(failing())).rejects.toThrow("503");
    expect(b.state).toBe("open");
    expect(events).toEqual([{ type: "breaker-open", endpoint: "http://api.test/v1", trips: 1 }]);
    await expect(b.fire(ok)).rejects.toBeInstanceOf(BreakerOpenError);

    let ready = false;
    const waiting = b.ready(new AbortController().signal).then((r) => (ready = r));
    await vi.advanceTimersByTimeAsync(1999);
    expect(ready).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await waiting;
    expect(ready).toBe(true);
    expect(b.state).toBe("half-open");

    const closed = vi.fn();
    b.onClose(closed);
    let release!: () => void;
    const probe = b.fire(() => new Promise<string>((r) => (release = () => r("probe"))));
    // The probe is out: nobody else gets through until it comes back.
    await expect(b.fire(ok)).rejects.toBeInstanceOf(BreakerOpenError);
    release();
    await expect(probe).resolves.toBe("probe");
    expect(b.state).toBe("closed");
    expect(closed).toHaveBeenCalledTimes(1);
    expect(events.map((e) => e.type)).toEqual(["breaker-open", "breaker-half-open", "breaker-close"]);
    expect(events[2]).toMatchObject({ open_ms: 2000 });
    expect(b.trips).toBe(1);
    expect(b.openMs).toBe(2000);
  });

  it("a failed probe opens it again for another reset timeout (still one trip)", async () => {
    const b = make({ consecutiveFailures: 1, resetTimeoutMs: 1000 });
    await expect(b.fire(failing(500))).rejects.toThrow();
    await vi.advanceTimersByTimeAsync(1000);
    expect(b.state).toBe("half-open");
    await expect(b.fire(failing(502))).rejects.toThrow("502");
    expect(b.state).toBe("open");
    await vi.advanceTimersByTimeAsync(1000);
    await expect(b.fire(ok)).resolves.toBe("ok");
    expect(b.state).toBe("closed");
    expect(b.trips).toBe(1);
    expect(b.openMs).toBe(2000);
  });

  it("opens on the failure rate over the rolling window once the volume threshold is met", async () => {
    const b = make({ errorThresholdPercentage: 50, volumeThreshold: 6, consecutiveFailures: 100 });
    for (const outcome of [ok, failing(), ok, failing(), failing()]) await b.fire(outcome).catch(() => {});
    expect(b.state).toBe("closed"); // 5 fires: under the volume threshold
    await b.fire(failing()).catch(() => {});
    expect(b.state).toBe("open"); // 4 of 6 failed
  });

  it("forgets failures that left the rolling window", async () => {
    const b = make({ errorThresholdPercentage: 50, volumeThreshold: 4, rollingWindowMs: 1000, consecutiveFailures: 100 });
    for (let i = 0; i < 3; i++) await b.fire(failing()).catch(() => {});
    await vi.advanceTimersByTimeAsync(1500);
    await b.fire(ok);
    await b.fire(failing()).catch(() => {});
    expect(b.state).toBe("closed");
  });

  it("does not count rate limits, bad requests or the run's own abort as the endpoint failing", async () => {
    const b = make({ consecutiveFailures: 2, volumeThreshold: 2 });
    for (let i = 0; i < 10; i++) {
      await b.fire(failing(429)).catch(() => {});
      await b.fire(failing(400)).catch(() => {});
    }
    expect(b.state).toBe("closed");
    expect(isEndpointFailure(status(429))).toBe(false);
    expect(isEndpointFailure(status(503))).toBe(true);
  });

  it("ready() gives up at the deadline (for a fallback) and rejects when aborted", async () => {
    const b = make({ consecutiveFailures: 1, resetTimeoutMs: 60_000 });
    await b.fire(failing()).catch(() => {});
    const deadline = systemClock.now() + 5000;
    const late = b.ready(new AbortController().signal, deadline);
    await vi.advanceTimersByTimeAsync(5000);
    await expect(late).resolves.toBe(false);
    const ac = new AbortController();
    const aborted = b.ready(ac.signal);
    ac.abort(new Error("stopped"));
    await expect(aborted).rejects.toThrow("stopped");
  });

  it("validates its options", () => {
    expect(() => make({ errorThresholdPercentage: 0 })).toThrow("Expected `errorThresholdPercentage` to be a number in (0, 100], got 0");
    expect(() => make({ resetTimeoutMs: 0.5 })).toThrow("Expected `resetTimeoutMs` to be an integer >= 1, got 0.5");
    expect(() => make({ consecutiveFailures: 0 })).toThrow("Expected `consecutiveFailures` to be an integer >= 1, got 0");
  });
});
