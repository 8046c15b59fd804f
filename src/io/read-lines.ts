import { isUtf8 } from "node:buffer";

/** One non-blank input line, with where it came from. */
export interface SourceLine {
  /** The line's text: no terminator, no trailing `\r`, no BOM. */
  readonly text: string;
  /** 1-based; blank lines count, so this is the number an editor shows. */
  readonly line: number;
  readonly file: string;
  /**
   * Set when the line was longer than `maxLineBytes`: `text` then holds only its start (enough for
   * a reject's `raw`) and the rest was skipped unread into memory. `parse` turns it into a reject.
   */
  readonly overflow?: { readonly bytes: number; readonly limit: number };
  /**
   * Set when the line's bytes are not valid UTF-8: `text` holds them decoded with U+FFFD in place of
   * each bad sequence (for a reject's `raw`), and `parse` turns the line into a reject rather than
   * evaluate a sample whose text was silently changed. `column`: the first replaced character's, 1-based.
   */
  readonly invalidUtf8?: { readonly column: number };
}

export interface ReadLinesOptions {
  /** Longest line kept, in UTF-8 bytes without its terminator (default 64 MiB). */
  readonly maxLineBytes?: number;
}

export const DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024;

/** Bytes kept of an over-long line: 200 characters are at most 800 UTF-8 bytes. */
const OVERFLOW_HEAD_BYTES = 800;

/**
 * Most lines in a batch. A chunk (256 kB from a file: some 2,000 short lines) is decoded a batch at a time as
 * the reader asks for more, not all at once: the lines of a whole chunk lived while the run worked through them,
 * longer than V8's young generation keeps an object, so most were copied to the old generation (70–80 kB a
 * scavenge, `evaluate()` over a million lines from a file: 183 MB peak RSS), where only a full collection frees them.
 */
export const BATCH_LINES = 64;
const LF = 0x0a;
const CR = 0x0d;

/**
 * Splits a byte or text stream into lines, on demand: a chunk is read only when the consumer asks for
 * a line that the chunks read so far do not complete. Memory is one chunk plus the line being built,
 * so it is bounded by the longest line (and by `maxLineBytes`).
 *
 * Accepts a UTF-8 BOM at the start, `\n` and `\r\n` endings and a last line without a newline. Blank
 * lines (empty, or only spaces, tabs and `\r`) are skipped but counted. A line longer than
 * `maxLineBytes` is yielded with `overflow` set instead of its text, and reading goes on after it.
 *
 * Splitting happens on bytes and each line is decoded whole: a `\n` byte never occurs inside a
 * multibyte UTF-8 sequence, so a character split across chunks decodes right. The pieces of a long
 * line are collected and joined once, so a 10 MB line costs linear time. A line that is not valid
 * UTF-8 is yielded with `invalidUtf8` set (where the first bad sequence is). Text chunks are encoded to UTF-8 first (a surrogate pair split across
 * two text chunks is rejoined).
 *
 * Returning early (a `break`, or `return()` on the generator) returns the input's iterator too,
 * which closes a file stream.
 *
 * @param file the name the lines carry (`<stdin>` for standard input).
 */
export async function* readLines(
  input: NodeJS.ReadableStream | AsyncIterable<string | Uint8Array>,
  file: string,
  options: ReadLinesOptions = {},
): AsyncGenerator<SourceLine, void, undefined> {
  for await (const batch of readLineBatches(input, file, options)) yield* batch;
}

/**
 * `readLines` a batch at a time: each batch holds the lines a chunk of the input completes, up to BATCH_LINES
 * (a longer chunk gives several; never an empty batch), in order. One async step per batch instead of one per
 * line: a reader that takes many lines at once (the run's source, `pullSource`) pays for the input's batches,
 * not its lines. Same lines, same limits.
 */
