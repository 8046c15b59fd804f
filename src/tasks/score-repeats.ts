import type { Doc } from "../types.js";
import { type Gold, scoreResponse, scoreResponses } from "./score.js";
import type { CodeExecutionSpec, Task } from "../work/task.js";

/**
 * A sample's score over all its repeats, as lm-evaluation-harness computes it: with `repeats: k` the
 * harness scores each document once, its filters seeing the k responses together — `take_first`
 * keeps the first (so plain repeats change nothing), `majority_vote` votes (maj@k). On top of that,
 * for every 0/1 metric, the unbiased pass@k estimator (Chen et al., 2021) over the k responses, each
 * scored alone: key `<metric>_pass@<k>,<filter>`.
 */
export interface SampleScore {
  /** Each filter's answer over all responses. */
  readonly filtered: Record<string, string>;
  readonly scores: Record<string, number>;
  /** Passthrough metrics' items over all responses (see Scored). */
  readonly values?: Record<string, unknown>;
  /** How many repeats were scored together. */
  readonly repeats: number;
}

/**
 * The unbiased estimator of pass@k from n samples of which c are correct:
 * 1 − C(n−c, k) / C(n, k), computed as Chen et al.'s numerically stable product
 * `1 - prod(1 - k / arange(n - c + 1, n + 1))`.
 */
export function passAtK(n: number, c: number, k: number): number {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`Expected \`n\` to be an integer >= 1, got ${n}`);
  if (!Number.isInteger(c) || c < 0 || c > n) throw new RangeError(`Expected \`c\` to be an integer from 0 to ${n}, got ${c}`);
  if (!Number.isInteger(k) || k < 1 || k > n) throw new RangeError(`Expected \`k\` to be an integer from 1 to ${n}, got ${k}`);
  if (n - c < k) return 1;
  let prod = 1;
  for (let i = n - c + 1; i <= n; i++) prod *= 1 - k / i;
  return 1 - prod;
}

/** The k values pass@k is reported for: the task's `pass_at_k` list (values above n skipped), else 1 and n. */
export function passAtKs(task: Task, n: number): number[] {
  const listed = task.config.pass_at_k;
  const ks = Array.isArray(listed) ? listed.filter((k): k is number => Number.isInteger(k) && (k as number) >= 1) : [1, n];
  return [...new Set(ks.filter((k) => k <= n))].sort((a, b) => a - b);
}

/**
 * Scores a generation sample's responses (in repeat order) together, with pass@k. A code metric's
 * scores come from `own` (each repeat's line, scored in the sandbox; see codeRepeatScores). `doc` is
 * the sample's, for filters that read it (multi_choice_regex). Pure.
 */
export function scoreRepeats(task: Task, responses: readonly string[], target: Gold, own: readonly (Readonly<Record<string, number>> | undefined)[] = [], doc?: Doc): SampleScore {
  const n = responses.length;
  const together = scoreResponses(task, responses, target, doc);
  const scores: Record<string, number> = { ...together.scores };
  const alone = responses.map((r) => scoreResponse(task, r, target, doc).scores);
  const ks = passAtKs(task, n);
  for (const key of Object.keys(together.scores)) {
    const values = alone.map((s) => s[key]);
    if (!values.every((v) => v === 0 || v === 1)) continue;
    const c = values.filter((v) => v === 1).length;
    const comma = key.indexOf(",");
    const [metric, filter] = comma < 0 ? [key, ""] : [key.slice(0, comma), key.slice(comma)];
    for (const k of ks) scores[`${metric}_pass@${k}${filter}`] = passAtK(n, c, k);
  }
  const code = task.metrics.find((m) => m.execution)?.execution;
  if (code) Object.assign(scores, codeRepeatScores(code, own));
  Object.assign(scores, judgeRepeatScores(task, own));
  return { filtered: together.filtered, scores, ...(together.values ? { values: together.values } : {}), repeats: n };
}

/**
 * A code metric's scores over a sample's repeats, as HF evaluate's code_eval computes them from the
 * programs of one document: per filter, c of the n repeats passed (each line's `pass@1,<filter>`),
 * and `pass@k,<filter>` = the unbiased estimator for each k of the metric with k <= n. Pure.
 */
export function codeRepeatScores(execution: CodeExecutionSpec, perRepeat: readonly (Readonly<Record<string, number>> | undefined)[]): Record<string, number> {
  const prefix = `${execution.key(1)},`;
  const tallies = new Map<string, { n: number; c: number }>();
  for (const scores of perRepeat) {
    for (const [key, value] of Object.entries(scores ?? {})) {
      if (!key.startsWith(prefix)) continue;
      const filter = key.slice(prefix.length);
      const t = tallies.get(filter) ?? { n: 0, c: 0 };
      t.n++;
      if (value === 1) t.c++;
      tallies.set(filter, t);
    }
  }
  const out: Record<string, number> = {};
  for (const [filter, { n, c }] of tallies) {
    for (const k of execution.ks) if (k <= n) out[`${execution.key(k)},${filter}`] = passAtK(n, c, k);
  }
  return out;
}

/**
 * A judge metric's score over a sample's repeats: per key (`<name>,<filter>`), the mean of the
 * repeats' verdicts (each repeat's answer was judged alone, on its line). Pure.
 */
export function judgeRepeatScores(task: Task, perRepeat: readonly (Readonly<Record<string, number>> | undefined)[]): Record<string, number> {
  const names = task.metrics.filter((m) => m.judge).map((m) => `${m.name},`);
  if (names.length === 0) return {};
  const sums = new Map<string, { sum: number; n: number }>();
  for (const scores of perRepeat) {
    for (const [key, value] of Object.entries(scores ?? {})) {
      if (!names.some((n) => key.startsWith(n))) continue;
      const t = sums.get(key) ?? { sum: 0, n: 0 };
      t.sum += value;
      t.n++;
      sums.set(key, t);
    }
  }
  return Object.fromEntries([...sums].map(([key, { sum, n }]) => [key, sum / n]));
}
