/**
 * `JSON.parse` for input lines, without V8 interning their short strings.
 *
 * V8's JSON.parse (Node 20, V8 11.3) interns every string value of at most 10 characters: it is looked
 * up in the isolate's string table and, when new, added there and allocated in the old generation.
 * An input's short values are mostly unique (ids such as `s123456`, numeric answers), so each line
 * added one or two entries that only a full collection removes: over a million GSM8K-like lines the
 * string table (native memory, grown by doubling) and the old generation between full collections held
 * about 30 MB more at the peak (docs/benchmarks.md, "`evaluate()` over a million lines").
 *
 * This parser makes the same value as `JSON.parse` for every valid JSON text, with short strings
 * made as ordinary (young, collectable) strings. It covers the grammar only: anything it does not
 * accept — invalid JSON, a `__proto__` key (which JSON.parse makes an own property), nesting too deep
 * for the stack — is handed to `JSON.parse`, so errors (and their messages) are JSON.parse's own.
 */
export function parseJsonLine(text: string): unknown {
  src = text;
  at = 0;
  nextBackslash = -1;
  controls = hasControlCharacter(text);
  try {
    const value = parseValue();
    skipSpace();
    if (at === src.length) return value;
  } catch {
    // Not taken by the fast path (a stack overflow included): JSON.parse decides, and throws its own error.
  } finally {
    src = "";
  }
  return JSON.parse(text);
}

/** Thrown inside the parser for what it hands to JSON.parse. */
const GIVE_UP = new Error("not parsed here");

let src = "";
let at = 0;
/** Where the next backslash at or after `at` is (below `at`: not looked for since; Infinity: none). */
let nextBackslash = -1;
/** Whether the text holds a control character anywhere (then strings are read a character at a time, to refuse them). */
let controls = false;
// eslint-disable-next-line no-control-regex -- the characters a JSON string may not hold (and whitespace other than spaces)
const NO_CONTROL = /^[^\u0000-\u001f]*$/;

/**
 * Whether `text` holds a character below U+0020 anywhere: one a JSON string may not hold. A test that the whole
 * text is free of them takes about half the time of a search for one (/[\u0000-\u001f]/).
 */
export const hasControlCharacter = (text: string): boolean => !NO_CONTROL.test(text);

function skipSpace(): void {
  for (;;) {
    const c = src.charCodeAt(at);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) at++;
    else return;
  }
}

function parseValue(): unknown {
  skipSpace();
  const c = src.charCodeAt(at);
  if (c === 0x22) return parseString();
  if (c === 0x7b) return parseObject();
  if (c === 0x5b) return parseArray();
  if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return parseNumber();
  if (c === 0x74 && src.startsWith("true", at)) {
    at += 4;
    return true;
  }
  if (c === 0x66 && src.startsWith("false", at)) {
    at += 5;
    return false;
  }
  if (c === 0x6e && src.startsWith("null", at)) {
    at += 4;
    return null;
  }
  throw GIVE_UP;
}

function parseObject(): Record<string, unknown> {
  at++; // {
  const object: Record<string, unknown> = {};
  skipSpace();
  if (src.charCodeAt(at) === 0x7d) {
    at++;
    return object;
  }
  for (;;) {
    if (src.charCodeAt(at) !== 0x22) throw GIVE_UP;
    const key = parseKey();
    if (key === "__proto__") throw GIVE_UP;
    skipSpace();
    if (src.charCodeAt(at) !== 0x3a) throw GIVE_UP;
    at++;
    object[key] = parseValue();
    skipSpace();
    const c = src.charCodeAt(at++);
    if (c === 0x7d) return object;
    if (c !== 0x2c) throw GIVE_UP;
    skipSpace();
  }
}

function parseArray(): unknown[] {
  at++; // [
  const array: unknown[] = [];
  skipSpace();
  if (src.charCodeAt(at) === 0x5d) {
    at++;
    return array;
  }
  for (;;) {
    array.push(parseValue());
    skipSpace();
    const c = src.charCodeAt(at++);
    if (c === 0x5d) return array;
    if (c !== 0x2c) throw GIVE_UP;
  }
}

/**
 * A string from its opening quote, as a string of its own, never a view of the line: a value kept after its
 * sample (an id, a category) holds on to its own characters only, as JSON.parse's do. A string with escapes
 * longer than 10 characters in the source is decoded by JSON.parse of its token (a value that long is not
 * interned).
 */
