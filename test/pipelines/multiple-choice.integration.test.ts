import { readFileSync } from "node:fs";
import type OpenAI from "openai";
import { lastValueFrom, toArray } from "rxjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EvalEvent } from "../../src/events.js";
import { docsToLines } from "../../src/io/docs-to-lines.js";
import { createSdkClient } from "../../src/models/sdk-client.js";
import { openAIChat } from "../../src/models/openai-chat.js";
import { openAICompletions } from "../../src/models/openai-completions.js";
import { evaluate } from "../../src/run.js";
import { runEvaluation } from "../../src/run-evaluation.js";
import { startSim, tokenize, type SimServer } from "../../src/sim/index.js";
import { getAggregation } from "../../src/metrics/index.js";
import { loadTask } from "../../src/tasks/load.js";
import type { ResultLine } from "../../src/types.js";
import { clientFor } from "../sim/helpers.js";
import { datasetPath } from "../support/datasets.js";

const MMLU = readFileSync(datasetPath("mmlu_test.jsonl"), "utf8")
  .split("\n")
  .filter(Boolean)
  .slice(0, 24)
  .map((l) => JSON.parse(l) as Record<string, unknown>);

/**
 * lm-eval's local-completions, written out independently: payload {echo, logprobs 1, max_tokens 1},
 * ctxlen = the context's token count (the sim's tokenizer stands in for the model's), then
 * parse_logprobs: sum(token_logprobs[ctxlen:-1]), is_greedy against max(top_logprobs).
 */
async function lmEvalLoglikelihood(sdk: OpenAI, context: string, continuation: string): Promise<[number, boolean]> {
  const r = await sdk.completions.create({ model: "m", prompt: context + continuation, echo: true, logprobs: 1, max_tokens: 1, temperature: 0 });
  const lp = r.choices[0]!.logprobs!;
  const ctxlen = tokenize(context).length;
  const logprobs = lp.token_logprobs!.slice(ctxlen, -1);
  const tops = lp.top_logprobs!.slice(ctxlen, -1);
  return [logprobs.reduce((a, b) => a + b, 0), logprobs.every((v, i) => v === Math.max(...Object.values(tops[i]!)))];
}

const argmax = (xs: number[]) => xs.indexOf(Math.max(...xs));

