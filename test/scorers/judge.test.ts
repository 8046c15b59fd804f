import { describe, expect, it } from "vitest";
import { formatPrompt } from "../../src/scorers/judge-prompts.js";
import { mtBenchJudgeRequest } from "../../src/scorers/mt-bench-judge.js";

describe("MT-Bench judge requests", () => {
  const questions = ["Q1", "Q2"];
  const answers = ["A1", "A2"];

  it("grades turn 1 with single-v1 and turn 2 with the multi-turn prompt", () => {
    const first = mtBenchJudgeRequest({ questions, answers, turn: 0 });
    expect(first.prompt).toBe("single-v1");
    expect(first.messages[0]).toEqual({ role: "system", content: "You are a helpful assistant." });
    expect(first.messages[1]!.content).toMatch(/\n\n\[Question\]\nQ1\n\n\[The Start of Assistant's Answer\]\nA1\n\[The End of Assistant's Answer\]$/);
    const second = mtBenchJudgeRequest({ questions, answers, turn: 1 });
    expect(second.prompt).toBe("single-v1-multi-turn");
    expect(second.messages[1]!.content).toBe(
      "<|The Start of Assistant A's Conversation with User|>\n\n### User:\nQ1\n\n### Assistant A:\nA1\n\n### User:\nQ2\n\n### Assistant A:\nA2\n\n<|The End of Assistant A's Conversation with User|>",
    );
  });

  it("shows the reference answers with the math prompts", () => {
    const first = mtBenchJudgeRequest({ questions, answers, turn: 0, references: ["R1", "R2"] });
    expect(first.prompt).toBe("single-math-v1");
    expect(first.messages[1]!.content).toContain("[The Start of Reference Answer]\nR1\n[The End of Reference Answer]");
    const second = mtBenchJudgeRequest({ questions, answers, turn: 1, references: ["R1", "R2"] });
    expect(second.prompt).toBe("single-math-v1-multi-turn");
    expect(second.messages[1]!.content).toMatch(/^<\|The Start of Reference Answer\|>\n\n### User:\nQ1\n\n### Reference answer:\nR1\n\n### User:\nQ2\n\n### Reference answer:\nR2\n\n/);
  });

  it("refuses what MT-Bench cannot grade", () => {
    expect(() => mtBenchJudgeRequest({ questions: ["Q1", "Q2", "Q3"], answers, turn: 1 })).toThrow("MT-Bench grades a second turn only in a two-turn conversation, got 3 turns");
    expect(() => mtBenchJudgeRequest({ questions, answers: ["A1"], turn: 1 })).toThrow("no answer for turn 2");
    expect(() => mtBenchJudgeRequest({ questions, answers, turn: 1, references: ["R1"] })).toThrow("Expected 2 reference answer(s), got 1");
  });

  it("formats like Python's str.format", () => {
    expect(formatPrompt("{a} {{b}} {a}", { a: "x" })).toBe("x {b} x");
    expect(() => formatPrompt("{c}", {})).toThrow("judge prompt field `c` has no value");
  });
});
