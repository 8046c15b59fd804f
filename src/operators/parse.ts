import { map, type OperatorFunction } from "rxjs";
import type { SourceLine } from "../io/read-lines.js";
import { describeJsonError } from "../io/json-error.js";
import { parseJsonLine } from "../io/parse-json-line.js";
import { sampleId } from "../io/sample-id.js";
import type { Doc, Sample, SourceItem } from "../types.js";
import { textHash } from "./record-source.js";

/** The id field of a line: one name, or one per task (the line's `task` field, if any, is passed). */
export type IdField = string | ((task?: string) => string);

export interface ParseOptions {
  /** The field holding a sample's id (default `id`); see `sampleId` for what counts as an id. */
  readonly idField?: IdField;
  /** Set each sample's `textHash` (a run with a checkpoint: see operators/record-source.ts). */
  readonly hashText?: boolean;
}

/** A reject's `raw` is the line cut to this many characters. */
export const RAW_MAX_CHARS = 200;

/**
 * Turns each input line into a sample or a reject, one item per line, in order:
 * - the line parsed as JSON (`parseJsonLine`: JSON.parse's values and errors, without V8 interning
 *   the line's short strings); it must be an object (not an array, number, string, boolean or null);
 * - a string `task` field sets `sample.task` (any other `task` value is left in the doc, unused);
 * - the id comes from `idField` (a function gets the line's task) or, without it, from the content.
 * Bad lines become rejects with a one-line reason and the line cut to 200 characters; they never
 * error the stream. Completes and errors with its source; keeps no state.
 *
 * ```ts
 * pullSource(openInputs(paths, process.stdin), demand).pipe(parse({ idField: "doc_id" }))
 * ```
 *
 * @throws TypeError when the factory gets an `idField` that is neither a non-empty string nor a function.
 */
export function parse(options: ParseOptions = {}): OperatorFunction<SourceLine, SourceItem> {
  const idField = options.idField ?? "id";
  if (!(typeof idField === "function" || (typeof idField === "string" && idField.length > 0))) {
    throw new TypeError(`Expected \`idField\` to be a non-empty string or a function, got ${JSON.stringify(idField) ?? typeof idField}`);
  }
  const hashText = options.hashText === true;
  return map((line) => parseLine(line, idField, hashText));
}

/** The work of `parse` for one line: a pure function. */
export function parseLine(line: SourceLine, idField: IdField = "id", hashText = false): SourceItem {
  const at = { file: line.file, line: line.line };
  const reject = (reason: string): SourceItem => ({ kind: "reject", reject: { at, reason, raw: cutRaw(line.text) } });

  if (line.overflow) {
    return reject(`line is ${line.overflow.bytes} bytes, longer than the limit of ${line.overflow.limit} bytes`);
  }
  if (line.invalidUtf8) {
    return reject(`invalid UTF-8 at column ${line.invalidUtf8.column}: set aside rather than read with replacement characters (re-encode the file as UTF-8)`);
  }
  let value: unknown;
  try {
    value = parseJsonLine(line.text);
  } catch (error) {
    return reject(describeJsonError(line.text, error));
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return reject(`expected a JSON object, got ${kindOf(value)}`);
  }
  const doc = value as Doc;
  const task = typeof doc.task === "string" && doc.task.length > 0 ? doc.task : undefined;
  const field = typeof idField === "function" ? idField(task) : idField;
  const id = sampleId(doc, field);
  if (!id.ok) return reject(id.reason);
  const sample: { -readonly [K in keyof Sample]: Sample[K] } = { id: id.id, doc, at };
  if (task !== undefined) sample.task = task;
  if (hashText) sample.textHash = textHash(line.text);
  return { kind: "sample", sample };
}

/** The first 200 characters, not splitting a surrogate pair. */
export function cutRaw(text: string): string {
  if (text.length <= RAW_MAX_CHARS) return text;
  const last = text.charCodeAt(RAW_MAX_CHARS - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? RAW_MAX_CHARS - 1 : RAW_MAX_CHARS);
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}
