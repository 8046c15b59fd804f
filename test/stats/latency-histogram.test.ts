import fc from "fast-check";
import { build } from "hdr-histogram-js";
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

  it("gives the percentiles of the package's own build() (it loads the 32-bit histogram alone), merged or not", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 4_000_000, noNaN: true }), { minLength: 1, maxLength: 300 }), fc.nat(300), (values, cut) => {
        const ref = build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3, autoResize: false });
        const [a, b] = [new LatencyHistogram(), new LatencyHistogram()];
        values.forEach((v, i) => {
          (i < cut ? a : b).record(v);
          ref.recordValue(Math.min(Math.max(1, Math.round(v * 1000)), 3_600_000_000));
        });
        a.merge(b);
        const max = Math.round(ref.maxValue) / 1000;
        const at = (q: number) => Math.min(Math.round(ref.getValueAtPercentile(q)) / 1000, max);
        expect(a.percentiles()).toEqual({ p50: at(50), p90: at(90), p99: at(99), max, n: values.length });
      }),
      { numRuns: 200 },
    );
  });
});

describe("LatencyHistogram saved form", () => {
  it("restores the same percentiles and merges as the histogram it was saved from", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 4_000_000, noNaN: true }), { maxLength: 300 }), (values) => {
        const h = new LatencyHistogram();
        values.forEach((v) => h.record(v));
        const back = new LatencyHistogram();
        expect(back.restore(JSON.parse(JSON.stringify(h.state())))).toBe(true);
        expect(back.percentiles()).toEqual(h.percentiles());
        expect(back.state()).toEqual(h.state());
        const [x, y] = [new LatencyHistogram(), new LatencyHistogram()];
        x.record(5);
        y.record(5);
        x.merge(h);
        y.merge(back);
        expect(y.percentiles()).toEqual(x.percentiles());
      }),
    );
  });

  it("refuses what is not a saved form, adding nothing", () => {
    const h = new LatencyHistogram();
    h.record(3);
    const saved = h.state();
    for (const bad of [null, "x", [1], [2, saved[1], ...saved.slice(2)], [1, 999, ...saved.slice(2)], [1, saved[1], 1e12, 1]]) {
      const back = new LatencyHistogram();
      expect(back.restore(bad)).toBe(false);
      expect(back.count).toBe(0);
    }
  });
});
