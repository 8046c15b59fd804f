import { TaskInputError } from "../errors/task-input-error.js";
import { type BfclFunction, type BfclParam, convertFuncName, type PossibleParams, typeName } from "./bfcl-checker.js";
import { type PyValue, typedFromJson } from "../python/value.js";

/**
 * BFCL function docs → OpenAI tools, as BFCL's `convert_to_tool` does for OpenAI-style FC models:
 * `parameters.type` becomes `object`, each parameter type goes through GORILLA_TO_OPENAPI (`dict` →
 * `object`, `float` → `number` with `format: float` and " This is a float type value." appended to
 * its description, `tuple` → `array`, unknown → `string`), nested properties and items likewise,
 * and dotted names become underscored when `underscoreToDot` is set.
 */

/** BFCL's GORILLA_TO_OPENAPI (bfcl_eval/constants/type_mappings.py). */
export const GORILLA_TO_OPENAPI: Readonly<Record<string, string>> = {
  integer: "integer",
  number: "number",
  float: "number",
  string: "string",
  boolean: "boolean",
  bool: "boolean",
  array: "array",
  list: "array",
  dict: "object",
  object: "object",
  tuple: "array",
  any: "string",
  byte: "integer",
  short: "integer",
  long: "integer",
  double: "number",
  char: "string",
  ArrayList: "array",
  Array: "array",
  HashMap: "object",
  Hashtable: "object",
  Queue: "array",
  Stack: "array",
  Any: "string",
  String: "string",
  Bigint: "integer",
};

export interface OpenAITool {
  readonly type: "function";
  readonly function: { readonly name: string; readonly description?: string; readonly parameters: Record<string, unknown> };
}

type Schema = Record<string, unknown>;
const isRecord = (v: unknown): v is Schema => typeof v === "object" && v !== null && !Array.isArray(v);
const mapType = (t: unknown): string => (typeof t === "string" && Object.hasOwn(GORILLA_TO_OPENAPI, t) ? GORILLA_TO_OPENAPI[t]! : "string");

/** `_cast_to_openai_type`, on a copy. */
function castProperties(properties: Schema): Schema {
  const out: Schema = {};
  for (const [key, raw] of Object.entries(properties)) {
    const p: Schema = isRecord(raw) ? structuredClone(raw) : {};
    if (p.type === undefined) p.type = "string";
    else {
      if (p.type === "float") {
        p.format = "float";
        p.description = `${typeof p.description === "string" ? p.description : ""} This is a float type value.`;
      }
      p.type = mapType(p.type);
    }
    if (p.type === "array" || p.type === "object") {
      if (isRecord(p.properties)) p.properties = castProperties(p.properties);
      else if (isRecord(p.items)) {
        const items = p.items;
        items.type = mapType(items.type);
        if (items.type === "array" && isRecord(items.items)) items.items.type = mapType(items.items.type);
        else if (items.type === "object" && isRecord(items.properties)) items.properties = castProperties(items.properties);
      }
    }
    out[key] = p;
  }
  return out;
}

/** The tools an OpenAI-compatible chat request carries for these BFCL functions. */
export function bfclToOpenAITools(functions: readonly BfclFunction[], options: { readonly underscoreToDot: boolean }): OpenAITool[] {
  return functions.map((f) => {
    const { name, parameters, ...rest } = structuredClone(f) as BfclFunction & Schema;
    return {
      type: "function",
      function: {
        ...rest,
        name: convertFuncName(name, options),
        parameters: { ...parameters, type: "object", properties: castProperties(parameters.properties) },
      },
    };
  });
}

/**
 * Checks that a sample's `function` value is a list of BFCL function docs whose parameter types the
 * checker knows; throws a TaskInputError (the line is set aside) naming what is wrong.
 */
export function readBfclFunctions(value: unknown, key: string): BfclFunction[] {
  const list = Array.isArray(value) ? value : isRecord(value) ? [value] : undefined;
  if (!list || list.length === 0) throw new TaskInputError(`${key}: expected a list of function docs`, key);
  return list.map((f, i) => {
    const where = `${key}[${i}]`;
    if (!isRecord(f) || typeof f.name !== "string" || f.name === "") throw new TaskInputError(`${where}: expected a function doc with a \`name\``, key);
    const parameters = f.parameters;
    if (!isRecord(parameters) || !isRecord(parameters.properties)) throw new TaskInputError(`${where}.parameters: expected an object with \`properties\``, key);
    if (parameters.required !== undefined && !(Array.isArray(parameters.required) && parameters.required.every((r) => typeof r === "string"))) {
      throw new TaskInputError(`${where}.parameters.required: expected a list of parameter names`, key);
    }
    for (const [name, p] of Object.entries(parameters.properties)) checkParamType(p, `${where}.parameters.properties.${name}`, key);
    return f as unknown as BfclFunction;
  });
}

function checkParamType(p: unknown, where: string, key: string): void {
  if (!isRecord(p)) throw new TaskInputError(`${where}: expected a parameter schema`, key);
  const type = typeof p.type === "string" ? p.type : "string";
  const itemType = isRecord(p.items) && typeof p.items.type === "string" ? p.items.type : "string";
  try {
    typeName(type);
    if (type === "array" || type === "tuple") typeName(itemType);
  } catch (e) {
    throw new TaskInputError(`${where}: ${(e as Error).message}`, key);
  }
}

/**
 * A BFCL possible answer for one function: `ground_truth` is `[{func_name: {param: [accepted…]}}]`.
 * Accepted values are typed by the parameter's schema (see `typedFromJson`), since JSON parsing
 * lost whether `5.0` was a float.
 */
export function readPossibleAnswer(groundTruth: unknown, func: BfclFunction, key: string): PossibleParams {
  const first: unknown = Array.isArray(groundTruth) ? groundTruth[0] : groundTruth;
  if (!isRecord(first)) throw new TaskInputError(`${key}: expected [{function_name: {param: [accepted values]}}]`, key);
  const entry = Object.entries(first)[0];
  if (!entry || !isRecord(entry[1])) throw new TaskInputError(`${key}: expected [{function_name: {param: [accepted values]}}]`, key);
  const params = new Map<string, readonly PyValue[]>();
  for (const [param, accepted] of Object.entries(entry[1])) {
    if (!Array.isArray(accepted)) throw new TaskInputError(`${key}.${param}: expected a list of accepted values`, key);
    const hint: BfclParam | undefined = func.parameters.properties[param];
    params.set(param, accepted.map((a) => typedFromJson(a, hint)));
  }
  return params;
}

/** The function the possible answer names (its first key). */
export function possibleAnswerFunction(groundTruth: unknown): string | undefined {
  const first: unknown = Array.isArray(groundTruth) ? groundTruth[0] : groundTruth;
  return isRecord(first) ? Object.keys(first)[0] : undefined;
}
