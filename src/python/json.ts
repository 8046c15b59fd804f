import type { PyDict, PyValue } from "./value.js";

const MAX_DEPTH = 512;
const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
const WHITESPACE = /[ \t\n\r]*/y;

/**
 * Parses JSON text the way Python's `json.loads` does, keeping what `JSON.parse` loses: `5` is an
 * int (`bigint`) and `5.0` or `5e0` a float (`number`); objects become Maps (a repeated key keeps
 * its first position and its last value); `NaN`, `Infinity` and `-Infinity` are accepted.
 * Throws a SyntaxError naming the offset for anything else.
 */
export function parsePyJson(text: string): PyValue {
  const p = new Parser(text);
  const value = p.value(0);
  p.skip();
  if (p.at < text.length) p.fail("extra data");
  return value;
}

class Parser {
  at = 0;
  constructor(readonly text: string) {}

  fail(what: string): never {
    throw new SyntaxError(`${what} at offset ${this.at}`);
  }

  skip(): void {
    WHITESPACE.lastIndex = this.at;
    WHITESPACE.test(this.text);
    this.at = WHITESPACE.lastIndex;
  }

  value(depth: number): PyValue {
    if (depth > MAX_DEPTH) this.fail("nested too deeply");
    this.skip();
    const c = this.text[this.at];
    if (c === "{") return this.object(depth);
    if (c === "[") return this.array(depth);
    if (c === '"') return this.string();
    for (const [word, v] of WORDS) {
      if (this.text.startsWith(word, this.at)) {
        this.at += word.length;
        return v;
      }
    }
    return this.number();
  }

  number(): PyValue {
    NUMBER.lastIndex = this.at;
    const m = NUMBER.exec(this.text);
    if (!m) this.fail("expected a value");
    this.at = NUMBER.lastIndex;
    return m[1] === undefined && m[2] === undefined ? BigInt(m[0]) : Number(m[0]);
  }

  string(): string {
    const start = this.at;
    let i = start + 1;
    for (;;) {
      const c = this.text[i];
      if (c === undefined) this.fail("unterminated string");
      if (c === "\\") i += 2;
      else if (c === '"') break;
      else i++;
    }
    this.at = i + 1;
    try {
      return JSON.parse(this.text.slice(start, i + 1)) as string;
    } catch {
      this.at = start;
      return this.fail("invalid string");
    }
  }

  array(depth: number): PyValue[] {
    this.at++;
    const out: PyValue[] = [];
    this.skip();
    if (this.text[this.at] === "]") {
      this.at++;
      return out;
    }
    for (;;) {
      out.push(this.value(depth + 1));
      this.skip();
      const c = this.text[this.at++];
      if (c === "]") return out;
      if (c !== ",") this.fail("expected ',' or ']'");
    }
  }

  object(depth: number): PyDict {
    this.at++;
    const out: PyDict = new Map();
    this.skip();
    if (this.text[this.at] === "}") {
      this.at++;
      return out;
    }
    for (;;) {
      this.skip();
      if (this.text[this.at] !== '"') this.fail("expected a property name in double quotes");
      const key = this.string();
      this.skip();
      if (this.text[this.at++] !== ":") this.fail("expected ':'");
      out.set(key, this.value(depth + 1));
      this.skip();
      const c = this.text[this.at++];
      if (c === "}") return out;
      if (c !== ",") this.fail("expected ',' or '}'");
    }
  }
}

const WORDS: readonly (readonly [string, PyValue])[] = [
  ["null", null],
  ["true", true],
  ["false", false],
  ["NaN", Number.NaN],
  ["Infinity", Number.POSITIVE_INFINITY],
  ["-Infinity", Number.NEGATIVE_INFINITY],
];
