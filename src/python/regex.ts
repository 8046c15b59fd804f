/**
 * Python `re` pattern syntax → an equivalent JavaScript RegExp.
 *
 * Task files come from lm-evaluation-harness, whose regexes are Python's. The two dialects agree on
 * most syntax but differ in meaning in places that change scores, so every construct is rewritten
 * to what Python means:
 *
 * - Inline global flags at the start, `(?s)`, `(?i)`, `(?m)`, `(?x)`, `(?a)`, become behaviour or JS flags;
 *   scoped flags `(?s:…)`, `(?m:…)`, `(?x:…)`, `(?a:…)` are honoured too (scoped `i` is not: JS on Node 20
 *   lacks modifiers).
 * - `.` excludes only `\n` (JS also excludes `\r`, U+2028, U+2029); `^`/`$` are spelled out: Python's `$`
 *   also matches before a final `\n`, and `(?m)` lines end only at `\n`.
 * - `\A`, `\Z` (and `\z`) → start / end of input; `\d`, `\w`, `\s`, `\b` are Unicode-aware as in Python 3
 *   (JS's are ASCII); under `(?a)` they are ASCII.
 * - `(?P<name>…)` → `(?<name>…)`, `(?P=name)` → `\k<name>`, `(?#…)` comments dropped.
 * - Python's lenient literals (`{` that is no quantifier, lone `]`/`}`, `\,` or `\-` identity escapes,
 *   `]` first in a class, `{,n}`) are escaped or rewritten for JS's strict `v` mode.
 *
 * Constructs with no JS equivalent (atomic groups, possessive quantifiers, conditionals, `\N{…}`,
 * scoped `i`) throw a SyntaxError, as do patterns Python itself rejects (bad escapes, bad ranges,
 * invalid group references), with Python's wording and position.
 *
 * The result never adds capturing groups, so group numbers and names are Python's.
 */

import { boundary, literal, shorthand } from "./regex-sets.js";

/** A translated pattern: `new RegExp(source, flags)` behaves like Python's `re.compile(pattern)`. */
export interface TranslatedRegex {
  readonly source: string;
  /** Always contains `v` (Unicode sets mode); `i` when the pattern asks for it. */
  readonly flags: string;
  /** Number of capturing groups, as Python's `Pattern.groups`. */
  readonly groups: number;
}

interface Flags {
  i: boolean;
  s: boolean;
  m: boolean;
  a: boolean;
  x: boolean;
}

const OCT = /[0-7]/;
const HEX_LENGTH: Record<string, number> = { x: 2, u: 4, U: 8 };
const CONTROL: Record<string, number> = { a: 7, f: 12, n: 10, r: 13, t: 9, v: 11 };

/** Translates a Python regular expression; throws a SyntaxError where Python (or JS) cannot compile it. */
export function translatePythonRegex(pattern: string): TranslatedRegex {
  return new Translator(pattern).run();
}

/** Compiles a Python regular expression to a JS RegExp; `extraFlags` adds e.g. `g` or `y`. */
export function compilePythonRegex(pattern: string, extraFlags = ""): RegExp {
  const t = translatePythonRegex(pattern);
  try {
    return new RegExp(t.source, t.flags + extraFlags);
  } catch (e) {
    throw new SyntaxError(`${(e as Error).message.replace(/^Invalid regular expression: /, "")} (Python pattern ${JSON.stringify(pattern)})`, { cause: e });
  }
}

class Translator {
  private pos = 0;
  private readonly out: string[] = [];
  private flags: Flags = { i: false, s: false, m: false, a: false, x: false };
  private readonly stack: { flags: Flags; group: number | null; start: number }[] = [];
  private groups = 0;
  private readonly closed = new Set<number>();
  private readonly names = new Map<string, number>();

  constructor(private readonly p: string) {}

  run(): TranslatedRegex {
    this.globalFlags();
    const globalI = this.flags.i;
    while (this.pos < this.p.length) this.step();
    // Python reports the innermost unclosed group's opening parenthesis.
    const open = this.stack.at(-1);
    if (open) this.fail("missing ), unterminated subpattern", open.start);
    return { source: this.out.join(""), flags: globalI ? "iv" : "v", groups: this.groups };
  }

