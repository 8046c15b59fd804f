/**
 * Python's `str()` and `repr()` of JSON values. A Jinja template prints values with `str()`, so a
 * prompt that shows a list, a boolean or a float must read as lm-eval's does: `['a', 'b']`, `True`,
 * `None`, `1e-05`.
 */

/** Python `str(value)` for a JSON value (undefined prints as None). */
/**
 * A Python float whose value is integral (`4 / 2` is `2.0`): JS numbers cannot tell 2.0 from 2, and
 * Python prints them differently. Arithmetic in templates (jinja/py-arith.ts) makes these; anything
 * reading a number sees its value through `valueOf`.
 */
export class PyFloat {
  constructor(readonly value: number) {}
  valueOf(): number {
    return this.value;
  }
  toString(): string {
    return pyFloatRepr(this.value);
  }
  toJSON(): number {
    return this.value;
  }
}

/** Python's `repr(float)`: an integral value keeps its `.0`. */
export function pyFloatRepr(x: number): string {
  return Number.isInteger(x) && Math.abs(x) < 1e16 ? (Object.is(x, -0) ? "-0.0" : `${x}.0`) : pyNumber(x);
}

export function pyStr(value: unknown): string {
  return typeof value === "string" ? value : pyRepr(value);
}

/** Python `repr(value)` for a JSON value: quoted strings, `True`/`False`/`None`, lists and dicts. */
export function pyRepr(value: unknown): string {
  switch (typeof value) {
    case "string":
      return reprString(value);
    case "number":
      return pyNumber(value);
    case "boolean":
      return value ? "True" : "False";
    case "undefined":
      return "None";
    case "bigint":
      return value.toString();
    default:
      if (value === null) return "None";
      if (value instanceof PyFloat) return pyFloatRepr(value.value);
      if (Array.isArray(value)) return `[${value.map(pyRepr).join(", ")}]`;
      if (typeof value === "object") {
        return `{${Object.entries(value).map(([k, v]) => `${reprString(k)}: ${pyRepr(v)}`).join(", ")}}`;
      }
      return `<${typeof value}>`;
  }
}

/**
 * A JSON number as Python prints it. JSON does not say int or float, so integral values below 1e16
 * print as ints (`5`, not `5.0`); others use Python's float repr (`0.5`, `1e-05`, `1e+16`).
 */
export function pyNumber(n: number): string {
  if (Number.isNaN(n)) return "nan";
  if (!Number.isFinite(n)) return n > 0 ? "inf" : "-inf";
  if (Number.isInteger(n) && Math.abs(n) < 1e16) return Object.is(n, -0) ? "-0.0" : String(n);
  const [mantissa, expText] = n.toExponential().split("e") as [string, string];
  const exp = Number(expText);
  if (exp >= -4 && exp < 16) return String(n);
  return `${mantissa}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
}

// Characters Python's str.isprintable() rejects (space excepted): these are escaped by repr().
const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

function reprString(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    if (ch === "\\") out += "\\\\";
    else if (ch === quote) out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (ch !== " " && NON_PRINTABLE.test(ch)) out += escapeCodePoint(ch.codePointAt(0)!);
    else out += ch;
  }
  return out + quote;
}

function escapeCodePoint(cp: number): string {
  if (cp <= 0xff) return `\\x${cp.toString(16).padStart(2, "0")}`;
  if (cp <= 0xffff) return `\\u${cp.toString(16).padStart(4, "0")}`;
  return `\\U${cp.toString(16).padStart(8, "0")}`;
}
