/**
 * The character sets of Python's `re` (str patterns) spelled for a JS RegExp in `v` mode: what `\d`,
 * `\w`, `\s` and `\b` mean in Python 3 (Unicode-aware; ASCII under `(?a)`), and how a literal
 * character is written so that JS's strict `v` syntax accepts it inside or outside a class.
 */

// Python's str.isspace() set, which is what `\s` matches in a str pattern.
const PY_SPACE = "\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";

const CLASS_BODY = {
  d: { uni: "\\p{Nd}", ascii: "0-9" },
  w: { uni: "\\p{L}\\p{N}_", ascii: "a-zA-Z0-9_" },
  s: { uni: PY_SPACE, ascii: "\\t-\\r\\x20" },
} as const;

const JS_SYNTAX = new Set("^$\\.*+?()[]{}|/");

/** `\d`, `\w`, `\s` (or their negations `\D` …), for use inside or outside a `[...]` class. */
export function shorthand(kind: "d" | "w" | "s", negated: boolean, ascii: boolean, inClass: boolean): string {
  if (kind === "d" && !ascii) return negated ? "\\P{Nd}" : "\\p{Nd}";
  const body = ascii ? CLASS_BODY[kind].ascii : CLASS_BODY[kind].uni;
  if (negated) return `[^${body}]`; // a nested class: `v` mode allows it inside a class too
  return inClass ? body : `[${body}]`;
}

/** Python's `\b` (or `\B`): a boundary between its word characters and anything else. */
export function boundary(negated: boolean, ascii: boolean): string {
  const w = shorthand("w", false, ascii, false);
  return negated ? `(?:(?<=${w})(?=${w})|(?<!${w})(?!${w}))` : `(?:(?<=${w})(?!${w})|(?<!${w})(?=${w}))`;
}

/** One literal code point. Inside a class anything but ASCII letters and digits is escaped (`v` mode reserves most punctuation there). */
export function literal(cp: number, inClass: boolean): string {
  const ch = String.fromCodePoint(cp);
  if (inClass) return /[A-Za-z0-9]/.test(ch) ? ch : `\\u{${cp.toString(16)}}`;
  if (JS_SYNTAX.has(ch)) return `\\${ch}`;
  return cp < 0x20 || cp === 0x7f ? `\\u{${cp.toString(16)}}` : ch;
}
