import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { getAggregation, getMetric } from "../../src/metrics/index.js";
import { bleuStats } from "../../src/metrics/sacrebleu/bleu.js";
import { chrfStats } from "../../src/metrics/sacrebleu/chrf.js";
import { terStats } from "../../src/metrics/sacrebleu/ter.js";

/**
 * bleu / chrf / ter against lm-eval's own aggregations (which call sacrebleu 2.6.0) on the same
 * pairs: expected.json is written by make_expected.py beside it. Scores and bootstrap stderrs (lm-eval's
 * 100 resamples, same draws) to 1e-9 relative: only exp/log may differ in the last ulp.
 */
interface Expected {
  corpora: Record<string, { pairs: [string, string][] } & Record<"bleu" | "chrf" | "ter", { score: number; stderr: number | null; segments: number[][] }>>;
  multi_reference: { pairs: [string[], string][] } & Record<"bleu" | "chrf" | "ter", number>;
}
const expected = JSON.parse(readFileSync(new URL("../fixtures/lm-eval-translation/expected.json", import.meta.url), "utf8")) as Expected;
const STATS = { bleu: bleuStats, chrf: chrfStats, ter: terStats } as const;
const close = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(b)));

describe.each(["bleu", "chrf", "ter"] as const)("%s as lm-eval aggregates it", (metric) => {
  for (const [name, corpus] of Object.entries(expected.corpora)) {
    it(`segment statistics equal sacrebleu's (${name}, ${corpus.pairs.length} pairs)`, () => {
      const mine = corpus.pairs.map(([ref, pred]) => [...STATS[metric](pred, [ref])]);
      mine.forEach((s, i) => expect({ i, pair: corpus.pairs[i], s }).toEqual({ i, pair: corpus.pairs[i], s: corpus[metric].segments[i] }));
    });

    it(`corpus score and bootstrap stderr equal lm-eval's (${name})`, () => {
      const acc = getAggregation(metric)!.create();
      for (const pair of corpus.pairs) acc.addItem!(pair);
      const r = acc.result();
      close(r.value, corpus[metric].score);
      expect(r.n).toBe(corpus.pairs.length);
      if (corpus[metric].stderr === null) expect(r.stderr).toBeNull();
      else close(r.stderr!, corpus[metric].stderr);
    });
  }

  it("several references per sample score as sacrebleu's multi-reference corpus", () => {
    const acc = getAggregation(metric)!.create();
    for (const pair of expected.multi_reference.pairs) acc.addItem!(pair);
    close(acc.result().value, expected.multi_reference[metric]);
  });

  it("a state round-trips and merges: two halves give the whole corpus", () => {
    const pairs = expected.corpora.random!.pairs;
    const [a, b] = [getAggregation(metric)!.create(), getAggregation(metric)!.create()];
    pairs.forEach((p, i) => (i < 70 ? a : b).addItem!(p));
    const merged = getAggregation(metric)!.fromState(JSON.parse(JSON.stringify(a.state())));
    merged.merge(b.state());
    close(merged.result().value, expected.corpora.random![metric].score);
    close(merged.result().stderr!, expected.corpora.random![metric].stderr!);
  });

  it("refuses a number or a malformed item, and another kind's state", () => {
    const acc = getAggregation(metric)!.create();
    expect(() => acc.add(1)).toThrow(/\[reference, prediction\] item/);
    expect(() => acc.addItem!(["only one"])).toThrow(/\[reference, prediction\] item/);
    expect(() => getAggregation(metric)!.fromState({ kind: "mean", n: 0, shift: 0, sum: 0, sumsq: 0 })).toThrow(TypeError);
  });

  it("is a passthrough generate_until metric with no options", () => {
    const f = getMetric(metric)!;
    expect(f).toMatchObject({ aggregation: metric, passthrough: true, higherIsBetter: true, outputTypes: ["generate_until"] });
    expect(() => f.create({ lowercase: true })).toThrow();
  });
});
