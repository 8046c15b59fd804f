import { map, type OperatorFunction } from "rxjs";
import { type Clock, isoTime } from "../clock.js";
import type { Outcome } from "../work/work-item.js";
import type { ResultLine } from "../types.js";
import { mediaSummary } from "../media/content-parts.js";

export interface StampResultOptions {
  /** Its wall clock (`epochMs`) dates each line. */
  readonly clock: Clock;
}

/**
 * Adds what a report needs and no stage knows, to each final result line: `ended_at` (ISO time the
 * result was final: cost and throughput over the run's time) and `category` (the doc's value of
 * the task's `category_field`, e.g. MMLU's subject, when the task names one and the doc has it), and
 * `media` (a reference per image, audio or video the sample sent: source, type, digest, size — never bytes).
 * Both fields are optional on the result line, so older lines without them still read. One Outcome
 * per input, in order; errors and completion pass through.
 */
export function stampResult(options: StampResultOptions): OperatorFunction<Outcome, Outcome> {
  if (typeof options?.clock?.epochMs !== "function") throw new TypeError("Expected `clock` to have an epochMs() method");
  const { clock } = options;
  return map((outcome) => ({ ...outcome, line: stampLine(outcome, clock.epochMs()) }));
}

/** Pure: the outcome's line with `ended_at` and, when there is one, `category`. */
export function stampLine(outcome: Outcome, epochMs: number): ResultLine {
  const field = outcome.work.task.config.category_field;
  const value = typeof field === "string" ? outcome.work.sample.doc[field] : undefined;
  const category = typeof value === "string" || typeof value === "number" ? String(value) : undefined;
  const media = outcome.work.prepared.media;
  // A copy by Object.assign, then the fields added by assignment. Not `{ ...outcome.line }` (nor one literal
  // of spreads): V8 gives a spread copy a shape of its own, and adding a field to it makes new hidden classes
  // for each line, which V8 keeps in the old generation; at 1M lines that tripled what the run promoted
  // and raised its peak RSS by ~60 MB (docs/benchmarks.md, "evaluate() memory").
  const line: { -readonly [K in keyof ResultLine]: ResultLine[K] } = Object.assign({}, outcome.line);
  if (category !== undefined) line.category = category;
  if (media?.length) line.media = media.map(mediaSummary);
  // Not toISOString: see isoTime.
  line.ended_at = isoTime(epochMs);
  return line;
}
