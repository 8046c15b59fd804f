import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EvalEvent } from "../../src/events.js";
import { docsToLines } from "../../src/io/docs-to-lines.js";
import { createSdkClient } from "../../src/models/sdk-client.js";
import { openAIChat } from "../../src/models/openai-chat.js";
import { runEvaluation } from "../../src/run-evaluation.js";
import { readBfclFunctions, readPossibleAnswer } from "../../src/scorers/bfcl-tools.js";
import { pyEquals, pyJsonDumps, type PyValue } from "../../src/python/value.js";
import type { SimServer } from "../../src/sim/index.js";
import { startSim } from "../../src/sim/index.js";
import { loadTask, parseTask } from "../../src/tasks/load.js";
import type { Doc, ResultLine } from "../../src/types.js";
import { datasetPath } from "../support/datasets.js";

const read = (f: string) => readFileSync(datasetPath(f), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Doc);

/** BFCL's question lines with `ground_truth` from the possible-answer file, joined on id (as README says). */
function bfclLines(n: number): Doc[] {
  const answers = new Map(read("bfcl_v4_simple_python_possible_answer.jsonl").map((a) => [a.id, a.ground_truth]));
  return read("bfcl_v4_simple_python.jsonl").slice(0, n).map((q) => ({ ...q, ground_truth: answers.get(q.id) }));
}

/** The right call for a BFCL line, as a model would write it (floats keep their `.0`). */
function rightCall(doc: Doc): string {
  const [func] = readBfclFunctions(doc.function, "function");
  const possible = readPossibleAnswer(doc.ground_truth, func!, "ground_truth");
  const args = new Map<string, PyValue>();
  for (const [param, values] of possible) {
    const first = values.find((v) => !pyEquals(v, ""));
    if (first === undefined) continue;
    const type = func!.parameters.properties[param]!.type;
    const perKey = (d: PyValue) => (d instanceof Map ? new Map([...d].filter(([, vs]) => Array.isArray(vs)).map(([k, vs]) => [k, (vs as PyValue[])[0]!])) : d);
    args.set(param, type === "dict" ? perKey(first) : type === "array" && Array.isArray(first) ? first.map(perKey) : first);
  }
  return JSON.stringify({ name: func!.name.replace(/\./g, "_"), arguments: pyJsonDumps(args) });
}

const target = (sim: SimServer, model = "m") => ({
  client: openAIChat({ model, apiKey: "test", baseURL: sim.url, sdk: createSdkClient({ baseURL: sim.url, apiKey: "test" }) }),
  concurrency: 16,
  endpoint: sim.url,
});

async function run(sim: SimServer, task: Awaited<ReturnType<typeof loadTask>>, docs: Doc[]) {
  const lines: ResultLine[] = [];
  const summary = await runEvaluation({ input: docsToLines(docs), tasks: [task], models: [target(sim)], onEvent: (e: EvalEvent) => e.type === "result" && lines.push(e.line) });
  return { lines, summary };
}

describe("bfcl_simple through the openai SDK, tool calls streamed in pieces", () => {
  const docs = bfclLines(100);
  const answerKey = new Map(docs.map((d) => [((d.question as { content: string }[][])[0]![0]!).content, rightCall(d)]));
  let right: SimServer;
  let wrong: SimServer;
  let half: SimServer;
  beforeAll(async () => {
    [right, wrong, half] = (await Promise.all([1, 0, 0.5].map((accuracy) => startSim({ answerKey, accuracy, seed: 7 })))) as [SimServer, SimServer, SimServer];
  });
  afterAll(async () => {
    await Promise.all([right, wrong, half].map((s) => s.close()));
  });

  it("scores every right call 1", async () => {
    const { lines, summary } = await run(right, await loadTask("bfcl_simple"), docs);
    const failed = lines.filter((l) => l.scores?.["call_accuracy,none"] !== 1).map((l) => `${l.id}: ${JSON.stringify(l.check)}`);
    expect(failed).toEqual([]);
    expect(summary.models.m!.metrics["call_accuracy,none"]).toEqual({ value: 1, stderr: 0, n: 100 });
    const first = lines.find((l) => l.id === "simple_python_0")!;
    expect(first.calls).toEqual([{ calculate_triangle_area: { base: 10, height: 5, unit: "units" } }]);
  });

  it("scores a call with a changed argument 0", async () => {
    const { lines } = await run(wrong, await loadTask("bfcl_simple"), docs);
    const passed = lines.filter((l) => l.scores?.["call_accuracy,none"] !== 0);
    expect(passed.map((l) => l.id)).toEqual([]);
    expect(new Set(lines.map((l) => (l.check as { error_type: string }).error_type))).toStrictEqual(
      new Set(["value_error:others", "value_error:string", "value_error:list/tuple", "type_error:nested"]),
    );
  });

  it("reports call accuracy with lm-eval's stderr", async () => {
    const { lines, summary } = await run(half, await loadTask("bfcl_simple"), docs);
    const scores = lines.map((l) => l.scores!["call_accuracy,none"]!);
    const n = scores.length;
    const p = scores.reduce((a, b) => a + b, 0) / n;
    expect(p).toBeGreaterThan(0.35);
    expect(p).toBeLessThan(0.65);
    const metric = summary.models.m!.metrics["call_accuracy,none"]!;
    expect(metric.value).toBeCloseTo(p, 12);
    expect(metric.stderr).toBeCloseTo(Math.sqrt((p * (1 - p) * n) / (n - 1) / n), 12);
  });
});

