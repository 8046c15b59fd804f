import { describe, expect, it } from "vitest";
import { splitReasoning } from "../../src/tasks/filters/strip-reasoning.js";
import { parseTask } from "../../src/tasks/load.js";
import { scoreResponse } from "../../src/tasks/score.js";

describe("splitReasoning", () => {
  it("removes <think>…</think> blocks and keeps their text as the reasoning", () => {
    expect(splitReasoning("<think>\nmaybe 41\n</think>\n\n42")).toEqual({ answer: "42", reasoning: "maybe 41" });
    expect(splitReasoning("<thinking>a</thinking>x<think>b</think> y")).toEqual({ answer: "x y", reasoning: "a\n\nb" });
    expect(splitReasoning("<THINK>a</THINK>42").answer).toBe("42");
  });

  it("handles the closing tag alone (the opening one was in the chat template)", () => {
    expect(splitReasoning("maybe 41, no\n</think>\n\n42")).toEqual({ answer: "42", reasoning: "maybe 41, no" });
  });

  it("handles an opening tag never closed (cut off while thinking): no answer", () => {
    expect(splitReasoning("<think>still thinking about")).toEqual({ answer: "", reasoning: "still thinking about" });
  });

  it("leaves a reply without tags as it is", () => {
    expect(splitReasoning("  42 \n")).toEqual({ answer: "  42 \n", reasoning: null });
  });
});

describe("filter strip_reasoning", () => {
  const task = parseTask(
    `task: t\ndoc_to_text: q\ndoc_to_target: a\nfilter_list:\n  - name: raw\n    filter: [{function: take_first}]\n  - name: stripped\n    filter: [{function: strip_reasoning}, {function: take_first}]\n`,
    "t.yaml",
  );

  it("lets exact_match see only the answer of a reasoning model", () => {
    const scored = scoreResponse(task, "<think>is it 41?</think>\n42", "42");
    expect(scored.filtered).toEqual({ raw: "<think>is it 41?</think>\n42", stripped: "42" });
    expect(scored.scores).toEqual({ "exact_match,raw": 0, "exact_match,stripped": 1 });
  });

  it("takes no arguments", () => {
    expect(() => parseTask(`task: t\ndoc_to_text: q\ndoc_to_target: a\nfilter_list:\n  - name: s\n    filter: [{function: strip_reasoning, tags: [x]}]\n`, "t.yaml")).toThrow(/unknown option `tags`/);
  });
});
