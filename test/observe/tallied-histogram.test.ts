import { Histogram, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { TalliedHistogram } from "../../src/observe/tallied-histogram.js";

const BOUNDS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** The same observations through prom-client's Histogram and a TalliedHistogram, each in a registry of its own. */
function both(observations: ReadonlyArray<readonly [string, number]>, openMetrics = false) {
  const type = openMetrics ? Registry.OPENMETRICS_CONTENT_TYPE : Registry.PROMETHEUS_CONTENT_TYPE;
  // prom-client's types tie a registry to one content type; the constructor takes either.
  const registry = () => new (Registry as unknown as new (contentType: string) => Registry)(type);
  const theirs = registry();
  const ours = registry();
  const reference = new Histogram({ name: "x_seconds", help: "Latency", labelNames: ["model"], buckets: BOUNDS, registers: [theirs] });
  const tallied = new TalliedHistogram({ name: "x_seconds", help: "Latency", label: "model", bounds: BOUNDS, registers: [ours] });
  for (const [model, v] of observations) {
    reference.observe({ model }, v);
    tallied.observe(model, v);
  }
  return { theirs, ours, tallied };
}

/** Values on the bounds, between them, below the first, above the last, 0; several label values, interleaved. */
function observations(seed: number, n: number): Array<[string, number]> {
  let s = seed;
  const next = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const out: Array<[string, number]> = [];
  for (let i = 0; i < n; i++) {
    const model = ["a", "b", 'q"uote\\d\nm'][Math.floor(next() * 3)] as string;
    const r = next();
    const v = r < 0.3 ? (BOUNDS[Math.floor(next() * BOUNDS.length)] as number) : r < 0.35 ? 0 : r < 0.45 ? 3 + next() * 100 : next() * 3;
    out.push([model, v]);
  }
  return out;
}

describe("TalliedHistogram", () => {
  it("shows exactly what prom-client's Histogram shows for the same observations, as text and as JSON", async () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const { theirs, ours } = both(observations(seed, 500));
      expect(await ours.metrics()).toBe(await theirs.metrics());
      expect(await ours.getMetricsAsJSON()).toEqual(await theirs.getMetricsAsJSON());
    }
  });

  it("does so in the OpenMetrics format, and with nothing observed", async () => {
    const open = both(observations(9, 50), true);
    expect(await open.ours.metrics()).toBe(await open.theirs.metrics());
    expect(await open.ours.metrics()).toMatch(/# EOF\n$/);
    const none = both([]);
    expect(await none.ours.metrics()).toBe(await none.theirs.metrics());
  });

  it("forgets its observations when the registry's metrics are reset", async () => {
    const { ours, theirs, tallied } = both(observations(7, 20));
    ours.resetMetrics();
    theirs.resetMetrics();
    expect(await ours.metrics()).toBe(await theirs.metrics());
    tallied.observe("a", 0.2);
    expect(await ours.metrics()).toContain('x_seconds_bucket{le="0.25",model="a"} 1');
  });

  it("throws on a value that is not a finite number, and on bad options, as prom-client does", () => {
    const h = new TalliedHistogram({ name: "y_seconds", help: "h", label: "model", bounds: BOUNDS, registers: [] });
    expect(() => h.observe("a", Number.NaN)).toThrow(/not a valid number/);
    expect(() => h.observe("a", Number.POSITIVE_INFINITY)).toThrow(/not a valid number/);
    expect(() => new TalliedHistogram({ name: "z", help: "h", label: "le", bounds: BOUNDS, registers: [] })).toThrow(/reserved/);
    expect(() => new TalliedHistogram({ name: "z", help: "h", label: "model", bounds: [1, 1], registers: [] })).toThrow(/ascending/);
  });
});
