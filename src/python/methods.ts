import { PythonError } from "./python-error.js";
import { isPySpace, pyLstrip, pyRsplit, pyRstrip, pySplit, pyStrip } from "./str.js";
import { pyStr } from "./repr.js";
import { isPlainObject, pyEq, pyLen, pySlice, pyType } from "./operators.js";

/**
 * The Python methods a task template may call on sample values (`answer.split('####')[-1].strip()`),
 * with CPython's semantics. Strings are indexed by code point, as in Python.
 */

type Method<T> = (self: T, args: readonly unknown[]) => unknown;

function arg<T>(args: readonly unknown[], i: number, name: string, types: string[], dflt: T): T {
  const v = args[i];
  if (v === undefined) return dflt;
  if (!types.includes(pyType(v))) throw new PythonError(`${name}() argument ${i + 1} must be ${types.join(" or ")}, not ${pyType(v)}`);
  return v as T;
}

const optStr = (args: readonly unknown[], i: number, name: string): string | null => arg<string | null>(args, i, name, ["str", "NoneType"], null);
const optInt = (args: readonly unknown[], i: number, name: string, dflt: number): number => arg<number | boolean>(args, i, name, ["int", "bool", "NoneType"], dflt) as number;
const str = (args: readonly unknown[], i: number, name: string): string => {
  if (args[i] === undefined) throw new PythonError(`${name}() takes at least ${i + 1} argument(s)`);
  return arg<string>(args, i, name, ["str"], "");
};

/** `s[start:end]` for the optional start/end arguments of find, count, startswith … */
const window = (s: string, args: readonly unknown[], from: number, name: string): { sub: string; offset: number } => {
  const start = arg<number | null>(args, from, name, ["int", "NoneType"], null);
  const end = arg<number | null>(args, from + 1, name, ["int", "NoneType"], null);
  if (start === null && end === null) return { sub: s, offset: 0 };
  const sub = pySlice(s, start, end, null) as string;
  const n = pyLen(s);
  const offset = start === null ? 0 : Math.min(Math.max(start < 0 ? start + n : start, 0), n);
  return { sub, offset };
};

/** Index of `needle` in `hay` as a code-point offset, or -1. */
function cpIndex(hay: string, needle: string, fromRight: boolean): number {
  const i = fromRight ? hay.lastIndexOf(needle) : hay.indexOf(needle);
  return i < 0 ? -1 : [...hay.slice(0, i)].length;
}

function countOf(hay: string, needle: string): number {
  if (needle === "") return pyLen(hay) + 1;
  let n = 0;
  for (let i = hay.indexOf(needle); i >= 0; i = hay.indexOf(needle, i + needle.length)) n++;
  return n;
}

function replace(s: string, old: string, rep: string, count: number): string {
  const limit = count < 0 ? Infinity : count;
  if (old === "") {
    // Python inserts `rep` before every code point and at the end: "ab".replace("", "-") == "-a-b-".
    const cps = [...s];
    let out = "";
    for (let i = 0; i <= cps.length; i++) out += (i < limit ? rep : "") + (cps[i] ?? "");
    return out;
  }
  if (limit === Infinity) return s.split(old).join(rep);
  let out = "";
  let rest = s;
  for (let n = 0; n < limit; n++) {
    const i = rest.indexOf(old);
    if (i < 0) break;
    out += rest.slice(0, i) + rep;
    rest = rest.slice(i + old.length);
  }
  return out + rest;
}

// Python's line boundaries include the file/group/record separators.
// eslint-disable-next-line no-control-regex
const LINE_BREAK = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/;

function splitlines(s: string, keepends: boolean): string[] {
  const out: string[] = [];
  let rest = s;
  for (let m = LINE_BREAK.exec(rest); m; m = LINE_BREAK.exec(rest)) {
    out.push(rest.slice(0, keepends ? m.index + m[0].length : m.index));
    rest = rest.slice(m.index + m[0].length);
  }
  if (rest) out.push(rest);
  return out;
}