describe("multiple_choice through the real SDK and the simulator's /v1/completions", () => {
  let sim: SimServer;
  let raw: OpenAI;
  beforeAll(async () => {
    sim = await startSim({ seed: 11 });
    raw = clientFor(sim);
  });
  afterAll(() => sim.close());

  it("gives the loglikelihoods, acc and acc_norm that lm-eval's formulas give on the same logprobs", async () => {
    const task = await loadTask("mmlu");
    const client = openAIChat({ model: "m", apiKey: "test", baseURL: sim.url, sdk: createSdkClient({ baseURL: sim.url, apiKey: "test" }) });
    const lines: ResultLine[] = [];
    const summary = await runEvaluation({ input: docsToLines(MMLU), tasks: [task], models: [{ client, concurrency: 4 }], onEvent: (e) => e.type === "result" && lines.push(e.line) });
    expect(lines).toHaveLength(MMLU.length);
    let correct = 0;
    const expectations = await Promise.all(
      lines.map((line) => {
        const context = task.prompt(MMLU.find((d) => d.id === line.id)!);
        return Promise.all(["A", "B", "C", "D"].map((c) => lmEvalLoglikelihood(raw, context, ` ${c}`)));
      }),
    );
    for (const [i, line] of lines.entries()) {
      expect(line.status).toBe("ok");
      const doc = MMLU.find((d) => d.id === line.id)!;
      const expected = expectations[i]!;
      const lls = expected.map(([ll]) => ll);
      expect(line.loglikelihoods).toEqual(lls);
      expect(line.is_greedy).toEqual(expected.map(([, g]) => g));
      const acc = argmax(lls) === doc.label ? 1 : 0;
      expect(line.scores).toEqual({ "acc,none": acc });
      expect(line.target).toBe(["A", "B", "C", "D"][doc.label as number]);
      correct += acc;
    }
    const m = summary.models.m!.metrics["acc,none"]!;
    expect(m.n).toBe(MMLU.length);
    expect(m.value).toBeCloseTo(correct / MMLU.length, 12);
    expect(summary.models.m!.usage.requests).toBe(MMLU.length); // one request per sample, all four choices in it
  });

  it("scores acc_norm and exact_match when the task lists them", async () => {
    const base = await loadTask("mmlu");
    const { parseTask } = await import("../../src/tasks/load.js");
    const task = parseTask(base.origin.text.replace(/metric_list:[\s\S]*?num_fewshot/, "metric_list:\n  - metric: acc\n  - metric: acc_norm\n  - metric: exact_match\nnum_fewshot").replace(/fewshot_config:[\s\S]*?output_type/, "output_type"), "mmlu-more.yaml");
    const client = openAICompletions({ model: "m", apiKey: "test", baseURL: sim.url });
    const events = await lastValueFrom(evaluate({ input: docsToLines(MMLU.slice(0, 4)), tasks: [task], models: [{ client }] }).pipe(toArray()));
    const line = events.find((e): e is Extract<EvalEvent, { type: "result" }> => e.type === "result")!.line;
    const lls = line.loglikelihoods as number[];
    const gold = line.gold as number;
    // single-letter choices: acc_norm divides every ll by 1, so it equals acc
    expect(line.scores).toEqual({
      "acc,none": argmax(lls) === gold ? 1 : 0,
      "acc_norm,none": argmax(lls) === gold ? 1 : 0,
      "exact_match,none": (line.is_greedy as boolean[])[gold] ? 1 : 0,
    });
  });

  it("records [gold, pred] for f1 and mcc, and the summary aggregates them at corpus level", async () => {
    const { parseTask } = await import("../../src/tasks/load.js");
    // A binary task in cola's shape (glue/cola: doc_to_choice ["no", "yes"], metric mcc), over MMLU rows.
    const task = parseTask('task: binary\noutput_type: multiple_choice\ndoc_to_text: "{{question}}\\nAnswer:"\ndoc_to_choice: ["no", "yes"]\ndoc_to_target: "{{label % 2}}"\nmetric_list:\n  - metric: acc\n  - metric: f1\n  - metric: mcc\n', "binary.yaml");
    const client = openAICompletions({ model: "m", apiKey: "test", baseURL: sim.url });
    const lines: ResultLine[] = [];
    const summary = await runEvaluation({ input: docsToLines(MMLU), tasks: [task], models: [{ client, concurrency: 4 }], onEvent: (e) => e.type === "result" && lines.push(e.line) });
    expect(lines).toHaveLength(MMLU.length);
    const [f1, mcc] = [getAggregation("f1")!.create(), getAggregation("matthews_corrcoef")!.create()];
    for (const line of lines) {
      expect(line.values).toEqual({ "f1,none": [line.gold, line.pred], "mcc,none": [line.gold, line.pred] });
      expect(Object.keys(line.scores!)).toEqual(["acc,none"]);
      f1.addItem!([line.gold, line.pred]);
      mcc.addItem!([line.gold, line.pred]);
    }
    const metrics = summary.models.m!.metrics;
    expect(metrics["f1,none"]).toEqual(f1.result());
    expect(metrics["mcc,none"]).toEqual(mcc.result());
    expect(metrics["mcc,none"]!.n).toBe(MMLU.length);
  });

  it("turns a reply without logprobs into a clear error line", async () => {
    const task = await loadTask("mmlu");
    const { functionModel } = await import("../../src/models/function-model.js");
    const noLogprobs = functionModel("chat-only", () => "B");
    const events = await lastValueFrom(evaluate({ input: docsToLines(MMLU.slice(0, 1)), tasks: [task], models: [{ client: noLogprobs }] }).pipe(toArray()));
    const line = events.find((e): e is Extract<EvalEvent, { type: "result" }> => e.type === "result")!.line;
    expect(line.status).toBe("error");
    expect(line.error).toMatchObject({ type: "no_logprobs" });
    expect(line.error!.message).toMatch(/mmlu_generative/);
  });
});
