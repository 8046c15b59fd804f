import type { ScannedValue } from "./scan-json-line.js";

/** Reads the values of `keys` from the members a line starts with (`leadingMembers`). */
export type PrefixScan = (text: string) => (ScannedValue | undefined)[] | undefined;

/**
 * A reader of the top-level members named in `keys` from the start of a line, for a line that leads with them
 * (`{"id":"q1","question":…}`), that reads nothing else of it: it does not check that the line is JSON. Of a line
 * that is a JSON object, what it gives is what JSON.parse makes of it (each key's last top-level value: a string
 * written without escapes, a number; absent: undefined). Undefined where it cannot tell cheaply: the line does not
 * start with `{` and the members named, in any order, each a plain string or a number, with spaces only between
 * them; or after them a colon follows (after whitespace) a quoted text that is a key asked for, or that holds a
 * backslash (a key spelled with escapes), its quote not escaped: anywhere in the rest of the line (a nested key or
 * a string's text too).
 *
 * That is what makes it exact for a JSON object: a later top-level member named `key` is written `"key"` or with
 * escapes, followed by a colon, and its spelling holds no quote character (`key` holds no `"`, and `\u0022` has
 * none), so the last quote before its closing one opens it. So `keys` must be ASCII characters from space to `~`
 * other than `"`, `\` and `/`; undefined (no reader) for keys of other characters.
 *
 * A line it reads need not be JSON at all: the caller checks that before trusting more than which sample the line
 * names (operators/parse.ts, a line found done in a resumed run, whose records prove it was checked when made).
 */
export function leadingMembers(keys: readonly string[]): PrefixScan | undefined {
  if (!keys.every((key) => key.length > 0 && SAFE_KEY.test(key))) return undefined;
  const quoted = keys.map((key) => `"${key}"`);
  // Native searches (indexOf, startsWith) over per-character loops: this runs on every line of a resumed run.
  return (text) => {
    if (text.charCodeAt(0) !== 0x7b) return undefined;
    const found = new Array<ScannedValue | undefined>(keys.length).fill(undefined);
    let at = 1;
    for (;;) {
      while (text.charCodeAt(at) === 0x20) at++;
      let k = 0;
      while (k < keys.length && !text.startsWith(quoted[k] as string, at)) k++;
      // The first member not asked for ends the members read (its key may hold an escape: the rest is searched).
      if (k === keys.length) break;
      at += (quoted[k] as string).length;
      while (text.charCodeAt(at) === 0x20) at++;
      if (text.charCodeAt(at) !== 0x3a) return undefined;
      at++;
      while (text.charCodeAt(at) === 0x20) at++;
      const c = text.charCodeAt(at);
      if (c === 0x22) {
        const close = text.indexOf('"', at + 1);
        if (close < 0 || text.lastIndexOf("\\", close) > at) return undefined;
        // Its own characters, not a view of the line: an id outlives its line (as scan-json-line.ts makes them).
        const value = close - at - 1 < SLICED_MIN ? text.slice(at + 1, close) : (text.slice(at + 1, close) + " ").slice(0, -1);
        found[k] = { kind: "string", value };
        at = close + 1;
      } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
        const start = at;
        at = numberEnd(text, at);
        if (at < 0) return undefined;
        found[k] = { kind: "number", value: Number(text.slice(start, at)) };
      } else return undefined;
      while (text.charCodeAt(at) === 0x20) at++;
      const next = text.charCodeAt(at);
      if (next === 0x7d) break;
      if (next !== 0x2c) return undefined;
      at++;
    }
    // No key asked for comes after them: no member's key after them is one, or may be one spelled with escapes.
    // A member's key is `"…"` followed, after whitespace, by a colon; every colon is visited (nested keys and
    // strings' text too: a doubt only costs the full parse).
    for (let colon = text.indexOf(":", at); colon >= 0; colon = text.indexOf(":", colon + 1)) {
      let close = colon - 1;
      let c = text.charCodeAt(close);
      while (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) c = text.charCodeAt(--close);
      // A quote after a backslash is a string's escaped quote, or closes a key ending in an escaped backslash: no key asked for.
      if (c !== 0x22 || text.charCodeAt(close - 1) === 0x5c) continue;
      // A key asked for holds no `"`, so written in any spelling it holds no quote character (`\u0022` has none):
      // its opening quote is the last one before.
      const open = text.lastIndexOf('"', close - 1);
      if (open < at) continue;
      // Spelled with an escape: it may be one asked for.
      for (let i = open + 1; i < close; i++) if (text.charCodeAt(i) === 0x5c) return undefined;
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i] as string;
        if (close - open - 1 === key.length && text.startsWith(key, open + 1)) return undefined;
      }
    }
    return found;
  };
}

/** Keys `leadingMembers` reads exactly: printable ASCII no escape but `\u` spells, without `"` `\` `/`. */
const SAFE_KEY = /^[\x20-\x21\x23-\x2e\x30-\x5b\x5d-\x7e]+$/;
/** V8 makes a slice this long or longer a view of its parent, not a copy (SlicedString::kMinLength). */
const SLICED_MIN = 13;

/** Where a JSON number starting at `at` ends (`-? (0 | [1-9]\d*) (\.\d+)? ([eE][+-]?\d+)?`), -1 if it is not one. */
function numberEnd(text: string, at: number): number {
  if (text.charCodeAt(at) === 0x2d) at++;
  const first = text.charCodeAt(at);
  if (first === 0x30) at++;
  else if (first >= 0x31 && first <= 0x39) at = digitsEnd(text, at);
  else return -1;
  if (text.charCodeAt(at) === 0x2e) {
    const from = at + 1;
    at = digitsEnd(text, from);
    if (at === from) return -1;
  }
  const e = text.charCodeAt(at);
  if (e === 0x65 || e === 0x45) {
    at++;
    const sign = text.charCodeAt(at);
    if (sign === 0x2b || sign === 0x2d) at++;
    const from = at;
    at = digitsEnd(text, from);
    if (at === from) return -1;
  }
  return at;
}

function digitsEnd(text: string, at: number): number {
  for (let c = text.charCodeAt(at); c >= 0x30 && c <= 0x39; c = text.charCodeAt(at)) at++;
  return at;
}
