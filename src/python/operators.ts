import { isPyFloat, numberResult, pyNumAdd, pyNumMul } from "./arithmetic.js";
import { PythonError } from "./python-error.js";
import { PyFloat, pyRepr, pyStr } from "./repr.js";

/**
 * Python's meaning of the operators a Jinja template uses, on JSON values. The template transform
 * (transform.ts) routes `==`, `<`, `+`, `*`, `%`, `~`, `in`, `[i]`, `[a:b]` and truthiness here, so
 * `"=" * 3`, `[] or "x"`, `1 == true` and `text[-1]` behave as in lm-eval's Jinja, not as in JS.
 * Type errors Python would raise become PythonErrors (a template treats them as a sample that does not fit it).
 */

export function pyType(v: unknown): string {
  if (v === null || v === undefined) return "NoneType";
  if (typeof v === "string") return "str";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "number" || v instanceof PyFloat) return isPyFloat(v) ? "float" : "int";
  if (Array.isArray(v)) return "list";
  return "dict";
}

const isNum = (v: unknown): v is number | boolean | PyFloat => typeof v === "number" || typeof v === "boolean" || v instanceof PyFloat;

export const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && v !== Object.prototype && !Array.isArray(v) && [Object.prototype, null].includes(Object.getPrototypeOf(v) as object | null);

/** Python truthiness: empty strings, lists and dicts, 0, None and False are false. */
export function pyBool(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (isPlainObject(v)) return Object.keys(v).length > 0;
  if (typeof v === "number" || v instanceof PyFloat) return Number(v) !== 0;
  return Boolean(v);
}

/** Python `==`: numbers and booleans compare by value (`1 == True`), containers element-wise. */
export function pyEq(a: unknown, b: unknown): boolean {
  if (isNum(a) && isNum(b)) return Number(a) === Number(b);
  if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) === (b ?? null);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => pyEq(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && pyEq(a[k], b[k]));
  }
  return a === b;
}

function order(a: unknown, b: unknown, op: string): number {
  if (isNum(a) && isNum(b)) return Number(a) - Number(b);
  if (typeof a === "string" && typeof b === "string") return codePointCompare(a, b);
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      if (!pyEq(a[i], b[i])) return order(a[i], b[i], op);
    }
    return a.length - b.length;
  }
  throw new PythonError(`'${op}' not supported between instances of '${pyType(a)}' and '${pyType(b)}'`);
}

