import { readFileSync } from "node:fs";
import type OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { docsToLines } from "../../src/io/docs-to-lines.js";
import { openAICompletions } from "../../src/models/openai-completions.js";
import { runEvaluation } from "../../src/run-evaluation.js";
import { startSim, tokenize, type SimServer } from "../../src/sim/index.js";
import { loadTask, parseTask } from "../../src/tasks/load.js";
import type { ResultLine } from "../../src/types.js";
import { clientFor } from "../sim/helpers.js";
import { datasetPath } from "../support/datasets.js";

const TEXTS = readFileSync(datasetPath("gsm8k_test.jsonl"), "utf8")
  .split("\n")
  .filter(Boolean)
  .slice(0, 12)
  .map((l) => JSON.parse(l) as { question: string; answer: string })
  .map((d, i) => ({ id: `t${i}`, text: d.question, question: d.question, target: d.answer.split("####").pop()!.trim() }));

/** Echo logprobs of a whole text, summed over every token that has one (lm-eval's rolling sum, one window). */
async function textLoglikelihood(sdk: OpenAI, text: string): Promise<number> {
  const r = await sdk.completions.create({ model: "m", prompt: text, echo: true, logprobs: 1, max_tokens: 0 });
  return r.choices[0]!.logprobs!.token_logprobs!.reduce<number>((a, b) => a + (b ?? 0), 0);
}

describe("loglikelihood and loglikelihood_rolling through the real SDK and the simulator", () => {
  let sim: SimServer;
  let raw: OpenAI;
  beforeAll(async () => {
    sim = await startSim({ seed: 3 });
    raw = clientFor(sim);
  });
  afterAll(() => sim.close());

  it("aggregates perplexities over all texts as lm-eval does: weighted, not a mean of per-text values", async () => {
    const task = await loadTask("perplexity");
    const client = openAICompletions({ model: "m", apiKey: "test", baseURL: sim.url });
    const lines: ResultLine[] = [];
    const summary = await runEvaluation({ input: docsToLines(TEXTS), tasks: [task], models: [{ client }], onEvent: (e) => e.type === "result" && lines.push(e.line) });
    let sumLl = 0;
    let words = 0;
    let bytes = 0;
    for (const doc of TEXTS) {
      const line = lines.find((l) => l.id === doc.id)!;
      const ll = await textLoglikelihood(raw, doc.text);
      expect(line.loglikelihood).toBeCloseTo(ll, 10);
      expect(line.scored_tokens).toBe(tokenize(doc.text).length - 1);
      expect(line.words).toBe(doc.text.split(/\s+/).length);
      expect(line.bytes).toBe(Buffer.byteLength(doc.text));
      expect(line.weights).toEqual({ "word_perplexity,none": line.words, "byte_perplexity,none": line.bytes, "bits_per_byte,none": line.bytes });
      sumLl += ll;
      words += line.words as number;
      bytes += line.bytes as number;
    }
    const m = summary.models.m!.metrics;
    expect(m["word_perplexity,none"]!.value).toBeCloseTo(Math.exp(-sumLl / words), 8);
    expect(m["byte_perplexity,none"]!.value).toBeCloseTo(Math.exp(-sumLl / bytes), 10);
    expect(m["bits_per_byte,none"]!.value).toBeCloseTo(-sumLl / bytes / Math.LN2, 10);
    expect(m["bits_per_byte,none"]!.stderr).toBeNull();
  });

  it("scores a continuation's loglikelihood (perplexity) and greediness (acc)", async () => {
    const task = parseTask(`task: cont\noutput_type: loglikelihood\ndoc_to_text: "Question: {{question}}\\nAnswer:"\ndoc_to_target: "{{' ' + target}}"\n`, "cont.yaml");
    expect(task.metrics.map((m) => m.name)).toEqual(["perplexity", "acc"]);
    const client = openAICompletions({ model: "m", apiKey: "test", baseURL: sim.url });
    const lines: ResultLine[] = [];
    const summary = await runEvaluation({ input: docsToLines(TEXTS.slice(0, 6)), tasks: [task], models: [{ client }], onEvent: (e) => e.type === "result" && lines.push(e.line) });
    let sum = 0;
    let greedy = 0;
    for (const line of lines) {
      const doc = TEXTS.find((d) => d.id === line.id)!;
      const context = `Question: ${doc.question}\nAnswer:`;
      const r = await raw.completions.create({ model: "m", prompt: `${context} ${doc.target}`, echo: true, logprobs: 1, max_tokens: 1 });
      const lp = r.choices[0]!.logprobs!;
      const ctxlen = tokenize(context).length;
      const ll = lp.token_logprobs!.slice(ctxlen, -1).reduce((a, b) => a + b, 0);
      const isGreedy = lp.token_logprobs!.slice(ctxlen, -1).every((v, i) => v === Math.max(...Object.values(lp.top_logprobs![ctxlen + i]!)));
      expect(line.scores).toEqual({ "perplexity,none": ll, "acc,none": isGreedy ? 1 : 0 });
      sum += ll;
      greedy += isGreedy ? 1 : 0;
    }
    expect(summary.models.m!.metrics["perplexity,none"]!.value).toBeCloseTo(Math.exp(-sum / lines.length), 10);
    expect(summary.models.m!.metrics["acc,none"]!.value).toBeCloseTo(greedy / lines.length, 12);
  });
});
