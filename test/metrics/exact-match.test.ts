import { describe, expect, it } from "vitest";
import * as z from "zod";
import { exactMatch } from "../../src/metrics/exact-match.js";

// The gsm8k metric options, as in lm_eval/tasks/gsm8k/gsm8k.yaml.
const GSM8K = { regexes_to_ignore: [",", "\\$", "(?s).*#### ", "\\.$"], ignore_case: true, ignore_punctuation: false };

// Expected scores: lm-eval's exact_match_hf_evaluate (numpy arrays, re.sub) run by CPython 3.11 on each pair.
describe("exact_match", () => {
  it.each([
    ["1,234", "1234", GSM8K, 1],
    ["$18", "18", GSM8K, 1],
    ["#### 18", "18", GSM8K, 1],
    ["18.", "18", GSM8K, 1],
    ["18.0", "18", GSM8K, 0],
    ["x\n#### 1,234", "1234", GSM8K, 1],
    ["18.\n", "18", GSM8K, 0],
    ["18.\n", "18\n", GSM8K, 1],
    ["  18", "18", GSM8K, 0],
    ["ABC", "abc", { ignore_case: true }, 1],
    ["ABC", "abc", {}, 0],
    ["Hello, world!", "hello world", { ignore_case: true, ignore_punctuation: true }, 1],
    ["don\u2019t", "dont", { ignore_punctuation: true }, 0],
    ["a1b2", "ab", { ignore_numbers: true }, 1],
    ["\u0130", "i\u0307", { ignore_case: true }, 0],
    // Python truthiness, as `if ignore_punctuation:` tests it: afriqa's YAML gives a multi-line string.
    ["Paris.", "paris", { ignore_case: 'true - "." - ","', ignore_punctuation: 'true - "." - ","' }, 1],
    ["Paris.", "paris", { ignore_case: "", ignore_punctuation: 0 }, 0],
  ])("%j vs %j with %j scores %d", (prediction, reference, options, expected) => {
    expect(exactMatch.create(options)(prediction, reference)).toBe(expected);
  });

  it("applies regexes_to_ignore to the reference too: lm-eval's full gsm8k answer reduces to the number", () => {
    const score = exactMatch.create(GSM8K);
    expect(score("1234", "Janet sells 16 - 3 - 4 = <<16-3-4=9>>9 eggs.\n#### 1,234")).toBe(1);
  });

  it("is lm-eval's default registration: mean, higher is better", () => {
    expect(exactMatch.aggregation).toBe("mean");
    expect(exactMatch.higherIsBetter).toBe(true);
  });

  it("rejects unknown options and invalid regexes with the path of the offending option", () => {
    expect(() => exactMatch.create({ ignore_kase: true })).toThrow(z.ZodError);
    expect(() => exactMatch.create({ ignore_case: ["x"] })).toThrow("expected true or false");
    try {
      exactMatch.create({ regexes_to_ignore: [",", "(unclosed"] });
      expect.unreachable();
    } catch (e) {
      expect((e as z.ZodError).issues[0]!.path).toEqual(["regexes_to_ignore", 1]);
      expect((e as z.ZodError).issues[0]!.message).toContain("missing ), unterminated subpattern");
    }
  });
});
