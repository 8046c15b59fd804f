/**
 * `npx tsx bench/conversations.ts`: MT-Bench (80 questions, 2 turns, a judge on its own simulator)
 * and BFCL simple (400 questions, tool calls streamed in pieces) end to end through the openai SDK,
 * in one process. Prints wall time (median of BENCH_RUNS, default 3) and the scores.
 */
import { readFileSync } from "node:fs";
import { docsToLines } from "../src/io/docs-to-lines.js";
import { createSdkClient } from "../src/models/sdk-client.js";
import { openAIChat } from "../src/models/openai-chat.js";
import { runEvaluation } from "../src/run-evaluation.js";
import { readBfclFunctions, readPossibleAnswer } from "../src/scorers/bfcl-tools.js";
import { pyEquals, pyJsonDumps, type PyValue } from "../src/python/value.js";
import { type SimServer, startSim } from "../src/sim/index.js";
import type { Summary } from "../src/summary/summary.js";
import { loadTask } from "../src/tasks/load.js";
import type { Doc } from "../src/types.js";
import { datasets, median, printTable } from "./lib.js";

const runs = Number(process.env.BENCH_RUNS ?? 3);
const read = (f: string) => readFileSync(`${datasets}/${f}`, "utf8").trim().split("\n").map((l) => JSON.parse(l) as Doc);
const target = (sim: SimServer, model: string, concurrency: number) => ({
  client: openAIChat({ model, apiKey: "bench", baseURL: sim.url, sdk: createSdkClient({ baseURL: sim.url, apiKey: "bench" }) }),
  concurrency,
  endpoint: sim.url,
});

/** MT-Bench with GPT-4's references joined on id. */
const refs = new Map(read("mtbench_reference_answer_gpt4.jsonl").map((r) => [r.id, (r.choices as { turns: string[] }[])[0]!.turns]));
const mtBench = read("mtbench_questions.jsonl").map((q) => (refs.has(q.id) ? { ...q, reference: refs.get(q.id) } : q));

/** BFCL lines joined on id, and the right call per question for the simulator's answer key. */
const answers = new Map(read("bfcl_v4_simple_python_possible_answer.jsonl").map((a) => [a.id, a.ground_truth]));
const bfcl: Doc[] = read("bfcl_v4_simple_python.jsonl").map((q) => ({ ...q, ground_truth: answers.get(q.id) }));
const answerKey = new Map(
  bfcl.map((d) => {
    const [func] = readBfclFunctions(d.function, "function");
    const args = new Map<string, PyValue>();
    for (const [param, values] of readPossibleAnswer(d.ground_truth, func!, "gt")) {
      const first = values.find((v) => !pyEquals(v, ""));
      const perKey = (x: PyValue) => (x instanceof Map ? new Map([...x].map(([k, vs]) => [k, (vs as PyValue[])[0]!])) : x);
      if (first !== undefined) args.set(param, Array.isArray(first) ? first.map(perKey) : perKey(first));
    }
    return [(d.question as { content: string }[][])[0]![0]!.content, JSON.stringify({ name: func!.name.replace(/\./g, "_"), arguments: pyJsonDumps(args) })];
  }),
);

async function timedRun(fn: () => Promise<Summary>): Promise<{ wall: number; summary: Summary }> {
  const walls: number[] = [];
  let summary: Summary | undefined;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    summary = await fn();
    walls.push((performance.now() - t) / 1000);
  }
  return { wall: median(walls), summary: summary! };
}

const fmt = (m: { value: number; stderr: number | null } | undefined) => (m ? `${m.value.toFixed(3)} ± ${m.stderr?.toFixed(3) ?? "–"}` : "–");

const [model, judge, tools] = await Promise.all([startSim({ ttftMs: 20, itlMs: 1 }), startSim({ ttftMs: 20, itlMs: 1 }), startSim({ answerKey, accuracy: 0.8, seed: 1, ttftMs: 20, itlMs: 1 })]);
try {
  const mt = await timedRun(async () =>
    runEvaluation({ input: docsToLines(mtBench), tasks: [await loadTask("mt_bench")], models: [target(model, "m", 16)], judge: target(judge, "judge", 16) }),
  );
  const bf = await timedRun(async () => runEvaluation({ input: docsToLines(bfcl), tasks: [await loadTask("bfcl_simple")], models: [target(tools, "m", 16)] }));
  const m = mt.summary.models.m!;
  printTable("conversations and tool calls through the openai SDK (simulator: 20 ms to first token, 1 ms between tokens, -c 16)", [
    ["task", "samples", "requests", "wall s (median)", "metric", "value ± stderr"],
    ["mt_bench", m.samples.ok, `${m.usage.requests} + ${m.samples.ok * 2} judge`, mt.wall.toFixed(2), "judge_score,turn_1", fmt(m.metrics["judge_score,turn_1"])],
    ["", "", "", "", "judge_score,turn_2", fmt(m.metrics["judge_score,turn_2"])],
    ["", "", "", "", "judge_score,overall", fmt(m.metrics["judge_score,overall"])],
    ["bfcl_simple (sim accuracy 0.8)", bf.summary.models.m!.samples.ok, bf.summary.models.m!.usage.requests, bf.wall.toFixed(2), "call_accuracy,none", fmt(bf.summary.models.m!.metrics["call_accuracy,none"])],
  ]);
} finally {
  await Promise.all([model.close(), judge.close(), tools.close()]);
}
