import type { Task } from "../work/task.js";

/** What scoring adds to a result line: each filter's answer, and each metric under `metric,filter`. */
export interface Scored {
  readonly filtered: Record<string, string>;
  readonly scores: Record<string, number>;
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
export function scoreResponses(task: Task, responses: readonly string[], target: string): Scored {
  const filtered = task.filters.map((f) => [f.name, f.apply(responses)[0] ?? ""] as const);
  const scores = filtered.flatMap(([filter, answer]) => task.metrics.map((m) => [`${m.name},${filter}`, m.score(answer, target)] as const));
  return { filtered: Object.fromEntries(filtered), scores: Object.fromEntries(scores) };
}

/** One response: `scoreResponses(task, [response], target)`. */
export function scoreResponse(task: Task, response: string, target: string): Scored {
  return scoreResponses(task, [response], target);
}
