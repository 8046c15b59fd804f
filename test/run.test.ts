import { lastValueFrom, toArray } from "rxjs";
import { describe, expect, it } from "vitest";
import { docsToLines } from "../src/io/docs-to-lines.js";
import { functionModel } from "../src/models/function-model.js";
import { evaluate, InputRejectedError } from "../src/run.js";
import { runEvaluation } from "../src/run-evaluation.js";
import { loadTask } from "../src/tasks/load.js";
import type { EvalEvent } from "../src/events.js";
import { contentText } from "../src/media/content-parts.js";

const docs = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `q${i}`, question: `What is ${i} + 0?`, answer: `#### ${i}`, target: String(i) }));

/** Right when the question's number is even: a deterministic "model". */
const evenRight = functionModel("even", async (req) => {
  const n = Number(/What is (\d+)/.exec(contentText(req.messages[0]?.content))?.[1]);
  return { text: `Working… #### ${n % 2 === 0 ? n : n + 100}`, usage: { prompt_tokens: 10, completion_tokens: 5 } };
});

describe("evaluate / runEvaluation", () => {
  it("scores every sample on every model and aggregates like lm-evaluation-harness", async () => {
    const task = await loadTask("gsm8k");
    const results: EvalEvent[] = [];
    const summary = await runEvaluation({
      input: docsToLines(docs(10)),
      tasks: [task],
      models: [{ client: evenRight, concurrency: 3, price: { input: 1, output: 2 } }],
      onEvent: (e) => e.type === "result" && results.push(e),
    });
    expect(results).toHaveLength(10);
    const m = summary.models.even!;
    expect(m.samples).toMatchObject({ total: 10, ok: 10, error: 0 });
    const em = m.metrics["exact_match,strict-match"]!;
    expect(em.value).toBe(0.5);
    expect(em.n).toBe(10);
    // sample std of five 1s and five 0s = sqrt(10/36); / sqrt(10)
    expect(em.stderr).toBeCloseTo(Math.sqrt(10 / 36) / Math.sqrt(10), 12);
    expect(m.usage).toMatchObject({ prompt_tokens: 100, completion_tokens: 50, requests: 10, retries: 0 });
    expect(m.cost_usd).toBeCloseTo((100 * 1 + 50 * 2) / 1e6, 12);
  });

  it("lets the caller's timers run while a function model answers every sample at once", async () => {
    const task = await loadTask("gsm8k");
    let results = 0;
    let resultsAtTimer: number | undefined;
    // A progress meter, a signal handler, a caller's own timer: all wait for a turn of the event loop.
    setImmediate(() => (resultsAtTimer = results));
    await runEvaluation({ input: docsToLines(docs(5_000)), tasks: [task], models: [{ client: evenRight }], onEvent: (e) => void (e.type === "result" && results++) });
    expect(results).toBe(5_000);
    expect(resultsAtTimer).toBeDefined();
    expect(resultsAtTimer!).toBeLessThan(5_000);
  });

  it("sets a bad line aside and goes on; strict mode fails on it", async () => {
    const task = await loadTask("gsm8k");
    const lines = async function* () {
      yield { text: JSON.stringify(docs(1)[0]), line: 1, file: "in.jsonl" };
      yield { text: "{not json", line: 2, file: "in.jsonl" };
      yield { text: JSON.stringify({ id: "no-question", answer: "#### 1" }), line: 3, file: "in.jsonl" };
      yield { text: JSON.stringify({ id: "other", task: "gsm9k", question: "q" }), line: 4, file: "in.jsonl" };
    };
    const events = await lastValueFrom(evaluate({ input: lines(), tasks: [task], models: [{ client: evenRight }] }).pipe(toArray()));
    const rejects = events.filter((e) => e.type === "reject");
    expect(rejects.map((e) => e.type === "reject" && e.reject.at.line)).toEqual([2, 3, 4]);
    expect(rejects[1]!.type === "reject" && rejects[1]!.reject.reason).toMatch(/question/);
    // A line naming a task the run does not have keeps its content in the rejects file.
    expect(rejects[2]!.type === "reject" && rejects[2]!.reject).toMatchObject({ reason: expect.stringMatching(/unknown task "gsm9k"/) as string, raw: expect.stringContaining('"id":"other"') as string });
    expect(events.filter((e) => e.type === "result")).toHaveLength(1);
    await expect(lastValueFrom(evaluate({ input: lines(), tasks: [task], models: [{ client: evenRight }], strict: true }))).rejects.toBeInstanceOf(InputRejectedError);
  });

  it("a failing model call becomes an error result, and the other samples finish", async () => {
    const task = await loadTask("gsm8k");
    const flaky = functionModel("flaky", async (req) => {
      if (contentText(req.messages[0]?.content).includes("What is 3 ")) throw Object.assign(new Error("boom"));
      return "#### 0";
    });
    const summary = await runEvaluation({ input: docsToLines(docs(5)), tasks: [task], models: [{ client: flaky }] });
    expect(summary.models.flaky!.samples).toMatchObject({ ok: 4, error: 1 });
  });

  it("--limit takes the first N samples only, and reads no further", async () => {
    const task = await loadTask("gsm8k");
    let pulled = 0;
    async function* many() {
      for (let i = 0; i < 1_000_000; i++) {
        pulled++;
        yield { text: JSON.stringify(docs(i + 1)[i]), line: i + 1, file: "x" };
      }
    }
    const summary = await runEvaluation({ input: many(), tasks: [task], models: [{ client: evenRight }], limit: 7, window: 4 });
    expect(summary.models.even!.samples.total).toBe(7);
    expect(pulled).toBeLessThan(20);
  });

  it("validates its options when called", () => {
    expect(() => evaluate({ input: docsToLines([]), tasks: [], models: [] })).toThrow("Expected `tasks` to hold at least one task, got none");
  });
});
