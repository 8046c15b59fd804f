import { hash } from "node:crypto";
import xxhash from "xxhash-wasm";
import { stableJson } from "../cache/stable-json.js";
import type { Task } from "../work/task.js";
import type { Outcome } from "../work/work-item.js";
import { docPosition } from "../work/doc-position.js";
import type { Sample } from "../types.js";

// xxHash64 in WebAssembly (the xxhash-wasm package): 0.6 µs a GSM8K line against node's sha256's 1.3 µs, most of
// which is the call's own cost, not the hashing. Instantiated once, at import (a few hundred µs).
const xxh = await xxhash();

/**
 * A hash of an input line's text (`Sample.textHash`): its xxHash64, 16 hex digits. Not a digest against forgery: it
 * tells a line from the same id's line changed since it was recorded.
 */
export const textHash = (text: string): string => xxh.h64ToString(text);

/** The length of an older version's line hash (`legacyTextHash`), and of a source's task part. */
const LEGACY_HASH_CHARS = 24;
const TASK_PART_CHARS = 16;

/**
 * The hash an older version gave a line (the first 24 base64url characters of its sha256), which the sources of
 * records it wrote hold: a record is still reused unrendered when its source has this form (`legacySource`).
 */
export const legacyTextHash = (text: string): string => hash("sha256", text, "base64url").slice(0, LEGACY_HASH_CHARS);

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
  return sourceOf(task, sample, sampleTextHash);
}

function sourceOf(task: Task, sample: Sample, lineHash: string): string {
  let part = taskParts.get(task);
  if (part === undefined) taskParts.set(task, (part = hash("sha256", `${task.renderDigest}\0${task.outputType}\0${stableJson(task.generation)}`, "base64url").slice(0, TASK_PART_CHARS)));
  return task.fewshotByPosition ? `${part}.${lineHash}@${docPosition(sample)}` : `${part}.${lineHash}`;
}

/** Where a source's line hash starts: after the task's part and a dot. */
const HASH_AT = TASK_PART_CHARS + 1;

/**
 * The source an older version made from the same sample, when `stored` has its form (a line hash of
 * `LEGACY_HASH_CHARS` characters, `legacyTextHash`): what a record it wrote holds if the line is unchanged.
 * Undefined for a source of another form, or when the sample no longer holds its line (`text`): such a record
 * is not reused here.
 */
export function legacySource(stored: string, task: Task, sample: Sample, text: string | undefined): string | undefined {
  const end = stored.indexOf("@", HASH_AT);
  if (text === undefined || (end < 0 ? stored.length : end) - HASH_AT !== LEGACY_HASH_CHARS) return undefined;
  return sourceOf(task, sample, legacyTextHash(text));
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
