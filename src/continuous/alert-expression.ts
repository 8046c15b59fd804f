import { ConfigError } from "../errors/config-error.js";

/** What a condition compares, in one task × model of one window. */
export type AlertSubject =
  | { readonly kind: "metric"; readonly key: string }
  | { readonly kind: "error_rate" }
  | { readonly kind: "count"; readonly field: "total" | "ok" | "error" }
  | { readonly kind: "latency"; readonly name: "ttft" | "tpot" | "e2e" | "queue"; readonly stat: "p50" | "p90" | "p99" | "max" }
  | { readonly kind: "cost" }
  | { readonly kind: "cost_per_hour" };

export type CompareOp = "<" | "<=" | ">" | ">=" | "==" | "!=";

export type AlertNode =
  | { readonly type: "compare"; readonly subject: AlertSubject; readonly name: string; readonly op: CompareOp; readonly value: number; readonly column: number }
  | { readonly type: "and" | "or"; readonly left: AlertNode; readonly right: AlertNode }
  | { readonly type: "not"; readonly operand: AlertNode };

/** A parsed `--alert`: its text (its name in alert lines) and its syntax tree. */
export interface AlertRule {
  readonly text: string;
  readonly root: AlertNode;
}

interface Token {
  readonly kind: "word" | "op" | "(" | ")" | "end";
  readonly text: string;
  /** 1-based column in the expression. */
  readonly column: number;
}

const OPS: readonly CompareOp[] = ["<=", ">=", "==", "!=", "<", ">"];
const COUNTS = { samples: "total", ok: "ok", errors: "error" } as const;
const LATENCY = /^(ttft|tpot|e2e|queue)[._](p50|p90|p99|max)(?:_ms)?$/;
const NUMBER = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?)(ms|s|m|h|%)?$/i;
const SUBJECTS_HELP = "a metric (exact_match,strict-match), error_rate, samples, ok, errors, e2e.p99 (ttft, tpot, e2e, queue × p50, p90, p99, max), cost or cost_per_hour";

/**
 * Parses an alert condition: comparisons joined by `and`, `or`, `not` and parentheses.
 *
 * ```
 * exact_match,strict-match < 0.7
 * error_rate > 5% or e2e.p99 > 2s
 * samples < 10 and not (cost_per_hour < 1.5)
 * ```
 * A comparison is `SUBJECT OP NUMBER[UNIT]`: OP is `<`, `<=`, `>`, `>=`, `==` or `!=`; latencies are
 * in ms unless the number says `s` or `m`; `error_rate` is a fraction unless the number ends in `%`.
 * `and` binds tighter than `or`. Throws a ConfigError (key `--alert`) that quotes the expression and
 * names the bad token and its column.
 */
