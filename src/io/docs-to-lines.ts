import type { Doc } from "../types.js";

/** A line as the source reads it. */
export interface DocLine {
  readonly text: string;
  readonly line: number;
  readonly file: string;
}

/**
 * Objects made in code (an array, a generator, any async iterable) as input lines, numbered from 1,
 * so they take the same path as a file: ids, validation, rejects.
 */
export async function* docsToLines(docs: Iterable<Doc> | AsyncIterable<Doc>, file = "<code>"): AsyncGenerator<DocLine> {
  let line = 0;
  for await (const doc of docs) yield { text: JSON.stringify(doc), line: ++line, file };
}