  private fail(msg: string, at = this.pos): never {
    throw new SyntaxError(`${msg} at position ${at} (Python pattern ${JSON.stringify(this.p)})`);
  }

  /** Leading `(?flags)` groups apply to the whole pattern; Python 3.11 rejects them anywhere else. */
  private globalFlags(): void {
    for (;;) {
      const m = /^\(\?([aiLmsux]+)\)/.exec(this.p.slice(this.pos));
      if (!m) return;
      for (const f of m[1]!) this.setFlag(this.flags, f, true);
      this.pos += m[0].length;
    }
  }

  private setFlag(flags: Flags, f: string, on: boolean): void {
    if (f === "L") this.fail("bad inline flag: cannot use 'L' flag with a str pattern");
    if (f === "u") return; // Unicode is the default for str patterns
    flags[f as keyof Flags] = on;
  }

  private step(): void {
    const c = this.p[this.pos]!;
    if (this.flags.x && this.skipVerbose()) return;
    switch (c) {
      case "\\":
        this.out.push(this.escape(false).text);
        return;
      case "[":
        this.out.push(this.charClass());
        return;
      case "(":
        return this.openGroup();
      case ")":
        return this.closeGroup();
      case ".":
        this.pos++;
        this.out.push(this.flags.s ? "[\\s\\S]" : "[^\\n]");
        return;
      case "^":
        this.pos++;
        this.out.push(this.flags.m ? "(?<=^|\\n)" : "^");
        return;
      case "$":
        this.pos++;
        this.out.push(this.flags.m ? "(?=\\n|$)" : "(?=\\n?$)");
        return;
      case "|":
        this.pos++;
        this.out.push("|");
        return;
      case "*":
      case "+":
      case "?":
        this.pos++;
        this.out.push(c);
        return this.lazyOrPossessive();
      case "{":
        if (this.braceQuantifier()) return this.lazyOrPossessive();
        this.pos++;
        this.out.push("\\{");
        return;
      default: {
        const cp = this.p.codePointAt(this.pos)!;
        const ch = String.fromCodePoint(cp);
        this.pos += ch.length;
        this.out.push(literal(cp, false));
        return;
      }
    }
  }

  /** In verbose mode, whitespace and `#` comments outside classes are not part of the pattern. */
  private skipVerbose(): boolean {
    const c = this.p[this.pos]!;
    if (" \t\n\r\v\f".includes(c)) {
      this.pos++;
      return true;
    }
    if (c === "#") {
      const nl = this.p.indexOf("\n", this.pos);
      this.pos = nl < 0 ? this.p.length : nl + 1;
      return true;
    }
    return false;
  }

  private lazyOrPossessive(): void {
    const next = this.p[this.pos];
    if (next === "?") {
      this.pos++;
      this.out.push("?");
    } else if (next === "+") {
      this.fail("possessive quantifiers are not supported");
    } else if (next === "*" || next === "{" && this.isBraceQuantifier()) {
      this.fail("multiple repeat");
    }
  }

  private isBraceQuantifier(): boolean {
    const m = /^\{(\d*)(,(\d*))?\}/.exec(this.p.slice(this.pos));
    return !!m && (m[1] !== "" || m[2] !== undefined);
  }

  /** `{m}`, `{m,}`, `{,n}`, `{m,n}`, `{,}` are quantifiers; any other `{` is a literal in Python. */
  private braceQuantifier(): boolean {
    const m = /^\{(\d*)(,(\d*))?\}/.exec(this.p.slice(this.pos));
    if (!m || (m[1] === "" && m[2] === undefined)) return false;
    const lo = m[1] === "" ? "0" : m[1]!;
    const hi = m[2] === undefined ? lo : m[3]!;
    if (hi !== "" && Number(hi) < Number(lo)) this.fail("min repeat greater than max repeat", this.pos + 1);
    this.pos += m[0].length;
    this.out.push(m[2] === undefined ? `{${lo}}` : `{${lo},${hi}}`);
    return true;
  }