function codePointCompare(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** A comparison chain `a < b <= c`, as Python evaluates it. `operands` alternate operator and value. */
export function pyCompare(first: unknown, ...operands: unknown[]): boolean {
  let left = first;
  for (let i = 0; i < operands.length; i += 2) {
    const op = operands[i] as string;
    const right = operands[i + 1];
    let ok: boolean;
    if (op === "==" || op === "===") ok = pyEq(left, right);
    else if (op === "!=" || op === "!==") ok = !pyEq(left, right);
    else {
      const d = order(left, right, op);
      ok = op === "<" ? d < 0 : op === "<=" ? d <= 0 : op === ">" ? d > 0 : d >= 0;
    }
    if (!ok) return false;
    left = right;
  }
  return true;
}

export function pyAdd(a: unknown, b: unknown): unknown {
  if (isNum(a) && isNum(b)) return pyNumAdd(a, b);
  if (typeof a === "string" && typeof b === "string") return a + b;
  if (Array.isArray(a) && Array.isArray(b)) return [...(a as unknown[]), ...(b as unknown[])];
  throw new PythonError(`unsupported operand type(s) for +: '${pyType(a)}' and '${pyType(b)}'`);
}

export function pyMul(a: unknown, b: unknown): unknown {
  if (isNum(a) && isNum(b)) return pyNumMul(a, b);
  const [seq, n] = isNum(a) ? [b, a] : [a, b];
  if (isNum(n) && Number.isInteger(Number(n))) {
    const times = Math.max(0, Number(n));
    if (typeof seq === "string") return seq.repeat(times);
    if (Array.isArray(seq)) return Array.from({ length: times }, () => seq as unknown[]).flat();
  }
  throw new PythonError(`unsupported operand type(s) for *: '${pyType(a)}' and '${pyType(b)}'`);
}

/** Python's `%` on numbers (the result takes the divisor's sign). String formatting is not supported. */
export function pyMod(a: unknown, b: unknown): number | PyFloat {
  if (isNum(a) && isNum(b)) {
    const x = Number(a);
    const y = Number(b);
    const float = isPyFloat(a) || isPyFloat(b);
    if (y === 0) throw new PythonError(float ? "float modulo" : "integer division or modulo by zero");
    return numberResult(x - y * Math.floor(x / y), float);
  }
  throw new PythonError(`unsupported operand type(s) for %: '${pyType(a)}' and '${pyType(b)}' (printf-style formatting is not supported)`);
}

/** Jinja's `~`: both sides as Python strings. */
export const pyConcat = (a: unknown, b: unknown): string => pyStr(a) + pyStr(b);

/** Python `needle in haystack`. */
export function pyIn(needle: unknown, haystack: unknown): boolean {
  if (typeof haystack === "string") {
    if (typeof needle !== "string") throw new PythonError(`'in <string>' requires string as left operand, not ${pyType(needle)}`);
    return haystack.includes(needle);
  }
  if (Array.isArray(haystack)) return haystack.some((x) => pyEq(x, needle));
  if (isPlainObject(haystack)) return typeof needle === "string" && Object.hasOwn(haystack, needle);
  throw new PythonError(`argument of type '${pyType(haystack)}' is not iterable`);
}

const codePoints = (s: string): string[] => ([...s].length === s.length ? s.split("") : [...s]);

/** What a Python `for` loop iterates: list items, dict keys, str code points. */
export function pyIter(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (typeof v === "string") return [...v];
  if (isPlainObject(v)) return Object.keys(v);
  throw new PythonError(`'${pyType(v)}' object is not iterable`);
}

/** Python sequence length: code points for strings. */
export function pyLen(v: unknown): number {
  if (typeof v === "string") return [...v].length;
  if (Array.isArray(v)) return v.length;
  if (isPlainObject(v)) return Object.keys(v).length;
  throw new PythonError(`object of type '${pyType(v)}' has no len()`);
}

/**
 * Jinja's subscript/attribute lookup: a dict key, or a list/str index (negative from the end, str by
 * code point). Whatever Python would fail to find yields undefined, as Jinja's Undefined: an error only
 * once the value is used.
 */
export function pyGetItem(obj: unknown, key: unknown): unknown {
  if (typeof obj === "string" || Array.isArray(obj)) {
    if (!isNum(key) || !Number.isInteger(Number(key))) return undefined;
    const seq = typeof obj === "string" ? codePoints(obj) : obj;
    const i = Number(key) < 0 ? seq.length + Number(key) : Number(key);
    return i >= 0 && i < seq.length ? seq[i] : undefined;
  }
  if (isPlainObject(obj)) {
    const d = typeof key === "string" ? Object.getOwnPropertyDescriptor(obj, key) : undefined;
    return d && "value" in d ? (d.value as unknown) : undefined;
  }
  // Objects nunjucks itself provides (a cycler): their own data properties and methods, never
  // inherited members or getters (a template must not reach JavaScript, sandbox.ts).
  if (typeof obj === "object" && obj !== null && typeof key === "string") {
    const d = Object.getOwnPropertyDescriptor(obj, key);
    if (!d || !("value" in d)) return undefined;
    const v: unknown = d.value;
    return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(obj) : v;
  }
  return undefined;
}

/** `obj[start:stop:step]` on a str or list, with Python's index clamping. */
export function pySlice(obj: unknown, start: unknown, stop: unknown, step: unknown): unknown {
  if (typeof obj !== "string" && !Array.isArray(obj)) throw new PythonError(`'${pyType(obj)}' object is not subscriptable`);
  const seq: unknown[] = typeof obj === "string" ? codePoints(obj) : obj;
  const st = step === null || step === undefined ? 1 : Number(step);
  if (!Number.isInteger(st)) throw new PythonError("slice indices must be integers or None");
  if (st === 0) throw new PythonError("slice step cannot be zero");
  const n = seq.length;
  const clamp = (v: unknown, dflt: number, lo: number, hi: number): number => {
    if (v === null || v === undefined) return dflt;
    if (!isNum(v) || !Number.isInteger(Number(v))) throw new PythonError("slice indices must be integers or None");
    const i = Number(v) < 0 ? Number(v) + n : Number(v);
    return Math.min(Math.max(i, lo), hi);
  };
  const out: unknown[] = [];
  if (st > 0) {
    const a = clamp(start, 0, 0, n);
    const b = clamp(stop, n, 0, n);
    for (let i = a; i < b; i += st) out.push(seq[i]);
  } else {
    const a = clamp(start, n - 1, -1, n - 1);
    const b = clamp(stop, -1, -1, n - 1);
    for (let i = a; i > b; i += st) out.push(seq[i]);
  }
  return typeof obj === "string" ? out.join("") : out;
}

/** A short, readable rendering of a value for error messages. */
export const brief = (v: unknown): string => {
  const r = pyRepr(v);
  return r.length > 40 ? `${r.slice(0, 37)}...` : r;
};
