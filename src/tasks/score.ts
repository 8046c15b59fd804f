import type { Doc } from "../types.js";
import type { MetricSpec, Task } from "../work/task.js";

/** What scoring adds to a result line: each filter's answer, and each metric under `metric,filter`. */
export interface Scored {
  readonly filtered: Record<string, string>;
  readonly scores: Record<string, number>;
  /** Passthrough metrics (bleu, chrf, ter): the item [reference, prediction] under `metric,filter`; absent without such metrics. */
  readonly values?: Record<string, unknown>;
}

/**
 * Scores one sample as lm-evaluation-harness does: every filter pipeline (`strict-match`,
 * `flexible-extract`, or `none` for a task without filter_list) maps the responses to one answer,
 * and every metric scores that answer against the target under the key `metric,filter`
 * (`exact_match,strict-match`). Pure.
 *
 * `responses` are a sample's responses together (several when a filter such as majority_vote
 * votes across repeats); a pipeline's first output is its answer, as lm-eval's pipelines end in
 * take_first.
 */
export function scoreResponses(task: Task, responses: readonly string[], target: Gold, doc?: Doc): Scored {
  // Python filters and metrics run in the hook worker, after this (operators/score-in-python.ts).
  if (task.scoredInPython) return { filtered: {}, scores: {} };
  const filtered = task.filters.map((f) => [f.name, f.apply(responses, doc)[0] ?? ""] as const);
  // Code metrics run in the sandbox, judge metrics at the judge, after this (operators/execute-code.ts, judge-metrics.ts).
  const textMetrics = task.metrics.filter((m) => !m.execution && !m.judge && !m.passthrough);
  // A metric that reads the whole sample may leave it out (undefined): its key is then absent.
  const scores = filtered.flatMap(([filter, answer]) =>
    textMetrics.flatMap((m) => {
      const value = m.scoreSample ? (m.scoreSample(answer, target, doc ?? {}) as number | undefined) : scoreGold(m, answer, target);
      return value === undefined ? [] : [[`${m.name},${filter}`, value] as const];
    }),
  );
  // lm-eval calls a passthrough metric with `[gold, result]` and records that pair as the sample's value;
  // a passthrough metric that reads the whole sample makes its own item.
  const passthrough = task.metrics.filter((m) => m.passthrough);
  const values = filtered.flatMap(([filter, answer]) =>
    passthrough.flatMap((m) => {
      const item = m.scoreSample ? m.scoreSample(answer, target, doc ?? {}) : [target, answer];
      return item === undefined ? [] : [[`${m.name},${filter}`, item] as const];
    }),
  );
  return { filtered: Object.fromEntries(filtered), scores: Object.fromEntries(scores), ...(values.length ? { values: Object.fromEntries(values) } : {}) };
}

/** A sample's gold answer, or its gold answers (lm-eval's `multiple_target`). */
export type Gold = string | readonly string[];

/**
 * One metric against the gold. Several answers, as lm-eval's generate_until `process_results`:
 * exact_match is the mean over the answers and scores 1 when above 0; any other metric scores 1 when
 * any answer's score is truthy (Python: NaN is). No answers: 0.
 */
export function scoreGold(metric: MetricSpec, answer: string, gold: Gold): number {
  if (typeof gold === "string") return metric.score(answer, gold);
  const each = gold.map((g) => metric.score(answer, g));
  if (metric.name === "exact_match") return each.length > 0 && each.reduce((a, b) => a + b, 0) / each.length > 0 ? 1 : 0;
  return each.some((s) => s !== 0) ? 1 : 0;
}

/** One response: `scoreResponses(task, [response], target)`. */
export function scoreResponse(task: Task, response: string, target: Gold, doc?: Doc): Scored {
  return scoreResponses(task, [response], target, doc);
}

