import { isPyDict, type PyDict, pyEquals, pyIn, pyReprValue, pyType, type PyTypeName, type PyValue } from "../python/value.js";

/**
 * The Berkeley Function Calling Leaderboard's AST checker for the `simple` category, ported from
 * `bfcl_eval/eval_checker/ast_eval/ast_checker.py` (Python language) with the same decisions, order
 * of checks, error types and messages:
 *
 * - exactly one call; its name is the function's (dots as underscores for OpenAI-style tool names);
 * - every required parameter present; no parameter outside the schema or the possible answer;
 * - each value of the declared type (an int passes for a float; a value of the possible answer's
 *   own type passes as a "variable"); lists checked one level deep;
 * - each value among the accepted ones: strings compared after `standardize_string` (case, spaces
 *   and `,./-_*^` ignored), lists element-wise, dicts key by key, others by Python `==`;
 * - a parameter left out must have `""` among its accepted values.
 *
 * Values are typed as Python types them (see PyValue): the model's arguments parsed with
 * `parsePyJson`, the possible answers typed by the parameter schema (`typedFromJson`).
 */

/** A BFCL parameter schema (`type` in BFCL's spelling: string, integer, float, boolean, array, tuple, dict, any). */
export interface BfclParam {
  readonly type?: string;
  readonly items?: BfclParam;
  readonly properties?: Readonly<Record<string, BfclParam>>;
  readonly [key: string]: unknown;
}

export interface BfclFunction {
  readonly name: string;
  readonly description?: string;
  readonly parameters: { readonly type?: string; readonly properties: Readonly<Record<string, BfclParam>>; readonly required?: readonly string[] };
}

/** `{param: [accepted values]}`; `""` among them marks the parameter optional. */
export type PossibleParams = ReadonlyMap<string, readonly PyValue[]>;

export interface CheckResult {
  readonly valid: boolean;
  readonly error: readonly string[];
  readonly error_type?: string;
}

export interface CheckOptions {
  /** The model saw tool names with `.` replaced by `_` (BFCL's `underscore_to_dot` for OpenAI FC models). */
  readonly underscoreToDot: boolean;
}

/** BFCL's PYTHON_TYPE_MAPPING, plus JSON Schema's spellings `number` and `object`. */
export const PYTHON_TYPE_MAPPING: Readonly<Record<string, PyTypeName>> = {
  string: "str",
  integer: "int",
  float: "float",
  number: "float",
  boolean: "bool",
  array: "list",
  tuple: "list",
  dict: "dict",
  object: "dict",
  any: "str",
};
const NESTED_TYPE_CHECK = new Set(["array", "tuple"]);
const FLOAT_DESCRIPTIONS = new Set(["float", "number"]);

const ok: CheckResult = { valid: true, error: [] };
const fail = (error_type: string, message: string): CheckResult => ({ valid: false, error: [message], error_type });

/** `ast_checker` for the simple category: exactly one call, checked against the one function. */
export function simpleAstCheck(func: BfclFunction, calls: readonly PyDict[], possible: PossibleParams, options: CheckOptions): CheckResult {
  if (calls.length !== 1) return fail("simple_function_checker:wrong_count", "Wrong number of functions.");
  return simpleFunctionChecker(func, calls[0]!, possible, options);
}

/** `convert_func_name`: OpenAI tool names cannot hold dots, so BFCL's FC models see underscores. */
export function convertFuncName(name: string, options: CheckOptions): string {
  return options.underscoreToDot && name.includes(".") ? name.replace(/\./g, "_") : name;
}

