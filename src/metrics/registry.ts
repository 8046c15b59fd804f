import { codeEval, passAt1 } from "./code-eval.js";
import { exactMatch } from "./exact-match.js";
import { acc, accBytes, accNorm, bitsPerByte, bytePerplexity, perplexity, wordPerplexity } from "./loglikelihood-metrics.js";
import { llmJudge } from "./llm-judge.js";
import { mean } from "./mean.js";
import { bitsPerByteAggregation, perplexityAggregation, weightedPerplexity } from "./ratio-aggregations.js";
import { f1Aggregation, f1Metric, matthewsCorrcoef, mccMetric } from "./classification-aggregations.js";
import { nanmeanAggregation } from "./nanmean.js";
import { bleu, bleuAggregation, chrf, chrfAggregation, ter, terAggregation } from "./sacrebleu-aggregations.js";
import { anls } from "./anls.js";
import { mmmuAcc, mmmuAccAggregation } from "./mmmu-acc.js";
import { relaxedAugmentedSplit, relaxedHumanSplit, relaxedOverall } from "./relaxed-accuracy.js";
import type { AggregationFactory, MetricFactory } from "./types.js";

/**
 * The names `metric_list` may use, as in lm-evaluation-harness. Add a metric (acc, acc_norm,
 * perplexity …) or an aggregation here under its harness name; task loading resolves names through
 * these tables only.
 */
export const aggregations = {
  mean,
  perplexity: perplexityAggregation,
  weighted_perplexity: weightedPerplexity,
  bits_per_byte: bitsPerByteAggregation,
  bleu: bleuAggregation,
  chrf: chrfAggregation,
  ter: terAggregation,
  f1: f1Aggregation,
  matthews_corrcoef: matthewsCorrcoef,
  nanmean: nanmeanAggregation,
  // lmms-eval's mmmu_aggregate_results (mmmu_val's `aggregation: !function utils.mmmu_aggregate_results`).
  mmmu_acc: mmmuAccAggregation,
} satisfies Record<string, AggregationFactory>;

export type AggregationName = keyof typeof aggregations;

export const metrics = {
  exact_match: exactMatch,
  acc,
  acc_norm: accNorm,
  acc_bytes: accBytes,
  perplexity,
  word_perplexity: wordPerplexity,
  byte_perplexity: bytePerplexity,
  bits_per_byte: bitsPerByte,
  code_eval: codeEval,
  pass_at_1: passAt1,
  bleu,
  chrf,
  ter,
  f1: f1Metric,
  mcc: mccMetric,
  llm_judge: llmJudge,
  // lmms-eval's multimodal scoring: ANLS (docvqa), ChartQA's relaxed accuracy and its split keys, MMMU's accuracy.
  anls,
  relaxed_overall: relaxedOverall,
  relaxed_human_split: relaxedHumanSplit,
  relaxed_augmented_split: relaxedAugmentedSplit,
  mmmu_acc: mmmuAcc,
} satisfies Record<string, MetricFactory<AggregationName>>;

export type MetricName = keyof typeof metrics;

/** lm-evaluation-harness's metrics for a task without `metric_list`, by output type. */
export const defaultMetrics = {
  generate_until: ["exact_match"],
  generate_until_multi_round: [],
  tool_use: [],
  multiple_choice: ["acc", "acc_norm"],
  loglikelihood: ["perplexity", "acc"],
  loglikelihood_rolling: ["word_perplexity", "byte_perplexity", "bits_per_byte"],
} as const;

export function getMetric(name: string): MetricFactory | undefined {
  return Object.hasOwn(metrics, name) ? metrics[name as MetricName] : undefined;
}

export function getAggregation(name: string): AggregationFactory | undefined {
  return Object.hasOwn(aggregations, name) ? aggregations[name as AggregationName] : undefined;
}
