import type { OperatorFunction } from "rxjs";
import { callHooks, type HookCaller, pyTuple } from "../python/hooks/hook-caller.js";
import { isHookWorkerError } from "../python/hooks/hook-worker.js";
import type { Outcome } from "../work/work-item.js";
import type { ResultLine } from "../types.js";
import { batchAsync } from "./batch-async.js";
import { splitValues } from "../tasks/python-scoring.js";

export interface ApplyResultHooksOptions {
  /** The run's hook workers. */
  readonly hooks: HookCaller;
  /** Outcomes per request to a worker at most (default 64). */
  readonly maxBatch?: number;
}

/**
 * The arguments lm-eval gives `process_results(doc, results)` for a result line, one call per filter
 * (`[filter name, results]`), or a reason it has none for this output type. Pure.
 */
export function processResultsArgs(line: ResultLine, outputType: string, filters: readonly string[]): [string, unknown[]][] | string {
  switch (outputType) {
    case "multiple_choice": {
      const lls = line.loglikelihoods as number[];
      const greedy = line.is_greedy as boolean[];
      return filters.map((f) => [f, lls.map((ll, i) => pyTuple(ll, greedy[i]))]);
    }
    case "loglikelihood":
      return filters.map((f) => [f, [pyTuple(line.loglikelihood, line.is_greedy)]]);
    case "loglikelihood_rolling":
      return filters.map((f) => [f, [line.loglikelihood]]);
    case "generate_until":
      return filters.map((f) => [f, [line.filtered?.[f] ?? ""]]);
    default:
      return `process_results is not available for output_type ${outputType}`;
  }
}

/**
 * Scores result lines with their task's Python `process_results(doc, results)`, as lm-eval does: the
 * line's `scores` become the dict it returns, under `metric,filter`, once per filter (generate_until:
 * `results` is that filter's answer in a list; multiple_choice: one `(loglikelihood, is_greedy)` tuple
 * per choice). Booleans count as 0/1; a metric aggregated in Python takes any JSON value, under the line's
 * `values`. A hook that raises, or returns something other than a dict, or a non-number for a metric
 * aggregated in TypeScript, makes the line an error result naming the hook and the traceback's last line. Error lines and
 * lines of tasks without the hook pass through at once. One outcome out per outcome in.
 */
export function applyResultHooks(options: ApplyResultHooksOptions): OperatorFunction<Outcome, Outcome> {
  // generate_until tasks with process_results are scored by scoreLinesInPython, after their repeats gather.
  const wants = (o: Outcome) => o.line.status === "ok" && o.work.task.hooks?.process_results !== undefined && !o.work.task.scoredInPython;
  return batchAsync<Outcome, Outcome>({
    maxBatch: options.maxBatch,
    wants,
    run: async (batch) => {
      const plans = batch.map((o) => ({ o, args: processResultsArgs(o.line, o.work.task.outputType, o.work.task.filters.map((f) => f.name)) }));
      const calls = plans.flatMap(({ o, args }) => (typeof args === "string" ? [] : args.map(([, results]) => ({ hook: o.work.task.hooks!.process_results!, args: [o.work.sample.doc, results] }))));
      let outcomes;
      try {
        outcomes = await callHooks(options.hooks, calls);
      } catch (error) {
        if (!isHookWorkerError(error)) throw error;
        return batch.map((o) => failed(o, error.message));
      }
      let next = 0;
      return plans.map(({ o, args }) => {
        if (typeof args === "string") return failed(o, args);
        const keyed: Record<string, unknown> = {};
        for (const [filter] of args) {
          const r = outcomes[next++]!;
          if ("error" in r) return failed(o, r.error);
          const dict = r.ok;
          if (dict === null || typeof dict !== "object" || Array.isArray(dict)) return failed(o, `returned ${Array.isArray(dict) ? "a list" : typeof dict}, not a dict of metric values`);
          for (const [metric, value] of Object.entries(dict)) keyed[`${metric},${filter}`] = value;
        }
        // Values of metrics aggregated in Python may be any JSON (lists, dicts …): they go to `values`.
        const split = splitValues(o.work.task.metrics, keyed);
        if (typeof split === "string") return failed(o, split);
        return { ...o, line: { ...o.line, scores: split.scores, ...(Object.keys(split.values).length ? { values: split.values } : {}) } };
      });
    },
  });
}

function failed(o: Outcome, message: string): Outcome {
  const hook = o.work.task.hooks!.process_results!;
  const { scores: _scores, ...line } = o.line;
  return { ...o, line: { ...line, status: "error", error: { type: "hook_error", message: `process_results (${hook.tag}): ${message}`, attempts: 0 } } };
}
