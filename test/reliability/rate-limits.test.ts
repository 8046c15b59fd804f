import { describe, expect, it } from "vitest";
import { estimateTokens, RateLimits } from "../../src/reliability/rate-limits.js";
import { VirtualClock } from "./virtual-clock.js";

describe("RateLimits", () => {
  it("--rpm spaces requests at the per-minute rate after a one-second burst", async () => {
    const clock = new VirtualClock();
    const limits = new RateLimits({ rpm: 120, clock }); // 2 per second, burst 2
    const at: number[] = [];
    const all = Promise.all(Array.from({ length: 6 }, () => limits.acquire(1).then(() => void at.push(clock.now()))));
    await clock.advance(5000);
    await all;
    expect(at).toEqual([0, 0, 500, 1000, 1500, 2000]);
  });

  it("--tpm reserves the estimate and settles with the reported usage", async () => {
    const clock = new VirtualClock();
    const limits = new RateLimits({ tpm: 60_000, clock }); // 1000 per second, burst 1000
    const t1 = await limits.acquire(1000);
    const at: number[] = [];
    const second = limits.acquire(500).then((t) => {
      at.push(clock.now());
      return t;
    });
    await clock.advance(100);
    expect(at).toEqual([]);
    t1.settle(200); // only 200 used: 800 come back at once
    await clock.advance(0);
    await second;
    expect(at).toEqual([100]);
  });

  it("a settle of 0 refunds the reservation, null keeps it, and a ticket settles once", async () => {
    const clock = new VirtualClock();
    const limits = new RateLimits({ tpm: 600, clock }); // 10 per second, burst 10
    const t = await limits.acquire(10);
    t.settle(null);
    t.settle(0);
    const at: number[] = [];
    const p = limits.acquire(10).then(() => void at.push(clock.now()));
    await clock.advance(2000);
    await p;
    expect(at).toEqual([1000]);
  });

  it("is a no-op without limits and validates them", async () => {
    const clock = new VirtualClock();
    const none = new RateLimits({ clock });
    expect(none.limited).toBe(false);
    await none.acquire(1e9);
    expect(() => new RateLimits({ rpm: 0, clock })).toThrow("Expected `rpm` to be a number > 0, got 0");
    expect(() => new RateLimits({ tpm: Number.NaN, clock })).toThrow("Expected `tpm` to be a number > 0, got NaN");
  });
});

describe("estimateTokens", () => {
  it("is prompt characters / 4 plus the completion budget", () => {
    expect(estimateTokens({ model: "m", messages: [{ role: "user", content: "x".repeat(396) }], max_tokens: 100 })).toBe(200);
    expect(estimateTokens({ model: "m", messages: [{ role: "user", content: "" }] })).toBe(1 + 256);
    expect(estimateTokens({ model: "m", messages: [{ role: "user", content: "abcd" }], max_tokens: 10, n: 3 })).toBe(2 + 30);
  });
});
