import { describe, expect, it } from "vitest";
import { docsToLines } from "../../src/io/docs-to-lines.js";
import { createSdkClient } from "../../src/models/sdk-client.js";
import { openAIChat } from "../../src/models/openai-chat.js";
import { functionModel } from "../../src/models/function-model.js";
import { expand } from "../../src/operators/expand.js";
import { RepeatGatherer } from "../../src/operators/gather-repeats.js";
import { runEvaluation } from "../../src/run-evaluation.js";
import { scoreRepeats } from "../../src/tasks/score-repeats.js";
import { startSim } from "../../src/sim/index.js";
import { loadTask, parseTask } from "../../src/tasks/load.js";
import type { ResultLine } from "../../src/types.js";
import type { Task } from "../../src/work/task.js";
import type { WorkItem } from "../../src/work/work-item.js";
import { contentText } from "../../src/media/content-parts.js";

/** The part of a work item the gatherer reads: its task and its repeats (the task's, as expand sets them). */
// The gatherer reads the task, the repeats and the sample's doc (for repeat scoring with code execution).
const workOf = (task: Task) => ({ task, repeats: task.repeats, sample: { id: "q", doc: { target: "5" }, at: { file: "test.jsonl", line: 1 } } }) as unknown as WorkItem;

const TASK = `task: vote
doc_to_text: "{{question}}"
doc_to_target: target
repeats: 4
filter_list:
  - name: maj@4
    filter: [{function: regex, regex_pattern: "(\\\\d+)"}, {function: majority_vote}, {function: take_first}]
  - name: first
    filter: [{function: regex, regex_pattern: "(\\\\d+)"}, {function: take_first}]
`;

// Each sample's four answers, in the order its repeats ask.
const ANSWERS: Record<string, string[]> = {
  q0: ["5", "5", "3", "4"],
  q1: ["1", "7", "7", "2"],
  q2: ["1", "2", "3", "4"],
  q3: ["2", "2", "2", "2"],
};
const docs = [
  { id: "q0", question: "q0", target: "5" },
  { id: "q1", question: "q1", target: "7" },
  { id: "q2", question: "q2", target: "9" },
  { id: "q3", question: "q3", target: "2" },
];

