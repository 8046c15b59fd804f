import { z } from "../zod.js";
import { pyFloat } from "../python/float.js";
import { pyStrip } from "../python/str.js";
import type { MetricFactory, MetricFn, SampleMetricFn } from "./types.js";

/**
 * ChartQA's relaxed accuracy, as lmms-eval's `chartqa/utils.py` scores a sample (its
 * `relaxed_correctness`, taken from Qwen-VL's evaluate_vqa.py): when the prediction reads as a
 * number (Python's `float()`; a trailing `%` divides by 100) and the target is a non-zero number, the
 * prediction is right within 5% of the target; otherwise the two must be equal ignoring case. The
 * response is stripped first, as lmms-eval's Task does before `process_results`.
 */
export function relaxedCorrectness(prediction: string, target: string, maxRelativeChange = 0.05): boolean {
  const p = toFloat(prediction);
  const t = toFloat(target);
  // Python: `if prediction_float is not None and target_float:` (0.0 is false, NaN true).
  if (p !== undefined && t !== undefined && t !== 0) return Math.abs(p - t) / Math.abs(t) <= maxRelativeChange;
  return prediction.toLowerCase() === target.toLowerCase();
}

function toFloat(text: string): number | undefined {
  if (!text.endsWith("%")) return pyFloat(text);
  const v = pyFloat(text.replace(/%+$/, ""));
  return v === undefined ? undefined : v / 100;
}

/** Which samples a ChartQA metric counts: all, or those of one split (the doc's `type`). */
type Split = "all" | "human" | "augmented";

/**
 * lmms-eval's `chartqa_process_results` keys: `relaxed_overall` counts every sample;
 * `relaxed_human_split` the samples whose `type` is `human_test`, `relaxed_augmented_split` the
 * others (a sample without `type` counts in neither). 1 or 0 each, aggregated by `mean`.
 */
function relaxedMetric(split: Split): MetricFactory<"mean"> {
  const score = (prediction: string, target: string): number => (relaxedCorrectness(pyStrip(prediction), target) ? 1 : 0);
  return {
    aggregation: "mean",
    higherIsBetter: true,
    outputTypes: ["generate_until"],
    create(options): MetricFn {
      z.strictObject({}).parse(options);
      return score;
    },
    createForSample(options): SampleMetricFn {
      z.strictObject({}).parse(options);
      return (prediction, gold, doc) => {
        if (split !== "all") {
          if (!Object.hasOwn(doc, "type")) return undefined;
          if ((doc.type === "human_test") !== (split === "human")) return undefined;
        }
        // lmms-eval compares with `doc["answer"]`, one string; with several, any may match.
        const golds = typeof gold === "string" ? [gold] : gold;
        return golds.some((g) => score(prediction, g) === 1) ? 1 : 0;
      };
    },
  };
}

export const relaxedOverall = relaxedMetric("all");
export const relaxedHumanSplit = relaxedMetric("human");
export const relaxedAugmentedSplit = relaxedMetric("augmented");