/** `simple_function_checker`: `call` is `{function_name: {param: value}}`. */
export function simpleFunctionChecker(func: BfclFunction, call: PyDict, possible: PossibleParams, options: CheckOptions): CheckResult {
  const details = func.parameters.properties;
  const name = convertFuncName(func.name, options);
  const params = call.get(name);
  if (params === undefined) return fail("simple_function_checker:wrong_func_name", `Function name ${pyReprValue(name)} not found in model output.`);
  if (!isPyDict(params)) return fail("ast_decoder:decoder_failed", `The arguments of ${pyReprValue(name)} are not an object.`);

  for (const param of func.parameters.required ?? []) {
    if (!params.has(param)) return fail("simple_function_checker:missing_required", `Missing required parameter: ${pyReprValue(param)}.`);
  }

  for (const [param, given] of params) {
    let value = given;
    const accepted = possible.get(param);
    if (!Object.hasOwn(details, param) || accepted === undefined) {
      return fail("simple_function_checker:unexpected_param", `Unexpected parameter: ${pyReprValue(param)}.`);
    }
    const description = details[param]!.type ?? "string";
    const expected = typeName(description);
    const nested = NESTED_TYPE_CHECK.has(description) ? typeName(details[param]!.items?.type ?? "string") : null;
    // Python's auto conversion from int to float.
    if (FLOAT_DESCRIPTIONS.has(description) && typeof value === "bigint") value = Number(value);

    const typed = typeChecker(param, value, accepted, description, expected, nested);
    if (!typed.valid) return typed;

    if (!typed.isVariable) {
      let special: CheckResult | undefined;
      if (expected === "dict") special = dictChecker(param, value, accepted);
      else if (expected === "list" && nested === "dict") special = listDictChecker(param, value, accepted);
      else if (expected === "str") special = stringChecker(param, value, accepted);
      else if (expected === "list") special = listChecker(param, value, accepted);
      if (special) {
        if (!special.valid) return special;
        continue;
      }
    }
    if (!pyIn(value, accepted)) {
      return fail("value_error:others", `Invalid value for parameter ${pyReprValue(param)}: ${pyReprValue(value)}. Expected one of ${pyReprValue([...accepted])}.`);
    }
  }

  for (const [param, accepted] of possible) {
    if (!params.has(param) && !pyIn("", accepted)) {
      return fail("simple_function_checker:missing_optional", `Optional parameter ${pyReprValue(param)} not provided and not marked as optional.`);
    }
  }
  return ok;
}

/** The Python type a BFCL type name maps to; throws a RangeError for a name BFCL does not know. */
export function typeName(description: string): PyTypeName {
  const t = PYTHON_TYPE_MAPPING[description];
  if (t === undefined) throw new RangeError(`unknown parameter type \`${description}\` (known: ${Object.keys(PYTHON_TYPE_MAPPING).join(", ")})`);
  return t;
}

/** `get_possible_answer_type`: the type of the first accepted value that is not `""`. */
function possibleAnswerType(accepted: readonly PyValue[]): PyTypeName | null {
  for (const a of accepted) if (!pyEquals(a, "")) return pyType(a);
  return null;
}

interface TypeCheck extends CheckResult {
  readonly isVariable: boolean;
}

/** `type_checker`, nested checking one level deep as upstream. */
function typeChecker(param: string, value: PyValue, accepted: readonly PyValue[], description: string, expected: PyTypeName, nested: PyTypeName | null): TypeCheck {
  let result: TypeCheck = { valid: true, error: [], isVariable: false, error_type: "type_error:simple" };
  const answerType = possibleAnswerType(accepted);
  const isVariable = answerType !== null && answerType !== expected;

  if (pyType(value) === expected) {
    if (nested === null) return { ...result, isVariable };
    for (const item of accepted) {
      let flag = true;
      if (Array.isArray(item)) {
        for (const v of value as PyValue[]) {
          if (!typeChecker(param, v, item, nested, nested, null).valid) {
            flag = false;
            break;
          }
        }
      }
      if (flag) return { valid: true, error: [], isVariable };
    }
    result = {
      valid: false,
      isVariable: false,
      error: [`Nested type checking failed for parameter ${pyReprValue(param)}. Expected outer type ${description} with inner type ${nested}. Parameter value: ${pyReprValue(value)}.`],
      error_type: "type_error:nested",
    };
  }

  // A value of the possible answer's own type is taken as a variable standing for the value.
  if (answerType !== null && pyType(value) === answerType) return { ...result, isVariable: true };
  return {
    valid: false,
    isVariable: result.isVariable,
    error: [...result.error, `Incorrect type for parameter ${pyReprValue(param)}. Expected type ${description}, got ${pyType(value)}. Parameter value: ${pyReprValue(value)}.`],
    error_type: "type_error:simple",
  };
}

