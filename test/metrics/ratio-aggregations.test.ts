import { describe, expect, it } from "vitest";
import { bitsPerByteAggregation, perplexityAggregation, weightedPerplexity } from "../../src/metrics/ratio-aggregations.js";
import { getAggregation, getMetric } from "../../src/metrics/registry.js";

// Expected values: lm-eval's lm_eval/api/metrics.py (perplexity, weighted_perplexity, bits_per_byte) by hand.
describe("loglikelihood aggregations", () => {
  it("perplexity is exp(-mean(ll)), not a mean of per-sample perplexities", () => {
    const acc = perplexityAggregation.create();
    for (const ll of [-1, -2, -3]) acc.add(ll);
    expect(acc.result()).toMatchObject({ value: Math.exp(2), n: 3 });
    // a mean of exp(1), exp(2), exp(3) would be 10.06…
    expect(acc.result().value).toBeCloseTo(7.38905609893065, 12);
  });

  it("perplexity's stderr is lm-eval's bootstrap, draw for draw (100,000 resamples)", () => {
    const acc = perplexityAggregation.create();
    for (const ll of [-1, -2, -3]) acc.add(ll);
    // lm-eval's bootstrap_stderr(perplexity, [-1, -2, -3], 100000) under CPython 3.11 prints 3.973436005477724
    // (test/lm-eval-reference.test.ts runs lm-eval's own code on larger inputs).
    expect(acc.result().stderr).toBeCloseTo(3.973436005477724, 12);
    const one = perplexityAggregation.create();
    one.add(-1);
    expect(one.result().stderr).toBeNull();
    // A resumed accumulator bootstraps the same values.
    expect(perplexityAggregation.fromState(acc.state()).result().stderr).toBe(acc.result().stderr);
  });

  it("a loglikelihood of -inf gives what lm-eval's Python gives (perplexity inf, bits_per_byte inf), no stderr, through a JSON state too", () => {
    const ppl = perplexityAggregation.create();
    for (const ll of [-1, Number.NEGATIVE_INFINITY, -3]) ppl.add(ll);
    expect(ppl.result()).toEqual({ value: Number.POSITIVE_INFINITY, stderr: null, n: 3 });
    expect(perplexityAggregation.fromState(JSON.parse(JSON.stringify(ppl.state()))).result()).toEqual(ppl.result());
    const bpb = bitsPerByteAggregation.create();
    bpb.add(-2, 4);
    bpb.add(Number.NaN, 4);
    expect(bpb.result()).toEqual({ value: Number.NaN, stderr: null, n: 2 });
  });

  it("weighted_perplexity is exp(-Σll / Σcount)", () => {
    const acc = weightedPerplexity.create();
    acc.add(-10, 5);
    acc.add(-20, 5);
    expect(acc.result().value).toBeCloseTo(Math.exp(3), 12);
    const uneven = weightedPerplexity.create();
    uneven.add(-10, 2);
    uneven.add(-2, 10);
    // Σll = -12, Σwords = 12 → e; the mean of per-text perplexities (e^5, e^0.2) would be ~74.8
    expect(uneven.result().value).toBeCloseTo(Math.E, 12);
  });

  it("bits_per_byte is -Σll / Σbytes / ln 2", () => {
    const acc = bitsPerByteAggregation.create();
    acc.add(-10, 8);
    acc.add(-6, 8);
    expect(acc.result().value).toBeCloseTo(1 / Math.LN2, 12);
    expect(acc.result().stderr).toBeNull();
  });

  it("needs a count for weighted aggregations, and none for perplexity", () => {
    expect(() => weightedPerplexity.create().add(-1)).toThrow("Expected `weight` (the sample's word or byte count) to be a finite number > 0, got undefined");
    expect(() => perplexityAggregation.create().add(-1, 3)).toThrow("Expected no `weight` for perplexity, got 3");
    expect(() => bitsPerByteAggregation.create().add(null as unknown as number, 3)).toThrow("Expected `value` to be a number, got null");
  });

  it("serialises and merges exactly; refuses another kind's state", () => {
    const a = weightedPerplexity.create();
    a.add(-10, 4);
    const b = weightedPerplexity.fromState(JSON.parse(JSON.stringify(a.state())));
    b.add(-2, 4);
    const whole = weightedPerplexity.create();
    whole.add(-10, 4);
    whole.add(-2, 4);
    expect(b.result()).toEqual(whole.result());
    expect(() => weightedPerplexity.fromState(perplexityAggregation.create().state())).toThrow("Expected a `weighted_perplexity` accumulator state");
    expect(Number.isNaN(perplexityAggregation.create().result().value)).toBe(true);
  });

  it("are registered under lm-eval's names, with the metrics that use them", () => {
    expect(getAggregation("weighted_perplexity")).toBe(weightedPerplexity);
    expect(getMetric("word_perplexity")).toMatchObject({ aggregation: "weighted_perplexity", higherIsBetter: false });
    expect(getMetric("bits_per_byte")).toMatchObject({ aggregation: "bits_per_byte", higherIsBetter: false });
    expect(getMetric("perplexity")).toMatchObject({ aggregation: "perplexity", higherIsBetter: false });
    expect(getMetric("acc")).toMatchObject({ aggregation: "mean", higherIsBetter: true, outputTypes: ["multiple_choice", "loglikelihood"] });
    expect(getMetric("acc_norm")).toMatchObject({ aggregation: "mean", outputTypes: ["multiple_choice"] });
    expect(() => getMetric("acc")!.create({ foo: 1 })).toThrow();
    expect(() => getMetric("acc")!.create({})("a", "b")).toThrow("`acc` is scored from loglikelihoods by its pipeline");
  });
});
