import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ResponseCache } from "../../src/cache/response-cache.js";
import { comparePairwise } from "../../src/compare/pairwise-judge.js";
import { docsToLines } from "../../src/io/docs-to-lines.js";
import { createSdkClient } from "../../src/models/sdk-client.js";
import { openAIChat } from "../../src/models/openai-chat.js";
import { runEvaluation } from "../../src/run-evaluation.js";
import type { ModelTarget } from "../../src/run.js";
import { type SimServer, startSim } from "../../src/sim/index.js";
import { loadTask, parseTask } from "../../src/tasks/load.js";
import type { Task } from "../../src/work/task.js";
import { readFileSync } from "node:fs";
import type { Doc, ResultLine } from "../../src/types.js";
import { type HostileServer, jsonReply, startHostile, streamReply } from "../support/hostile-server.js";

const DOCS: Doc[] = [
  { id: "q1", question: "Which planet is known as the Red Planet?", answer: "Mars" },
  { id: "q2", question: "What is the largest ocean on Earth?", answer: "Pacific Ocean" },
  { id: "q3", question: "What is the chemical symbol for gold?", answer: "Au" },
];
const KEY = new Map(DOCS.map((d) => [d.question as string, d.answer as string]));
const task = (retries?: number) =>
  `task: qa\ndoc_to_text: "{{ question }}"\ndoc_to_target: answer\ngeneration_kwargs: {until: []}\n${retries === undefined ? "" : `judge: {verdict_retries: ${retries}}\n`}metric_list:\n  - {metric: llm_judge, name: correct, template: reference}\n`;

/** A judge that, for each prompt, first writes no verdict at all, then (asked again) a well-formed one. */
function firstUnreadable(verdict: string): Promise<HostileServer> {
  const seen = new Map<string, number>();
  return startHostile((_req, res, body) => {
    const prompt = JSON.stringify(body.messages);
    const n = (seen.get(prompt) ?? 0) + 1;
    seen.set(prompt, n);
    const text = n === 1 ? "I would rather not say." : `The answer matches the reference. ${verdict}`;
    const usage = { prompt_tokens: 100, completion_tokens: 10 };
    if (body.stream) return streamReply(res, text, usage);
    jsonReply(res, 200, { id: "x", object: "chat.completion", created: 0, model: "judge", choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }], usage });
  });
}

const target = (url: string, model: string): ModelTarget => ({
  client: openAIChat({ model, apiKey: "test", baseURL: url, sdk: createSdkClient({ baseURL: url, apiKey: "test" }) }),
  concurrency: 4,
  endpoint: url,
  price: { input: 1, output: 1 },
});