/** `standardize_string`: drops spaces and `,./-_*^`, lowercases, and turns `'` into `"`. */
export function standardizeString(s: string): string {
  return s.replace(/[ ,./\-_*^]/g, "").toLowerCase().replace(/'/g, '"');
}

const standardize = (v: PyValue): PyValue => (typeof v === "string" ? standardizeString(v) : v);

/** Python's `list(x)` of an accepted value: a string iterates its characters (so `""` is `[]`). */
function asList(v: PyValue): PyValue[] | undefined {
  if (Array.isArray(v)) return v;
  if (typeof v === "string") return Array.from(v);
  return undefined;
}

function stringChecker(param: string, value: PyValue, accepted: readonly PyValue[]): CheckResult {
  const candidates = accepted.filter((a): a is string => typeof a === "string").map(standardizeString);
  if (!candidates.includes(standardizeString(value as string))) {
    return fail("value_error:string", `Invalid value for parameter ${pyReprValue(param)}: ${pyReprValue(value)}. Expected one of ${pyReprValue([...accepted])}. Case insensitive.`);
  }
  return ok;
}

function listChecker(param: string, value: PyValue, accepted: readonly PyValue[]): CheckResult {
  const output = (value as PyValue[]).map(standardize);
  const candidates = accepted.map((a) => asList(a)?.map(standardize));
  if (!candidates.some((c) => c !== undefined && pyEquals(output, c))) {
    return fail("value_error:list/tuple", `Invalid value for parameter ${pyReprValue(param)}: ${pyReprValue(value)}. Expected one of ${pyReprValue([...accepted])}.`);
  }
  return ok;
}

/** `dict_checker`: each accepted dict maps a key to its accepted values. */
function dictChecker(_param: string, value: PyValue, accepted: readonly PyValue[]): CheckResult {
  let result: CheckResult = { valid: false, error: [], error_type: "dict_checker:unclear" };
  if (!isPyDict(value)) return result;
  for (const candidate of accepted) {
    if (pyEquals(candidate, "")) continue;
    result = { valid: false, error: [], error_type: "dict_checker:unclear" };
    if (!isPyDict(candidate)) continue;
    let flag = true;
    for (const [key, v] of value) {
      const values = candidate.get(key);
      if (values === undefined) {
        result = fail("value_error:dict_key", `Unexpected dict key parameter: '${key}'.`);
        flag = false;
        break;
      }
      const standardized = (asList(values) ?? []).map(standardize);
      if (!pyIn(standardize(v), standardized)) {
        result = fail("value_error:dict_value", `Invalid value for parameter ${pyReprValue(key)}: ${pyReprValue(v)}. Expected one of ${pyReprValue(standardized)}.`);
        flag = false;
        break;
      }
    }
    for (const [key, values] of candidate) {
      if (!value.has(key) && !pyIn("", asList(values) ?? [])) {
        result = fail("value_error:dict_key", `Missing dict key parameter: '${key}'.`);
        flag = false;
        break;
      }
    }
    if (flag) return ok;
  }
  return result;
}

/** `list_dict_checker`: a list of dicts, in order, against each accepted list of dicts. */
function listDictChecker(param: string, value: PyValue, accepted: readonly PyValue[]): CheckResult {
  let result: CheckResult = { valid: false, error: [], error_type: "list_dict_checker:unclear" };
  const output = value as PyValue[];
  for (const candidate of accepted) {
    const dicts = asList(candidate) ?? [];
    if (output.length !== dicts.length) {
      result = fail("value_error:list_dict_count", "Wrong number of dictionaries in the list.");
      continue;
    }
    let flag = true;
    for (let i = 0; i < output.length; i++) {
      result = dictChecker(param, output[i]!, [dicts[i]!]);
      if (!result.valid) {
        flag = false;
        break;
      }
    }
    if (flag) return ok;
  }
  return result;
}
