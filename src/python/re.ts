import { z } from "../zod.js";
import { compilePythonRegex, translatePythonRegex } from "./regex.js";

/**
 * Python's `re.findall`, `re.finditer`, `re.sub` and `re.search` over a translated pattern.
 *
 * Besides the syntax (regex.ts), Python differs from JS in how it walks a string: after an
 * empty match at position p, CPython 3.7+ still accepts a non-empty match starting at p, while a JS
 * global regex skips to p + 1 (`re.findall(r"\b|:+", "a::bc")` finds `"::"`, JS finds `":"`). This
 * module walks the string the CPython way, so filters and metrics see the same matches as lm-eval.
 */

/** A compiled Python pattern. Immutable; safe to share between samples. */
export interface PyPattern {
  readonly pattern: string;
  /** Number of capturing groups (Python's `Pattern.groups`). */
  readonly groups: number;
  readonly source: string;
  readonly flags: string;
}

/** Compiles a Python regular expression; throws a SyntaxError naming the pattern when it is invalid. */
export function pyCompile(pattern: string): PyPattern {
  compilePythonRegex(pattern); // the JS syntax check, now rather than at the first sample
  const t = translatePythonRegex(pattern);
  return { pattern, groups: t.groups, source: t.source, flags: t.flags };
}

/** A YAML string holding a Python regex, compiled; an invalid pattern is an issue at that string. */
export const PyPatternSchema = z.string().transform((pattern, ctx): PyPattern => {
  try {
    return pyCompile(pattern);
  } catch (e) {
    ctx.addIssue({ code: "custom", message: `invalid regular expression: ${(e as Error).message}`, input: pattern });
    return z.NEVER;
  }
});

/** Every match, left to right, with CPython's rule for empty matches. */
export function* pyFinditer(p: PyPattern, text: string): Generator<RegExpExecArray, void, undefined> {
  const re = new RegExp(p.source, p.flags + "g");
  let pos = 0;
  let mustAdvance = false;
  while (pos <= text.length) {
    let m: RegExpExecArray | null;
    if (mustAdvance) {
      // After an empty match at pos, a match starting at pos must be non-empty; later starts may be empty.
      m = nonEmptyAt(p, text, pos);
      if (!m) {
        if (pos >= text.length) return;
        re.lastIndex = pos + codePointLength(text, pos);
        m = re.exec(text);
      }
    } else {
      re.lastIndex = pos;
      m = re.exec(text);
    }
    if (!m) return;
    yield m;
    const end = m.index + m[0].length;
    mustAdvance = end === m.index;
    pos = end;
  }
}

/** `re.findall`: whole matches without groups, group 1 with one group, else tuples; unmatched groups are "". */
export function pyFindall(p: PyPattern, text: string): (string | string[])[] {
  const out: (string | string[])[] = [];
  for (const m of pyFinditer(p, text)) {
    if (p.groups === 0) out.push(m[0]);
    else if (p.groups === 1) out.push(m[1] ?? "");
    else out.push(m.slice(1).map((g) => g ?? ""));
  }
  return out;
}

/** `re.search`: the first match or null. */
export function pySearch(p: PyPattern, text: string): RegExpExecArray | null {
  const first = pyFinditer(p, text).next();
  return first.done ? null : first.value;
}

/** `re.split(pattern, text)`: the pieces between matches, each group's text (None as undefined) between them. */
export function pyReSplit(p: PyPattern, text: string): (string | undefined)[] {
  const out: (string | undefined)[] = [];
  let last = 0;
  for (const m of pyFinditer(p, text)) {
    out.push(text.slice(last, m.index), ...m.slice(1));
    last = m.index + m[0].length;
  }
  out.push(text.slice(last));
  return out;
}

/**
 * `re.sub(pattern, repl, text, count)`. A string `repl` is a Python replacement template
 * (`\1`, `\g<name>`, `\n` …); a function gets each match.
 */
export function pySub(p: PyPattern, text: string, repl: string | ((m: RegExpExecArray) => string), count = 0): string {
  const expand = typeof repl === "function" ? repl : compileReplacement(p, repl);
  let out = "";
  let last = 0;
  let n = 0;
  for (const m of pyFinditer(p, text)) {
    out += text.slice(last, m.index) + expand(m);
    last = m.index + m[0].length;
    if (++n === count) break;
  }
  return out + text.slice(last);
}

/** Python's replacement-template syntax, parsed once. */
function compileReplacement(p: PyPattern, repl: string): (m: RegExpExecArray) => string {
  if (!repl.includes("\\")) return () => repl;
  const parts: (string | number | { name: string })[] = [];
  let lit = "";
  const escapes: Record<string, string> = { a: "\x07", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v", "\\": "\\" };
  for (let i = 0; i < repl.length; i++) {
    const c = repl[i]!;
    if (c !== "\\") {
      lit += c;
      continue;
    }
    const e = repl[i + 1];
    if (e === undefined) throw new SyntaxError(`bad escape (end of pattern) in replacement ${JSON.stringify(repl)}`);
    i++;
    let ref: number | { name: string } | undefined;
    if (e === "g") {
      const m = /^<([^>]*)>/.exec(repl.slice(i + 1));
      if (!m) throw new SyntaxError(`missing group name in replacement ${JSON.stringify(repl)}`);
      i += m[0].length;
      ref = /^\d+$/.test(m[1]!) ? Number(m[1]) : { name: m[1]! };
    } else if (e === "0" || (/[1-7]/.test(e) && /^[0-7]{2}/.test(repl.slice(i + 1)))) {
      const m = /^[0-7]{1,3}/.exec(repl.slice(i))!;
      lit += String.fromCharCode(parseInt(m[0], 8));
      i += m[0].length - 1;
    } else if (/[1-9]/.test(e)) {
      const two = /^[0-9]/.test(repl[i + 1] ?? "");
      ref = Number(two ? e + repl[i + 1] : e);
      if (two) i++;
    } else if (e in escapes) {
      lit += escapes[e];
    } else if (/[A-Za-z]/.test(e)) {
      throw new SyntaxError(`bad escape \\${e} in replacement ${JSON.stringify(repl)}`);
    } else {
      lit += "\\" + e;
    }
    if (ref !== undefined) {
      if (typeof ref === "number" && ref > p.groups) throw new SyntaxError(`invalid group reference ${ref} in replacement ${JSON.stringify(repl)}`);
      parts.push(lit, ref);
      lit = "";
    }
  }
  parts.push(lit);
  return (m) => parts.map((x) => (typeof x === "string" ? x : typeof x === "number" ? (m[x] ?? "") : (m.groups?.[x.name] ?? ""))).join("");
}

/** A match at exactly `pos` that is not empty, or null: the pattern, required to end somewhere else. */
function nonEmptyAt(p: PyPattern, text: string, pos: number): RegExpExecArray | null {
  const k = [...text.slice(0, pos)].length;
  const re = new RegExp(`(?:${p.source})(?<!^[\\s\\S]{${k}})`, p.flags + "y");
  re.lastIndex = pos;
  return re.exec(text);
}

function codePointLength(text: string, pos: number): number {
  const cp = text.codePointAt(pos)!;
  return cp > 0xffff ? 2 : 1;
}
