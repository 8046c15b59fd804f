import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { getAggregation, getMetric } from "../../src/metrics/index.js";

/**
 * f1 / mcc against lm-eval's own aggregations (metrics.f1_score, metrics.matthews_corrcoef, which call
 * scikit-learn 1.9.1) and, for some corpora, their bootstrap stderrs (100,000 resamples, the same draws): expected.json is
 * written by make_expected.py beside it. Values to 1e-12, stderrs to 1e-9 relative.
 */
type Outcome = { value: number; stderr?: number | null } | { error: string };
const expected = JSON.parse(readFileSync(new URL("../fixtures/lm-eval-classification/expected.json", import.meta.url), "utf8")) as {
  corpora: Record<string, { pairs: [number, number][]; f1: Outcome; matthews_corrcoef: Outcome }>;
};

describe.each(["f1", "matthews_corrcoef"] as const)("%s as lm-eval aggregates it", (name) => {
  for (const [corpus, c] of Object.entries(expected.corpora)) {
    it(`${corpus} (${c.pairs.length} pairs)`, () => {
      const acc = getAggregation(name)!.create();
      for (const pair of c.pairs) acc.addItem!(pair);
      const r = acc.result();
      const want = c[name];
      expect(r.n).toBe(c.pairs.length);
      if ("error" in want) {
        // scikit-learn raises (lm-eval stops); here the value is NaN, without stderr.
        expect(r.value).toBeNaN();
        expect(r.stderr).toBeNull();
        return;
      }
      expect(Math.abs(r.value - want.value)).toBeLessThanOrEqual(1e-12);
      // The generator bootstraps a few corpora only (100,000 scikit-learn calls each).
      if (want.stderr === undefined) return;
      if (want.stderr === null) expect(r.stderr).toBeNull();
      else expect(Math.abs(r.stderr! - want.stderr)).toBeLessThanOrEqual(1e-9 * Math.max(1e-6, want.stderr));
    });
  }

  it("a state round-trips and merges to the same value", () => {
    const pairs = [...expected.corpora.three_class!.pairs.slice(0, 12), ...expected.corpora.gold_error!.pairs];
    const [a, b] = [getAggregation(name)!.create(), getAggregation(name)!.create()];
    pairs.forEach((p, i) => (i % 3 === 0 ? a : b).addItem!(p));
    const merged = getAggregation(name)!.fromState(JSON.parse(JSON.stringify(a.state())));
    merged.merge(b.state());
    const whole = getAggregation(name)!.create();
    for (const p of pairs) whole.addItem!(p);
    expect(merged.result().value).toBe(whole.result().value);
  });

  it("refuses a number and a malformed item", () => {
    const acc = getAggregation(name)!.create();
    expect(() => acc.add(1)).toThrow(/\[gold, pred\] item/);
    expect(() => acc.addItem!([1])).toThrow(/\[gold, pred\] item/);
  });
});

it("f1 and mcc are multiple_choice passthrough metrics with lm-eval's aggregations", () => {
  expect(getMetric("f1")).toMatchObject({ aggregation: "f1", passthrough: true, outputTypes: ["multiple_choice", "generate_until"] });
  expect(getMetric("mcc")).toMatchObject({ aggregation: "matthews_corrcoef", passthrough: true, outputTypes: ["multiple_choice", "generate_until"] });
});
