import type { OutputType } from "../work/task.js";

/** Scores one filtered prediction against its reference (1/0 for exact_match). Pure. */
export type MetricFn = (prediction: string, reference: string) => number;

/**
 * A metric that reads the whole sample, as lmms-eval's `process_results` functions do: the filtered
 * prediction, the gold answer (or answers) and the doc. It returns the sample's number, or for a
 * passthrough metric the item its aggregation takes, or undefined when the sample does not count
 * for this metric (ChartQA's per-split accuracies). Pure.
 */
export type SampleMetricFn = (prediction: string, gold: string | readonly string[], doc: Readonly<Record<string, unknown>>) => unknown;

/**
 * A metric that `metric_list` can name. `create` binds the entry's options (every key but
 * `metric`, `aggregation`, `higher_is_better` and `hf_evaluate`) and throws a ZodError whose issue
 * paths are relative to the entry when an option is unknown or invalid.
 */
export interface MetricFactory<A extends string = string> {
  /** lm-evaluation-harness's default aggregation for this metric. */
  readonly aggregation: A;
  readonly higherIsBetter: boolean;
  /** Output types lm-evaluation-harness registers it for. */
  readonly outputTypes: readonly OutputType[];
  /**
   * True for metrics a loglikelihood pipeline scores from logprobs (acc, acc_norm, perplexity …):
   * their `create` returns a function that must not be called on text predictions.
   */
  readonly scoredFromLogprobs?: boolean;
  /**
   * True for lm-eval's passthrough metrics (bleu, chrf, ter): a sample's value is the item
   * [reference, prediction], which its aggregation scores at corpus level; `create` returns a function
   * that must not be called.
   */
  readonly passthrough?: boolean;
  create(options: Readonly<Record<string, unknown>>): MetricFn;
  /** Present on metrics that read the whole sample: the task scores with this instead of `create`'s function. */
  createForSample?(options: Readonly<Record<string, unknown>>): SampleMetricFn;
}

/** One aggregated metric, as in the summary: `{"value":0.731,"stderr":0.0122,"n":1319}`. */
export interface AggregateResult {
  readonly value: number;
  /** null where lm-evaluation-harness has no stderr (fewer than two samples, or none defined). */
  readonly stderr: number | null;
  readonly n: number;
}

/** A JSON-serialisable snapshot of an accumulator; `kind` names its aggregation. */
export interface AccumulatorState {
  readonly kind: string;
  readonly [field: string]: unknown;
}

/**
 * A streaming aggregation: bounded memory however many values it sees. `state()` / `merge()` let a
 * resumed run fold stored results into a fresh accumulator, or combine per-shard accumulators.
 */
export interface Accumulator {
  /** Adds one per-sample score; `weight` is a frequency weight (default 1: counts once). */
  add(value: number, weight?: number): void;
  /** Adds one sample's item, for aggregations over items rather than numbers (bleu: [reference, prediction]); absent on numeric ones. */
  addItem?(item: unknown): void;
  /** Folds another accumulator's state (same kind) into this one. */
  merge(other: AccumulatorState): void;
  result(): AggregateResult;
  state(): AccumulatorState;
}

export interface AggregationFactory {
  create(): Accumulator;
  /** Rebuilds an accumulator from `state()`; throws a TypeError on a state of another kind or shape. */
  fromState(state: unknown): Accumulator;
}

/** A metric aggregated over a task's samples: its value, standard error (null where undefined) and sample count. */
export interface MetricValue {
  readonly value: number;
  readonly stderr: number | null;
  readonly n: number;
  /** Why the value could not be computed (a Python aggregation that raised); `value` is then NaN (null in JSON). */
  readonly error?: string;
}
