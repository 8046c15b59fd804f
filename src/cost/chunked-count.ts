/**
 * Token counting in time linear in the text. A BPE tokenizer (gpt-tokenizer) merges within each
 * pre-token, in time quadratic in the pre-token's length: a run of 100k spaces takes 29 s, of 100k
 * CJK letters 4 minutes, and a 10 MB line overflows the stack. So a text is counted in pieces of at
 * most PIECE characters, cut where the pre-tokenizer cuts anyway (before a space that follows a
 * non-space and precedes a word), so ordinary text counts exactly as a whole; a run with no such
 * place is cut every RUN characters (its count may then differ by a token per cut).
 */
const PIECE = 512;
const RUN = 64;

/** Counts `text` with `count`, piece by piece (see above). */
export function chunkedCount(count: (text: string) => number, text: string): number {
  if (text.length <= PIECE) return text ? count(text) : 0;
  let n = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.length - start <= PIECE ? text.length : wordBoundaryBefore(text, start, start + PIECE);
    if (end <= start) end = start + RUN;
    // Never split a surrogate pair.
    const c = text.charCodeAt(end - 1);
    if (end < text.length && c >= 0xd800 && c <= 0xdbff) end--;
    n += count(text.slice(start, end));
    start = end;
  }
  return n;
}

/** The last index i in (start, limit] with text[i] = " ", text[i-1] not whitespace and text[i+1] a letter or digit; else -1. */
function wordBoundaryBefore(text: string, start: number, limit: number): number {
  for (let i = limit; i > start; i--) {
    if (text.charCodeAt(i) === 32 && !/\s/.test(text[i - 1]!) && /[\p{L}\p{N}]/u.test(text[i + 1] ?? "")) return i;
  }
  return -1;
}

/**
 * Above this many characters a text is not tokenized where counting would hold up the event loop
 * (route rules, context fitting): UTF-8 bytes / 4 stands in, as for other vendors' models. The
 * asynchronous paths (usage estimates, `estimate`) count such texts exactly on a worker thread.
 */
export const SYNC_EXACT_MAX_CHARS = 256 * 1024;

/** Above this many characters even the worker thread does not tokenize (a 16 MB text would take ~10 s). */
export const EXACT_MAX_CHARS = 4 * 1024 * 1024;

/** UTF-8 bytes / 4, rounded up: about what BPE tokenizers give for English text. Linear, no tokenizer. */
export function approximateTokenCount(text: string): number {
  return Math.ceil(Buffer.byteLength(text, "utf8") / 4);
}