describe("agent loops through the openai SDK", () => {
  const agentTask = (agent: string, tools = "") => `
task: agent
output_type: tool_use
doc_to_text: "{{ question }}"
doc_to_target: target
${tools}
agent: ${agent}
generation_kwargs: {until: []}
filter_list:
  - name: answer
    filter:
      - {function: regex, regex_pattern: "#### (.*)"}
      - {function: take_first}
metric_list:
  - {metric: exact_match}
`;

  it("runs code tools until the model answers, and scores the answer", async () => {
    const question = "What is (2 + 3) * 4? Use the calculator.";
    const sim = await startSim({ answerKey: new Map([[question, JSON.stringify({ name: "calculator", arguments: { expression: "(2 + 3) * 4" } })]]) });
    try {
      const { lines } = await run(sim, parseTask(agentTask("{tools: [calculator], message_limit: 10}"), "agent.yaml"), [{ id: "a1", question, target: "20" }]);
      const line = lines[0]!;
      expect(line).toMatchObject({ status: "ok", response: expect.stringMatching(/#### 20$/), scores: { "exact_match,answer": 1 }, agent: { stop: "answer", steps: 2, tool_calls: 1 } });
      const transcript = line.transcript as { role: string; content: string | null; tool_calls?: { function: { name: string; arguments: string } }[] }[];
      expect(transcript.map((m) => m.role)).toEqual(["user", "assistant", "tool", "assistant"]);
      expect(transcript[1]!.tool_calls![0]!.function).toEqual({ name: "calculator", arguments: '{"expression":"(2 + 3) * 4"}' });
      expect(transcript[2]!.content).toBe("20");
    } finally {
      await sim.close();
    }
  });

  it("answers tool calls from the sample's canned outputs", async () => {
    const sim = await startSim();
    try {
      const tools = "tools: {from: tools}";
      const doc = {
        id: "w1",
        question: "What is the weather in Paris?",
        target: "Sunny, 21 C",
        tools: [{ type: "function", function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } } }],
        outputs: { get_weather: "Sunny, 21 C" },
      };
      const { lines } = await run(sim, parseTask(agentTask("{canned_outputs: outputs}", tools), "agent.yaml"), [doc]);
      expect(lines[0]).toMatchObject({ status: "ok", scores: { "exact_match,answer": 1 }, agent: { stop: "answer" } });
      expect((lines[0]!.transcript as { content: string }[])[2]!.content).toBe("Sunny, 21 C");
    } finally {
      await sim.close();
    }
  });

  it("records a limit that stopped the loop, and scores what there is", async () => {
    const sim = await startSim();
    try {
      const { lines } = await run(sim, parseTask(agentTask("{tools: [calculator], message_limit: 3}"), "agent.yaml"), [{ id: "l1", question: "Add 1 and 1.", target: "2" }]);
      expect(lines[0]).toMatchObject({ status: "ok", response: null, scores: { "exact_match,answer": 0 }, agent: { stop: "message_limit", limit: { limit: "message_limit", value: 3, used: 3 } } });
    } finally {
      await sim.close();
    }
  });
});
