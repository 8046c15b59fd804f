import { PythonError } from "./python-error.js";
import { PyFloat } from "./repr.js";

/**
 * Python's arithmetic for templates, as Jinja evaluates it in lm-eval: `/` is true division (a float:
 * `{{ 2 / 2 }}` prints `1.0`), `//` floors, `**` of ints stays an int unless the exponent is negative,
 * and an operation with a float yields a float. Operands that are not numbers (`{{ "a" - 1 }}`) raise
 * the TypeError Python would (a PythonError; the template makes it a TaskInputError, and the sample is
 * rejected naming the template's key),
 * where JS arithmetic would have printed `nan`. Division by zero is Python's ZeroDivisionError.
 */

export type PyNum = number | PyFloat;

/** A number, a bool (Python's bools are ints) or a float marked as such. */
export const isPyNumber = (v: unknown): v is number | boolean | PyFloat => typeof v === "number" || typeof v === "boolean" || v instanceof PyFloat;

/** Whether Python would hold `v` as a float. */
export const isPyFloat = (v: unknown): boolean => v instanceof PyFloat || (typeof v === "number" && !Number.isInteger(v));

/** A result, marked as a float when Python's would be one and its value alone cannot say so. */
export function numberResult(x: number, float: boolean): PyNum {
  return float && Number.isInteger(x) ? new PyFloat(x) : x;
}

function typeName(v: unknown): string {
  if (v === null || v === undefined) return "NoneType";
  if (typeof v === "string") return "str";
  if (typeof v === "boolean") return "bool";
  if (isPyNumber(v)) return isPyFloat(v) ? "float" : "int";
  return Array.isArray(v) ? "list" : "dict";
}

function operands(op: string, a: unknown, b: unknown): [number, number, boolean] {
  if (!isPyNumber(a) || !isPyNumber(b)) throw new PythonError(`unsupported operand type(s) for ${op}: '${typeName(a)}' and '${typeName(b)}'`);
  return [Number(a), Number(b), isPyFloat(a) || isPyFloat(b)];
}

export function pyMinus(a: unknown, b: unknown): PyNum {
  const [x, y, f] = operands("-", a, b);
  return numberResult(x - y, f);
}

export function pyTrueDiv(a: unknown, b: unknown): PyNum {
  const [x, y, f] = operands("/", a, b);
  if (y === 0) throw new PythonError(f ? "float division by zero" : "division by zero");
  return numberResult(x / y, true);
}

export function pyFloorDiv(a: unknown, b: unknown): PyNum {
  const [x, y, f] = operands("//", a, b);
  if (y === 0) throw new PythonError(f ? "float floor division by zero" : "integer division or modulo by zero");
  return numberResult(Math.floor(x / y), f);
}

export function pyPow(a: unknown, b: unknown): PyNum {
  const [x, y, f] = operands("** or pow()", a, b);
  if (x === 0 && y < 0) throw new PythonError("0.0 cannot be raised to a negative power");
  return numberResult(x ** y, f || y < 0);
}

/** `+` and `*` on two numbers (py-ops handles str and list operands). */
export function pyNumAdd(a: number | boolean | PyFloat, b: number | boolean | PyFloat): PyNum {
  return numberResult(Number(a) + Number(b), isPyFloat(a) || isPyFloat(b));
}

export function pyNumMul(a: number | boolean | PyFloat, b: number | boolean | PyFloat): PyNum {
  return numberResult(Number(a) * Number(b), isPyFloat(a) || isPyFloat(b));
}

export function pyNeg(a: unknown): PyNum {
  if (!isPyNumber(a)) throw new PythonError(`bad operand type for unary -: '${typeName(a)}'`);
  return numberResult(-Number(a), isPyFloat(a));
}

export function pyPos(a: unknown): PyNum {
  if (!isPyNumber(a)) throw new PythonError(`bad operand type for unary +: '${typeName(a)}'`);
  return numberResult(Number(a), isPyFloat(a));
}
