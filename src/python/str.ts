/**
 * Python `str` behaviour that JavaScript spells differently: what counts as whitespace, and the
 * strip/split family. lm-eval filters `.strip()` their matches and templates call `.split()`, so these
 * must agree with CPython character for character.
 */

/** Characters for which CPython's `str.isspace()` is true. JS's `\s` differs (it has U+FEFF, lacks U+001C–U+001F and U+0085). */
export const PY_WHITESPACE = "\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000";

const WS = new Set(PY_WHITESPACE);

/** Python's `string.punctuation`. */
export const PY_PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

export const isPySpace = (ch: string): boolean => WS.has(ch);

/** `s.strip(chars)`; `chars` undefined or null strips Python whitespace. */
export function pyStrip(s: string, chars?: string | null): string {
  return pyRstrip(pyLstrip(s, chars), chars);
}

export function pyLstrip(s: string, chars?: string | null): string {
  const strip = stripSet(chars);
  const cps = [...s];
  let i = 0;
  while (i < cps.length && strip(cps[i]!)) i++;
  return cps.slice(i).join("");
}

export function pyRstrip(s: string, chars?: string | null): string {
  const strip = stripSet(chars);
  const cps = [...s];
  let j = cps.length;
  while (j > 0 && strip(cps[j - 1]!)) j--;
  return cps.slice(0, j).join("");
}

function stripSet(chars?: string | null): (ch: string) => boolean {
  if (chars === undefined || chars === null) return isPySpace;
  const set = new Set(chars);
  return (ch) => set.has(ch);
}

/**
 * `s.split(sep, maxsplit)`. Without `sep`, splits on runs of whitespace and drops empty ends;
 * with one, splits on every occurrence. `maxsplit` < 0 means no limit. An empty `sep` throws, as in Python.
 */
export function pySplit(s: string, sep?: string | null, maxsplit = -1): string[] {
  if (sep === "") throw new RangeError("empty separator");
  if (sep === undefined || sep === null) return splitWhitespace([...s], maxsplit);
  const out: string[] = [];
  let rest = s;
  while (maxsplit < 0 || out.length < maxsplit) {
    const i = rest.indexOf(sep);
    if (i < 0) break;
    out.push(rest.slice(0, i));
    rest = rest.slice(i + sep.length);
  }
  out.push(rest);
  return out;
}

/** `s.rsplit(sep, maxsplit)`: like split, but the splits counted from the right. */
export function pyRsplit(s: string, sep?: string | null, maxsplit = -1): string[] {
  if (sep === "") throw new RangeError("empty separator");
  if (maxsplit < 0) return pySplit(s, sep);
  if (sep === undefined || sep === null) {
    const rev = splitWhitespace([...s].reverse(), maxsplit);
    return rev.map((w) => [...w].reverse().join("")).reverse();
  }
  const out: string[] = [];
  let rest = s;
  while (out.length < maxsplit) {
    const i = rest.lastIndexOf(sep);
    if (i < 0) break;
    out.unshift(rest.slice(i + sep.length));
    rest = rest.slice(0, i);
  }
  out.unshift(rest);
  return out;
}

function splitWhitespace(cps: string[], maxsplit: number): string[] {
  const out: string[] = [];
  let i = 0;
  const n = cps.length;
  while (i < n) {
    while (i < n && isPySpace(cps[i]!)) i++;
    if (i >= n) break;
    if (maxsplit >= 0 && out.length === maxsplit) {
      // CPython keeps the remainder verbatim, trailing whitespace included.
      out.push(cps.slice(i).join(""));
      return out;
    }
    const start = i;
    while (i < n && !isPySpace(cps[i]!)) i++;
    out.push(cps.slice(start, i).join(""));
  }
  return out;
}
