import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
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
import type { Doc, ResultLine } from "../../../src/types.js";
import { fixture, readDocs, runPythonJson } from "../../support/lm-eval-fixtures.js";

/**
 * Few-shot examples rendered by Python hooks, against lm-eval 0.4.13's own `fewshot_context`
 * (test/fixtures/lm-eval/reference.py, mode "prompts", lm-eval's ConfigurableTask unchanged) for the
 * same docs and pool: every prompt streameval sends is lm-eval's, character for character. The pools
 * are a training split given as a file (lm-eval runs process_docs on it), or a `samples` hook, or inline.
 */
const LM_EVAL = fileURLToPath(new URL("../../fixtures/lm-eval/", import.meta.url));

function reference(request: Record<string, unknown>): Promise<{ prompts: (string | string[])[] }> {
  return runPythonJson("../lm-eval/reference.py", request, { PYTHONPATH: LM_EVAL });
}

const CASES: { name: string; yaml: string; docs: () => Doc[]; poolLines?: number }[] = [
  { name: "winogrande: doc_to_* hooks, several inputs (each context after the description and examples)", yaml: "fewshot/winogrande_2shot.yaml", docs: () => readDocs("data/winogrande.jsonl"), poolLines: 4 },
  { name: "hellaswag: the pool through process_docs (a split), examples from templates", yaml: "fewshot/hellaswag_2shot.yaml", docs: () => readDocs("data/hellaswag.jsonl"), poolLines: 4 },
  {
    name: "generate_until: a samples hook, the task's doc_to_text hook, fewshot_config's doc_to_target hook and delimiters",
    yaml: "fewshot/gen_hooks.yaml",
    docs: () => [
      { id: "a", question: "5 + 1?", answer: "6", reasoning: "" },
      // Equal to a pool doc: neither split is named, so lm-eval leaves it out of its own examples.
      { id: "b", question: " 2 + 2? ", reasoning: "Two and two make four.", answer: "4" },
    ],
  },
  {
    name: "generate_until: a doc_to_choice hook (each example shows its gold choice, -1 the last), fewshot_config's doc_to_text template",
    yaml: "fewshot/choice_hooks.yaml",
    docs: () => [{ id: "s", question: "Sun?", options: ["hot", "cold"], label: 0 }],
  },
];

describe("few-shot examples through Python hooks: lm-eval's fewshot_context, exactly", { timeout: 60_000 }, () => {
  let sim: SimServer;
  let dir: string;
  beforeAll(async () => {
    sim = await startSim({ seed: 3 });
    dir = await mkdtemp(path.join(tmpdir(), "fewshot-hooks-"));
  });
  afterAll(async () => {
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  });

  for (const spec of CASES) {
    it(spec.name, async () => {
      const all = spec.docs();
      const pool = spec.poolLines ? all.slice(0, spec.poolLines) : undefined;
      const docs = spec.poolLines ? all.slice(spec.poolLines) : all;
      let fewshotFile: string | undefined;
      if (pool) {
        fewshotFile = path.join(dir, `${path.basename(spec.yaml, ".yaml")}-train.jsonl`);
        await writeFile(fewshotFile, pool.map((d) => JSON.stringify(d)).join("\n"));
      }
      const task = await loadTask(fixture(spec.yaml), fewshotFile ? { fewshotFile } : {});
      const hooks = new HookPool({ hooks: hooksOf([task]), env: hookEnvironment(process.env) });
      await hooks.start();
      const client = openAIChat({ model: "m", apiKey: "test", baseURL: sim.url, sdk: createSdkClient({ baseURL: sim.url, apiKey: "test" }) });
      const lines: ResultLine[] = [];
      await runEvaluation({ input: docsToLines(docs), tasks: [task], models: [{ client, concurrency: 2 }], hooks, onEvent: (e) => e.type === "result" && lines.push(e.line) }).finally(() => hooks.close());
      expect(lines.map((l) => l.error?.message ?? l.status)).toEqual(docs.map(() => "ok"));

      const ref = await reference({ mode: "prompts", yaml: fixture(spec.yaml), docs, ...(pool ? { fewshot: pool, fewshot_is_split: true } : {}) });
      expect(ref.prompts).toHaveLength(docs.length);
      docs.forEach((doc, i) => {
        const line = lines.find((l) => l.id === String(doc.id))!;
        const want = ref.prompts[i]!;
        // Several inputs: lm-eval gives one context per choice; the result line's input lists them.
        expect(line.input).toBe(Array.isArray(want) ? want.join("\n") : want);
      });
      // The examples are there: each prompt is longer than the question alone.
      expect(ref.prompts.every((p) => [p].flat().every((c) => c.split(spec.yaml.includes("gen_hooks") ? "###" : "\n").length > 2))).toBe(true);
    });
  }
});
