import { hash } from "node:crypto";
import { stableJson } from "../cache/stable-json.js";
import type { Task } from "../work/task.js";
import type { Outcome } from "../work/work-item.js";
import { docPosition } from "../work/doc-position.js";
import type { Sample } from "../types.js";

/** A hash of an input line's text (`Sample.textHash`). */
export const textHash = (text: string): string => hash("sha256", text, "base64url").slice(0, 24);

/** Per task: a digest of its render digest and of the request settings the fingerprint covers beside the rendered sample. */
const taskParts = new WeakMap<Task, string>();

/**
 * What a stored record was made from, named before the sample is rendered: a digest of the task's
 * `renderDigest` (its files, options, few-shot pool, the package's version), output type and generation
 * settings, then the hash of the sample's input line, and its position when the task's few-shot examples are
 * drawn by position (lm-eval's default sampler; the model is the record's key). Undefined when the task
 * has no render digest or the sample no text hash. Equal sources mean equal rendered requests, so equal
 * fingerprints: a resumed run reuses a record whose source is unchanged without rendering its sample
 * (operators/resume-recorded.ts); any other record goes the fingerprint's way (skipCompleted).
 */
export function recordSource(task: Task, sample: Sample): string | undefined {
  const sampleTextHash = sample.textHash;
  if (task.renderDigest === undefined || sampleTextHash === undefined) return undefined;
  let part = taskParts.get(task);
  if (part === undefined) taskParts.set(task, (part = hash("sha256", `${task.renderDigest}\0${task.outputType}\0${stableJson(task.generation)}`, "base64url").slice(0, 16)));
  return task.fewshotByPosition ? `${part}.${sampleTextHash}@${docPosition(sample)}` : `${part}.${sampleTextHash}`;
}

/**
 * The source of a finished outcome, to be recorded with it: only for an ok line of a sample that sent no
 * media (media is read from files by path, which the line's text does not pin down).
 */
export function outcomeSource(outcome: Outcome): string | undefined {
  if (outcome.kind !== "done" || outcome.line.status !== "ok") return undefined;
  const { work, line } = outcome;
  // A run that does not hash lines (no checkpoint keeping sources) stops here.
  if (work.sample?.textHash === undefined || work.task?.renderDigest === undefined) return undefined;
  if (work.prepared.media?.length || (Array.isArray(line.media) && line.media.length > 0)) return undefined;
  return recordSource(work.task, work.sample);
}
