import { pyStrip } from "./str.js";

/**
 * Python's `float(text)` on a string: the number, or undefined where Python raises ValueError.
 * As CPython: surrounding whitespace is dropped, Unicode decimal digits count as their ASCII digits,
 * single underscores may sit between digits, and `inf`, `infinity` and `nan` (any case, signed) are
 * numbers. The decimal is converted with correct rounding, as CPython's and JS's conversions both do.
 */
export function pyFloat(text: string): number | undefined {
  const s = asciiDigits(pyStrip(text));
  const m = FLOAT.exec(s);
  if (!m) return undefined;
  const sign = s.startsWith("-") ? -1 : 1;
  const body = m[1]!;
  if (/^inf(inity)?$/i.test(body)) return sign * Number.POSITIVE_INFINITY;
  if (/^nan$/i.test(body)) return Number.NaN;
  return sign * Number(body.replaceAll("_", ""));
}

const DIGITS = String.raw`[0-9](?:_?[0-9])*`;
const FLOAT = new RegExp(String.raw`^[+-]?((?:${DIGITS}(?:\.(?:${DIGITS})?)?|\.${DIGITS})(?:[eE][+-]?${DIGITS})?|inf|infinity|nan)$`, "i");

/** Unicode decimal digits (category Nd, which Unicode lays out in runs of ten from 0) as ASCII digits. */
function asciiDigits(s: string): string {
  if (/^\p{ASCII}*$/u.test(s)) return s;
  return [...s]
    .map((ch) => {
      if (!/\p{Nd}/u.test(ch)) return ch;
      let cp = ch.codePointAt(0)!;
      let start = cp;
      while (/\p{Nd}/u.test(String.fromCodePoint(start - 1))) start--;
      cp = (cp - start) % 10;
      return String(cp);
    })
    .join("");
}
