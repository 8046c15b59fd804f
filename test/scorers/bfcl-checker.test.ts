import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { BfclFunction } from "../../src/scorers/bfcl-checker.js";
import { scoreSimpleCall } from "../../src/scorers/bfcl-score.js";
import { bfclToOpenAITools, readBfclFunctions, readPossibleAnswer } from "../../src/scorers/bfcl-tools.js";
import { parsePyJson } from "../../src/python/json.js";
import { pyEquals, pyJsonDumps, pyReprValue, type PyValue } from "../../src/python/value.js";
import type { ToolCall } from "../../src/types.js";
import { datasetPath } from "../support/datasets.js";

const triangle: BfclFunction = {
  name: "geometry.triangle_area",
  description: "Area of a triangle.",
  parameters: {
    type: "dict",
    properties: {
      base: { type: "integer", description: "The base." },
      height: { type: "float", description: "The height." },
      unit: { type: "string", description: "The unit." },
      tags: { type: "array", items: { type: "string" }, description: "Tags." },
      options: { type: "dict", description: "Options.", properties: { precise: { type: "boolean" } } },
    },
    required: ["base", "height"],
  },
};
const groundTruth = [{ "geometry.triangle_area": { base: [10], height: [5.0], unit: ["units", "cm", ""], tags: [["a b", "c"], ""], options: [{ precise: [true] }, ""] } }];
const possible = readPossibleAnswer(groundTruth, triangle, "ground_truth");
const opts = { underscoreToDot: true };

const call = (args: string, name = "geometry_triangle_area"): ToolCall[] => [{ id: "call_1", type: "function", function: { name, arguments: args } }];
const check = (args: string, name?: string) => scoreSimpleCall(call(args, name), triangle, possible, opts);

describe("BFCL simple checker", () => {
  it("accepts the right call, with optional parameters left out or given an accepted value", () => {
    expect(check('{"base": 10, "height": 5.0}')).toMatchObject({ score: 1, check: { valid: true } });
    expect(check('{"base": 10, "height": 5, "unit": "CM"}').score).toBe(1); // int passes for float; strings ignore case
    expect(check('{"base": 10, "height": 5.0, "tags": ["A-B", "c"], "options": {"precise": true}}').score).toBe(1);
  });

  it("rejects a wrong value", () => {
    expect(check('{"base": 11, "height": 5.0}').check).toMatchObject({ valid: false, error_type: "value_error:others", error: ["Invalid value for parameter 'base': 11. Expected one of [10]."] });
    expect(check('{"base": 10, "height": 5.0, "unit": "inches"}').check.error_type).toBe("value_error:string");
    expect(check('{"base": 10, "height": 5.0, "tags": ["c", "ab"]}').check.error_type).toBe("value_error:list/tuple");
    expect(check('{"base": 10, "height": 5.0, "options": {"precise": false}}').check.error_type).toBe("value_error:dict_value");
  });

  it("rejects a missing required parameter", () => {
    expect(check('{"base": 10}').check).toMatchObject({ valid: false, error_type: "simple_function_checker:missing_required", error: ["Missing required parameter: 'height'."] });
  });

  it("rejects an extra parameter outside the schema, and an optional one the answer does not allow", () => {
    expect(check('{"base": 10, "height": 5.0, "color": "red"}').check).toMatchObject({ error_type: "simple_function_checker:unexpected_param", error: ["Unexpected parameter: 'color'."] });
    const strict = readPossibleAnswer([{ "geometry.triangle_area": { base: [10], height: [5.0], unit: ["units"] } }], triangle, "ground_truth");
    expect(scoreSimpleCall(call('{"base": 10, "height": 5.0}'), triangle, strict, opts).check.error_type).toBe("simple_function_checker:missing_optional");
  });

  it("rejects a wrong function, a wrong count of calls and undecodable arguments", () => {
    expect(check('{"base": 10, "height": 5.0}', "triangle_area").check).toMatchObject({ error_type: "simple_function_checker:wrong_func_name", error: ["Function name 'geometry_triangle_area' not found in model output."] });
    expect(scoreSimpleCall([...call('{"base": 10, "height": 5.0}'), ...call('{"base": 10, "height": 5.0}')], triangle, possible, opts).check.error_type).toBe("simple_function_checker:wrong_count");
    expect(check('{"base": 10, "height": ').check.error_type).toBe("ast_decoder:decoder_failed");
    expect(scoreSimpleCall(undefined, triangle, possible, opts).check.error_type).toBe("ast_decoder:decoder_failed");
    // Without underscore_to_dot the dotted name is expected as is.
    expect(scoreSimpleCall(call('{"base": 10, "height": 5.0}', "geometry.triangle_area"), triangle, possible, { underscoreToDot: false }).score).toBe(1);
  });

  it("checks types as Python does: a float is not an int, a bool is not an int, nested types one level deep", () => {
    expect(check('{"base": 10.0, "height": 5.0}').check).toMatchObject({ error_type: "type_error:simple", error: ["Incorrect type for parameter 'base'. Expected type integer, got float. Parameter value: 10.0."] });
    expect(check('{"base": true, "height": 5.0}').check.error_type).toBe("type_error:simple");
    const strict = readPossibleAnswer([{ "geometry.triangle_area": { base: [10], height: [5.0], tags: [["a b", "c"]] } }], triangle, "ground_truth");
    expect(scoreSimpleCall(call('{"base": 10, "height": 5.0, "tags": ["a b", 3]}'), triangle, strict, opts).check.error_type).toBe("type_error:nested");
    // As upstream: with "" among the accepted lists the nested check passes, and the list check decides.
    expect(check('{"base": 10, "height": 5.0, "tags": ["a b", 3]}').check.error_type).toBe("value_error:list/tuple");
  });

  it("takes a value of the possible answer's own type as a variable (simple_python_307's boolean venue)", () => {
    const f: BfclFunction = { name: "f", parameters: { type: "dict", properties: { venue: { type: "string" } }, required: [] } };
    const p = readPossibleAnswer([{ f: { venue: ["", true] } }], f, "gt");
    expect(scoreSimpleCall(call('{"venue": true}', "f"), f, p, opts).score).toBe(1);
    expect(scoreSimpleCall(call('{"venue": "yes"}', "f"), f, p, opts).score).toBe(0);
    expect(scoreSimpleCall(call("{}", "f"), f, p, opts).score).toBe(1);
  });

  it("converts BFCL function docs to OpenAI tools like convert_to_tool", () => {
    const [tool] = bfclToOpenAITools([triangle], opts);
    expect(tool!.function.name).toBe("geometry_triangle_area");
    expect(tool!.function.parameters).toMatchObject({
      type: "object",
      required: ["base", "height"],
      properties: {
        base: { type: "integer" },
        height: { type: "number", format: "float", description: "The height. This is a float type value." },
        tags: { type: "array", items: { type: "string" } },
        options: { type: "object", properties: { precise: { type: "boolean" } } },
      },
    });
    expect(triangle.parameters.type).toBe("dict"); // the input is not modified
  });

  it("rejects function docs with a type the checker does not know", () => {
    expect(() => readBfclFunctions([{ name: "f", parameters: { properties: { x: { type: "complex" } } } }], "function")).toThrow(
      "function[0].parameters.properties.x: unknown parameter type `complex`",
    );
  });
});

