import { pyRstrip, pySplit } from "../../python/str.js";

/**
 * sacrebleu 2.x's tokenizers, character for character (Python `str` semantics: code points and
 * CPython's whitespace). Ported from sacrebleu (Apache-2.0): tokenizers/tokenizer_13a.py,
 * tokenizer_re.py and tokenizer_ter.py with their default settings.
 */

const RE_13A: readonly (readonly [RegExp, string])[] = [
  // Language-dependent part (Western languages): ASCII symbols and punctuation become tokens.
  [/([{-~[-` -&(-+:-@/])/gu, " $1 "],
  // Period and comma, unless preceded by a digit …
  [/([^0-9])([.,])/gu, "$1 $2 "],
  // … or followed by one.
  [/([.,])([^0-9])/gu, " $1 $2"],
  // A dash after a digit.
  [/([0-9])(-)/gu, "$1 $2 "],
];

/** Words of a line, joined by single spaces: Python's `" ".join(line.split())`. */
export const squeeze = (line: string): string => pySplit(line).join(" ");

/** sacrebleu's `13a` tokenizer (mteval-v13a, BLEU's default). */
export function tokenize13a(line: string): string {
  let s = line.replaceAll("<skipped>", "").replaceAll("-\n", "").replaceAll("\n", " ");
  if (s.includes("&")) s = s.replaceAll("&quot;", '"').replaceAll("&amp;", "&").replaceAll("&lt;", "<").replaceAll("&gt;", ">");
  s = ` ${s} `;
  for (const [re, repl] of RE_13A) s = s.replace(re, repl);
  return squeeze(s);
}

/** BLEU's segment preprocessing with default settings: `tokenize_13a(sent.rstrip())`. */
export const bleuSegment = (sent: string): string => tokenize13a(pyRstrip(sent));

/** TER's segment preprocessing with default settings (tercom, case-insensitive, not normalized): lowercase, squeeze. */
export function terSegment(sent: string): string {
  const s = pyRstrip(sent);
  return s ? squeeze(s.toLowerCase()) : "";
}
