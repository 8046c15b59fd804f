import { map, type OperatorFunction } from "rxjs";
import type { SourceLine } from "../io/read-lines.js";
import { describeJsonError } from "../io/json-error.js";
import { parseJsonLine } from "../io/parse-json-line.js";
import { scanJsonLine } from "../io/scan-json-line.js";
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
  /**
   * While `active()` says so, a line's document is parsed only when something reads it: the line is checked and
   * its task and id found without building it (`scanJsonLine`), and the sample's `doc` parses the line at its
   * first read. For a resumed run, whose samples found done are never rendered (resumeRecorded): most lines are
   * then never parsed. `idFields`: every field `idField` may name. A line the scan does not vouch for, or whose
   * id is not a plain string or a number, is parsed at once, as without this option.
   */
  readonly deferDocs?: { readonly idFields: readonly string[]; readonly active: () => boolean };
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
  const defer = options.deferDocs;
  // The members a deferred line's scan keeps: its task first, then the id fields.
  const scanKeys = defer ? ["task", ...new Set(defer.idFields.filter((f) => f !== "task"))] : undefined;
  return map((line) => parseLine(line, idField, hashText, scanKeys && defer!.active() ? scanKeys : undefined));
}

/**
 * The work of `parse` for one line: a pure function. With `scanKeys` (`task`, then every id field), a line
 * the scan vouches for becomes a sample whose `doc` is parsed at its first read.
 */
export function parseLine(line: SourceLine, idField: IdField = "id", hashText = false, scanKeys?: readonly string[]): SourceItem {
  const at = { file: line.file, line: line.line };
  const reject = (reason: string): SourceItem => ({ kind: "reject", reject: { at, reason, raw: cutRaw(line.text) } });

  if (line.overflow) {
    return reject(`line is ${line.overflow.bytes} bytes, longer than the limit of ${line.overflow.limit} bytes`);
  }
  if (line.invalidUtf8) {
    return reject(`invalid UTF-8 at column ${line.invalidUtf8.column}: set aside rather than read with replacement characters (re-encode the file as UTF-8)`);
  }
  // Deferred only where the text is hashed: a sample found done is known by its id and its text's hash.
  if (scanKeys !== undefined && hashText) {
    const sample = deferredSample(line, idField, scanKeys);
    if (sample !== undefined) return { kind: "sample", sample };
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
  const sample: { -readonly [K in keyof Sample]: Sample[K] } & { [TEXT]?: string } = { id: id.id, doc, at };
  if (task !== undefined) sample.task = task;
  if (hashText) {
    sample.textHash = textHash(line.text);
    // Kept while the sample is in flight: a record an older version wrote is compared by another hash of it.
    sample[TEXT] = line.text;
  }
  return { kind: "sample", sample };
}

/**
 * A sample of a line `scanJsonLine` vouches for (a JSON object), with its task and id as `parseLine` would find
 * them and its `doc` parsed at its first read; undefined for a line whose id is not a plain string or a number
 * (absent: made from the content; or not an id: a reject), which `parseLine` parses at once.
 */
function deferredSample(line: SourceLine, idField: IdField, scanKeys: readonly string[]): Sample | undefined {
  const found = scanJsonLine(line.text, scanKeys);
  if (found === undefined) return undefined;
  const named = found[0];
  // A `task` that is not a plain string may be one written with escapes: the parser reads it.
  if (named?.kind === "other") return undefined;
  const task = named?.kind === "string" && named.value.length > 0 ? named.value : undefined;
  const field = typeof idField === "function" ? idField(task) : idField;
  const k = scanKeys.indexOf(field);
  const value = k < 0 ? undefined : found[k];
  let id: string;
  if (value?.kind === "number") id = String(value.value);
  else if (value?.kind === "string" && value.value.length > 0) id = value.value;
  else return undefined;
  const at = { file: line.file, line: line.line };
  const text: string | undefined = line.text;
  const hash = textHash(text);
  const doc: Doc | undefined = undefined;
  const sample = task === undefined ? { id, at, textHash: hash, [TEXT]: text, [DOC]: doc } : { id, at, task, textHash: hash, [TEXT]: text, [DOC]: doc };
  // One getter shared by every sample, defined on each (own and enumerable, as `doc` is on any sample, so a copy
  // keeps it): an object literal's own getter makes a new closure and defines it on every sample, ten times the cost.
  return Object.defineProperty(sample, "doc", DEFERRED_DOC) as unknown as Sample;
}

/**
 * The input line a sample was parsed from, while it holds it (a sample whose text was hashed, until its document
 * is read if that was deferred): what an older version's line hash is made from (record-source.ts).
 */
export const sampleText = (sample: Sample): string | undefined => (sample as { [TEXT]?: string })[TEXT];

/** Where a sample keeps its line (deferred: until its document is read, and then its document). */
const TEXT = Symbol("line text");
const DOC = Symbol("document");
const DEFERRED_DOC: PropertyDescriptor = {
  get(this: { [TEXT]: string | undefined; [DOC]: Doc | undefined }): Doc {
    let doc = this[DOC];
    if (doc === undefined) {
      // The scan vouched for the line: it is a JSON object.
      this[DOC] = doc = parseJsonLine(this[TEXT] as string) as Doc;
      this[TEXT] = undefined;
    }
    return doc;
  },
  enumerable: true,
  configurable: true,
};

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
