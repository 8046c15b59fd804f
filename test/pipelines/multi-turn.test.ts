import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EvalEvent } from "../../src/events.js";
import { docsToLines } from "../../src/io/docs-to-lines.js";
import { createSdkClient } from "../../src/models/sdk-client.js";
import { openAIChat } from "../../src/models/openai-chat.js";
import { memoryConversationState } from "../../src/work/conversation-state.js";
import { runEvaluation } from "../../src/run-evaluation.js";
import { CheckpointStore } from "../../src/store/checkpoint-store.js";
import type { RunStore } from "../../src/store/run-store.js";
import type { ModelTarget } from "../../src/run.js";
import type { Fault, SimRequest, SimServer } from "../../src/sim/index.js";
import { startSim } from "../../src/sim/index.js";
import { loadTask, parseTask } from "../../src/tasks/load.js";
import type { ChatMessage, Doc, ResultLine } from "../../src/types.js";
import { datasetPath } from "../support/datasets.js";
import { contentText } from "../../src/media/content-parts.js";

type Body = { model: string; messages: ChatMessage[]; temperature?: number; max_tokens?: number };

/** MT-Bench lines with GPT-4's reference answers joined on id, as README says to build them. */
function mtBench(ids: readonly string[]): Doc[] {
  const read = (f: string) => readFileSync(datasetPath(f), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Doc);
  const refs = new Map(read("mtbench_reference_answer_gpt4.jsonl").map((r) => [r.id, (r.choices as { turns: string[] }[])[0]!.turns]));
  return read("mtbench_questions.jsonl")
    .filter((q) => ids.includes(q.id as string))
    .map((q) => (refs.has(q.id) ? { ...q, reference: refs.get(q.id) } : q));
}

/** A sim that records each chat request's body; `fault` may fail some. */
async function recordingSim(fault?: (body: Body, n: number) => Fault | undefined) {
  const bodies: Body[] = [];
  const sim = await startSim({
    faults: (r: SimRequest, n) => {
      const body = r.body as Body;
      bodies.push(body);
      return fault?.(body, n);
    },
  });
  return { sim, bodies };
}

const target = (sim: SimServer, model: string, extra: Partial<ModelTarget> = {}): ModelTarget => ({
  client: openAIChat({ model, apiKey: "test", baseURL: sim.url, sdk: createSdkClient({ baseURL: sim.url, apiKey: "test" }) }),
  concurrency: 4,
  endpoint: sim.url,
  ...extra,
});

async function run(options: { docs: Doc[]; models: ModelTarget[]; judge?: ModelTarget; task?: string; conversations?: ReturnType<typeof memoryConversationState>; checkpoint?: RunStore; budget?: { usd?: number } }) {
  const lines: ResultLine[] = [];
  const task = options.task ? parseTask(options.task, "task.yaml") : await loadTask("mt_bench");
  const summary = await runEvaluation({
    input: docsToLines(options.docs),
    tasks: [task],
    models: options.models,
    judge: options.judge,
    conversations: options.conversations,
    checkpoint: options.checkpoint,
    budget: options.budget,
    onEvent: (e: EvalEvent) => e.type === "result" && lines.push(e.line),
  });
  lines.sort((a, b) => a.id.localeCompare(b.id));
  return { lines, summary };
}

