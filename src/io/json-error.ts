/**
 * Why a line is not JSON, in one short line that says where. V8's `JSON.parse` messages give a
 * position for some errors (`… in JSON at position 6`) and, for others, a quoted piece of the input
 * instead (`Unexpected token '}', "{"a":}" is not valid JSON`), which can be long and says no
 * column. So the position comes from `jsonErrorPosition`, and the message is cut to its first clause.
 */
export function describeJsonError(text: string, error: unknown): string {
  const position = jsonErrorPosition(text);
  const where = position === undefined ? "" : ` at column ${position + 1}`;
  return `invalid JSON${where}: ${shortMessage(error)}`;
}

/** `JSON.parse`'s message without the echoed input or position, on one line, at most 100 chars. */
export function shortMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const short = message
    .replace(/, (?:\.\.\.)?".*" is not valid JSON$/s, "")
    .replace(/ (?:in JSON )?at position \d+.*$/s, "")
    .replace(/\s+/g, " ")
    .trim();
  return short.length > 100 ? `${short.slice(0, 99)}…` : short;
}

/** Thrown inside the scanner to unwind to `jsonErrorPosition` with the position. */
class At extends Error {
  constructor(readonly pos: number) {
    super(`not JSON at index ${pos}`);
  }
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const BACKSLASH = 0x5c;

/**
 * The 0-based index of the first character at which `text` stops being JSON (RFC 8259, as
 * `JSON.parse` reads it), `text.length` when it ends too early, or `undefined` when it is valid.
 * Iterative, so deep nesting cannot overflow the stack. Used only on lines `JSON.parse` refused.
 */
export function jsonErrorPosition(text: string): number | undefined {
  try {
    scan(text);
    return undefined;
  } catch (e) {
    if (e instanceof At) return e.pos;
    throw e;
  }
}

function scan(s: string): void {
  const closers: number[] = [];
  let i = ws(s, 0);
  for (;;) {
    // A value starts at i.
    const c = s.charCodeAt(i);
    if (c === LBRACE || c === LBRACKET) {
      const close = c === LBRACE ? RBRACE : RBRACKET;
      i = ws(s, i + 1);
      if (s.charCodeAt(i) === close) {
        i++;
      } else {
        closers.push(close);
        if (close === RBRACE) i = member(s, i);
        continue;
      }
    } else {
      i = scalar(s, i);
    }
    // After a value: a separator, a closer, or the end.
    for (;;) {
      i = ws(s, i);
      const top = closers.at(-1);
      if (top === undefined) {
        if (i < s.length) throw new At(i);
        return;
      }
      const d = s.charCodeAt(i);
      if (d === top) {
        closers.pop();
        i++;
        continue;
      }
      if (d !== COMMA) throw new At(i);
      i = ws(s, i + 1);
      if (top === RBRACE) i = member(s, i);
      break;
    }
  }
}

/** A `"key":` at i; returns where its value starts. */
function member(s: string, i: number): number {
  if (s.charCodeAt(i) !== QUOTE) throw new At(i);
  i = ws(s, string(s, i));
  if (s.charCodeAt(i) !== COLON) throw new At(i);
  return ws(s, i + 1);
}

function ws(s: string, i: number): number {
  for (;;) {
    const c = s.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return i;
    i++;
  }
}

function scalar(s: string, i: number): number {
  const c = s.charAt(i);
  if (c === '"') return string(s, i);
  if (c === "t") return literal(s, i, "true");
  if (c === "f") return literal(s, i, "false");
  if (c === "n") return literal(s, i, "null");
  if (c === "-" || isDigit(s, i)) return number(s, i);
  throw new At(i);
}

function literal(s: string, i: number, word: string): number {
  for (let k = 0; k < word.length; k++) if (s.charAt(i + k) !== word.charAt(k)) throw new At(i + k);
  return i + word.length;
}

function string(s: string, i: number): number {
  let j = i + 1;
  for (;;) {
    if (j >= s.length) throw new At(s.length);
    const c = s.charCodeAt(j);
    if (c === QUOTE) return j + 1;
    if (c < 0x20) throw new At(j);
    if (c !== BACKSLASH) {
      j++;
      continue;
    }
    const e = s.charAt(j + 1);
    if ('"\\/bfnrt'.includes(e) && e !== "") {
      j += 2;
    } else if (e === "u") {
      for (let k = 2; k < 6; k++) if (!/[0-9a-fA-F]/.test(s.charAt(j + k))) throw new At(j + k);
      j += 6;
    } else {
      throw new At(j + 1);
    }
  }
}

function number(s: string, i: number): number {
  let j = i;
  if (s.charAt(j) === "-") j++;
  if (s.charAt(j) === "0") j++;
  else if (isDigit(s, j)) j = digits(s, j);
  else throw new At(j);
  if (s.charAt(j) === ".") {
    if (!isDigit(s, j + 1)) throw new At(j + 1);
    j = digits(s, j + 1);
  }
  if (s.charAt(j) === "e" || s.charAt(j) === "E") {
    j++;
    if (s.charAt(j) === "+" || s.charAt(j) === "-") j++;
    if (!isDigit(s, j)) throw new At(j);
    j = digits(s, j);
  }
  return j;
}

function digits(s: string, i: number): number {
  while (isDigit(s, i)) i++;
  return i;
}

function isDigit(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c >= 0x30 && c <= 0x39;
}
