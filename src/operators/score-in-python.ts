import type { OperatorFunction } from "rxjs";
import type { HookCaller } from "../python/hooks/hook-caller.js";
import { isHookWorkerError } from "../python/hooks/hook-worker.js";
import { type PythonScored, scoreInPython } from "../tasks/python-scoring.js";
import type { Task } from "../work/task.js";
import type { Outcome, OutcomeDone } from "../work/work-item.js";
import type { ResultLine } from "../types.js";
import { batchAsync } from "./batch-async.js";

export interface ScoreInPythonOptions {
  /** The run's hook workers. */
  readonly hooks: HookCaller;
  /** Outcomes per request to a worker at most (default 64). */
  readonly maxBatch?: number;
}

/**
 * Scores the ok lines of generate_until tasks whose filters or metrics are Python, or that have
 * `process_results` (`Task.scoredInPython`), in the hook workers (see scoreInPython). It runs after
 * gatherRepeats: a line of a task without repeats is scored on its response and gets `filtered`,
 * `scores` and, for metrics aggregated in Python, `values`; with `repeats: k`, lm-eval scores a doc
 * once over its k responses, so only the line that completes the sample is scored, over all k
 * (`repeatResponses`), and carries the result as `sample` (the other repeat lines keep their response
 * only). A Python part that raises, or a value a metric cannot take, makes the line an error result
 * (`hook_error`) naming it. Other lines pass through at once; one outcome out per outcome in.
 */
export function scoreLinesInPython(options: ScoreInPythonOptions): OperatorFunction<Outcome, Outcome> {
  const wants = (o: Outcome): o is OutcomeDone => o.kind === "done" && o.line.status === "ok" && o.work.task.scoredInPython === true && (o.work.repeats <= 1 || o.repeatResponses !== undefined);
  return batchAsync<Outcome, Outcome>({
    maxBatch: options.maxBatch,
    wants,
    run: async (batch) => {
      const done = batch.filter(wants);
      const byTask = new Map<Task, OutcomeDone[]>();
      for (const o of done) byTask.set(o.work.task, [...(byTask.get(o.work.task) ?? []), o]);
      const scored = new Map<Outcome, PythonScored>();
      await Promise.all(
        [...byTask].map(async ([task, outcomes]) => {
          const items = outcomes.map((o) => ({
            doc: o.work.sample.doc,
            responses: o.repeatResponses ?? [typeof o.line.response === "string" ? o.line.response : ""],
            gold: o.line.targets ?? o.line.target ?? "",
          }));
          let results: PythonScored[];
          try {
            results = await scoreInPython(options.hooks, task, items);
          } catch (error) {
            if (!isHookWorkerError(error)) throw error;
            results = outcomes.map(() => ({ error: `worker (python): ${error.message}` }));
          }
          outcomes.forEach((o, i) => scored.set(o, results[i]!));
        }),
      );
      return batch.map((o) => (wants(o) ? { ...o, line: withScores(o, scored.get(o)!) } : o));
    },
  });
}

function withScores(o: OutcomeDone, result: PythonScored): ResultLine {
  const { line } = o;
  if ("error" in result) {
    const { scores: _scores, filtered: _filtered, ...rest } = line;
    return { ...rest, status: "error", error: { type: "hook_error", message: result.error, attempts: 0 } };
  }
  const values = Object.keys(result.values).length ? { values: result.values } : {};
  if (o.repeatResponses) return { ...line, sample: { filtered: result.filtered, scores: result.scores, ...values, repeats: o.repeatResponses.length } };
  return { ...line, filtered: result.filtered, scores: result.scores, ...values };
}
