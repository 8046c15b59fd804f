import { describe, expect, it } from "vitest";
import { docsToLines } from "../../src/io/docs-to-lines.js";
import { functionModel } from "../../src/models/function-model.js";
import { runEvaluation } from "../../src/run-evaluation.js";
import { overallSummary, pool } from "../../src/summary/overall.js";
import { parseTask } from "../../src/tasks/load.js";
import { contentText } from "../../src/media/content-parts.js";

describe("overall results over several tasks (lm-eval's group aggregation, weight_by_size)", () => {
  it("weights values by size and pools stderrs as pooled_sample_stderr", () => {
    // By hand: value = (0.5·10 + 0.8·30) / 40 = 0.725;
    // var = ((10−1)·0.1²·10 + (30−1)·0.05²·30) / (40 − 2) = (0.9 + 2.175) / 38; stderr = sqrt(var / 40)
    const r = pool([
      { value: 0.5, stderr: 0.1, n: 10 },
      { value: 0.8, stderr: 0.05, n: 30 },
    ]);
    expect(r.value).toBeCloseTo(0.725, 15);
    expect(r.n).toBe(40);
    expect(r.stderr!).toBeCloseTo(Math.sqrt((0.9 + 2.175) / 38 / 40), 15);
    expect(pool([{ value: 1, stderr: null, n: 1 }, { value: 0, stderr: 0, n: 3 }]).stderr).toBeNull();
  });

  it("runs several tasks at once: a line's `task` picks its task, summaries per task and overall", async () => {
    const a = parseTask(`task: a\ndoc_to_text: "{{q}}"\ndoc_to_target: t\n`, "a.yaml");
    const b = parseTask(`task: b\ndoc_to_text: "B: {{q}}"\ndoc_to_target: t\n`, "b.yaml");
    const model = functionModel("m", (req) => (contentText(req.messages[0]!.content).startsWith("B:") ? "yes" : "no"));
    const docs = [
      { id: "1", q: "x", t: "no" },
      { id: "2", q: "y", t: "yes" },
      { id: "3", q: "z", t: "yes", task: "b" },
      { id: "4", q: "w", t: "yes", task: "b" },
      { id: "5", q: "v", t: "no", task: "b" },
      { id: "6", q: "u", t: "no", task: "a" },
    ];
    const prompts: string[] = [];
    const summary = await runEvaluation({
      input: docsToLines(docs),
      tasks: [a, b],
      models: [{ client: model }],
      onEvent: (e) => e.type === "result" && prompts.push(`${e.line.task}:${e.line.input}`),
    });
    expect(prompts.sort()).toEqual(["a:u", "a:x", "a:y", "b:B: v", "b:B: w", "b:B: z"]);
    expect(summary.task).toBe("a,b");
    for (const t of ["a", "b"]) {
      expect(summary.tasks[t]!.models.m!.metrics["exact_match,none"]!.n).toBe(3);
      expect(summary.tasks[t]!.models.m!.metrics["exact_match,none"]!.value).toBeCloseTo(2 / 3, 15);
    }
    const overall = summary.overall!.models.m!;
    expect(overall.samples).toEqual({ total: 6, ok: 6, error: 0, resumed: 0 });
    expect(overall.metrics["exact_match,none"]!.value).toBeCloseTo(4 / 6, 15);
    expect(overall.metrics["exact_match,none"]!.n).toBe(6);
    expect(overallSummary({ only: summary.tasks.a! }).m!.metrics["exact_match,none"]!.value).toBeCloseTo(2 / 3, 15);
  });

  it("has no overall section for a single task", async () => {
    const a = parseTask(`task: a\ndoc_to_text: "{{q}}"\ndoc_to_target: t\n`, "a.yaml");
    const summary = await runEvaluation({ input: docsToLines([{ q: "x", t: "y" }]), tasks: [a], models: [{ client: functionModel("m", () => "y") }] });
    expect(summary.overall).toBeUndefined();
  });
});
