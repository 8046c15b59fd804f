import { describe, expect, it } from "vitest";
import { argmax, multipleChoiceResult } from "../../src/pipelines/multiple-choice-scores.js";

const ALL_GREEDY = [true, true, true, true];

// Each case is worked by hand from lm-eval's ConfigurableTask.process_results:
//   pred = argmax(lls); pred_norm = argmax(lls / [len(c) for c in choices]); acc = pred == gold …
describe("multipleChoiceResult (lm-eval's acc, acc_norm, exact_match)", () => {
  it("picks the likeliest of equal-length choices for both acc and acc_norm", () => {
    const r = multipleChoiceResult([-3.0, -1.5, -2.0, -4.0], ALL_GREEDY, ["A", "B", "C", "D"], 1);
    expect(r).toEqual({ pred: 1, predNorm: 1, values: { acc: 1, acc_norm: 1, acc_bytes: 1, exact_match: 1 } });
    expect(multipleChoiceResult([-3.0, -1.5, -2.0, -4.0], ALL_GREEDY, ["A", "B", "C", "D"], 2).values).toEqual({ acc: 0, acc_norm: 0, acc_bytes: 0, exact_match: 1 });
  });

  it("normalises by the choice's length: a long likely-per-character choice wins acc_norm only", () => {
    // lls / len: -2/5 = -0.4, -3/20 = -0.15 → pred_norm = 1; raw: pred = 0
    const r = multipleChoiceResult([-2.0, -3.0], [false, false], ["Paris", "London is a big city"], 1);
    expect(r).toEqual({ pred: 0, predNorm: 1, values: { acc: 0, acc_norm: 1, acc_bytes: 1, exact_match: 0 } });
  });

  it("divides by characters (Python len), not by UTF-8 bytes", () => {
    // characters: -1/2 = -0.5 vs -1.4/3 = -0.467 → 1; bytes would give -1/6 vs -1.4/3 → 0
    expect(multipleChoiceResult([-1.0, -1.4], [true, true], ["日本", "abc"], 1).predNorm).toBe(1);
    // acc_bytes divides by UTF-8 bytes: -1/6 vs -1.4/3 → 0
    expect(multipleChoiceResult([-1.0, -1.4], [true, true], ["日本", "abc"], 1).values).toMatchObject({ acc_norm: 1, acc_bytes: 0 });
    // an astral character counts once, as in Python
    expect(multipleChoiceResult([-1.0, -2.1], [true, true], ["😀", "ab"], 1).predNorm).toBe(0);
  });

  it("breaks ties on the first choice, as numpy's argmax", () => {
    expect(multipleChoiceResult([-1, -1, -2], [true, true, true], ["x", "y", "z"], 1).values.acc).toBe(0);
    expect(argmax([0, 3, 3, 1])).toBe(1);
    expect(argmax([0, Number.NaN, 5])).toBe(1);
  });

  it("scores a gold index error (lm-eval's -100) as 0 everywhere", () => {
    expect(multipleChoiceResult([-1, -2], [true, true], ["a", "b"], -100).values).toEqual({ acc: 0, acc_norm: 0, acc_bytes: 0, exact_match: 0 });
    // A negative gold index, as lm-eval keeps it: never the prediction, and is_greedy[-1] is the last choice's.
    expect(multipleChoiceResult([-1, -2], [false, true], ["a", "b"], -1).values).toEqual({ acc: 0, acc_norm: 0, acc_bytes: 0, exact_match: 1 });
  });

  it("exact_match is the gold choice's greediness", () => {
    expect(multipleChoiceResult([-1, -2], [false, true], ["a", "b"], 1).values).toEqual({ acc: 0, acc_norm: 0, acc_bytes: 0, exact_match: 1 });
  });

  it("gives an empty choice's normalised score as lm-eval's numpy does (-inf; NaN for 0/0)", () => {
    expect(multipleChoiceResult([-1, -2], [true, true], ["", "b"], 1).predNorm).toBe(1);
    expect(multipleChoiceResult([0, -2], [true, true], ["", "b"], 1).predNorm).toBe(0);
  });

  it("needs one loglikelihood per choice", () => {
    expect(() => multipleChoiceResult([-1], [true], ["a", "b"], 0)).toThrow("Expected one loglikelihood per choice (2), got 1");
  });
});
