import { z } from "../zod.js";
import { pySplit, pyStrip } from "../python/str.js";
import type { MetricFactory, MetricFn, SampleMetricFn } from "./types.js";

/**
 * ANLS (average normalized Levenshtein similarity), DocVQA's metric, as lmms-eval's `anls` in
 * `lmms_eval/api/metrics.py` scores a sample: against each gold answer, the Levenshtein distance
 * between the two texts lowercased with whitespace collapsed, divided by the longer of the two
 * *raw* texts' upper-cased lengths; the sample's score is 1 − the smallest such ratio, or 0 when
 * that is below the threshold (0.5). Lengths and distances count code points, as Python's do. The
 * prediction is stripped first, as lmms-eval's Task does. No gold answers score 0 (lmms-eval raises).
 */
export function anlsScore(prediction: string, golds: readonly string[], threshold = 0.5): number {
  if (golds.length === 0) return 0;
  const pred = pyStrip(prediction);
  const det = normalize(pred);
  const predLength = [...pred.toUpperCase()].length;
  let best = Number.POSITIVE_INFINITY;
  for (const answer of golds) {
    const gt = normalize(answer);
    const length = Math.max([...answer.toUpperCase()].length, predLength);
    best = Math.min(best, length === 0 ? 0 : levenshtein(gt, det) / length);
  }
  const result = 1 - best;
  return result < threshold ? 0 : result;
}

/** `" ".join(text.strip().lower().split())`. */
const normalize = (text: string): string => pySplit(pyStrip(text).toLowerCase()).join(" ");

/** Edit distance over code points (insert, delete, substitute, each 1). */
export function levenshtein(a: string, b: string): number {
  let s1 = [...a];
  let s2 = [...b];
  if (s1.length > s2.length) [s1, s2] = [s2, s1];
  let distances = Array.from({ length: s1.length + 1 }, (_, i) => i);
  s2.forEach((c2, i2) => {
    const next = [i2 + 1];
    s1.forEach((c1, i1) => {
      next.push(c1 === c2 ? distances[i1]! : 1 + Math.min(distances[i1]!, distances[i1 + 1]!, next.at(-1)!));
    });
    distances = next;
  });
  return distances.at(-1)!;
}

const Options = z.strictObject({ thresh_hold: z.number().min(0).max(1).default(0.5) });

/** `anls` (lmms-eval's name and default threshold option `thresh_hold`), aggregated by `mean`. */
export const anls = {
  aggregation: "mean",
  higherIsBetter: true,
  outputTypes: ["generate_until"],
  create(options): MetricFn {
    const { thresh_hold } = Options.parse(options);
    return (prediction, reference) => anlsScore(prediction, [reference], thresh_hold);
  },
  createForSample(options): SampleMetricFn {
    const { thresh_hold } = Options.parse(options);
    return (prediction, gold) => anlsScore(prediction, typeof gold === "string" ? [gold] : gold, thresh_hold);
  },
} satisfies MetricFactory<"mean">;
