import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hooksOf } from "../../../src/commands/hook-workers.js";
import { docsToLines } from "../../../src/io/docs-to-lines.js";
import { openAIChat } from "../../../src/models/openai-chat.js";
import { createSdkClient } from "../../../src/models/sdk-client.js";
import { hookEnvironment } from "../../../src/python/hooks/hook-env.js";
import { HookPool } from "../../../src/python/hooks/hook-pool.js";
import { runEvaluation } from "../../../src/run-evaluation.js";
import { type SimServer, startSim } from "../../../src/sim/index.js";
import { loadTask } from "../../../src/tasks/load.js";
import type { ResultLine } from "../../../src/types.js";
import { fixture, readDocs, runPythonJson, STUBS } from "../../support/lm-eval-fixtures.js";

/**
 * lm-eval task folders with Python hooks, unchanged, scored here and by lm-eval's own code
 * (test/fixtures/lm-eval-tasks/reference, copied from lm-eval at 4e7e0d4) on the same loglikelihoods:
 * the texts sent, the gold index, every per-sample value and the aggregate (mean, stderr) agree to 1e-12.
 */

interface Reference {
  samples: { id: string; requests: [string, string][]; gold: number; metrics: Record<string, number> }[];
  aggregate: Record<string, { value: number; stderr: number }>;
}

const TASKS = [
  { name: "hellaswag (process_docs)", yaml: "hellaswag/hellaswag.yaml", data: "data/hellaswag.jsonl" },
  { name: "winogrande (doc_to_* hooks, multiple inputs)", yaml: "winogrande/default.yaml", data: "data/winogrande.jsonl" },
  { name: "copa (doc_to_* hooks)", yaml: "super_glue/copa/default.yaml", data: "data/copa.jsonl" },
  { name: "multirc (no hooks: doc_to_choice rendered, then literal_eval'ed)", yaml: "super_glue/multirc/default.yaml", data: "data/multirc.jsonl" },
  { name: "truthfulqa_mc2 (process_results, through include:)", yaml: "truthfulqa/truthfulqa_mc2.yaml", data: "data/truthfulqa_mc.jsonl" },
];

describe("lm-eval hook tasks score as lm-eval scores them", { timeout: 60_000 }, () => {
  let sim: SimServer;
  const prompts = new Set<string>();
  beforeAll(async () => {
    sim = await startSim({
      seed: 5,
      faults: (req) => {
        const prompt = (req.body as { prompt?: string | string[] }).prompt;
        for (const p of [prompt ?? []].flat()) prompts.add(p);
        return undefined;
      },
    });
  });
  afterAll(() => sim.close());

  for (const spec of TASKS) {
    it(spec.name, async () => {
      const task = await loadTask(fixture(spec.yaml));
      const env = hookEnvironment({ ...process.env, PYTHONPATH: STUBS });
      const pool = new HookPool({ hooks: hooksOf([task]), env });
      await pool.start();
      const docs = readDocs(spec.data);
      const client = openAIChat({ model: "m", apiKey: "test", baseURL: sim.url, sdk: createSdkClient({ baseURL: sim.url, apiKey: "test" }) });
      const lines: ResultLine[] = [];
      const summary = await runEvaluation({ input: docsToLines(docs), tasks: [task], models: [{ client, concurrency: 4 }], hooks: pool, onEvent: (e) => e.type === "result" && lines.push(e.line) }).finally(() => pool.close());
      expect(lines).toHaveLength(docs.length);
      expect(lines.every((l) => l.status === "ok")).toBe(true);

      const ref = await runPythonJson<Reference>("reference/lm_eval_reference.py", { yaml: fixture(spec.yaml), docs, lines }, { PYTHONPATH: STUBS });
      expect(ref.samples).toHaveLength(docs.length);
      for (const r of ref.samples) {
        const line = lines.find((l) => l.id === r.id)!;
        // The texts lm-eval scores (context + continuation per choice) are the prompts sent.
        for (const [ctx, cont] of r.requests) expect(prompts.has(ctx + cont), `${r.id}: ${JSON.stringify(ctx + cont)}`).toBe(true);
        expect(line.loglikelihoods).toHaveLength(r.requests.length);
        if (!task.hooks?.process_results) expect(line.gold).toBe(r.gold === -100 ? -1 : r.gold);
        expect(Object.keys(line.scores!).sort()).toEqual(Object.keys(r.metrics).map((m) => `${m},none`).sort());
        for (const [metric, value] of Object.entries(r.metrics)) expect(Math.abs(line.scores![`${metric},none`]! - value)).toBeLessThanOrEqual(1e-12);
      }
      for (const [metric, agg] of Object.entries(ref.aggregate)) {
        const ours = summary.models.m!.metrics[`${metric},none`]!;
        expect(Math.abs(ours.value - agg.value)).toBeLessThanOrEqual(1e-12);
        expect(Math.abs(ours.stderr! - agg.stderr)).toBeLessThanOrEqual(1e-12);
      }
    });
  }
});
