import { describe, expect, it } from "vitest";
import { ANCHOR, buildAnswerIndex } from "../../src/sim/answer-index.js";

const q1 = "Janet’s ducks lay 16 eggs per day. How much does she make every day?";
const q2 = "A robe takes 2 bolts of blue fiber and half that much white fiber. How many bolts in total?";

describe("buildAnswerIndex", () => {
  const index = buildAnswerIndex([
    [q1, "18"],
    [q2, "3"],
    ["gsm8k-test-0", "18"],
  ]);

  it("finds a question contained in a prompt", () => {
    expect(index.find(`Question: ${q2}\nAnswer:`, [])).toBe("3");
  });

  it("picks the question that starts last (the one asked after the few-shot examples)", () => {
    const prompt = `Question: ${q1}\nAnswer: #### 18\n\nQuestion: ${q2}\nAnswer:`;
    expect(index.find(prompt, [])).toBe("3");
    expect(index.find(`Question: ${q2}\nAnswer: 3\n\nQuestion: ${q1}\nAnswer:`, [])).toBe("18");
  });

  it("matches exact candidates first, in order, skipping undefined", () => {
    expect(index.find(`Question: ${q2}`, [undefined, "gsm8k-test-0"])).toBe("18");
  });

  it("matches short keys only exactly", () => {
    expect("gsm8k-test-0".length).toBeLessThan(ANCHOR);
    expect(index.find("about gsm8k-test-0 here and some more text to be long enough", [])).toBeUndefined();
  });

  it("returns undefined when nothing matches, or the prompt is shorter than a key's anchor", () => {
    expect(index.find("Question: something else entirely, with no known text in it at all.", [])).toBeUndefined();
    expect(index.find("short", [])).toBeUndefined();
    expect(index.find(q1.slice(0, -1), [])).toBeUndefined();
  });

  it("tells apart keys sharing their first characters, preferring the longest that matches", () => {
    const base = "x".repeat(ANCHOR);
    const idx = buildAnswerIndex([
      [`${base} one`, "1"],
      [`${base} one two`, "2"],
    ]);
    expect(idx.find(`Q: ${base} one two?`, [])).toBe("2");
    expect(idx.find(`Q: ${base} one?`, [])).toBe("1");
  });

  it("finds a key at the very start and at the very end of the prompt", () => {
    expect(index.find(q1, [])).toBe("18");
    expect(index.find(`${q2} trailing`, [])).toBe("3");
    expect(index.find(`leading ${q2}`, [])).toBe("3");
  });

  it("lets a later pair with the same key replace the earlier", () => {
    expect(buildAnswerIndex([[q1, "1"], [q1, "2"]]).find(q1, [])).toBe("2");
  });
});
