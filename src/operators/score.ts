import { map, type OperatorFunction } from "rxjs";
import { cutOffOf, type Inferred, type Outcome, outcomeOf, type Prepared } from "../work/work-item.js";
import { scoreResponse } from "../tasks/score.js";
import { splitReasoning } from "../tasks/filters/strip-reasoning.js";
import type { ResultLine } from "../types.js";

/**
 * Turns each inferred item into its result line: the task's filters applied to the response, then
 * its metrics against the target (keys `metric,filter`). Errors pass through as error lines,
 * without scores (a call cut off by the run's end gives a cut-off outcome). One Outcome per input,
 * in the same order.
 */
export function score<P extends Prepared>(): OperatorFunction<Inferred<P>, Outcome<P>> {
  return map((inferred) => outcomeOf(inferred.work, toResultLine(inferred), cutOffOf(inferred)));
}

/** Pure: the result line of one inferred item. */
export function toResultLine(inferred: Inferred): ResultLine {
  const { work, timing } = inferred;
  if (inferred.kind === "error") {
    return { id: work.key.id, task: work.key.task, model: work.key.model, repeat: work.key.repeat, status: "error", input: work.prepared.input, target: work.prepared.target, timing, error: inferred.error };
  }
  const { reply } = inferred;
  const response = cutAtStop(reply.text ?? "", work.task.generation.stop);
  const { targets } = work.prepared;
  const { filtered, scores, values } = scoreResponse(work.task, response, targets ?? work.prepared.target, work.sample.doc);
  // Kept apart from the response: what the server sent as reasoning_content, else the reply's <think> text.
  const reasoning = reply.reasoning ?? splitReasoning(response).reasoning;
  // Built by assignment, in the line's field order, not as one literal of spreads: V8 made that literal a
  // dictionary-mode object of kilobytes per line, most of what a sample left for the major GC to collect.
  const line: { -readonly [K in keyof ResultLine]: ResultLine[K] } = { id: work.key.id, task: work.key.task, model: work.key.model, repeat: work.key.repeat, status: "ok", input: work.prepared.input, response };
  if (reasoning) line.reasoning = reasoning;
  line.filtered = filtered;
  line.target = work.prepared.target;
  if (targets) line.targets = targets;
  line.scores = scores;
  if (values) line.values = values;
  line.usage = reply.usage ?? undefined;
  line.cost_usd = inferred.cost_usd;
  if (inferred.cached) {
    line.cached = true;
    line.cached_cost_usd = inferred.cached_cost_usd ?? null;
  }
  line.timing = timing;
  if (inferred.served_by) line.served_by = inferred.served_by;
  return line;
}

/**
 * Cuts a reply at the first stop sequence, as lm-evaluation-harness does after generation: the API
 * takes only 4 stop sequences, and some servers ignore them.
 */
export function cutAtStop(text: string, stop: readonly string[]): string {
  let end = text.length;
  for (const s of stop) {
    if (!s) continue;
    const i = text.indexOf(s);
    if (i >= 0 && i < end) end = i;
  }
  return end === text.length ? text : text.slice(0, end);
}
