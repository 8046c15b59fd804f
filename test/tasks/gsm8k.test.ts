import { readFile } from "node:fs/promises";
import { beforeAll, describe, expect, it } from "vitest";
import { loadTask } from "../../src/tasks/load.js";
import { scoreResponse } from "../../src/tasks/score.js";
import type { Task } from "../../src/work/task.js";
import type { Doc } from "../../src/types.js";
import { datasetPath } from "../support/datasets.js";

const DATASET = datasetPath("gsm8k_test.jsonl");

// Expected answers and scores: lm-eval's RegexFilter and exact_match_hf_evaluate, with gsm8k.yaml's
// options, run by CPython 3.11 on the same response and target.
const CASES: [response: string, target: string, strict: string, flexible: string, strictScore: number, flexibleScore: number][] = [
  ["The answer is $1,234.", "1234", "[invalid]", "$1,234.", 0, 1],
  ["#### 18", "18", "18", "18", 1, 1],
  ["#### -3.", "-3", "-3.", "-3.", 1, 1],
  ["She has 5 apples and eats 2, so 7 remain.\n#### 7", "7", "7", "7", 1, 1],
  ["... 5 ... 7", "7", "[invalid]", "7", 0, 1],
  ["I don't know.", "5", "[invalid]", "[invalid]", 0, 0],
  ["The total is 1,234 dollars.\n#### $1,234", "1234", "[invalid]", "$1,234", 0, 1],
  ["#### 18.\n\nQuestion: next", "18", "18.", "18.", 1, 1],
  ["18", "18", "[invalid]", "18", 0, 1],
  ["  #### 42  ", "42", "42", "42", 1, 1],
  ["Answer: -10 degrees", "-10", "[invalid]", "-10", 0, 1],
  ["#### 1.5", "1.5", "1.5", "1.5", 1, 1],
  ["The answer is 0.50.", "0.5", "[invalid]", "0.50.", 0, 0],
];

describe("bundled gsm8k", () => {
  let task: Task;
  let docs: Doc[];
  beforeAll(async () => {
    task = await loadTask("gsm8k");
    docs = (await readFile(DATASET, "utf8"))
      .split("\n")
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as Doc);
  });

  it("has lm-eval's prompt, stop sequences, decoding, filters and metric", () => {
    expect(task.name).toBe("gsm8k");
    expect(task.outputType).toBe("generate_until");
    expect(task.repeats).toBe(1);
    expect(task.generation).toEqual({ stop: ["Question:", "</s>", "<|im_end|>"], max_tokens: 256, temperature: 0, extra: {} });
    expect(task.filters.map((f) => f.name)).toEqual(["strict-match", "flexible-extract"]);
    expect(task.metrics.map((m) => [m.name, m.aggregation, m.higherIsBetter])).toEqual([["exact_match", "mean", true]]);
    expect(task.config).toMatchObject({
      num_fewshot: 0,
      metric_list: [{ ignore_case: true, ignore_punctuation: false, regexes_to_ignore: [",", "\\$", "(?s).*#### ", "\\.$"] }],
      metadata: { version: 3 },
    });
    expect(task.prompt(docs[0]!)).toBe(`Question: ${docs[0]!.question as string}\nAnswer:`);
  });

  it.each(CASES)("scores %j (target %j) as lm-eval does", (response, target, strict, flexible, strictScore, flexibleScore) => {
    expect(scoreResponse(task, response, target)).toEqual({
      filtered: { "strict-match": strict, "flexible-extract": flexible },
      scores: { "exact_match,strict-match": strictScore, "exact_match,flexible-extract": flexibleScore },
    });
  });

  it("renders every line's target: equal to `target` but for the 14 with thousands separators, equal after exact_match's normalisation for all", () => {
    expect(docs).toHaveLength(116);
    const exactMatch = task.metrics[0]!;
    const differing = docs.filter((d) => task.target(d) !== d.target);
    // The 14 differences are thousands separators ("2,125" from `answer`, "2125" in `target`).
    expect(differing).toHaveLength(14);
    expect(differing.every((d) => task.target(d).replaceAll(",", "") === d.target)).toBe(true);
    expect(docs.filter((d) => exactMatch.score(task.target(d), d.target as string) !== 1)).toEqual([]);
  });

  it("scores like lm-eval's own reference, the whole worked `answer`", () => {
    const exactMatch = task.metrics[0]!;
    // A model answering exactly doc.target is right against lm-eval's reference and against ours.
    expect(docs.filter((d) => exactMatch.score(d.target as string, d.answer as string) !== 1)).toEqual([]);
    expect(docs.filter((d) => exactMatch.score(d.target as string, task.target(d)) !== 1)).toEqual([]);
  });

  it("takes the target from `target` when a line has only question and target", () => {
    expect(task.target({ id: "x", question: "q", target: "42" })).toBe("42");
  });
});
