import { describe, expect, it } from "vitest";
import * as z from "zod";
import { filterPipeline, filters, getFilter } from "../../src/tasks/filters/index.js";

const STRICT = { regex_pattern: "#### (\\-?[0-9\\.\\,]+)" };
const FLEXIBLE = { regex_pattern: "(-?[$0-9.,]{2,})|(-?[0-9]+)", group_select: -1 };

// Expected answers: lm-eval's RegexFilter.apply (lm_eval/filters/extraction.py) run by CPython 3.11.
const GSM8K_RESPONSES: [response: string, strict: string, flexible: string][] = [
  ["The answer is $1,234.", "[invalid]", "$1,234."],
  ["#### 18", "18", "18"],
  ["#### -3.", "-3.", "-3."],
  ["She has 5 apples and eats 2, so 7 remain.\n#### 7", "7", "7"],
  ["... 5 ... 7", "[invalid]", "7"],
  ["I don't know.", "[invalid]", "[invalid]"],
  ["The total is 1,234 dollars.\n#### $1,234", "[invalid]", "$1,234"],
  ["#### 18.\n\nQuestion: next", "18.", "18."],
  ["  #### 42  ", "42", "42"],
  ["Answer: -10 degrees", "[invalid]", "-10"],
  ["The answer is 0.50.", "[invalid]", "0.50."],
];

describe("regex filter", () => {
  it.each(GSM8K_RESPONSES)("gsm8k strict-match and flexible-extract on %j", (response, strict, flexible) => {
    expect(filters.regex.create(STRICT)([response])).toEqual([strict]);
    expect(filters.regex.create(FLEXIBLE)([response])).toEqual([flexible]);
  });

  it("defaults to lm-eval's pattern, group 0 and fallback [invalid]", () => {
    expect(filters.regex.create({})(["so #### 12", "nothing"])).toEqual(["12", "[invalid]"]);
  });

  it("selects by group_select, counting from the end when negative, and strips the match", () => {
    const f = filters.regex.create({ regex_pattern: "\\d+ ?", group_select: 1 });
    expect(f(["1 2 3"])).toEqual(["2"]);
    expect(filters.regex.create({ regex_pattern: "\\d", group_select: -2 })(["123"])).toEqual(["2"]);
  });

  it("takes the first non-empty group of a tuple match, or the fallback when all are empty", () => {
    expect(filters.regex.create({ regex_pattern: "(a)?(b)?(c)" })(["bc"])).toEqual(["b"]);
    expect(filters.regex.create({ regex_pattern: "(a)?(b)?c", fallback: "none" })(["c"])).toEqual(["none"]);
  });

  it("returns the fallback where lm-eval would raise IndexError", () => {
    expect(filters.regex.create({ regex_pattern: "\\d", group_select: 5, fallback: "X" })(["12"])).toEqual(["X"]);
  });

  it("rejects bad arguments with the path of the argument", () => {
    expect(() => filters.regex.create({ regex_pattern: "(" })).toThrow(z.ZodError);
    expect(() => filters.regex.create({ group_select: 0.5 })).toThrow(z.ZodError);
    try {
      filters.regex.create({ regex_patern: "x" });
      expect.unreachable();
    } catch (e) {
      expect((e as z.ZodError).issues[0]!.code).toBe("unrecognized_keys");
    }
  });
});

describe("selection and transformation filters", () => {
  it("take_first keeps the first response", () => {
    expect(filters.take_first.create({})(["a", "b"])).toEqual(["a"]);
    expect(filters.take_first.create({})([])).toEqual([]);
  });

  it("majority_vote picks the most frequent, the first seen among ties (Counter.most_common)", () => {
    const vote = filters.majority_vote.create({});
    expect(vote(["1", "2", "2", "3"])).toEqual(["2"]);
    expect(vote(["a", "b", "b", "a"])).toEqual(["a"]);
    expect(vote(["b", "a"])).toEqual(["b"]);
  });

  it("lowercase, uppercase and remove_whitespace (strip, both sides, as lm-eval 0.4.13)", () => {
    expect(filters.lowercase.create({})(["AbC"])).toEqual(["abc"]);
    expect(filters.uppercase.create({})(["straße"])).toEqual(["STRASSE"]);
    expect(filters.remove_whitespace.create({})(["  \u0085 x "])).toEqual(["x"]);
  });

  it("map looks responses up, printing values as Python does", () => {
    const f = filters.map.create({ mapping_dict: { A: 0, B: "yes" }, default_value: -1 });
    expect(f(["A", "B", "C"])).toEqual(["0", "yes", "-1"]);
    expect(filters.map.create({ mapping_dict: {} })(["x"])).toEqual(["None"]);
  });

  it("a pipeline applies its steps in order", () => {
    const p = filterPipeline("strict-match", [filters.regex.create(STRICT), filters.take_first.create({})]);
    expect(p.name).toBe("strict-match");
    expect(p.apply(["#### 5", "#### 6"])).toEqual(["5"]);
  });

  it("the registry resolves own names only", () => {
    expect(getFilter("regex")).toBe(filters.regex);
    expect(getFilter("hasOwnProperty")).toBeUndefined();
  });
});