export function parseAlert(text: string): AlertRule {
  const tokens = tokenize(text);
  let i = 0;
  const peek = () => tokens[i] as Token;
  const next = () => tokens[i++] as Token;
  const fail = (message: string): never => {
    throw new ConfigError(`in ${JSON.stringify(text)}: ${message}`, { key: "--alert" });
  };
  const shown = (t: Token) => (t.kind === "end" ? "the end" : `\`${t.text}\` at column ${t.column}`);
  const isWord = (t: Token, w: string) => t.kind === "word" && t.text.toLowerCase() === w;

  const parseOr = (): AlertNode => {
    let left = parseAnd();
    while (isWord(peek(), "or")) {
      next();
      left = { type: "or", left, right: parseAnd() };
    }
    return left;
  };
  const parseAnd = (): AlertNode => {
    let left = parseNot();
    while (isWord(peek(), "and")) {
      next();
      left = { type: "and", left, right: parseNot() };
    }
    return left;
  };
  const parseNot = (): AlertNode => {
    if (isWord(peek(), "not")) {
      next();
      return { type: "not", operand: parseNot() };
    }
    if (peek().kind === "(") {
      const open = next();
      const inner = parseOr();
      const close = next();
      if (close.kind !== ")") fail(`expected \`)\` to close the \`(\` at column ${open.column}, got ${shown(close)}`);
      return inner;
    }
    return parseComparison();
  };
  const parseComparison = (): AlertNode => {
    const name = next();
    if (name.kind !== "word" || ["and", "or", "not"].includes(name.text.toLowerCase())) {
      return fail(`expected a condition such as \`error_rate > 5%\`, got ${shown(name)}`);
    }
    const subject = subjectOf(name.text);
    const op = next();
    if (op.kind !== "op") return fail(`expected a comparison (<, <=, >, >=, ==, !=) after \`${name.text}\`, got ${shown(op)}`);
    const value = next();
    if (value.kind !== "word") return fail(`expected a number after \`${op.text}\`, got ${shown(value)}`);
    const m = NUMBER.exec(value.text);
    if (!m) return fail(`\`${value.text}\` at column ${value.column} is not a number (a unit may follow: ms, s, m for latencies, % for error_rate)`);
    const scaled = scale(Number(m[1]), m[2]?.toLowerCase(), subject);
    if (typeof scaled === "string") return fail(`\`${value.text}\` at column ${value.column}: ${scaled}`);
    return { type: "compare", subject, name: name.text, op: op.text as CompareOp, value: scaled, column: name.column };
  };

  if (peek().kind === "end") fail("the condition is empty; expected one such as `exact_match,strict-match < 0.7`");
  const root = parseOr();
  if (peek().kind !== "end") fail(`unexpected ${shown(peek())}; expected \`and\`, \`or\`${hasOpenParen(tokens, i) ? ", `)`" : ""} or the end`);
  return { text: text.trim(), root };

  function tokenize(src: string): Token[] {
    const out: Token[] = [];
    let p = 0;
    while (p < src.length) {
      const c = src[p] as string;
      if (/\s/.test(c)) {
        p++;
        continue;
      }
      const column = p + 1;
      if (c === "(" || c === ")") {
        out.push({ kind: c, text: c, column });
        p++;
        continue;
      }
      const op = OPS.find((o) => src.startsWith(o, p));
      if (op) {
        out.push({ kind: "op", text: op, column });
        p += op.length;
        continue;
      }
      if (c === "=" || c === "!") {
        throw new ConfigError(`in ${JSON.stringify(text)}: unexpected \`${c}\` at column ${column}; comparisons are <, <=, >, >=, ==, !=`, { key: "--alert" });
      }
      let end = p;
      while (end < src.length && !/[\s()<>=!]/.test(src[end] as string)) end++;
      out.push({ kind: "word", text: src.slice(p, end), column });
      p = end;
    }
    out.push({ kind: "end", text: "", column: src.length + 1 });
    return out;
  }

  function subjectOf(word: string): AlertSubject {
    const lower = word.toLowerCase();
    if (lower === "error_rate") return { kind: "error_rate" };
    if (lower in COUNTS) return { kind: "count", field: COUNTS[lower as keyof typeof COUNTS] };
    if (lower === "cost" || lower === "cost_usd") return { kind: "cost" };
    if (lower === "cost_per_hour" || lower === "cost_per_hour_usd") return { kind: "cost_per_hour" };
    const lat = LATENCY.exec(lower);
    if (lat) return { kind: "latency", name: lat[1] as "e2e", stat: lat[2] as "p99" };
    if (/^[A-Za-z_][\w.@-]*(,[\w.@-]+)?$/.test(word)) return { kind: "metric", key: word };
    return fail(`\`${word}\` is not something an alert can watch; expected ${SUBJECTS_HELP}`);
  }
}

/** The threshold in the subject's own unit, or why the unit does not fit it. */
function scale(n: number, unit: string | undefined, subject: AlertSubject): number | string {
  if (unit === undefined) return n;
  if (subject.kind === "latency") {
    if (unit === "ms") return n;
    if (unit === "s") return n * 1000;
    if (unit === "m") return n * 60_000;
    return `a latency takes ms, s or m, not ${unit}`;
  }
  if (subject.kind === "error_rate") return unit === "%" ? n / 100 : `error_rate takes a fraction (0.05) or a percentage (5%), not ${unit}`;
  return `${subject.kind === "metric" ? "a metric" : subject.kind} takes a plain number, not ${unit}`;
}

function hasOpenParen(tokens: readonly Token[], upTo: number): boolean {
  let depth = 0;
  for (let k = 0; k < upTo; k++) depth += tokens[k]?.kind === "(" ? 1 : tokens[k]?.kind === ")" ? -1 : 0;
  return depth > 0;
}