function parseString(): string {
  const start = ++at;
  let escaped = false;
  // Without control characters in the text, the string ends at the first quote that no backslash escapes:
  // found with indexOf (the quotes, and the backslashes before each), not a character at a time.
  if (!controls) {
    for (;;) {
      const quote = src.indexOf('"', at);
      if (quote < 0) throw GIVE_UP;
      if (nextBackslash < at) nextBackslash = backslashFrom(at);
      if (quote < nextBackslash) {
        at = quote;
        break;
      }
      escaped = true;
      at = nextBackslash + 2;
    }
  }
  for (;;) {
    const c = src.charCodeAt(at);
    if (c === 0x22) break;
    if (c === 0x5c) {
      escaped = true;
      at += 2;
      continue;
    }
    // A control character (or the end of the text: NaN) is not allowed in a JSON string.
    if (!(c >= 0x20)) throw GIVE_UP;
    at++;
  }
  const end = at++;
  if (escaped) return end - start > INTERNED_MAX ? (JSON.parse(src.slice(start - 1, end + 1)) as string) : unescape(start, end);
  if (end - start < SLICED_MIN) return src.slice(start, end);
  // Flattening the concatenation copies the characters; the slice of the copy holds on to the copy only.
  return (src.slice(start, end) + " ").slice(0, -1);
}

/** The first backslash at or after `from`, Infinity when there is none. */
function backslashFrom(from: number): number {
  const b = src.indexOf("\\", from);
  return b < 0 ? Number.POSITIVE_INFINITY : b;
}

/**
 * Keys seen lately, by length and first character: a key that lines repeat (`id`, `question` …) is then the
 * same string each time, which V8 has interned as a property name already, rather than a new one to look up.
 */
const keyCache: (string | undefined)[] = new Array<string | undefined>(64).fill(undefined);

/** A key from its opening quote: `parseString`, through `keyCache` when it holds no escape. */
function parseKey(): string {
  const start = at + 1;
  const quote = controls ? -1 : src.indexOf('"', start);
  if (quote < 0) return parseString();
  if (nextBackslash < start) nextBackslash = backslashFrom(start);
  if (nextBackslash < quote) return parseString();
  const length = quote - start;
  const slot = (length * 31 + src.charCodeAt(start)) & 63;
  const cached = keyCache[slot];
  if (cached !== undefined && cached.length === length && src.startsWith(cached, start)) {
    at = quote + 1;
    return cached;
  }
  const key = parseString();
  keyCache[slot] = key;
  return key;
}

/** V8 (Node 20) interns a JSON string value of at most this many characters in the source. */
const INTERNED_MAX = 10;
/** V8 makes a slice this long or longer a view of its parent, not a copy (SlicedString::kMinLength). */
const SLICED_MIN = 13;

/** The characters of a short string's source from `start` to `end` (its closing quote), escapes decoded. */
function unescape(start: number, end: number): string {
  let out = "";
  let run = start;
  for (let i = start; i < end; ) {
    if (src.charCodeAt(i) !== 0x5c) {
      i++;
      continue;
    }
    out += src.slice(run, i);
    const e = src.charCodeAt(i + 1);
    i += 2;
    if (e === 0x22) out += '"';
    else if (e === 0x5c) out += "\\";
    else if (e === 0x2f) out += "/";
    else if (e === 0x62) out += "\b";
    else if (e === 0x66) out += "\f";
    else if (e === 0x6e) out += "\n";
    else if (e === 0x72) out += "\r";
    else if (e === 0x74) out += "\t";
    else if (e === 0x75) {
      const hex = src.slice(i, i + 4);
      if (i + 4 > end || !/^[0-9a-fA-F]{4}$/.test(hex)) throw GIVE_UP;
      out += String.fromCharCode(Number.parseInt(hex, 16));
      i += 4;
    } else throw GIVE_UP;
    run = i;
  }
  return out + src.slice(run, end);
}

/** A number by JSON's grammar (`-? (0 | [1-9]\d*) (\.\d+)? ([eE][+-]?\d+)?`), converted as JSON.parse converts it. */
function parseNumber(): number {
  const start = at;
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
  return Number(src.slice(start, at));
}

/** Skips decimal digits; how many. */
function skipDigits(): number {
  const start = at;
  for (let c = src.charCodeAt(at); c >= 0x30 && c <= 0x39; c = src.charCodeAt(at)) at++;
  return at - start;
}
