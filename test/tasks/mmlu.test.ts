import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { multipleChoice } from "../../src/pipelines/multiple-choice.js";
import { scoreResponse } from "../../src/tasks/score.js";
import { loadTask } from "../../src/tasks/load.js";
import { datasetPath } from "../support/datasets.js";

type MmluDoc = { id: string; subject: string; question: string; choices: string[]; answer: string; label: number };
const read = (name: string) =>
  readFileSync(datasetPath(name), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as MmluDoc);

/** lm-eval's mmlu prompt (_default_template_yaml), written out. */
const question = (d: MmluDoc) => `${d.question.trim()}\nA. ${d.choices[0]}\nB. ${d.choices[1]}\nC. ${d.choices[2]}\nD. ${d.choices[3]}\nAnswer:`;

describe("bundled mmlu", () => {
  it("prepares lines of the real test split (one per subject): lm-eval's prompt, four letters, the gold index", async () => {
    const task = await loadTask("mmlu");
    const docs = read("mmlu_test.jsonl");
    expect(docs).toHaveLength(80);
    expect(new Set(docs.map((d) => d.subject)).size).toBe(57);
    for (const [i, doc] of docs.entries()) {
      const p = multipleChoice.prepare({ id: doc.id, doc, at: { file: "mmlu_test.jsonl", line: i + 1 } }, task);
      expect(p.gold).toBe(doc.label);
      expect(p.target).toBe(doc.answer);
      expect(p.input).toBe(`The following are multiple choice questions (with answers) about ${doc.subject.replaceAll("_", " ")}.\n\n${question(doc)}`);
      expect(p.choices).toEqual(["A", "B", "C", "D"]);
    }
  });

  it("shows the subject's first five dev questions with --num-fewshot 5, as lm-eval's first_n sampler", async () => {
    const task = await loadTask("mmlu", { numFewshot: 5 });
    const dev = read("mmlu_dev.jsonl");
    const doc = read("mmlu_test.jsonl").find((d) => d.subject === "high_school_biology")!;
    const shots = dev.filter((d) => d.subject === "high_school_biology").slice(0, 5);
    expect(shots).toHaveLength(5);
    const expected = `The following are multiple choice questions (with answers) about high school biology.\n\n${shots.map((s) => `${question(s)} ${s.answer}\n\n`).join("")}${question(doc)}`;
    expect(task.prompt(doc)).toBe(expected);
  });
});

describe("bundled mmlu_generative", () => {
  it("asks for the letter and extracts it as lm-eval's get_response filter does", async () => {
    const task = await loadTask("mmlu_generative");
    const doc = read("mmlu_test.jsonl")[1]!;
    expect(task.target(doc)).toBe("C");
    expect(task.generation.stop).toEqual(["</s>", "\n"]);
    const score = (response: string) => scoreResponse(task, response, "C");
    expect(score("C")).toEqual({ filtered: { get_response: "C" }, scores: { "exact_match,get_response": 1 } });
    expect(score(" (C)").scores["exact_match,get_response"]).toBe(1);
    expect(score("c)").scores["exact_match,get_response"]).toBe(1);
    expect(score("The answer is C.").scores["exact_match,get_response"]).toBe(1);
    expect(score("Option: C").scores["exact_match,get_response"]).toBe(1);
    expect(score("C\nBecause 24").scores["exact_match,get_response"]).toBe(1);
    expect(score("B").scores["exact_match,get_response"]).toBe(0);
    // a letter followed by its text is not an isolated letter: lm-eval scores it 0 too
    expect(score("C. 24")).toEqual({ filtered: { get_response: "[invalid]" }, scores: { "exact_match,get_response": 0 } });
  });
});