export async function* readLineBatches(
  input: NodeJS.ReadableStream | AsyncIterable<string | Uint8Array>,
  file: string,
  options: ReadLinesOptions = {},
): AsyncGenerator<SourceLine[], void, undefined> {
  const limit = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new TypeError(`Expected \`maxLineBytes\` to be an integer >= 1, got ${String(limit)}`);
  }

  let lineNo = 0;
  // The line being built when it spans chunks: its pieces, and its size in bytes so far.
  let pieces: Buffer[] = [];
  let size = 0;
  // Once a line is past the limit, only its head is kept and the rest is counted.
  let overflowing = false;
  let lastByte = -1;
  let pendingSurrogate = "";

  const add = (part: Buffer): void => {
    if (part.length === 0) return;
    size += part.length;
    lastByte = part[part.length - 1]!;
    if (overflowing) return;
    // A copy: the chunk it is cut from may be a buffer its source reuses for the next read (file-chunks.ts).
    pieces.push(Buffer.from(part));
    // One byte of slack: a trailing `\r` is not part of the line.
    if (size > limit + 1) {
      pieces = [Buffer.from(Buffer.concat(pieces).subarray(0, OVERFLOW_HEAD_BYTES))];
      overflowing = true;
    }
  };

  const finish = (): SourceLine | undefined => {
    lineNo++;
    const bytes = lastByte === CR ? size - 1 : size;
    const whole = pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces);
    const wasOverflowing = overflowing;
    pieces = [];
    size = 0;
    overflowing = false;
    lastByte = -1;
    if (wasOverflowing || bytes > limit) {
      const head = whole.subarray(0, Math.min(bytes, OVERFLOW_HEAD_BYTES));
      return { text: lineText(head, 0, head.length, lineNo), line: lineNo, file, overflow: { bytes, limit } };
    }
    return line(whole, 0, bytes);
  };

  const line = (buf: Buffer, start: number, end: number): SourceLine | undefined => {
    const text = lineText(buf, start, end, lineNo);
    if (isBlank(text)) return undefined;
    // Decoding puts U+FFFD where the bytes are not UTF-8: a text without one came from valid bytes (a one-byte string,
    // most lines, is known to hold none without a search), and only one with it needs the bytes checked.
    const replaced = text.indexOf("\uFFFD");
    return replaced < 0 || isUtf8(buf.subarray(start, end)) ? { text, line: lineNo, file } : { text, line: lineNo, file, invalidUtf8: { column: replaced + 1 } };
  };

  for await (const chunk of input as AsyncIterable<string | Uint8Array>) {
    let buf: Buffer;
    if (typeof chunk === "string") {
      const text = pendingSurrogate + chunk;
      const last = text.charCodeAt(text.length - 1);
      const split = last >= 0xd800 && last <= 0xdbff;
      pendingSurrogate = split ? text.slice(-1) : "";
      buf = Buffer.from(split ? text.slice(0, -1) : text, "utf8");
    } else {
      buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    }

    let batch: SourceLine[] = [];
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(LF, start);
      if (nl === -1) {
        add(buf.subarray(start));
        break;
      }
      let out: SourceLine | undefined;
      if (size === 0 && nl - start <= limit + 1) {
        // The common case: the whole line is inside this chunk; decode it in place.
        lineNo++;
        const end = nl > start && buf[nl - 1] === CR ? nl - 1 : nl;
        out = end - start > limit ? overflowLine(buf, start, end) : line(buf, start, end);
      } else {
        add(buf.subarray(start, nl));
        out = finish();
      }
      start = nl + 1;
      if (out && batch.push(out) === BATCH_LINES) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  }
  if (pendingSurrogate) add(Buffer.from(pendingSurrogate, "utf8"));
  if (size > 0) {
    const out = finish();
    if (out) yield [out];
  }

  function overflowLine(buf: Buffer, start: number, end: number): SourceLine {
    const head = Math.min(end, start + OVERFLOW_HEAD_BYTES);
    return { text: lineText(buf, start, head, lineNo), line: lineNo, file, overflow: { bytes: end - start, limit } };
  }
}

/** Decodes one line, dropping the BOM that may open the first. */
function lineText(buf: Buffer, start: number, end: number, lineNo: number): string {
  const text = buf.toString("utf8", start, end);
  return lineNo === 1 && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Empty, or only spaces, tabs and carriage returns (JSON whitespace). */
export function isBlank(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== CR && c !== LF) return false;
  }
  return true;
}
