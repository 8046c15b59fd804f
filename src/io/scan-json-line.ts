import { hasControlCharacter } from "./parse-json-line.js";

/**
 * A top-level member's value as `scanJsonLine` saw it: a string without escapes (its characters), a number (as
 * JSON.parse converts it), or anything else (an escaped string, an object, an array, true, false, null).
 */
export type ScannedValue = { readonly kind: "string"; readonly value: string } | { readonly kind: "number"; readonly value: number } | { readonly kind: "other" };

/**
 * Checks that `text` is a JSON object `JSON.parse` accepts, without building it, and gives the values of the
 * top-level members named in `keys` (the last of a key given twice, as JSON.parse keeps it; absent: undefined).
 * Undefined when it does not vouch for the line: not JSON, not an object, or what it leaves to the parser (a
 * control character anywhere, whitespace other than spaces included; a top-level key with an escape, which may
 * spell one of `keys`; nesting deep enough to exhaust the stack). A resumed sample needs no more of its line than
 * this: its id and task name its records, and its text's hash says whether they were made from it
 * (operators/parse.ts), so its document is parsed only if something reads it.
 */
export function scanJsonLine(text: string, keys: readonly string[]): (ScannedValue | undefined)[] | undefined {
  if (hasControlCharacter(text)) return undefined;
  src = text;
  at = 0;
  nextBackslash = -1;
  try {
    skipSpace();
    if (src.charCodeAt(at) !== 0x7b) return undefined;
    const found = scanTopObject(keys);
    skipSpace();
    return at === src.length ? found : undefined;
  } catch {
    // Invalid, or too deep for the stack: the parser decides.
    return undefined;
  } finally {
    src = "";
  }
}

/** Thrown inside the scan for a text it does not vouch for. */
const GIVE_UP = new Error("not scanned here");

let src = "";
let at = 0;
/** Where the next backslash at or after `at` is (below `at`: not looked for since; Infinity: none). */
let nextBackslash = -1;

function skipSpace(): void {
  while (src.charCodeAt(at) === 0x20) at++;
}

function scanTopObject(keys: readonly string[]): (ScannedValue | undefined)[] {
  const found = new Array<ScannedValue | undefined>(keys.length).fill(undefined);
  at++; // {
  skipSpace();
  if (src.charCodeAt(at) === 0x7d) {
    at++;
    return found;
  }
  for (;;) {
    if (src.charCodeAt(at) !== 0x22) throw GIVE_UP;
    const start = at + 1;
    if (skipString()) throw GIVE_UP; // an escaped key may spell one of `keys`
    const end = at - 1;
    skipSpace();
    if (src.charCodeAt(at) !== 0x3a) throw GIVE_UP;
    at++;
    skipSpace();
    let k = -1;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      if (key.length === end - start && src.startsWith(key, start)) {
        k = i;
        break;
      }
    }
    if (k < 0) scanValue();
    else found[k] = scanKept();
    skipSpace();
    const c = src.charCodeAt(at++);
    if (c === 0x7d) return found;
    if (c !== 0x2c) throw GIVE_UP;
    skipSpace();
  }
}

/** A value of one of the keys asked for: scanned, and kept when it is a plain string or a number. */
function scanKept(): ScannedValue {
  const c = src.charCodeAt(at);
  const start = at;
  if (c === 0x22) {
    const escaped = skipString();
    if (escaped) return OTHER;
    // Its own characters (as parse-json-line.ts makes them), not a view of the line: an id outlives its line.
    const value = at - 1 - (start + 1) < SLICED_MIN ? src.slice(start + 1, at - 1) : (src.slice(start + 1, at - 1) + " ").slice(0, -1);
    return { kind: "string", value };
  }
  if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
    skipNumber();
    return { kind: "number", value: Number(src.slice(start, at)) };
  }
  scanValue();
  return OTHER;
}

