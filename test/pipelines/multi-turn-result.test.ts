import { describe, expect, it } from "vitest";
import { conversationLine } from "../../src/pipelines/multi-turn-result.js";
import type { TurnRecord } from "../../src/work/conversation-state.js";
import type { Judgment } from "../../src/work/judgment.js";
import { SummaryBuilder } from "../../src/summary/summary-builder.js";
import { parseTask } from "../../src/tasks/load.js";

const task = parseTask("task: chat\noutput_type: generate_until_multi_round\nturns: turns\n", "t.yaml");
const timing = { e2e_ms: 100, ttft_ms: 10, tpot_ms: 2, queue_ms: 1, attempts: 1 };
const judged = (rating: number | null): Judgment => ({ turn: 1, prompt: "single-v1", rating, judgment: "…", usage: { prompt_tokens: 100, completion_tokens: 20 }, cost_usd: 0.001, attempts: 1 });
const turn = (rating: number | null): TurnRecord => ({ user: "q", assistant: "a", finish_reason: "stop", usage: { prompt_tokens: 10, completion_tokens: 5 }, cost_usd: 0.0001, timing, judgment: judged(rating) });
const line = (id: string, ratings: (number | null)[]) =>
  conversationLine({ key: { task: "chat", id, model: "m", repeat: 0 }, task, questions: ratings.map(() => "q"), system: undefined, target: "", turns: ratings.map(turn), resumedTurns: 0, judgeModel: "j" });

describe("conversation result lines", () => {
  it("scores each graded turn and the sample's mean, and sums the turns' usage, cost and timing", () => {
    const l = line("a", [8, null]);
    expect(l.scores).toEqual({ "judge_score,turn_1": 8, "judge_score,overall": 8 });
    expect(l).toMatchObject({ usage: { prompt_tokens: 20, completion_tokens: 10 }, cost_usd: 0.0002, timing: { e2e_ms: 200, ttft_ms: 10, tpot_ms: 2, queue_ms: 2, attempts: 2 }, requests: 2 });
    expect(l.judge).toEqual({ model: "j", requests: 2, usage: { prompt_tokens: 200, completion_tokens: 40 }, cost_usd: 0.002 });
    expect(l.transcript).toEqual([{ role: "user", content: "q" }, { role: "assistant", content: "a" }, { role: "user", content: "q" }, { role: "assistant", content: "a" }]);
  });

  it("makes the summary's overall FastChat's average over all graded turns", () => {
    const builder = new SummaryBuilder({ run: "r", tasks: [{ name: "chat", aggregations: new Map() }], models: ["m"] });
    builder.addResult(line("a", [8, 8]));
    builder.addResult(line("b", [4, null]));
    const metrics = builder.build(null, 1).models.m!.metrics;
    // Three graded turns: (8 + 8 + 4) / 3, not the mean of the samples' means (8 + 4) / 2.
    expect(metrics["judge_score,overall"]!.value).toBeCloseTo(20 / 3, 12);
    expect(metrics["judge_score,turn_1"]).toMatchObject({ value: 6, n: 2 });
    expect(metrics["judge_score,turn_2"]).toMatchObject({ value: 8, n: 1 });
    // Two requests per conversation, none of them a retry.
    expect(builder.build(null, 1).models.m!.usage).toMatchObject({ requests: 4, retries: 0 });
  });
});
