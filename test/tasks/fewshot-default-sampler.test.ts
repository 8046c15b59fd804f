import { execFileSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { docsToLines } from "../../src/io/docs-to-lines.js";
import { openAIChat } from "../../src/models/openai-chat.js";
import { createSdkClient } from "../../src/models/sdk-client.js";
import { runEvaluation } from "../../src/run-evaluation.js";
import { type SimServer, startSim } from "../../src/sim/index.js";
import { PyRandom } from "../../src/python/random.js";
import { LmEvalDraws } from "../../src/tasks/fewshot-draws.js";
import { loadTask } from "../../src/tasks/load.js";
import type { Doc, ResultLine } from "../../src/types.js";
import { runPythonJson } from "../support/lm-eval-fixtures.js";

/**
 * lm-eval's default few-shot sampler: one random.Random(1234) shared by the task's documents in dataset
 * order. The prompts are compared with lm-eval 0.4.13's own fewshot_context (test/fixtures/lm-eval,
 * its ContextSampler unchanged), the draws with CPython's random module.
 */
const LM_EVAL = fileURLToPath(new URL("../fixtures/lm-eval/", import.meta.url));
const reference = (request: Record<string, unknown>) => runPythonJson<{ prompts: string[] }>("../lm-eval/reference.py", request, { PYTHONPATH: LM_EVAL });
const python = (code: string): unknown => JSON.parse(execFileSync("python3", ["-c", code], { encoding: "utf8" }));

const qa = (prefix: string, n: number): Doc[] => Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}`, question: `${prefix} question ${i}?`, answer: `${prefix}${i * 7}` }));
const yaml = (extra: string) =>
  `task: sampled\noutput_type: generate_until\ndoc_to_text: "Q: {{ question }}\\nA:"\ndoc_to_target: answer\ngeneration_kwargs:\n  until: ["\\n"]\nmetric_list:\n  - metric: exact_match\n${extra}`;

describe("the default few-shot sampler draws as lm-eval's does", { timeout: 60_000 }, () => {
  let sim: SimServer;
  let dir: string;
  beforeAll(async () => {
    sim = await startSim({ seed: 5 });
    dir = await mkdtemp(path.join(tmpdir(), "fewshot-default-"));
  });
  afterAll(async () => {
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function prompts(file: string, docs: Doc[], fewshotFile?: string): Promise<string[]> {
    const task = await loadTask(file, fewshotFile ? { fewshotFile } : {});
    const client = openAIChat({ model: "m", apiKey: "test", baseURL: sim.url, sdk: createSdkClient({ baseURL: sim.url, apiKey: "test" }) });
    const lines: ResultLine[] = [];
    await runEvaluation({ input: docsToLines(docs), tasks: [task], models: [{ client, concurrency: 4 }], onEvent: (e) => e.type === "result" && lines.push(e.line) });
    return docs.map((d) => lines.find((l) => l.id === d.id)!.input);
  }

  it("a training split as the pool (60 docs, 5 shots: CPython's set-based sample): every prompt is lm-eval's", async () => {
    const file = path.join(dir, "split.yaml");
    await writeFile(file, yaml("training_split: train\ntest_split: test\nnum_fewshot: 5\n"));
    const pool = qa("train", 60);
    const fewshotFile = path.join(dir, "train.jsonl");
    await writeFile(fewshotFile, pool.map((d) => JSON.stringify(d)).join("\n"));
    const docs = qa("test", 30);
    const ours = await prompts(file, docs, fewshotFile);
    const ref = await reference({ mode: "prompts", yaml: file, docs, fewshot: pool, fewshot_is_split: true });
    expect(ours).toEqual(ref.prompts);
    // Five examples each, and not the same five for every document.
    expect(ours.every((p) => p.split("Q: ").length === 7)).toBe(true);
    expect(new Set(ours.map((p) => p.slice(0, p.lastIndexOf("Q: ")))).size).toBeGreaterThan(20);
  });

  it("the pool is the test split (inline samples, 3 shots: CPython's list-based sample): the document itself is never its own example", async () => {
    const pool = qa("s", 8);
    const file = path.join(dir, "same.yaml");
    await writeFile(file, yaml(`num_fewshot: 3\nfewshot_config:\n  samples: ${JSON.stringify(pool)}\n`));
    // Documents equal to pool docs: lm-eval draws n + 1 and leaves the document out.
    const docs = [...pool.slice(0, 4), ...qa("t", 6)];
    const ours = await prompts(file, docs);
    const ref = await reference({ mode: "prompts", yaml: file, docs });
    expect(ours).toEqual(ref.prompts);
    docs.slice(0, 4).forEach((d, i) => expect(ours[i]!.split("Q: ").slice(0, -1).join("")).not.toContain(d.question as string));
  });

  it("the document at position p gets CPython's p-th sample, whatever order positions are asked in (checkpoints past 1,024)", () => {
    const want = python("import random, json\nr = random.Random(1234)\nprint(json.dumps([r.sample(range(100), 6) for _ in range(3000)]))") as number[][];
    const draws = new LmEvalDraws(1234, 100, 6);
    const order = [0, 1, 2, 2999, 5, 1500, 1024, 1023, 2048, 3, 2998, 700, 4, 2000];
    for (const p of order) expect(draws.draw(p), `position ${p}`).toEqual(want[p]);
    for (let p = 0; p < 3000; p += 37) expect(draws.draw(p)).toEqual(want[p]);
  });

  it("PyRandom: CPython's getrandbits, _randbelow and sample, for small and large seeds", () => {
    const want = python(
      "import random, json\nr = random.Random(1234)\na = [r.getrandbits(32), r.getrandbits(7), r._randbelow(10), r.sample(range(50), 6), r.sample(range(5000), 26)]\nprint(json.dumps([a, random.Random(2**40 + 7).getrandbits(32), random.Random(0).sample(range(3), 3)]))",
    );
    const r = new PyRandom(1234);
    const got = [[r.getrandbits(32), r.getrandbits(7), r.randbelow(10), r.sample(50, 6), r.sample(5000, 26)], new PyRandom(2 ** 40 + 7).getrandbits(32), new PyRandom(0).sample(3, 3)];
    expect(got).toEqual(want);
  });
});
