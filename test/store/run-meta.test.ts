import { describe, expect, it } from "vitest";
import { identityChanges, runIdentity, taskMeta } from "../../src/store/run-meta.js";

const task = (name: string, text: string) => ({ name, origin: { text } });

describe("runIdentity / identityChanges", () => {
  const base = runIdentity({ tasks: [task("gsm8k", "doc_to_text: a")], models: ["a", "b"], endpoint: "http://x/v1", repeats: null });

  it("hashes task texts and keeps the rest as given", () => {
    expect(base.tasks.gsm8k).toMatch(/^[0-9a-f]{16}$/);
    expect(base).toMatchObject({ models: ["a", "b"], endpoint: "http://x/v1", repeats: null });
    expect(runIdentity({ tasks: [task("gsm8k", "doc_to_text: a")], models: ["a", "b"] }).endpoint).toBeNull();
  });

  it("finds nothing when nothing that changes results changed", () => {
    expect(identityChanges(base, runIdentity({ tasks: [task("gsm8k", "doc_to_text: a")], models: ["a", "b"], endpoint: "http://x/v1" }))).toEqual([]);
  });

  it("names each change", () => {
    const after = runIdentity({ tasks: [task("gsm8k", "doc_to_text: B"), task("mmlu", "x")], models: ["a", "c"], endpoint: null, repeats: 3 });
    expect(identityChanges(base, after)).toEqual([
      "task gsm8k's text changed",
      "task mmlu added",
      "models: a, b → a, c",
      "endpoint: http://x/v1 → default",
      "repeats: task default → 3",
    ]);
    expect(identityChanges(after, base)).toContain("task mmlu removed");
  });

  it("taskMeta keeps the name and each metric's aggregation", () => {
    expect(taskMeta({ name: "t", metrics: [{ name: "exact_match", aggregation: "mean" }, { name: "f1", aggregation: "median" }] })).toEqual({
      name: "t",
      aggregations: { exact_match: "mean", f1: "median" },
    });
  });

  it("names other inputs that change results (routing rules …) by hash", () => {
    const a = runIdentity({ tasks: [task("t", "x")], models: ["m"], extras: { "routing rules": "rules: a", "--use-n": undefined } });
    expect(a.extras).toEqual({ "routing rules": expect.stringMatching(/^[0-9a-f]{16}$/) });
    const b = runIdentity({ tasks: [task("t", "x")], models: ["m"], extras: { "routing rules": "rules: b", "--use-n": "on" } });
    expect(identityChanges(a, b)).toEqual(["routing rules changed", "--use-n added"]);
    expect(identityChanges(a, runIdentity({ tasks: [task("t", "x")], models: ["m"] }))).toEqual(["routing rules removed"]);
    expect(runIdentity({ tasks: [task("t", "x")], models: ["m"] })).not.toHaveProperty("extras");
  });
});