function affixes(v: unknown, name: string): string[] {
  if (typeof v === "string") return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === "string")) return v;
  throw new PythonError(`${name} first arg must be str or a tuple of str, not ${pyType(v)}`);
}

function pad(s: string, args: readonly unknown[], name: string, side: "left" | "right" | "center"): string {
  const width = arg<number>(args, 0, name, ["int"], 0);
  const fill = arg<string>(args, 1, name, ["str"], " ");
  if ([...fill].length !== 1) throw new PythonError("The fill character must be exactly one character long");
  const total = width - pyLen(s);
  if (total <= 0) return s;
  if (side === "right") return s + fill.repeat(total);
  if (side === "left") return fill.repeat(total) + s;
  // CPython puts the odd extra fill character on the left when the width is odd.
  const left = Math.floor(total / 2) + (total & width & 1);
  return fill.repeat(left) + s + fill.repeat(total - left);
}

const every = (s: string, re: RegExp): boolean => s.length > 0 && [...s].every((c) => re.test(c));
const cased = (s: string): boolean => [...s].some((c) => c.toLowerCase() !== c.toUpperCase());

function title(s: string): string {
  let prevCased = false;
  let out = "";
  for (const c of s) {
    out += prevCased ? c.toLowerCase() : c.toUpperCase();
    prevCased = c.toLowerCase() !== c.toUpperCase();
  }
  return out;
}

export const STR_METHODS: Record<string, Method<string>> = {
  split: (s, a) => pySplit(s, optStr(a, 0, "split"), optInt(a, 1, "split", -1)),
  rsplit: (s, a) => pyRsplit(s, optStr(a, 0, "rsplit"), optInt(a, 1, "rsplit", -1)),
  splitlines: (s, a) => splitlines(s, Boolean(a[0])),
  strip: (s, a) => pyStrip(s, optStr(a, 0, "strip")),
  lstrip: (s, a) => pyLstrip(s, optStr(a, 0, "lstrip")),
  rstrip: (s, a) => pyRstrip(s, optStr(a, 0, "rstrip")),
  lower: (s) => s.toLowerCase(),
  upper: (s) => s.toUpperCase(),
  casefold: (s) => s.toLowerCase(),
  swapcase: (s) => [...s].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join(""),
  title: (s) => title(s),
  capitalize: (s) => {
    const [first = "", ...rest] = [...s];
    return first.toUpperCase() + rest.join("").toLowerCase();
  },
  replace: (s, a) => replace(s, str(a, 0, "replace"), str(a, 1, "replace"), optInt(a, 2, "replace", -1)),
  join: (s, a) => {
    const items = typeof a[0] === "string" ? [...a[0]] : a[0];
    if (!Array.isArray(items)) throw new PythonError(`can only join an iterable, not ${pyType(a[0])}`);
    items.forEach((x, i) => {
      if (typeof x !== "string") throw new PythonError(`sequence item ${i}: expected str instance, ${pyType(x)} found`);
    });
    return items.join(s);
  },
  startswith: (s, a) => {
    const { sub } = window(s, a, 1, "startswith");
    return affixes(a[0], "startswith").some((p) => sub.startsWith(p));
  },
  endswith: (s, a) => {
    const { sub } = window(s, a, 1, "endswith");
    return affixes(a[0], "endswith").some((p) => sub.endsWith(p));
  },
  find: (s, a) => {
    const { sub, offset } = window(s, a, 1, "find");
    const i = cpIndex(sub, str(a, 0, "find"), false);
    return i < 0 ? -1 : i + offset;
  },
  rfind: (s, a) => {
    const { sub, offset } = window(s, a, 1, "rfind");
    const i = cpIndex(sub, str(a, 0, "rfind"), true);
    return i < 0 ? -1 : i + offset;
  },
  index: (s, a) => {
    const i = STR_METHODS.find!(s, a) as number;
    if (i < 0) throw new PythonError("substring not found");
    return i;
  },
  rindex: (s, a) => {
    const i = STR_METHODS.rfind!(s, a) as number;
    if (i < 0) throw new PythonError("substring not found");
    return i;
  },
  count: (s, a) => countOf(window(s, a, 1, "count").sub, str(a, 0, "count")),
  partition: (s, a) => {
    const sep = str(a, 0, "partition");
    const i = s.indexOf(sep);
    return i < 0 ? [s, "", ""] : [s.slice(0, i), sep, s.slice(i + sep.length)];
  },
  rpartition: (s, a) => {
    const sep = str(a, 0, "rpartition");
    const i = s.lastIndexOf(sep);
    return i < 0 ? ["", "", s] : [s.slice(0, i), sep, s.slice(i + sep.length)];
  },
  removeprefix: (s, a) => {
    const p = str(a, 0, "removeprefix");
    return p && s.startsWith(p) ? s.slice(p.length) : s;
  },
  removesuffix: (s, a) => {
    const p = str(a, 0, "removesuffix");
    return p && s.endsWith(p) ? s.slice(0, -p.length) : s;
  },
  zfill: (s, a) => {
    const width = arg<number>(a, 0, "zfill", ["int"], 0);
    const sign = s[0] === "+" || s[0] === "-" ? s[0] : "";
    const body = s.slice(sign.length);
    return sign + "0".repeat(Math.max(0, width - pyLen(s))) + body;
  },
  center: (s, a) => pad(s, a, "center", "center"),
  ljust: (s, a) => pad(s, a, "ljust", "right"),
  rjust: (s, a) => pad(s, a, "rjust", "left"),
  isdigit: (s) => every(s, /[\p{Nd}\p{No}]/u),
  isdecimal: (s) => every(s, /\p{Nd}/u),
  isnumeric: (s) => every(s, /\p{N}/u),
  isalpha: (s) => every(s, /\p{L}/u),
  isalnum: (s) => every(s, /[\p{L}\p{N}]/u),
  isspace: (s) => s.length > 0 && [...s].every(isPySpace),
  islower: (s) => cased(s) && s === s.toLowerCase(),
  isupper: (s) => cased(s) && s === s.toUpperCase(),
};

