import { createHash } from "node:crypto";
import { stableJson } from "../cache/stable-json.js";
import type { Outcome, WorkItem } from "../work/work-item.js";

/** A task's generation settings as stable JSON, made once per task (they are the same for each of its work items). */
const generationJson = new WeakMap<object, string>();

/**
 * What produced a result, as one short hash: the model, the task's output type and generation settings,
 * and the rendered sample (`prepared`: the prompt or messages, choices, tools and the scored target).
 * A stored record whose fingerprint differs from its work item's was made from other data or another
 * request under the same key (the same id in an edited file): it is not reused, it is sent again.
 *
 * Like lm-evaluation-harness's `doc_hash`/`prompt_hash`/`target_hash`, but one value: any change counts.
 */
export function workFingerprint(work: WorkItem): string {
  const generation = work.task.generation;
  let settings = generationJson.get(generation);
  if (settings === undefined) generationJson.set(generation, (settings = stableJson(generation)));
  const h = createHash("sha256");
  h.update(work.key.model);
  h.update("\0");
  h.update(work.task.outputType);
  h.update("\0");
  h.update(settings);
  h.update("\0");
  h.update(stableJson(work.prepared));
  return `sha256:${h.digest("hex").slice(0, 32)}`;
}

/** The outcome with its line carrying its work item's fingerprint (what the store keeps and compares). */
export function stampFingerprint(outcome: Outcome): Outcome {
  return { ...outcome, line: { ...outcome.line, fingerprint: workFingerprint(outcome.work) } };
}
