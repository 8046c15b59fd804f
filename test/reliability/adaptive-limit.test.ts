import { describe, expect, it } from "vitest";
import { AdaptiveLimit } from "../../src/reliability/adaptive-limit.js";

describe("AdaptiveLimit (AIMD)", () => {
  it("ignores isolated 429s and halves on a storm", () => {
    const a = new AdaptiveLimit({ max: 64, window: 10, stormShare: 0.3 });
    for (let i = 0; i < 20; i++) {
      expect(a.success(a.epoch)).toBeUndefined();
      if (i % 10 === 0) expect(a.rateLimited(a.epoch)).toBeUndefined();
    }
    expect(a.limit).toBe(64);
    const e = a.epoch;
    expect(a.rateLimited(e)).toBeUndefined();
    expect(a.rateLimited(e)).toBeUndefined();
    expect(a.rateLimited(e)).toBe("decrease");
    expect(a.limit).toBe(32);
  });

  it("cuts once per burst: 429s of attempts sent under the old limit do not cut again", () => {
    const a = new AdaptiveLimit({ max: 64, window: 4, stormShare: 0.5 });
    const old = a.epoch;
    a.rateLimited(old);
    expect(a.rateLimited(old)).toBe("decrease");
    for (let i = 0; i < 10; i++) expect(a.rateLimited(old)).toBeUndefined();
    expect(a.limit).toBe(32);
    const now = a.epoch;
    a.rateLimited(now);
    expect(a.rateLimited(now)).toBe("decrease");
    expect(a.limit).toBe(16);
  });

  it("never goes below min and grows back by one per round of successes up to max", () => {
    const a = new AdaptiveLimit({ max: 6, window: 1, stormShare: 1 });
    for (let i = 0; i < 5; i++) a.rateLimited(a.epoch);
    expect(a.limit).toBe(1);
    let successes = 0;
    while (a.limit < 6) {
      a.success(a.epoch);
      successes++;
    }
    // 1 → 2 takes 1 success, 2 → 3 takes 2, 3 → 4 takes 3 … (additive: +1 per `limit` successes)
    expect(successes).toBe(1 + 2 + 3 + 4 + 5);
    for (let i = 0; i < 100; i++) a.success(a.epoch);
    expect(a.limit).toBe(6);
  });

  it("restart() drops to 1 and doubles per round up to the limit held before", () => {
    const a = new AdaptiveLimit({ max: 64 });
    expect(a.restart()).toBe("restart");
    expect(a.limit).toBe(1);
    const rounds: number[] = [];
    while (a.limit < 64) {
      const n = a.limit;
      for (let i = 0; i < n; i++) a.success(a.epoch);
      rounds.push(a.limit);
    }
    expect(rounds).toEqual([2, 4, 8, 16, 32, 64]);
  });

  it("validates its options", () => {
    expect(() => new AdaptiveLimit({ max: 0 })).toThrow("Expected `max` to be an integer >= 1, got 0");
    expect(() => new AdaptiveLimit({ max: 4, min: 5 })).toThrow("Expected `min` to be an integer from 1 to max (4), got 5");
    expect(() => new AdaptiveLimit({ max: 4, decrease: 1 })).toThrow("Expected `decrease` to be a number between 0 and 1, got 1");
  });
});