const OTHER: ScannedValue = { kind: "other" };
/** V8 makes a slice this long or longer a view of its parent, not a copy (SlicedString::kMinLength). */
const SLICED_MIN = 13;

function scanValue(): void {
  const c = src.charCodeAt(at);
  if (c === 0x22) skipString();
  else if (c === 0x7b) scanObject();
  else if (c === 0x5b) scanArray();
  else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) skipNumber();
  else if (c === 0x74 && src.startsWith("true", at)) at += 4;
  else if (c === 0x66 && src.startsWith("false", at)) at += 5;
  else if (c === 0x6e && src.startsWith("null", at)) at += 4;
  else throw GIVE_UP;
}

function scanObject(): void {
  at++; // {
  skipSpace();
  if (src.charCodeAt(at) === 0x7d) {
    at++;
    return;
  }
  for (;;) {
    if (src.charCodeAt(at) !== 0x22) throw GIVE_UP;
    skipString();
    skipSpace();
    if (src.charCodeAt(at) !== 0x3a) throw GIVE_UP;
    at++;
    skipSpace();
    scanValue();
    skipSpace();
    const c = src.charCodeAt(at++);
    if (c === 0x7d) return;
    if (c !== 0x2c) throw GIVE_UP;
    skipSpace();
  }
}

function scanArray(): void {
  at++; // [
  skipSpace();
  if (src.charCodeAt(at) === 0x5d) {
    at++;
    return;
  }
  for (;;) {
    scanValue();
    skipSpace();
    const c = src.charCodeAt(at++);
    if (c === 0x5d) return;
    if (c !== 0x2c) throw GIVE_UP;
    skipSpace();
  }
}

/**
 * Skips a string from its opening quote to after its closing one (the text holds no control character, so the
 * closing quote is the first one no backslash escapes, found with indexOf); every escape is checked as JSON
 * defines it. Whether the string had an escape.
 */
function skipString(): boolean {
  at++;
  let escaped = false;
  for (;;) {
    const quote = src.indexOf('"', at);
    if (quote < 0) throw GIVE_UP;
    if (nextBackslash < at) nextBackslash = backslashFrom(at);
    if (quote < nextBackslash) {
      at = quote + 1;
      return escaped;
    }
    escaped = true;
    at = nextBackslash + 1;
    const e = src.charCodeAt(at);
    if (e === 0x75) {
      if (!HEX4.test(src.slice(at + 1, at + 5))) throw GIVE_UP;
      at += 5;
    } else if (e === 0x22 || e === 0x5c || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) at++;
    else throw GIVE_UP;
  }
}

const HEX4 = /^[0-9a-fA-F]{4}$/;

/** The first backslash at or after `from`, Infinity when there is none. */
function backslashFrom(from: number): number {
  const b = src.indexOf("\\", from);
  return b < 0 ? Number.POSITIVE_INFINITY : b;
}

/** A number by JSON's grammar (`-? (0 | [1-9]\d*) (\.\d+)? ([eE][+-]?\d+)?`). */
function skipNumber(): void {
  if (src.charCodeAt(at) === 0x2d) at++;
  const first = src.charCodeAt(at);
  if (first === 0x30) at++;
  else if (first >= 0x31 && first <= 0x39) skipDigits();
  else throw GIVE_UP;
  if (src.charCodeAt(at) === 0x2e) {
    at++;
    if (skipDigits() === 0) throw GIVE_UP;
  }
  const e = src.charCodeAt(at);
  if (e === 0x65 || e === 0x45) {
    at++;
    const sign = src.charCodeAt(at);
    if (sign === 0x2b || sign === 0x2d) at++;
    if (skipDigits() === 0) throw GIVE_UP;
  }
}

/** Skips decimal digits; how many. */
function skipDigits(): number {
  const start = at;
  for (let c = src.charCodeAt(at); c >= 0x30 && c <= 0x39; c = src.charCodeAt(at)) at++;
  return at - start;
}
