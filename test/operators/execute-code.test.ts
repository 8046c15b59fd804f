import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { docsToLines } from "../../src/io/docs-to-lines.js";
import { functionModel } from "../../src/models/function-model.js";
import { createCodeSandbox, type CodeSandbox } from "../../src/python/sandbox/code-sandbox.js";
import { runEvaluation } from "../../src/run-evaluation.js";
import { loadTask, parseTask } from "../../src/tasks/load.js";
import type { ResultLine } from "../../src/types.js";
import { root } from "../support/cli.js";
import { contentText } from "../../src/media/content-parts.js";

const docs = async () => (await readFile(join(root, "test/fixtures/code/humaneval.jsonl"), "utf8")).trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);

// What the model answers per problem (by entry point): right, hostile or broken.
const ANSWERS: Record<string, string[]> = {
  add: ["    return a + b\n"],
  reverse_words: ["    while True:\n        pass\n"],
  is_palindrome: ["    import os\n    open('/etc/streameval-escape', 'w')\n"],
  count_vowels: ["    return sum(1 for c in word.lower() if c in 'aeiou')\n"],
};
const answerOf = (prompt: string, i = 0) => ANSWERS[Object.keys(ANSWERS).find((name) => prompt.includes(`def ${name}(`))!]![i]!;

describe("code metrics in a run (real sandbox)", { timeout: 60_000 }, () => {
  it("scores each sample by running its program; hostile programs are failed samples and the run goes on", async () => {
    const lines: ResultLine[] = [];
    const model = functionModel("m", (req) => answerOf(contentText(req.messages[0]!.content)));
    const summary = await runEvaluation({
      input: docsToLines(await docs()),
      tasks: [await loadTask("humaneval")],
      models: [{ client: model, concurrency: 4 }],
      codeSandbox: createCodeSandbox({ limits: { timeoutS: 1 }, concurrency: 4 }),
      onEvent: (e) => e.type === "result" && lines.push(e.line),
    });
    const byId = Object.fromEntries(lines.map((l) => [l.id, l]));
    expect(lines.every((l) => l.status === "ok")).toBe(true);
    expect(byId["HumanEval/0"]).toMatchObject({ scores: { "pass@1,create_test": 1 }, execution: { create_test: { passed: true, result: "passed" } } });
    expect(byId["HumanEval/1"]).toMatchObject({ scores: { "pass@1,create_test": 0 }, execution: { create_test: { passed: false, result: "timed out" } } });
    expect(byId["HumanEval/2"]!.scores).toEqual({ "pass@1,create_test": 0 });
    expect(byId["HumanEval/2"]!.execution!.create_test!.result).toMatch(/^failed: /);
    expect(summary.models.m!.metrics["pass@1,create_test"]).toMatchObject({ value: 0.5, n: 4 });
  });

  it("pass@k over repeats from each repeat's own run, as HF's code_eval over one problem's candidates", async () => {
    const bundled = await readFile(join(root, "src/tasks/bundled/humaneval.yaml"), "utf8");
    const task = parseTask(bundled.replace("k: [1]", "k: [1, 2, 4]").replace("repeats: 1", "repeats: 4"), "humaneval4.yaml");
    const asked = new Map<string, number>();
    // The one problem (add): 2 of its 4 candidates are right.
    const model = functionModel("m", (req) => {
      const prompt = contentText(req.messages[0]!.content);
      const i = asked.get(prompt) ?? 0;
      asked.set(prompt, i + 1);
      return ["    return a + b\n", "    return a * b\n"][i % 2]!;
    });
    const lines: ResultLine[] = [];
    const summary = await runEvaluation({
      input: docsToLines((await docs()).slice(0, 1)),
      tasks: [task],
      models: [{ client: model, concurrency: 2 }],
      codeSandbox: createCodeSandbox({ limits: { timeoutS: 1 }, concurrency: 2 }),
      onEvent: (e) => e.type === "result" && lines.push(e.line),
    });
    expect(lines).toHaveLength(4);
    const sample = lines.find((l) => l.sample)!.sample as { scores: Record<string, number> };
    // n = 4, c = 2: pass@1 = 1/2, pass@2 = 1 - C(2,2)/C(4,2) = 5/6, pass@4 = 1.
    expect(sample.scores["pass@1,create_test"]).toBeCloseTo(0.5, 12);
    expect(sample.scores["pass@2,create_test"]).toBeCloseTo(5 / 6, 12);
    expect(sample.scores["pass@4,create_test"]).toBe(1);
    expect(summary.models.m!.metrics["pass@2,create_test"]!.value).toBeCloseTo(5 / 6, 12);
  });

  it("a sandbox that cannot run at all makes the line an error (retried by a rerun), not a score of 0", async () => {
    const broken: CodeSandbox = {
      limits: createCodeSandbox().limits,
      run: () => Promise.reject(new Error("cannot start python3 for code execution: spawn python3 ENOENT")),
      probe: () => Promise.reject(new Error("no python")),
    };
    const lines: ResultLine[] = [];
    const summary = await runEvaluation({
      input: docsToLines((await docs()).slice(0, 1)),
      tasks: [await loadTask("humaneval")],
      models: [{ client: functionModel("m", () => "    return a + b\n") }],
      codeSandbox: broken,
      onEvent: (e) => e.type === "result" && lines.push(e.line),
    });
    expect(lines[0]).toMatchObject({ status: "error", error: { type: "code_execution", message: expect.stringContaining("ENOENT") } });
    expect(lines[0]!.scores).toBeUndefined();
    expect(summary.models.m!.samples.error).toBe(1);
  });

  it("refuses a code task without a sandbox, naming the flag", async () => {
    const run = runEvaluation({ input: docsToLines([]), tasks: [await loadTask("humaneval")], models: [{ client: functionModel("m", () => "") }] });
    await expect(run).rejects.toThrow("pass --allow-code-execution");
  });
});