  private openGroup(): void {
    const start = this.pos;
    const rest = this.p.slice(this.pos);
    const saved = { ...this.flags };
    let m: RegExpExecArray | null;
    if (!rest.startsWith("(?")) {
      this.pos++;
      this.groups++;
      this.stack.push({ flags: saved, group: this.groups, start });
      this.out.push("(");
    } else if ((m = /^\(\?P<([^>]*)>/.exec(rest))) {
      const name = m[1]!;
      if (!/^[\p{L}_][\p{L}\p{N}_]*$/u.test(name)) this.fail(`bad character in group name '${name}'`, start + 4);
      if (this.names.has(name)) this.fail(`redefinition of group name '${name}' as group ${this.groups + 1}; was group ${this.names.get(name)}`, start + 4);
      this.pos += m[0].length;
      this.groups++;
      this.names.set(name, this.groups);
      this.stack.push({ flags: saved, group: this.groups, start });
      this.out.push(`(?<${name}>`);
    } else if ((m = /^\(\?P=([^)]*)\)/.exec(rest))) {
      const g = this.names.get(m[1]!);
      if (g === undefined) this.fail(`unknown group name '${m[1]}'`, start + 4);
      if (!this.closed.has(g)) this.fail("cannot refer to an open group", start);
      this.pos += m[0].length;
      this.out.push(`\\k<${m[1]}>`);
    } else if (rest.startsWith("(?#")) {
      const end = this.p.indexOf(")", this.pos);
      if (end < 0) this.fail("missing ), unterminated comment", this.p.length);
      this.pos = end + 1;
    } else if ((m = /^\(\?(?::|=|!|<=|<!)/.exec(rest))) {
      this.pos += m[0].length;
      this.stack.push({ flags: saved, group: null, start });
      this.out.push(m[0]);
    } else if ((m = /^\(\?([aiLmsux]*)(?:-([imsx]+))?:/.exec(rest))) {
      const flags = { ...this.flags };
      for (const f of m[1]!) this.setFlag(flags, f, true);
      for (const f of m[2] ?? "") this.setFlag(flags, f, false);
      if (flags.i !== this.flags.i) this.fail("scoped case-insensitivity (?i:...) / (?-i:...) is not supported", start);
      this.pos += m[0].length;
      this.stack.push({ flags: saved, group: null, start });
      this.flags = flags;
      this.out.push("(?:");
    } else if (/^\(\?[aiLmsux]+\)/.test(rest)) {
      this.fail("global flags not at the start of the expression", start);
    } else if (rest.startsWith("(?>")) {
      this.fail("atomic groups (?>...) are not supported", start);
    } else if (rest.startsWith("(?(")) {
      this.fail("conditional groups (?(...)...) are not supported", start);
    } else {
      this.fail(`unknown extension ${rest.slice(1, 4)}`, start + 1);
    }
  }

  private closeGroup(): void {
    const top = this.stack.pop();
    if (!top) this.fail("unbalanced parenthesis");
    if (top.group !== null) this.closed.add(top.group);
    this.flags = top.flags;
    this.pos++;
    this.out.push(")");
  }

  /** One escape at `pos` (a backslash). Inside a class, only characters and class shorthands are legal. */
  private escape(inClass: boolean): { text: string; cp?: number } {
    const start = this.pos;
    const e = this.p[this.pos + 1];
    if (e === undefined) this.fail("bad escape (end of pattern)", start);
    this.pos += 2;
    const lower = e.toLowerCase();
    if (lower === "d" || lower === "w" || lower === "s") return { text: shorthand(lower, e !== lower, this.flags.a, inClass) };
    if (e in CONTROL) return this.char(CONTROL[e]!, inClass);
    if (e in HEX_LENGTH) return this.char(this.hexEscape(e, start), inClass);
    if (e === "b") return inClass ? this.char(8, true) : { text: boundary(false, this.flags.a) };
    if (!inClass) {
      if (e === "B") return { text: boundary(true, this.flags.a) };
      if (e === "A") return { text: "^" };
      if (e === "Z" || e === "z") return { text: "$" };
    }
    if (/[0-9]/.test(e)) return this.digitEscape(e, start, inClass);
    if (e === "N") this.fail("\\N{...} named characters are not supported", start);
    if (/[A-Za-z]/.test(e)) this.fail(`bad escape \\${e}`, start);
    // Any other escaped character stands for itself (`\,`, `\-`, `\#`, `\é` …).
    this.pos = start + 1;
    const cp = this.p.codePointAt(this.pos)!;
    this.pos += String.fromCodePoint(cp).length;
    return this.char(cp, inClass);
  }

  private char(cp: number, inClass: boolean): { text: string; cp: number } {
    return { text: literal(cp, inClass), cp };
  }

  private hexEscape(kind: string, start: number): number {
    const n = HEX_LENGTH[kind]!;
    const digits = this.p.slice(this.pos, this.pos + n);
    if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(digits)) this.fail(`incomplete escape \\${kind}${digits}`, start);
    const cp = parseInt(digits, 16);
    if (cp > 0x10ffff) this.fail(`bad escape \\${kind}${digits}`, start);
    this.pos += n;
    return cp;
  }

  /** `\0`, `\012` are octal characters; `\1`…`\99` are group references (outside classes). */
  private digitEscape(first: string, start: number, inClass: boolean): { text: string; cp?: number } {
    if (inClass || first === "0") {
      if (!OCT.test(first)) this.fail(`bad escape \\${first}`, start);
      let digits = first;
      while (digits.length < 3 && OCT.test(this.p[this.pos] ?? "")) digits += this.p[this.pos++];
      return this.octal(digits, start, inClass);
    }
    let digits = first;
    if (/[0-9]/.test(this.p[this.pos] ?? "")) {
      digits += this.p[this.pos++];
      if (OCT.test(digits[0]!) && OCT.test(digits[1]!) && OCT.test(this.p[this.pos] ?? "")) {
        return this.octal(digits + this.p[this.pos++], start, false);
      }
    }
    const group = Number(digits);
    if (group > this.groups) this.fail(`invalid group reference ${group}`, start + 1);
    if (!this.closed.has(group)) this.fail("cannot refer to an open group", start);
    // Wrapped so a following literal digit is not read as part of the reference.
    return { text: `(?:\\${group})` };
  }

  private octal(digits: string, start: number, inClass: boolean): { text: string; cp: number } {
    const cp = parseInt(digits, 8);
    if (cp > 0o377) this.fail(`octal escape value \\${digits} outside of range 0-0o377`, start);
    return this.char(cp, inClass);
  }

  /** A `[...]` set. Python reads `]` first as a literal and `-` as a range only between two characters. */
  private charClass(): string {
    const start = this.pos;
    this.pos++;
    let negate = false;
    if (this.p[this.pos] === "^") {
      negate = true;
      this.pos++;
    }
    const items: string[] = [];
    for (let first = true; ; first = false) {
      if (this.pos >= this.p.length) this.fail("unterminated character set", start);
      if (this.p[this.pos] === "]" && !first) {
        this.pos++;
        break;
      }
      const a = this.classAtom();
      if (this.p[this.pos] === "-" && this.pos + 1 < this.p.length && this.p[this.pos + 1] !== "]") {
        this.pos++;
        const b = this.classAtom();
        if (a.cp === undefined || b.cp === undefined || b.cp < a.cp) this.fail("bad character range", start + 1);
        items.push(`${a.text}-${b.text}`);
      } else {
        items.push(a.text);
      }
    }
    return `[${negate ? "^" : ""}${items.join("")}]`;
  }

  private classAtom(): { text: string; cp?: number } {
    if (this.p[this.pos] === "\\") return this.escape(true);
    const cp = this.p.codePointAt(this.pos)!;
    this.pos += String.fromCodePoint(cp).length;
    return this.char(cp, true);
  }
}
