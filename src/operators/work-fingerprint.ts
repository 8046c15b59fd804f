import { createHash } from "node:crypto";
import type { Outcome, WorkItem } from "../pipelines/types.js";

/**
 * What produced a result, as one short hash: the model, the task's output type and generation settings,
 * and the rendered sample (`prepared`: the prompt or messages, choices, tools and the scored target).
 * A stored record whose fingerprint differs from its work item's was made from other data or another
 * request under the same key (the same id in an edited file): it is not reused, it is sent again.
 *
 * Like lm-evaluation-harness's `doc_hash`/`prompt_hash`/`target_hash`, but one value: any change counts.
 */
export function workFingerprint(work: WorkItem): string {
  const h = createHash("sha256");
  h.update(work.key.model);
  h.update("\0");
  h.update(work.task.outputType);
  h.update("\0");
  h.update(stableJson(work.task.generation));
  h.update("\0");
  h.update(stableJson(work.prepared));
  return `sha256:${h.digest("hex").slice(0, 32)}`;
}

/**
 * JSON with object keys sorted, so two equal values hash the same whatever order their keys were made in.
 * Maps and Sets become their entries, bigints (Python ints of BFCL answers) their digits: unlike plain
 * JSON, nothing a pipeline prepares is left out.
 */
export function stableJson(value: unknown): string {
  return (
    JSON.stringify(value, (_key, v: unknown) => {
      if (typeof v === "bigint") return `${v}n`;
      if (v instanceof Map) return { "<map>": [...v] };
      if (v instanceof Set) return { "<set>": [...v] };
      if (v && typeof v === "object" && !Array.isArray(v)) {
        return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
      }
      return v;
    }) ?? "null"
  );
}

/** The outcome with its line carrying its work item's fingerprint (what the store keeps and compares). */
export function stampFingerprint(outcome: Outcome): Outcome {
  return { ...outcome, line: { ...outcome.line, fingerprint: workFingerprint(outcome.work) } };
}
