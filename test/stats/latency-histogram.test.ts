import { describe, expect, it } from "vitest";
import { LatencyHistogram } from "../../src/stats/latency-histogram.js";

describe("LatencyHistogram percentiles", () => {
  it("never reports a percentile above the largest value recorded", () => {
    const h = new LatencyHistogram();
    for (let i = 0; i < 40; i++) h.record(77 + (i % 7));
    h.record(83.94);
    const p = h.percentiles();
    expect(p.max).toBe(83.94);
    expect(p.p99).toBeLessThanOrEqual(p.max!);
    expect(p.p90).toBeLessThanOrEqual(p.max!);
  });

  it("keeps three significant digits, and ignores nulls and negative values", () => {
    const h = new LatencyHistogram();
    [10, 20, 30, null, undefined, -1, Number.NaN].forEach((v) => h.record(v));
    const p = h.percentiles();
    expect(p.n).toBe(3);
    expect(p.p50).toBeCloseTo(20, 1);
    expect(p.max).toBeCloseTo(30, 1);
  });
});