describe("a judge reply with no readable verdict is not final: never cached, asked again, an error (never a 0) if it stays so", { timeout: 60_000 }, () => {
  let model: SimServer;
  let dir: string;
  beforeAll(async () => {
    model = await startSim({ answerKey: KEY, accuracy: 1, replyFormat: "answer" });
    dir = await mkdtemp(join(tmpdir(), "streameval-unreadable-"));
  });
  afterAll(async () => {
    await model.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function run(judge: HostileServer, yaml: string | Task, store: string, docs: Doc[] = DOCS) {
    const cache = await ResponseCache.open(store);
    const lines: ResultLine[] = [];
    try {
      await runEvaluation({
        input: docsToLines(docs),
        tasks: [typeof yaml === "string" ? parseTask(yaml, "qa.yaml") : yaml],
        models: [target(model.url, "m")],
        judge: target(judge.url, "judge"),
        responseCache: cache,
        onEvent: (e) => e.type === "result" && lines.push(e.line),
      });
    } finally {
      await cache.close();
    }
    return lines.sort((a, b) => a.id.localeCompare(b.id));
  }

  it("by default the judge is asked once more: the second, readable reply scores the sample; only it is cached", async () => {
    const judge = await firstUnreadable("[[PASS]]");
    const store = join(dir, "default");
    try {
      const lines = await run(judge, task(), store);
      expect(lines.map((l) => [l.status, l.scores?.["correct,none"]])).toEqual(DOCS.map(() => ["ok", 1]));
      expect(judge.requests()).toBe(DOCS.length * 2);
      // Both requests are counted and paid for on the line.
      for (const l of lines) expect(l.judge).toMatchObject({ requests: 2, usage: { prompt_tokens: 200, completion_tokens: 20 }, cost_usd: 0.00022 });
      const again = await run(judge, task(), store);
      expect(again.map((l) => l.scores?.["correct,none"])).toEqual([1, 1, 1]);
      expect(judge.requests()).toBe(DOCS.length * 2);
    } finally {
      await judge.close();
    }
  });

  it("with verdict_retries: 0 the sample is an error, not a 0, and a rerun asks the judge again instead of reading the cache", async () => {
    const judge = await firstUnreadable("[[PASS]]");
    const store = join(dir, "no-retry");
    try {
      const first = await run(judge, task(0), store);
      for (const l of first) {
        expect(l.status).toBe("error");
        expect(l.error?.type).toBe("judge_unparseable");
        expect(l.scores).toBeUndefined();
      }
      expect(judge.requests()).toBe(DOCS.length);
      const second = await run(judge, task(0), store);
      expect(judge.requests()).toBe(DOCS.length * 2);
      expect(second.map((l) => [l.status, l.scores?.["correct,none"]])).toEqual(DOCS.map(() => ["ok", 1]));
    } finally {
      await judge.close();
    }
  });

  const CONVERSATIONS: Doc[] = [
    { id: "c1", category: "writing", turns: ["Which planet is known as the Red Planet?", "And the largest ocean?"] },
    { id: "c2", category: "writing", turns: ["What is the chemical symbol for gold?", "And for silver?"] },
  ];
  const mtBench = (retries?: number) => {
    const yaml = readFileSync(new URL("../../src/tasks/bundled/mt_bench.yaml", import.meta.url), "utf8");
    return retries === undefined ? loadTask("mt_bench") : parseTask(yaml.replace("  max_tokens: 2048\n", `  max_tokens: 2048\n  verdict_retries: ${retries}\n`), "mt_bench.yaml");
  };

  it("mt_bench: a turn's reply with no [[rating]] is asked again; the second reply rates the turn and only it is cached", async () => {
    const judge = await firstUnreadable("Rating: [[7]]");
    const store = join(dir, "mt-default");
    try {
      const lines = await run(judge, await mtBench(), store, CONVERSATIONS);
      expect(lines.map((l) => [l.status, l.scores?.["judge_score,turn_1"], l.scores?.["judge_score,turn_2"]])).toEqual([["ok", 7, 7], ["ok", 7, 7]]);
      expect(judge.requests()).toBe(CONVERSATIONS.length * 2 * 2);
      const again = await run(judge, await mtBench(), store, CONVERSATIONS);
      expect(again.map((l) => l.scores?.["judge_score,overall"])).toEqual([7, 7]);
      expect(judge.requests()).toBe(CONVERSATIONS.length * 2 * 2);
    } finally {
      await judge.close();
    }
  });

  it("mt_bench with verdict_retries: 0: a turn with no rating makes the sample an error (not a turn left out), and a rerun grades it", async () => {
    const judge = await firstUnreadable("Rating: [[7]]");
    const store = join(dir, "mt-no-retry");
    try {
      const first = await run(judge, await mtBench(0), store, CONVERSATIONS);
      for (const l of first) {
        expect(l.status).toBe("error");
        expect(l.error).toMatchObject({ type: "judge_unparseable", message: expect.stringContaining('"I would rather not say."') });
        expect(l.scores).toBeUndefined();
      }
      // Turn 1's unreadable reply ends each sample.
      expect(judge.requests()).toBe(CONVERSATIONS.length);
      // The rerun asks turn 1 again (its unreadable reply was not cached): now readable. Turn 2's first reply is not.
      const second = await run(judge, await mtBench(0), store, CONVERSATIONS);
      expect(second.map((l) => [l.status, l.error?.message.startsWith("judging turn 2:")])).toEqual([["error", true], ["error", true]]);
      expect(judge.requests()).toBe(CONVERSATIONS.length * 3);
      // A third run takes turn 1's rating from the cache and asks turn 2 again.
      const third = await run(judge, await mtBench(0), store, CONVERSATIONS);
      expect(third.map((l) => [l.status, l.scores?.["judge_score,overall"]])).toEqual([["ok", 7], ["ok", 7]]);
      expect(judge.requests()).toBe(CONVERSATIONS.length * 4);
    } finally {
      await judge.close();
    }
  });

  it("pairwise: a reply with no [[A]]/[[B]]/[[C]] is asked again and never cached", async () => {
    const judge = await firstUnreadable("[[A]]");
    const pairs = [{ task: "qa", id: "q1", question: "Red planet?", a: { model: "a", response: "Mars" }, b: { model: "b", response: "Venus" } }];
    const compare = async (verdictRetries?: number) => {
      const cache = await ResponseCache.open(join(dir, "pairwise"));
      try {
        return await comparePairwise({ pairs, judge: target(judge.url, "judge"), cache, ...(verdictRetries === undefined ? {} : { verdictRetries }) });
      } finally {
        await cache.close();
      }
    };
    try {
      // Each order: an unreadable reply, then [[A]] (the first answer shown) — a flip, so a tie.
      expect(await compare()).toMatchObject({ n: 1, errors: 0, ties: 1 });
      expect(judge.requests()).toBe(4);
      // The readable replies were cached, the unreadable ones not: nothing is asked again.
      expect(await compare(0)).toMatchObject({ n: 1, errors: 0, ties: 1 });
      expect(judge.requests()).toBe(4);
    } finally {
      await judge.close();
    }
  });
});
