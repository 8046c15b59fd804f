import { describe, expect, it } from "vitest";
import { TokenBucket } from "../../src/reliability/token-bucket.js";
import { VirtualClock } from "./virtual-clock.js";

/** Starts take(n) and records the clock time at which it was granted. */
function timedTake(bucket: TokenBucket, clock: VirtualClock, n: number, grants: number[], signal?: AbortSignal): Promise<void> {
  return bucket.take(n, signal).then(() => void grants.push(clock.now()));
}

describe("TokenBucket", () => {
  it("starts full, then paces takes at the refill rate, first come first served", async () => {
    const clock = new VirtualClock();
    const bucket = new TokenBucket({ capacity: 2, refillPerMs: 1 / 100, clock });
    const grants: number[] = [];
    const all = Promise.all([1, 2, 3, 4, 5].map(() => timedTake(bucket, clock, 1, grants)));
    await clock.advance(1000);
    await all;
    expect(grants).toEqual([0, 0, 100, 200, 300]);
  });

  it("lets a take larger than the burst go when full, leaving debt the next take waits out", async () => {
    const clock = new VirtualClock();
    const bucket = new TokenBucket({ capacity: 10, refillPerMs: 1, clock });
    const grants: number[] = [];
    const all = Promise.all([timedTake(bucket, clock, 30, grants), timedTake(bucket, clock, 10, grants)]);
    await clock.advance(100);
    await all;
    // 10 - 30 = -20; the second take needs 10 back: 30 ms.
    expect(grants).toEqual([0, 30]);
  });

  it("adjust gives tokens back (waking waiters) or takes more, never above capacity", async () => {
    const clock = new VirtualClock();
    const bucket = new TokenBucket({ capacity: 100, refillPerMs: 0.001, clock });
    await bucket.take(100);
    const grants: number[] = [];
    const p = timedTake(bucket, clock, 50, grants);
    await clock.advance(10);
    expect(grants).toEqual([]);
    bucket.adjust(60);
    await clock.advance(0);
    await p;
    expect(grants).toEqual([10]);
    bucket.adjust(1000);
    expect(bucket.level).toBe(100);
    bucket.adjust(-150);
    expect(bucket.level).toBe(-50);
  });

  it("an aborted waiter leaves the queue without taking tokens, and the next one moves up", async () => {
    const clock = new VirtualClock();
    const bucket = new TokenBucket({ capacity: 10, refillPerMs: 0.01, clock });
    await bucket.take(10);
    const ac = new AbortController();
    const grants: number[] = [];
    const first = bucket.take(10, ac.signal);
    const second = timedTake(bucket, clock, 1, grants);
    await clock.advance(50);
    ac.abort(new Error("stop"));
    await expect(first).rejects.toThrow("stop");
    await clock.advance(100);
    await second;
    expect(grants).toEqual([100]);
    expect(bucket.waiting).toBe(0);
  });

  it("validates its options", () => {
    const clock = new VirtualClock();
    expect(() => new TokenBucket({ capacity: 0, refillPerMs: 1, clock })).toThrow("Expected `capacity` to be a finite number > 0, got 0");
    expect(() => new TokenBucket({ capacity: 1, refillPerMs: -1, clock })).toThrow("Expected `refillPerMs` to be a finite number > 0, got -1");
  });
});