describe("repeats: each repeat a line, each sample scored once over its repeats", () => {
  it("gives lm-eval's maj@k and take_first numbers, and pass@k, per sample", async () => {
    const asked = new Map<string, number>();
    const model = functionModel("m", (req) => {
      const q = contentText(req.messages[0]!.content);
      const i = asked.get(q) ?? 0;
      asked.set(q, i + 1);
      return `the answer is ${ANSWERS[q]![i]}`;
    });
    const lines: ResultLine[] = [];
    const summary = await runEvaluation({ input: docsToLines(docs), tasks: [parseTask(TASK, "vote.yaml")], models: [{ client: model, concurrency: 1 }], onEvent: (e) => e.type === "result" && lines.push(e.line) });
    expect(lines).toHaveLength(16);
    expect(lines.every((l) => l.repeats === 4)).toBe(true);
    const completing = lines.filter((l) => l.sample);
    expect(completing.map((l) => l.id).sort()).toEqual(["q0", "q1", "q2", "q3"]);
    expect(lines.find((l) => l.id === "q2" && l.sample)!.sample).toMatchObject({ filtered: { "maj@4": "1", first: "1" }, repeats: 4 });
    // each repeat line keeps its own response, scored alone
    expect(lines.filter((l) => l.id === "q1").map((l) => l.filtered!.first).sort()).toEqual(["1", "2", "7", "7"]);

    const m = summary.models.m!.metrics;
    expect(m["exact_match,maj@4"]).toMatchObject({ value: 0.75, n: 4 });
    expect(m["exact_match,first"]).toMatchObject({ value: 0.5, n: 4 });
    expect(m["exact_match_pass@1,maj@4"]!.value).toBeCloseTo((0.5 + 0.5 + 0 + 1) / 4, 12);
    expect(m["exact_match_pass@4,maj@4"]!.value).toBeCloseTo(0.75, 12);
    expect(summary.models.m!.samples.total).toBe(16);
  });

  it("completes a sample whose first repeats were resumed from a store", () => {
    const work = workOf(parseTask(TASK, "vote.yaml"));
    const g = new RepeatGatherer({ scoreRepeats });
    const line = (repeat: number, response: string): ResultLine => ({ id: "q", task: "vote", model: "m", repeat, status: "ok", input: "q", response, target: "5", scores: {} });
    g.observe(work, { ...line(0, "5"), repeats: 4 });
    g.observe(work, { ...line(2, "3"), repeats: 4 });
    expect(g.complete(work, line(1, "5")).sample).toBeUndefined();
    expect(g.pending).toBe(1);
    const last = g.complete(work, line(3, "5"));
    expect(last).toMatchObject({ repeats: 4, sample: { filtered: { "maj@4": "5", first: "5" }, scores: { "exact_match,maj@4": 1, "exact_match,first": 1 } } });
    expect(g.pending).toBe(0);
  });

  it("gives no sample score when a repeat failed, and leaves single-repeat tasks alone", () => {
    const g = new RepeatGatherer();
    const vote = workOf(parseTask(TASK, "vote.yaml"));
    const base = { id: "q", task: "vote", model: "m", status: "ok" as const, input: "q", response: "5", target: "5" };
    g.complete(vote, { ...base, repeat: 0 });
    g.complete(vote, { ...base, repeat: 1, status: "error", response: undefined });
    g.complete(vote, { ...base, repeat: 2 });
    expect(g.complete(vote, { ...base, repeat: 3 }).sample).toBeUndefined();
    expect(g.pending).toBe(0);
    const once = { ...base, task: "once", repeat: 0 };
    expect(g.complete(workOf(parseTask("task: once\ndoc_to_text: q\ndoc_to_target: a\n", "once.yaml")), once)).toBe(once);
    // A work item's repeats are set once, by expand, which checks them.
    expect(() => expand({ models: ["m"], repeats: 0 })).toThrow("Expected `repeats` to be an integer >= 1, got 0");
  });

  it("asks for a sample's repeats as n choices of one request with repeatsAsN (through the SDK and the simulator)", async () => {
    const sim = await startSim({ seed: 5, accuracy: 0.5, answerKey: new Map(docs.map((d) => [d.question, d.target])) });
    try {
      const task = await loadTask("gsm8k");
      const client = openAIChat({ model: "m", apiKey: "k", baseURL: sim.url, sdk: createSdkClient({ baseURL: sim.url, apiKey: "k" }) });
      const gsm = docs.map((d) => ({ id: d.id, question: d.question, target: d.target }));
      const lines: ResultLine[] = [];
      const shared = await runEvaluation({ input: docsToLines(gsm), tasks: [task], models: [{ client, price: { input: 1, output: 1 } }], repeats: 3, repeatsAsN: true, onEvent: (e) => e.type === "result" && lines.push(e.line) });
      expect(lines).toHaveLength(12);
      expect(shared.models.m!.usage.requests).toBe(4);
      expect(lines.filter((l) => l.usage).length).toBe(4);
      expect(lines.filter((l) => l.sample)).toHaveLength(4);
      // the choices of one request differ (each is decided on its own), so votes have something to count
      expect(new Set(lines.map((l) => l.response)).size).toBeGreaterThan(4);
      const separate = await runEvaluation({ input: docsToLines(gsm), tasks: [task], models: [{ client, price: { input: 1, output: 1 } }], repeats: 3 });
      expect(separate.models.m!.usage.requests).toBe(12);
      expect(shared.models.m!.usage.prompt_tokens).toBe(separate.models.m!.usage.prompt_tokens / 3);
      expect(shared.models.m!.cost_usd).not.toBeNull();
    } finally {
      await sim.close();
    }
  });
});
