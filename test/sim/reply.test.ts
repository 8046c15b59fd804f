import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { composeReply, shapeReply, wrongAnswer } from "../../src/sim/reply.js";

const base = { prompt: "Question: what is 2+2?\nAnswer:", answer: "4", accuracy: 1, seed: 0, choice: 0 };

describe("composeReply", () => {
  it("ends with the GSM8K answer line", () => {
    const { text, correct } = composeReply(base);
    expect(text).toMatch(/So the answer is 4\.\n#### 4$/);
    expect(correct).toBe(true);
  });

  it("is wrong with a different number at accuracy 0", () => {
    const { text, correct } = composeReply({ ...base, accuracy: 0 });
    expect(correct).toBe(false);
    const given = /#### (.+)$/.exec(text)![1];
    expect(given).not.toBe("4");
    expect(given).toMatch(/^\d+$/);
  });

  it("format `answer`: the answer alone (a code completion as it is), or a wrong one", () => {
    const code = "    return a + b\n";
    expect(composeReply({ ...base, answer: code, format: "answer" })).toEqual({ text: code, correct: true });
    const wrong = composeReply({ ...base, answer: code, accuracy: 0, format: "answer" });
    expect(wrong.correct).toBe(false);
    expect(wrong.text).not.toBe(code);
    expect(wrong.text).not.toContain("####");
  });

  it("gives the same reply for the same prompt, seed and choice", () => {
    const a = composeReply({ ...base, accuracy: 0.5 });
    expect(composeReply({ ...base, accuracy: 0.5 })).toEqual(a);
  });

  it("decides differently across seeds and choices", () => {
    const outcomes = new Set<string>();
    for (let seed = 0; seed < 40; seed++) outcomes.add(String(composeReply({ ...base, accuracy: 0.5, seed }).correct));
    expect(outcomes).toEqual(new Set(["true", "false"]));
    const texts = new Set([0, 1, 2, 3, 4, 5].map((choice) => composeReply({ ...base, choice }).text));
    expect(texts.size).toBeGreaterThan(1);
  });

  it("answers an unknown prompt with a number from the hash, and no verdict", () => {
    const r = composeReply({ ...base, answer: undefined });
    expect(r.correct).toBeUndefined();
    expect(r.text).toMatch(/#### \d+$/);
    expect(composeReply({ ...base, answer: undefined })).toEqual(r);
  });
});

describe("wrongAnswer", () => {
  it("always differs from the answer", () => {
    const answers = fc.oneof(
      fc.integer({ min: -1000, max: 100000 }).map(String),
      fc.constantFrom("A", "B", "C", "D", "E", "J", "1,234", "0.5", "Paris", "yes"),
    );
    fc.assert(fc.property(answers, fc.nat({ max: 0xffffffff }), (a, h) => wrongAnswer(a, h) !== a));
  });

  it("keeps numbers non-negative when the answer is, and letters within A-D for A-D", () => {
    for (let h = 0; h < 200; h++) {
      expect(Number(wrongAnswer("0", h))).toBeGreaterThan(0);
      expect(["A", "B", "C", "D"]).toContain(wrongAnswer("C", h));
    }
    expect(wrongAnswer("Paris", 7)).toBe("not Paris");
    expect(wrongAnswer("2.50", 0)).toMatch(/^\d+\.\d\d$/);
  });
});

describe("shapeReply", () => {
  const text = "Let me think. So the answer is 4.\n#### 4";

  it("keeps the whole reply when nothing cuts it", () => {
    expect(shapeReply(text, [], undefined)).toMatchObject({ text, finish_reason: "stop" });
  });

  it("cuts before the earliest stop sequence, excluding it", () => {
    expect(shapeReply(text, ["####", "answer"], undefined)).toMatchObject({ text: "Let me think. So the ", finish_reason: "stop" });
    expect(shapeReply(text, ["", "nowhere"], undefined).text).toBe(text);
  });

  it("truncates to max tokens with finish_reason length", () => {
    const r = shapeReply(text, [], 3);
    expect(r).toEqual({ text: "Let me think", tokens: ["Let", " me", " think"], finish_reason: "length" });
    expect(shapeReply(text, [], 0)).toEqual({ text: "", tokens: [], finish_reason: "length" });
  });

  it("reports stop when the stop sequence comes within the token limit", () => {
    expect(shapeReply(text, [" me"], 3)).toMatchObject({ text: "Let", finish_reason: "stop" });
  });
});
