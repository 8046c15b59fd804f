import { describe, expect, it } from "vitest";
import { from, lastValueFrom, toArray } from "rxjs";
import { score } from "../../src/operators/score.js";
import { createDispatcher } from "../../src/reliability/dispatcher.js";
import { type Judge, judgeTurn } from "../../src/scorers/judge.js";
import { mtBenchJudgeRequest } from "../../src/scorers/mt-bench-judge.js";
import type { Inferred, WorkItem } from "../../src/work/work-item.js";
import { outcomeOf } from "../../src/work/work-item.js";
import { httpError, scriptedModel } from "../reliability/fake-model.js";
import { VirtualClock } from "../reliability/virtual-clock.js";

const timing = { e2e_ms: 0, ttft_ms: null, tpot_ms: null, queue_ms: 0, attempts: 0 };
const work = { key: { task: "t", id: "a", model: "m", repeat: 0 }, prepared: { input: "q", target: "1" }, task: {} } as unknown as WorkItem;
const failed = (type: string, cutOff?: "budget" | "aborted"): Inferred => ({ kind: "error", work, timing, cost_usd: null, error: { type, message: type, attempts: 0 }, ...(cutOff ? { cutOff } : {}) });

describe("Outcome", () => {
  it("is cut off, with its cause, only when the inferred item carries the tag", async () => {
    const out = await lastValueFrom(from([failed("budget", "budget"), failed("aborted", "aborted"), failed("timeout"), failed("budget")]).pipe(score(), toArray()));
    expect(out.map((o) => (o.kind === "cut-off" ? `cut-off:${o.cause}` : o.kind))).toEqual(["cut-off:budget", "cut-off:aborted", "done", "done"]);
    // The line is the error line either way.
    expect(out.map((o) => o.line.status)).toEqual(["error", "error", "error", "error"]);
  });

  it("outcomeOf makes a done outcome unless given a cause", () => {
    const line = { id: "a", task: "t", model: "m", repeat: 0, status: "ok" as const, input: "q" };
    expect(outcomeOf(work, line)).toEqual({ kind: "done", work, line });
    expect(outcomeOf(work, line, "budget")).toEqual({ kind: "cut-off", cause: "budget", work, line });
  });
});

describe("judgeTurn", () => {
  const request = mtBenchJudgeRequest({ questions: ["Q"], answers: ["A"], turn: 0 });
  const judgeWith = (script: Parameters<typeof scriptedModel>[2]) => {
    const clock = new VirtualClock();
    const dispatcher = createDispatcher(scriptedModel("judge", () => clock.now(), script), { concurrency: 1, clock, maxRetries: 0 });
    return { model: "judge", dispatcher, price: null } satisfies Judge;
  };

  it("marks a judge call the run's signal stopped as cut off, and a failed one not", async () => {
    const stopped = new AbortController();
    stopped.abort(new Error("stop"));
    const cut = await judgeTurn(judgeWith(() => httpError(500)), { temperature: 0, max_tokens: 16 }, 1, request, { id: "a", signal: stopped.signal, onFatal: () => {} });
    expect(cut).toMatchObject({ cutOff: "aborted", judgment: { rating: null, error: { type: "judge_aborted" } } });
    const failedJudge = await judgeTurn(judgeWith(() => httpError(400)), { temperature: 0, max_tokens: 16 }, 1, request, { id: "a", signal: new AbortController().signal, onFatal: () => {} });
    expect(failedJudge.cutOff).toBeUndefined();
    expect(failedJudge.judgment.error?.type).toBe("judge_bad_request");
  });
});
