import { map, type OperatorFunction } from "rxjs";
import type { SourceLine } from "../io/read-lines.js";
import { describeJsonError } from "../io/json-error.js";
import { parseJsonLine } from "../io/parse-json-line.js";
import { scanJsonLine } from "../io/scan-json-line.js";
import { leadingMembers, type PrefixScan } from "../io/scan-json-prefix.js";
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
   *
   * `checkLater`: a line that leads with its task and id (`leadingMembers`) is not even checked: its sample is made
   * from them and its text's hash, unchecked (`isUnchecked`), and must be settled (`checkSample`, or
   * `confirmSample` when its records prove it: resumeRecorded) before its document is read. detectDuplicates and
   * resumeRecorded do: a run puts nothing else between them and parse.
   */
  readonly deferDocs?: { readonly idFields: readonly string[]; readonly active: () => boolean; readonly checkLater?: boolean };
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
  const later = scanKeys && defer!.checkLater ? laterCheck(idField, scanKeys) : undefined;
  return map((line) => (scanKeys && defer!.active() ? parseLine(line, idField, hashText, scanKeys, later) : parseLine(line, idField, hashText)));
}

/** What parseLine needs to leave a line unchecked (`laterCheck`); undefined where the keys do not allow it. */
export type LaterCheck = Unchecked | undefined;

/** For parseLine: lines that lead with `scanKeys` are left unchecked (parse's `checkLater`). */
export function laterCheck(idField: IdField, scanKeys: readonly string[]): LaterCheck {
  const leading = leadingMembers(scanKeys);
  return leading && new Unchecked(idField, scanKeys, leading);
}

/**
 * The work of `parse` for one line: a pure function. With `scanKeys` (`task`, then every id field), a line
 * the scan vouches for becomes a sample whose `doc` is parsed at its first read.
 */
export function parseLine(line: SourceLine, idField: IdField = "id", hashText = false, scanKeys?: readonly string[], later?: LaterCheck): SourceItem {
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
    const sample = (later && uncheckedSample(line, later)) ?? deferredSample(line, idField, scanKeys);
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
 * A sample of a line that leads with its task and id (`leadingMembers`), made from them as `deferredSample` would,
 * and its line unchecked (its `DOC` the check to make); undefined where the line does not lead with them.
 */
function uncheckedSample(line: SourceLine, later: Unchecked): Sample | undefined {
  const found = later.leading(line.text);
  if (found === undefined) return undefined;
  const named = found[0];
  const task = named?.kind === "string" && named.value.length > 0 ? named.value : undefined;
  const field = typeof later.idField === "function" ? later.idField(task) : later.idField;
  const k = later.scanKeys.indexOf(field);
  const value = k < 0 ? undefined : found[k];
  let id: string;
  if (value?.kind === "number") id = String(value.value);
  else if (value?.kind === "string" && value.value.length > 0) id = value.value;
  else return undefined;
  const at = { file: line.file, line: line.line };
  const text: string | undefined = line.text;
  const hash = textHash(text);
  const doc: Doc | Unchecked | Rejected | undefined = later;
  const sample = task === undefined ? { id, at, textHash: hash, [TEXT]: text, [DOC]: doc } : { id, at, task, textHash: hash, [TEXT]: text, [DOC]: doc };
  return Object.defineProperty(sample, "doc", DEFERRED_DOC) as unknown as Sample;
}

/** Whether a sample's line is still unchecked (parse's `checkLater`): its document must not be read before `checkSample`. */
export const isUnchecked = (sample: Sample): boolean => (sample as { [DOC]?: unknown })[DOC] instanceof Unchecked;

/**
 * Settles a sample of parse's `checkLater`: checks its line, once, as parseLine would have at once. The item itself
 * when it is a sample (its document then read as any deferred one's), else the reject its line is. An item whose
 * sample was checked before: itself, or the reject a check found.
 */
export function checkSample(item: SourceItem & { readonly kind: "sample" }): SourceItem {
  const sample = item.sample as { [TEXT]?: string; [DOC]?: unknown } & Sample;
  const state = sample[DOC];
  if (state instanceof Rejected) return state.item;
  if (!(state instanceof Unchecked)) return item;
  const checked = parseLine({ text: sample[TEXT] as string, line: sample.at.line, file: sample.at.file }, state.idField, true, state.scanKeys);
  if (checked.kind === "reject") {
    sample[DOC] = new Rejected(checked);
    return checked;
  }
  // The leading members are what JSON.parse makes of a JSON object's (leadingMembers): a difference is a bug there.
  if (checked.sample.id !== sample.id || checked.sample.task !== sample.task) throw new Error(`internal: line ${sample.at.line} of ${sample.at.file} read as id ${JSON.stringify(sample.id)}, task ${JSON.stringify(sample.task)}; parsed: ${JSON.stringify(checked.sample.id)}, ${JSON.stringify(checked.sample.task)}`);
  sample[DOC] = undefined;
  return item;
}

/** Settles a sample of parse's `checkLater` whose line is known good: stored records were made from the same text. */
export function confirmSample(sample: Sample): void {
  const s = sample as { [DOC]?: unknown };
  if (s[DOC] instanceof Unchecked) s[DOC] = undefined;
}

/** An unchecked line's `DOC`: how to check it. One per parse operator. */
class Unchecked {
  constructor(
    readonly idField: IdField,
    readonly scanKeys: readonly string[],
    readonly leading: PrefixScan,
  ) {}
}

/** A line checked and found bad: the reject it is. */
class Rejected {
  constructor(readonly item: SourceItem) {}
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
  get(this: { [TEXT]: string | undefined; [DOC]: Doc | Unchecked | Rejected | undefined }): Doc {
    let doc = this[DOC];
    if (doc instanceof Unchecked || doc instanceof Rejected) throw new Error("internal: a sample's document read before its line was checked (checkSample)");
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