describe("Python-typed JSON", () => {
  it("keeps ints and floats apart, and compares as Python ==", () => {
    const v = parsePyJson('{"a": [1, 1.0, 1e2, -0, true, null, "x"], "a": 2}');
    expect(pyReprValue(v)).toBe("{'a': 2}");
    const list = parsePyJson('[1, 1.0, 1e2, -0, true, null, "x\\n"]');
    expect(pyReprValue(list)).toBe("[1, 1.0, 100.0, 0, True, None, 'x\\n']");
    expect(pyJsonDumps(list)).toBe('[1, 1.0, 100.0, 0, true, null, "x\\n"]');
    expect(pyEquals(1n, 1.0)).toBe(true);
    expect(pyEquals(true, 1n)).toBe(true);
    expect(pyEquals("1", 1n)).toBe(false);
    expect(pyEquals([1n, "a"] as PyValue, [1.0, "a"] as PyValue)).toBe(true);
    expect(() => parsePyJson("[1, 2")).toThrow(SyntaxError);
    expect(() => parsePyJson("{'a': 1}")).toThrow(/property name/);
  });
});

/** A call argument from an accepted value: a dict's accepted values are per key, so take each key's first. */
function pick(value: PyValue, type: string | undefined): PyValue {
  const firstOfEach = (d: PyValue): PyValue =>
    d instanceof Map ? new Map([...d].flatMap(([k, vs]) => (Array.isArray(vs) && !pyEquals(vs[0]!, "") ? [[k, vs[0]!] as [string, PyValue]] : []))) : d;
  if (type === "dict") return firstOfEach(value);
  if (type === "array" && Array.isArray(value)) return value.map((v) => (v instanceof Map ? firstOfEach(v) : v));
  return value;
}

describe("BFCL simple, the fixture's 100 questions", () => {
  const questions = readFileSync(datasetPath("bfcl_v4_simple_python.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
  const answers = new Map(
    readFileSync(datasetPath("bfcl_v4_simple_python_possible_answer.jsonl"), "utf8").trim().split("\n").map((l) => {
      const a = JSON.parse(l) as { id: string; ground_truth: unknown };
      return [a.id, a.ground_truth] as const;
    }),
  );

  it("accepts the first accepted value of every parameter, and rejects a dropped required parameter", () => {
    let accepted = 0;
    let rejected = 0;
    for (const q of questions) {
      const [func] = readBfclFunctions(q.function, "function");
      const possible = readPossibleAnswer(answers.get(q.id as string), func!, "ground_truth");
      const args = new Map<string, PyValue>();
      for (const [param, values] of possible) {
        const first = values.find((v) => !pyEquals(v, ""));
        if (first !== undefined) args.set(param, pick(first, func!.parameters.properties[param]!.type));
      }
      const right = scoreSimpleCall(call(pyJsonDumps(args), func!.name.replace(/\./g, "_")), func!, possible, opts);
      if (right.score === 1) accepted++;
      else throw new Error(`${String(q.id)}: ${right.check.error.join(" ")}`);
      const required = func!.parameters.required?.[0];
      if (required) {
        args.delete(required);
        if (scoreSimpleCall(call(pyJsonDumps(args), func!.name.replace(/\./g, "_")), func!, possible, opts).score === 0) rejected++;
      }
    }
    expect(questions).toHaveLength(100);
    expect(accepted).toBe(100);
    expect(rejected).toBe(questions.filter((q) => ((q.function as BfclFunction[])[0]!.parameters.required ?? []).length > 0).length);
  });
});
