import { describe, expect, it } from "vitest";
import { backoffCeiling, backoffDelay, validateBackoff } from "../../src/reliability/backoff.js";

describe("backoff", () => {
  const opts = { baseMs: 500, capMs: 8000 };

  it("doubles the ceiling per retry up to the cap", () => {
    expect([1, 2, 3, 4, 5, 6, 40].map((k) => backoffCeiling(k, opts))).toEqual([500, 1000, 2000, 4000, 8000, 8000, 8000]);
  });

  it("draws the wait uniformly below the ceiling (full jitter)", () => {
    expect(backoffDelay(3, opts, () => 0)).toBe(0);
    expect(backoffDelay(3, opts, () => 0.5)).toBe(1000);
    expect(backoffDelay(3, opts, () => 0.999)).toBeCloseTo(1998);
    expect(backoffDelay(1000, opts, () => 0.25)).toBe(2000);
  });

  it("rejects bad options and retry numbers with exact messages", () => {
    expect(() => validateBackoff({ baseMs: -1, capMs: 10 })).toThrow("Expected `baseMs` to be a finite number >= 0, got -1");
    expect(() => validateBackoff({ baseMs: 100, capMs: 10 })).toThrow("Expected `capMs` to be a finite number >= baseMs (100), got 10");
    expect(() => backoffCeiling(0, opts)).toThrow("Expected `retry` to be an integer >= 1, got 0");
  });
});
