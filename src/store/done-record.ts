import { UNFOLDED_KEYS } from "../types.js";

/**
 * A done record as LevelDB holds it (a run's part `d`): the result line's JSON with, when the line was made
 * from a known source (operators/record-source.ts), that source as its first key, `record_source`, and then,
 * when the line has members a summary never reads (`UNFOLDED_KEYS`: its input, response, target …),
 * `record_fold`: where the rest of the line's JSON lies, as `start-end` character ranges joined by `.`. Any
 * reader sees plain JSON (an older version reads the keys as more fields); this one takes them off as text, so
 * a resumed line is written out as stored without being encoded again, and folded into the summary from its
 * `fold` (the JSON of those ranges) without decoding its prompt and reply. Records written before sources
 * existed have neither key and read as they are; records written before `record_fold` have no `fold`.
 */
export interface StoredRecord {
  /** What the line was made from; absent on records without one (older stores, tasks with media or hooks). */
  readonly source?: string;
  /** The result line's JSON text, without `record_source` and `record_fold`. */
  readonly json: string;
  /**
   * The JSON of the line without its `UNFOLDED_KEYS` (a `ResultFold`); absent when the record does not say where that
   * lies. On a record `RunStore` gives it is a getter (on its prototype, so a spread copy lacks it): cut from the
   * stored text when read, which a resume whose summary snapshot covers the record never does.
   */
  readonly fold?: string;
  /** Layout 2: the sequence number it is stored under (sequenced-done.ts), set by `RunStore.lookupRecords`. */
  seq?: number;
  /**
   * The stored text as LevelDB gave it, and where the line's members start in it: `json` is `{` and then
   * `text.slice(at)`. A resumed line is written out from there (commands/result-output.ts) without a string of its
   * own being made and copied. Absent where `json` is the stored text itself or `{}`.
   */
  readonly text?: string;
  readonly at?: number;
}

const HEAD = '{"record_source":"';
const FOLD = '","record_fold":"';
/** A source as stored: letters, digits and `_.-@` (no character JSON would escape). */
const SOURCE = /^[\w.@-]+$/;

/** The stored text of an ok line (its JSON) and its source. */
export function encodeDone(json: string, source: string | undefined): string {
  if (source === undefined || !SOURCE.test(source)) return json;
  return json === "{}" ? `${HEAD}${source}"}` : `${HEAD}${source}",${json.slice(1)}`;
}

/**
 * The stored text of an ok line and its source, saying where the line's JSON holds what a summary reads
 * (`record_fold`). The line's JSON is `JSON.stringify(line)`, built member by member to know where each lies.
 */
export function encodeDoneLine(line: object, source: string | undefined): string {
  if (source === undefined || !SOURCE.test(source)) return JSON.stringify(line);
  let json = "{";
  // Ranges of the JSON to keep: contiguous kept members share one range (with the commas between them).
  const ranges: number[] = [];
  let unfolded = false;
  for (const key of Object.keys(line)) {
    const value = JSON.stringify((line as Record<string, unknown>)[key]) as string | undefined;
    if (value === undefined) continue; // JSON.stringify leaves out undefined, functions and symbols
    if (json.length > 1) json += ",";
    const start = json.length;
    json += `${JSON.stringify(key)}:${value}`;
    if (UNFOLDED_KEYS.has(key)) unfolded = true;
    else if (ranges.length > 0 && ranges[ranges.length - 1] === start - 1) ranges[ranges.length - 1] = json.length;
    else ranges.push(start, json.length);
  }
  json += "}";
  if (!unfolded) return encodeDone(json, source);
  let fold = "";
  for (let i = 0; i < ranges.length; i += 2) fold += `${i > 0 ? "." : ""}${ranges[i]}-${ranges[i + 1]}`;
  return json === "{}" ? `${HEAD}${source}"}` : `${HEAD}${source}${FOLD}${fold}",${json.slice(1)}`;
}

/** A stored text back as its source, JSON and fold (none of it parsed: a resumed line can be written out as it is). */
export function decodeDone(text: string): StoredRecord {
  if (!text.startsWith(HEAD)) return { json: text };
  const end = text.indexOf('"', HEAD.length);
  if (end < 0) return { json: text };
  const source = text.slice(HEAD.length, end);
  if (!text.startsWith(FOLD, end)) return text[end + 1] === "," ? new SourcedRecord(source, text, end + 2, -1, -1) : { source, json: "{}" };
  const foldAt = end + FOLD.length;
  const foldEnd = text.indexOf('"', foldAt);
  if (foldEnd < 0 || text[foldEnd + 1] !== ",") return { json: text };
  return new SourcedRecord(source, text, foldEnd + 2, foldAt, foldEnd);
}

/** A stored record with a source and members: its JSON cut from the stored text, and its fold when read. */
class SourcedRecord implements StoredRecord {
  readonly json: string;
  seq?: number = undefined;
  /** record_fold's ranges: text[from, to); from -1 when it has none. */
  readonly #from: number;
  readonly #to: number;

  constructor(
    readonly source: string,
    readonly text: string,
    readonly at: number,
    from: number,
    to: number,
  ) {
    this.json = `{${text.slice(at)}`;
    this.#from = from;
    this.#to = to;
  }

  get fold(): string | undefined {
    // Cut from the stored text, where the JSON's character k (k > 0) is at at - 1 + k: cut from the JSON, a string
    // of two parts, it would copy each line whole first.
    return this.#from < 0 ? undefined : foldJson(this.text, this.at - 1, this.#from, this.#to);
  }
}

/**
 * The JSON of the line's ranges that `record_fold` (text[from, to)) names, the line's JSON being `{` and then
 * text from `base` + 1; undefined if they are not ranges of it.
 */
function foldJson(text: string, base: number, from: number, to: number): string | undefined {
  const length = text.length - base;
  let fold = "{";
  let at = from;
  let last = 0;
  while (at < to) {
    const dash = text.indexOf("-", at);
    let dot = text.indexOf(".", at);
    if (dot < 0 || dot > to) dot = to;
    if (dash < 0 || dash > dot) return undefined;
    const start = Number(text.slice(at, dash));
    const end = Number(text.slice(dash + 1, dot));
    if (!Number.isInteger(start) || !Number.isInteger(end) || start <= last || end < start || end >= length) return undefined;
    fold += `${fold.length > 1 ? "," : ""}${text.slice(base + start, base + end)}`;
    last = end;
    at = dot + 1;
  }
  return `${fold}}`;
}
