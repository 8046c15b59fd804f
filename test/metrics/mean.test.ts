import { describe, expect, it } from "vitest";
import { mean } from "../../src/metrics/mean.js";
import { aggregations, defaultMetrics, getAggregation, getMetric, metrics } from "../../src/metrics/registry.js";

const feed = (values: number[]) => {
  const acc = mean.create();
  for (const v of values) acc.add(v);
  return acc;
};

// Expected values: lm-eval's mean() and mean_stderr() (sample stddev / sqrt(n)) run by CPython 3.11.
describe("mean aggregation", () => {
  it.each([
    [[1, 0, 1, 1, 0, 1, 0, 0, 1, 1], 0.6, 0.16329931618554522],
    [[0.25, 0.5, 0.75], 0.5, 0.14433756729740646],
    [[...Array<number>(731).fill(1), ...Array<number>(588).fill(0)], 0.55420773313116, 0.013691305174506608],
    [[1e9 + 1, 1e9 + 2, 1e9 + 4], 1000000002.3333334, 0.8819171036881973],
  ])("matches lm-eval on %#", (values, value, stderr) => {
    const r = feed(values).result();
    expect(r.n).toBe(values.length);
    expect(r.value).toBeCloseTo(value, 9);
    expect(r.stderr! / stderr).toBeCloseTo(1, 12);
  });

  it("has no stderr below two samples, and no value without samples", () => {
    expect(feed([1]).result()).toEqual({ value: 1, stderr: null, n: 1 });
    const empty = mean.create().result();
    expect(empty.n).toBe(0);
    expect(empty.stderr).toBeNull();
    expect(Number.isNaN(empty.value)).toBe(true);
  });

  it("treats a weight as a repeat count", () => {
    const weighted = mean.create();
    weighted.add(1, 3);
    weighted.add(0, 2);
    expect(weighted.result()).toEqual(feed([1, 1, 1, 0, 0]).result());
  });

  it("keeps state of constant size however many values it sees", () => {
    const acc = feed(Array.from({ length: 10_000 }, (_, i) => i % 2));
    expect(Object.keys(acc.state()).sort()).toEqual(["kind", "n", "shift", "sum", "sumsq"]);
    expect(acc.result().value).toBe(0.5);
  });

  it("serialises and merges: a resumed run re-aggregates to the same numbers", () => {
    const all = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3];
    const first = feed(all.slice(0, 4));
    const restored = mean.fromState(JSON.parse(JSON.stringify(first.state())));
    for (const v of all.slice(4)) restored.add(v);
    const whole = feed(all).result();
    expect(restored.result().value).toBeCloseTo(whole.value, 12);
    expect(restored.result().stderr!).toBeCloseTo(whole.stderr!, 12);

    const a = feed(all.slice(0, 5));
    a.merge(feed(all.slice(5)).state());
    expect(a.result().n).toBe(10);
    expect(a.result().stderr!).toBeCloseTo(whole.stderr!, 12);

    const empty = mean.create();
    empty.merge(a.state());
    expect(empty.result()).toEqual(a.result());
  });

  it("rejects a foreign state, and values or weights that are not finite", () => {
    expect(() => mean.fromState({ kind: "median", n: 1 })).toThrow("Expected a `mean` accumulator state");
    expect(() => mean.create().add(Number.NaN)).toThrow("Expected `value` to be a finite number, got NaN");
    expect(() => mean.create().add(1, 0)).toThrow("Expected `weight` to be a finite number > 0, got 0");
  });
});

describe("metric and aggregation registries", () => {
  it("resolve names, and only own names", () => {
    expect(getMetric("exact_match")).toBe(metrics.exact_match);
    expect(getAggregation("mean")).toBe(aggregations.mean);
    expect(getMetric("toString")).toBeUndefined();
    expect(getAggregation("constructor")).toBeUndefined();
  });

  it("list lm-eval's default metrics per output type", () => {
    expect(defaultMetrics.generate_until).toEqual(["exact_match"]);
    expect(defaultMetrics.multiple_choice).toEqual(["acc", "acc_norm"]);
  });
});
