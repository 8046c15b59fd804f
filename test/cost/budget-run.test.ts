import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EvalEvent } from "../../src/events.js";
import { openInputs } from "../../src/io/open-inputs.js";
import { createSdkClient } from "../../src/models/sdk-client.js";
import { openAIChat } from "../../src/models/openai-chat.js";
import { runEvaluation } from "../../src/run-evaluation.js";
import { estimateRun } from "../../src/run-estimate.js";
import { type SimServer, startSim } from "../../src/sim/index.js";
import { countChatTokens, countTokens } from "../../src/sim/tokens.js";
import { loadTask } from "../../src/tasks/load.js";
import type { Task } from "../../src/work/task.js";
import type { ResultLine } from "../../src/types.js";
import { datasetPath } from "../support/datasets.js";

const GSM8K = datasetPath("gsm8k_test.jsonl");
const price = { input: 0.15, output: 0.6 };

/** The real SDK against the sim, one client per model name. */
function model(sim: SimServer, name: string, concurrency = 8) {
  const sdk = createSdkClient({ baseURL: sim.url, apiKey: "test" });
  return { client: openAIChat({ model: name, apiKey: "test", baseURL: sim.url, sdk }), concurrency };
}

async function run(sim: SimServer, task: Task, options: { limit: number; models: Parameters<typeof runEvaluation>[0]["models"]; budget?: { usd?: number; tokens?: number } }) {
  const events: EvalEvent[] = [];
  const summary = await runEvaluation({ input: openInputs([GSM8K], process.stdin), tasks: [task], ...options, onEvent: (e) => events.push(e) });
  const lines = events.flatMap((e) => (e.type === "result" ? [e.line] : []));
  return { summary, events, lines };
}

const billedUsd = (sim: SimServer) => (sim.stats().promptTokens * price.input + sim.stats().completionTokens * price.output) / 1e6;

