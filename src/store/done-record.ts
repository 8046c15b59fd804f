/**
 * A done record as LevelDB holds it (a run's part `d`): the result line's JSON with, when the line was made
 * from a known source (operators/record-source.ts), that source as its first key, `record_source`. Any
 * reader sees plain JSON (an older version reads the key as one more field); this one takes the key off as
 * text, so a resumed line can be written out as stored without being encoded again. Records written before
 * sources existed have no such key and read as they are.
 */
export interface StoredRecord {
  /** What the line was made from; absent on records without one (older stores, tasks with media or hooks). */
  readonly source?: string;
  /** The result line's JSON text, without `record_source`. */
  readonly json: string;
}

const HEAD = '{"record_source":"';

/** The stored text of an ok line (its JSON) and its source. */
export function encodeDone(json: string, source: string | undefined): string {
  if (source === undefined || !/^[\w.-]+$/.test(source)) return json;
  return json === "{}" ? `${HEAD}${source}"}` : `${HEAD}${source}",${json.slice(1)}`;
}

/** A stored text back as its source and JSON (the JSON not parsed: a resumed line can be written out as it is). */
export function decodeDone(text: string): StoredRecord {
  if (!text.startsWith(HEAD)) return { json: text };
  const end = text.indexOf('"', HEAD.length);
  if (end < 0) return { json: text };
  const source = text.slice(HEAD.length, end);
  return { source, json: text[end + 1] === "," ? `{${text.slice(end + 2)}` : "{}" };
}