export const LIST_METHODS: Record<string, Method<unknown[]>> = {
  index: (l, a) => {
    const i = l.findIndex((x) => pyEq(x, a[0]));
    if (i < 0) throw new PythonError(`${pyStr(a[0])} is not in list`);
    return i;
  },
  count: (l, a) => l.filter((x) => pyEq(x, a[0])).length,
};

export const DICT_METHODS: Record<string, Method<Record<string, unknown>>> = {
  get: (d, a) => (typeof a[0] === "string" && Object.hasOwn(d, a[0]) ? d[a[0]] : (a[1] ?? null)),
  keys: (d) => Object.keys(d),
  values: (d) => Object.values(d),
  items: (d) => Object.entries(d),
};

/** Every method name a template may call, for checking templates when a task loads. */
export const KNOWN_METHODS = new Set([...Object.keys(STR_METHODS), ...Object.keys(LIST_METHODS), ...Object.keys(DICT_METHODS)]);

/** `obj.method(*args)` with Python semantics; throws a PythonError where Python would raise. */
export function pyCallMethod(obj: unknown, method: string, args: readonly unknown[]): unknown {
  const table: Record<string, Method<never>> | undefined =
    typeof obj === "string" ? STR_METHODS : Array.isArray(obj) ? LIST_METHODS : isPlainObject(obj) ? DICT_METHODS : undefined;
  const fn = table && Object.hasOwn(table, method) ? table[method] : undefined;
  if (!fn) throw new PythonError(`'${pyType(obj)}' object has no attribute '${method}'`);
  return (fn as Method<unknown>)(obj, args);
}