describe("cost and budget against the loopback sim (real SDK)", () => {
  let task: Task;
  let sim: SimServer;
  beforeAll(async () => {
    task = await loadTask("gsm8k");
  });
  afterAll(async () => {
    await sim?.close();
  });

  it("prices every reply at exactly its reported tokens × price, and sums them in the summary", async () => {
    sim = await startSim({ seed: 1 });
    const { summary, lines } = await run(sim, task, { limit: 30, models: [{ ...model(sim, "gpt-x"), price, priceSource: "flag" }] });
    expect(lines).toHaveLength(30);
    for (const l of lines) {
      const u = l.usage!;
      // The sim's own count of the prompt it received and the reply it sent.
      expect(u.prompt_tokens).toBe(countChatTokens([l.input]));
      expect(u.completion_tokens).toBe(countTokens(String(l.response)));
      expect(l.cost_usd).toBe((u.prompt_tokens * 0.15 + u.completion_tokens * 0.6) / 1e6);
    }
    expect(summary.cost!.eval_usd).toBeCloseTo(billedUsd(sim), 12);
    expect(summary.models["gpt-x"]!.cost_usd).toBeCloseTo(billedUsd(sim), 12);
    expect(summary.cost!.by_model["gpt-x"]!.price).toMatchObject({ ...price, source: "flag" });
    expect(summary.resources).toMatchObject({ requests: 30, retries: 0 });
    expect(summary.resources!.bytes_sent).toBeGreaterThan(0);
    // One process meter: `resources` and `process` report the same readings.
    const r = summary.resources!;
    expect(r.peak_rss_mb).toBeGreaterThan(10);
    expect(r.peak_rss_mb).toBe(summary.process!.rss_mb.peak);
    expect(r.cpu_user_s).toBe(summary.process!.cpu_s.user);
    expect(r.cpu_system_s).toBe(summary.process!.cpu_s.system);
    await sim.close();
  });

  it("with -c 32 and a tiny budget, the server's bill never passes the budget; the rest stay undone (exit 3)", async () => {
    for (const budgetUsd of [0.0004, 0.0011, 0.0025]) {
      sim = await startSim({ seed: 2, latencyMs: 5 });
      const { summary, lines, events } = await run(sim, task, { limit: 200, models: [{ ...model(sim, "gpt-x", 32), price }], budget: { usd: budgetUsd } });
      expect(summary.stopped).toBe("budget");
      expect(billedUsd(sim)).toBeLessThanOrEqual(budgetUsd);
      // Every request the server answered is in a result line: nothing was half-recorded.
      expect(lines.every((l) => l.status === "ok")).toBe(true);
      expect(lines).toHaveLength(sim.stats().requests);
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.length).toBeLessThan(200);
      // It spends a fair share of the budget: it stopped only when one more worst case did not fit.
      const b = summary.cost!.budget!.usd!;
      expect(b.spent).toBeGreaterThanOrEqual(billedUsd(sim) - 1e-12);
      expect(b.spent).toBeLessThanOrEqual(budgetUsd);
      expect(events.filter((e) => e.type === "stopping")).toHaveLength(1);
      await sim.close();
    }
  });

  it("--max-tokens-total stops the run before the server has counted more tokens", async () => {
    sim = await startSim({ seed: 3 });
    const { summary } = await run(sim, task, { limit: 100, models: [{ ...model(sim, "gpt-x", 32), price }], budget: { tokens: 5000 } });
    expect(summary.stopped).toBe("budget");
    expect(sim.stats().promptTokens + sim.stats().completionTokens).toBeLessThanOrEqual(5000);
    expect(summary.cost!.budget!.tokens!.spent).toBe(sim.stats().promptTokens + sim.stats().completionTokens);
    await sim.close();
  });

  it("an unknown model's cost is null, with one warning for the whole run", async () => {
    sim = await startSim({ seed: 4 });
    const { summary, lines, events } = await run(sim, task, { limit: 10, models: [model(sim, "mystery-7b")] });
    expect(lines.map((l: ResultLine) => l.cost_usd)).toEqual(Array(10).fill(null));
    const warnings = events.filter((e) => e.type === "warning");
    expect(warnings).toEqual([{ type: "warning", message: expect.stringMatching(/^no price known for model mystery-7b/) }]);
    expect(summary.models["mystery-7b"]!.cost_usd).toBeNull();
    expect(summary.cost!.total_usd).toBeNull();
    await sim.close();
  });

  it("counts offline, marked estimated, when the server reports no usage", async () => {
    sim = await startSim({ seed: 5, usage: false });
    const { summary, lines } = await run(sim, task, { limit: 5, models: [{ ...model(sim, "gpt-4o-mini"), price }] });
    for (const l of lines) {
      expect(l.usage).toMatchObject({ estimated: true });
      expect(l.usage!.prompt_tokens).toBeGreaterThan(10);
      expect(l.cost_usd).toBe((l.usage!.prompt_tokens * 0.15 + l.usage!.completion_tokens * 0.6) / 1e6);
    }
    expect(summary.cost!.estimated).toBe(true);
    await sim.close();
  });

  it("the estimate brackets the real cost of the same run, without a request", async () => {
    sim = await startSim({ seed: 6 });
    const estimate = await estimateRun({ input: openInputs([GSM8K], process.stdin), tasks: [task], limit: 50, models: [{ model: "gpt-x", price, source: "flag" }] });
    expect(sim.stats().requests).toBe(0);
    const { summary } = await run(sim, task, { limit: 50, models: [{ ...model(sim, "gpt-x", 16), price }] });
    const [e] = estimate.models;
    expect(estimate.samples).toBe(50);
    expect(e).toMatchObject({ model: "gpt-x", requests: 50, max_output_tokens: 50 * task.generation.max_tokens });
    const real = summary.cost!.eval_usd!;
    expect(e!.low_usd!).toBeLessThan(real);
    expect(e!.high_usd!).toBeGreaterThan(real);
    await sim.close();
  });
});
