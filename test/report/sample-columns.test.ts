import { describe, expect, it } from "vitest";
import { SampleColumnsBuilder } from "../../src/report/sample-columns.js";
import type { ResultLine } from "../../src/types.js";

const line = (task: string, id: string, model: string, score: number | undefined, over: Partial<ResultLine> = {}): ResultLine => ({
  id, task, model, repeat: 0, status: score === undefined ? "error" : "ok", input: `prompt ${id}`,
  ...(score === undefined ? { error: { type: "timeout", message: "t", attempts: 2 } } : { scores: { m: score }, response: "r" }),
  ...over,
});

describe("SampleColumnsBuilder", () => {
  it("marks right and wrong for 0/1 metrics only, disagreement between a sample's models, and interns repeated strings", async () => {
    const b = new SampleColumnsBuilder();
    const lines = [line("mc", "1", "a", 1), line("mc", "1", "b", 0), line("mc", "2", "a", 1), line("mc", "2", "b", 1), line("mc", "3", "a", undefined), line("judge", "1", "a", 1), line("judge", "1", "b", 7)];
    for (const l of lines) await b.add(0, l, "m");
    const c = b.build();
    expect(c.correct).toEqual([1, 0, 1, 1, -1, -1, -1]);
    expect(c.disagree).toEqual([1, 1, 0, 0, 0, 1, 1]);
    expect(c.ok).toEqual([1, 1, 1, 1, 0, 1, 1]);
    expect(c.strings[c.errorType[4]!]).toBe("timeout");
    // "prompt 1" is one string for the four lines that share it.
    expect(c.strings.filter((s) => s === "prompt 1")).toHaveLength(1);
    expect(new Set([c.input[0], c.input[1], c.input[5], c.input[6]]).size).toBe(1);
  });
});
