import { map, type OperatorFunction } from "rxjs";
import { cutOffOf, type Inferred, type Outcome, outcomeOf, type Prepared } from "../work/work-item.js";
import { scoreResponse } from "../tasks/score.js";
import { splitReasoning } from "../tasks/filters/strip-reasoning.js";
import { cacheMark } from "./infer.js";
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
  const base: ResultLine = {
    id: work.key.id,
    task: work.key.task,
    model: work.key.model,
    repeat: work.key.repeat,
    status: "ok",
    input: work.prepared.input,
  };
  if (inferred.kind === "error") return { ...base, status: "error", target: work.prepared.target, timing, error: inferred.error };
  const { reply } = inferred;
  const response = cutAtStop(reply.text ?? "", work.task.generation.stop);
  const { targets } = work.prepared;
  const { filtered, scores, values } = scoreResponse(work.task, response, targets ?? work.prepared.target, work.sample.doc);
  // Kept apart from the response: what the server sent as reasoning_content, else the reply's <think> text.
  const reasoning = reply.reasoning ?? splitReasoning(response).reasoning;
  return {
    ...base,
    response,
    ...(reasoning ? { reasoning } : {}),
    filtered,
    target: work.prepared.target,
    ...(targets ? { targets } : {}),
    scores,
    ...(values ? { values } : {}),
    usage: reply.usage ?? undefined,
    cost_usd: inferred.cost_usd,
    ...cacheMark(inferred),
    timing,
    ...(inferred.served_by ? { served_by: inferred.served_by } : {}),
  };
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
