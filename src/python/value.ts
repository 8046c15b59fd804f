import { pyNumber } from "./repr.js";

/**
 * JSON values as Python's `json.loads` gives them, for checkers that must judge types the way
 * Python does (BFCL's AST checker). JSON itself does not tell `5` from `5.0`; Python does, and so
 * must we: an int is a `bigint`, a float a `number`, a dict a `Map` (insertion-ordered, any key).
 */
export type PyValue = null | boolean | string | bigint | number | PyValue[] | PyDict;
export type PyDict = Map<string, PyValue>;

export type PyTypeName = "NoneType" | "bool" | "int" | "float" | "str" | "list" | "dict";

/** Python's `type(v).__name__`. */
export function pyType(v: PyValue): PyTypeName {
  if (v === null) return "NoneType";
  switch (typeof v) {
    case "boolean":
      return "bool";
    case "bigint":
      return "int";
    case "number":
      return "float";
    case "string":
      return "str";
    default:
      return Array.isArray(v) ? "list" : "dict";
  }
}

export const isPyDict = (v: PyValue): v is PyDict => v instanceof Map;

/** Python `a == b`: bools, ints and floats compare as numbers (`True == 1 == 1.0`); lists and dicts deeply. */
export function pyEquals(a: PyValue, b: PyValue): boolean {
  const na = numeric(a);
  const nb = numeric(b);
  if (na !== undefined || nb !== undefined) return na !== undefined && nb !== undefined && numbersEqual(na, nb);
  if (typeof a === "string" || typeof b === "string" || a === null || b === null) return a === b;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => pyEquals(x, b[i]!));
  }
  if (!(a instanceof Map) || !(b instanceof Map) || a.size !== b.size) return false;
  for (const [k, v] of a) {
    if (!b.has(k) || !pyEquals(v, b.get(k)!)) return false;
  }
  return true;
}

/** Python `v in list`. */
export const pyIn = (v: PyValue, list: readonly PyValue[]): boolean => list.some((x) => pyEquals(v, x));

function numeric(v: PyValue): bigint | number | undefined {
  if (typeof v === "boolean") return v ? 1n : 0n;
  return typeof v === "bigint" || typeof v === "number" ? v : undefined;
}

function numbersEqual(a: bigint | number, b: bigint | number): boolean {
  if (typeof a === typeof b) return a === b;
  const [big, num] = typeof a === "bigint" ? [a, b as number] : [b as bigint, a];
  return Number.isInteger(num) && BigInt(num) === big;
}

/** Python `repr()` of a value, for messages: `'a'`, `5`, `5.0`, `True`, `None`, `[1, 'x']`, `{'k': 1}`. */
export function pyReprValue(v: PyValue): string {
  if (v === null) return "None";
  switch (typeof v) {
    case "boolean":
      return v ? "True" : "False";
    case "bigint":
      return v.toString();
    case "number":
      return Number.isInteger(v) && Math.abs(v) < 1e16 ? `${v}.0` : pyNumber(v);
    case "string":
      return pyReprString(v);
    default:
      if (Array.isArray(v)) return `[${v.map(pyReprValue).join(", ")}]`;
      return `{${[...v].map(([k, x]) => `${pyReprString(k)}: ${pyReprValue(x)}`).join(", ")}}`;
  }
}

function pyReprString(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  const body = s.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/\r/g, "\\r").replace(/\t/g, "\\t");
  return quote + (quote === "'" ? body.replace(/'/g, "\\'") : body) + quote;
}

/** `json.dumps` of a value (floats keep their `.0`), so a Python reader types it as written. */
export function pyJsonDumps(v: PyValue): string {
  if (v === null) return "null";
  switch (typeof v) {
    case "boolean":
      return v ? "true" : "false";
    case "bigint":
      return v.toString();
    case "number":
      if (Number.isNaN(v)) return "NaN";
      if (!Number.isFinite(v)) return v > 0 ? "Infinity" : "-Infinity";
      return Number.isInteger(v) && Math.abs(v) < 1e16 ? `${v}.0` : pyNumber(v);
    case "string":
      return JSON.stringify(v);
    default:
      if (Array.isArray(v)) return `[${v.map(pyJsonDumps).join(", ")}]`;
      return `{${[...v].map(([k, x]) => `${JSON.stringify(k)}: ${pyJsonDumps(x)}`).join(", ")}}`;
  }
}

/** Back to plain JSON for result lines: ints and floats both become numbers, dicts objects. */
export function toPlainJson(v: PyValue): unknown {
  if (typeof v === "bigint") return Number(v);
  if (Array.isArray(v)) return v.map(toPlainJson);
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [k, toPlainJson(x)]));
  return v;
}

/** A JSON Schema-like description of a value, enough to type numbers: BFCL's parameter schemas. */
export interface TypeHint {
  readonly type?: string;
  readonly items?: TypeHint;
  readonly properties?: Readonly<Record<string, TypeHint>>;
}

const FLOAT_TYPES = new Set(["float", "number", "double"]);
const LIST_TYPES = new Set(["array", "tuple", "list"]);

/**
 * Types a value that was already parsed by `JSON.parse` (so `5.0` arrived as `5`): a number is a
 * float where the hint says float (`float`, `number`), else an int when integral. Lists follow
 * their `items` hint and dicts their `properties`.
 */
export function typedFromJson(value: unknown, hint?: TypeHint): PyValue {
  if (value === null || value === undefined) return null;
  if (typeof value === "number") {
    if (hint?.type !== undefined && FLOAT_TYPES.has(hint.type)) return value;
    return Number.isInteger(value) ? BigInt(value) : value;
  }
  if (typeof value === "boolean" || typeof value === "string") return value;
  if (Array.isArray(value)) {
    const items = hint?.type !== undefined && LIST_TYPES.has(hint.type) ? hint.items : undefined;
    return value.map((v) => typedFromJson(v, items));
  }
  if (typeof value === "object") {
    return new Map(Object.entries(value).map(([k, v]) => [k, typedFromJson(v, hint?.properties?.[k])]));
  }
  return null;
}
