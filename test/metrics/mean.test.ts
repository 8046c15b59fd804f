import { execFileSync } from "node:child_process";
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

  it("rejects a foreign state, a value that is not a number, and a weight that is not finite", () => {
    expect(() => mean.fromState({ kind: "median", n: 1 })).toThrow("Expected a `mean` accumulator state");
    expect(() => mean.create().add(null as unknown as number)).toThrow("Expected `value` to be a number, got null");
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

// lm-eval's mean is Python's sum(arr) / len(arr): a NaN or ±inf per-sample score (a process_results
// returning float("nan")) makes it NaN or ±inf, never an error; its stderr is then not a number either.
describe("mean aggregation over scores that are not finite", () => {
  const python = (values: number[]) => {
    const arr = `[${values.map((v) => (Number.isFinite(v) ? String(v) : `float("${v}")`)).join(", ")}]`;
    return Number(execFileSync("python3", ["-c", `arr = ${arr}; print(sum(arr) / len(arr))`], { encoding: "utf8" }).trim().replace("inf", "Infinity").replace("nan", "NaN"));
  };
  it.each([[[1, Number.NaN, 0, 1]], [[1, Number.POSITIVE_INFINITY, 0]], [[Number.NEGATIVE_INFINITY, 2]], [[Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1]]])("%j: the value Python gives, n counts every sample, no stderr", (values) => {
    const r = feed(values).result();
    expect(r).toEqual({ value: python(values), stderr: null, n: values.length });
  });

  it("a state through JSON keeps them (JSON has no NaN), and merges with finite states", () => {
    const a = feed([1, Number.NaN]);
    const b = feed([0, 1, 1]);
    const restored = mean.fromState(JSON.parse(JSON.stringify(a.state())));
    expect(restored.result()).toEqual({ value: Number.NaN, stderr: null, n: 2 });
    restored.merge(b.state());
    expect(restored.result()).toEqual({ value: Number.NaN, stderr: null, n: 5 });
    const finiteFirst = mean.fromState(b.state());
    finiteFirst.merge(JSON.parse(JSON.stringify(feed([Number.POSITIVE_INFINITY]).state())));
    expect(finiteFirst.result()).toEqual({ value: Number.POSITIVE_INFINITY, stderr: null, n: 4 });
  });
});