describe("multi-turn conversations (mt_bench) through the openai SDK", () => {
  let model: Awaited<ReturnType<typeof recordingSim>>;
  let judge: Awaited<ReturnType<typeof recordingSim>>;
  let result: Awaited<ReturnType<typeof run>>;
  const ids = ["mtbench-81", "mtbench-101", "mtbench-111"];

  beforeAll(async () => {
    model = await recordingSim();
    judge = await recordingSim();
    result = await run({ docs: mtBench(ids), models: [target(model.sim, "m")], judge: target(judge.sim, "judge", { price: { input: 10, output: 30 } }) });
  });
  afterAll(async () => {
    await model.sim.close();
    await judge.sim.close();
  });

  it("sends each turn with the whole history, the model's own earlier reply included", () => {
    expect(model.bodies).toHaveLength(6);
    for (const line of result.lines) {
      const turns = line.turns as { response: string }[];
      const second = model.bodies.find((b) => b.messages.length === 4 && b.messages[1]!.content === line.input)!;
      expect(second.messages.map((m) => m.role)).toEqual(["system", "user", "assistant", "user"]);
      expect(second.messages[0]!.content).toBe("You are a helpful assistant.");
      expect(second.messages[2]!.content).toBe(turns[0]!.response);
      expect(turns[0]!.response).toMatch(/#### /);
      expect(line.transcript).toHaveLength(5);
    }
  });

  it("samples at FastChat's temperature for the category", () => {
    const writing = model.bodies.filter((b) => contentText(b.messages[1]!.content).startsWith("Compose an engaging travel blog"));
    expect(writing.map((b) => b.temperature)).toEqual([0.7, 0.7]);
    expect(model.bodies.filter((b) => b.temperature === 0)).toHaveLength(4);
    expect(model.bodies.every((b) => b.max_tokens === 1024)).toBe(true);
  });

  it("grades every turn on the judge's own endpoint, with reference answers where the category needs them", () => {
    expect(judge.bodies).toHaveLength(6);
    expect(judge.bodies.every((b) => b.model === "judge" && b.temperature === 0 && b.max_tokens === 2048)).toBe(true);
    const system = (b: Body) => contentText(b.messages[0]!.content);
    const user = (b: Body) => contentText(b.messages[1]!.content);
    const writing = judge.bodies.filter((b) => user(b).includes("Compose an engaging travel blog post"));
    expect(writing.map(system).map((s) => s.slice(0, 40))).toEqual(expect.arrayContaining(["You are a helpful assistant.", expect.stringMatching(/^Please act as an impartial judge/)]));
    expect(writing.some((b) => user(b).startsWith("[Instruction]") && !user(b).includes("Reference Answer"))).toBe(true);
    const reasoning = judge.bodies.filter((b) => user(b).includes("overtaken the second person"));
    expect(reasoning).toHaveLength(2);
    // GPT-4's reference answer for 101, from the joined file.
    expect(reasoning.every((b) => user(b).includes("If you have just overtaken the second person, your current position is now second place."))).toBe(true);
    const line101 = result.lines.find((l) => l.id === "mtbench-101")!;
    const turns = line101.turns as { response: string }[];
    const secondTurn = reasoning.find((b) => user(b).includes("<|The Start of Assistant A's Conversation with User|>"))!;
    expect(user(secondTurn)).toContain(`### Assistant A:\n${turns[0]!.response}\n\n### User:`);
    expect(user(secondTurn)).toContain(`### Assistant A:\n${turns[1]!.response}\n\n<|The End of Assistant A's Conversation with User|>`);
  });

  it("scores each turn and overall, keeping the judge's cost apart from the model's", () => {
    const ratings: number[] = [];
    for (const line of result.lines) {
      expect(line.status).toBe("ok");
      const s = line.scores!;
      for (const k of ["judge_score,turn_1", "judge_score,turn_2"]) {
        expect(s[k]).toBeGreaterThanOrEqual(1);
        expect(s[k]).toBeLessThanOrEqual(10);
        ratings.push(s[k]!);
      }
      expect(s["judge_score,overall"]).toBe((s["judge_score,turn_1"]! + s["judge_score,turn_2"]!) / 2);
      const j = line.judge as { model: string; usage: { prompt_tokens: number; completion_tokens: number }; cost_usd: number; requests: number };
      expect(j.model).toBe("judge");
      expect(j.requests).toBe(2);
      expect(j.cost_usd).toBeCloseTo((j.usage.prompt_tokens * 10 + j.usage.completion_tokens * 30) / 1e6, 12);
      expect(line.cost_usd).toBeNull(); // the evaluated model has no price here
    }
    const m = result.summary.models.m!.metrics;
    expect(m["judge_score,overall"]!.value).toBeCloseTo(ratings.reduce((a, b) => a + b, 0) / ratings.length, 12);
    expect(m["judge_score,turn_1"]!.n).toBe(3);
    expect(result.summary.models.m!.usage.requests).toBe(6);
    // The run's cost section counts the judge apart, as a helper.
    const judgeUsd = result.lines.reduce((n, l) => n + (l.judge as { cost_usd: number }).cost_usd, 0);
    expect(result.summary.cost!.helpers_usd.judge).toBeCloseTo(judgeUsd, 12);
    expect(result.summary.cost!.eval_usd).toBeNull();
  });
});

describe("conversation state", () => {
  it("a rerun continues an unfinished conversation at its next turn and redoes no finished turn", async () => {
    const conversations = memoryConversationState();
    let failSecondTurns = true;
    const { sim, bodies } = await recordingSim((body) => (failSecondTurns && body.messages.length > 2 ? { status: 400 } : undefined));
    const judge = await recordingSim();
    try {
      const docs = mtBench(["mtbench-81", "mtbench-82"]);
      const first = await run({ docs, models: [target(sim, "m")], judge: target(judge.sim, "judge"), conversations });
      expect(first.lines.map((l) => [l.status, (l.turns as unknown[]).length, (l.error as { type: string }).type])).toEqual([
        ["error", 1, "bad_request"],
        ["error", 1, "bad_request"],
      ]);
      expect(judge.bodies).toHaveLength(0);
      const firstReplies = first.lines.map((l) => (l.turns as { response: string }[])[0]!.response);

      failSecondTurns = false;
      bodies.length = 0;
      const second = await run({ docs, models: [target(sim, "m")], judge: target(judge.sim, "judge"), conversations });
      // Only the second turns were sent again, each carrying the first turn's reply from the first run.
      expect(bodies.map((b) => b.messages.length)).toEqual([4, 4]);
      for (const [i, line] of second.lines.entries()) {
        expect(line).toMatchObject({ status: "ok", resumed_turns: 1 });
        const turns = line.turns as { response: string }[];
        expect(turns[0]!.response).toBe(firstReplies[i]);
        expect(bodies.some((b) => b.messages[2]!.content === firstReplies[i])).toBe(true);
      }
      expect(judge.bodies).toHaveLength(4);
      // Finished conversations are forgotten.
      expect(await conversations.load(second.lines[0]! as unknown as { task: string; id: string; model: string; repeat: number })).toBeUndefined();
    } finally {
      await sim.close();
      await judge.sim.close();
    }
  });

  it("a run's checkpoint keeps its conversations: after the store is closed and reopened, only the unfinished turns are sent", async () => {
    const dir = await mkdtemp(join(tmpdir(), "streameval-conversations-"));
    let failSecondTurns = true;
    const { sim, bodies } = await recordingSim((body) => (failSecondTurns && body.messages.length > 2 ? { status: 400 } : undefined));
    const judge = await recordingSim();
    try {
      const docs = mtBench(["mtbench-81", "mtbench-82"]);
      const session = async (fn: (run: RunStore) => Promise<void>) => {
        const store = await CheckpointStore.open(dir);
        try {
          await fn(store.run("r"));
        } finally {
          await store.close();
        }
      };
      let firstReplies: string[] = [];
      await session(async (checkpoint) => {
        const first = await run({ docs, models: [target(sim, "m")], judge: target(judge.sim, "judge"), checkpoint });
        expect(first.lines.map((l) => l.status)).toEqual(["error", "error"]);
        firstReplies = first.lines.map((l) => (l.turns as { response: string }[])[0]!.response);
      });
      failSecondTurns = false;
      bodies.length = 0;
      await session(async (checkpoint) => {
        const second = await run({ docs, models: [target(sim, "m")], judge: target(judge.sim, "judge"), checkpoint });
        expect(bodies.map((b) => b.messages.length)).toEqual([4, 4]);
        expect(second.lines.map((l) => [l.status, l.resumed_turns, (l.turns as { response: string }[])[0]!.response])).toEqual([
          ["ok", 1, firstReplies[0]],
          ["ok", 1, firstReplies[1]],
        ]);
        await checkpoint.flush();
        // Recorded, the conversations' turns are gone from the store (a later line with the id starts afresh).
        for (const line of second.lines) expect(await checkpoint.conversations().load(line)).toBeUndefined();
      });
      // A third run finds both samples done: nothing is sent.
      bodies.length = 0;
      await session(async (checkpoint) => {
        const third = await run({ docs, models: [target(sim, "m")], judge: target(judge.sim, "judge"), checkpoint });
        expect(third.summary.models.m!.samples.resumed).toBe(2);
      });
      expect(bodies).toHaveLength(0);
    } finally {
      await sim.close();
      await judge.sim.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("a judgment the budget refuses leaves its sample undone: no line is output or recorded, and a rerun does it", async () => {
    const dir = await mkdtemp(join(tmpdir(), "streameval-judge-budget-"));
    const { sim } = await recordingSim();
    const judge = await recordingSim();
    const store = await CheckpointStore.open(dir);
    try {
      const checkpoint = store.run("r");
      // The model's turns fit; one judge call's worst case (2,048 output tokens at $1,000 per 1M) never does.
      const models = [target(sim, "m", { price: { input: 0.01, output: 0.01 } })];
      const expensiveJudge = target(judge.sim, "judge", { price: { input: 1000, output: 1000 } });
      const first = await run({ docs: mtBench(["mtbench-81"]), models, judge: expensiveJudge, checkpoint, budget: { usd: 1 } });
      expect(first.summary.stopped).toBe("budget");
      expect(judge.bodies).toHaveLength(0);
      expect(first.lines).toEqual([]);
      expect(await checkpoint.counts()).toEqual({ ok: 0, error: 0 });
    } finally {
      await store.close();
      await sim.close();
      await judge.sim.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("a judge task without a judge model ends its samples with a clear error", async () => {
    const { sim } = await recordingSim();
    try {
      const { lines } = await run({ docs: mtBench(["mtbench-81"]), models: [target(sim, "m")] });
      expect(lines[0]).toMatchObject({ status: "error", error: { type: "no_judge", message: "task mt_bench is graded by a judge: set --judge-model (or judge.model in the task)" } });
    } finally {
      await sim.close();
    }
  });
});

describe("context window management", () => {
  const task = (strategy: string) => `
task: chat
output_type: generate_until_multi_round
turns: turns
system_prompt: Be brief.
generation_kwargs: {until: [], max_gen_toks: 64}
context_window: {strategy: ${strategy}, keep_last: 1}
`;
  const docs = [{ id: "c1", turns: ["Tell me about the history of the Roman Empire in detail, please. ".repeat(12), "And then?"] }];

  it("drops the oldest turns, keeping the system prompt, and records it", async () => {
    const { sim, bodies } = await recordingSim();
    try {
      // Turn 1 (183 tokens + 64 for the reply) fits in 260; turn 2 with turn 1's history does not.
      const { lines } = await run({ docs, models: [target(sim, "gpt-4o", { contextWindow: 260 })], task: task("drop_oldest") });
      expect(bodies.map((b) => b.messages.map((m) => m.role))).toEqual([["system", "user"], ["system", "user"]]);
      expect(bodies[1]!.messages[1]!.content).toBe("And then?");
      expect(lines[0]).toMatchObject({ status: "ok" });
      expect((lines[0]!.turns as { context?: unknown }[])[1]!.context).toMatchObject({ dropped_turns: 1, window: 260 });
    } finally {
      await sim.close();
    }
  });

  it("or ends the sample with a clear error", async () => {
    const { sim, bodies } = await recordingSim();
    try {
      const { lines } = await run({ docs, models: [target(sim, "gpt-4o", { contextWindow: 260 })], task: task("error") });
      expect(bodies).toHaveLength(1);
      expect(lines[0]).toMatchObject({ status: "error", error: { type: "context_overflow" } });
      expect((lines[0]!.error as { message: string }).message).toMatch(/^turn 2: the conversation \(2 turns\) needs \d+ prompt tokens \+ 64 for the reply, over the 260-token context window$/);
    } finally {
      await sim.close();
    }
  });
});
