import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
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

/** Few-shot examples through hooks that fail: each affected sample is an error result naming the hook; the run goes on. */
const UTILS = `
calls = []

def text(doc):
    if doc.get("bad"):
        raise ValueError(f"bad example {doc['q']}")
    calls.append(doc["q"])
    return f"Q: {doc['q']} (rendered {calls.count(doc['q'])} time(s))"

def target(doc):
    return doc["a"]

def two():
    return [{"q": "p1", "a": "1"}]
`;

describe("few-shot examples through hooks: failures", { timeout: 60_000 }, () => {
  let sim: SimServer;
  let dir: string;
  beforeAll(async () => {
    sim = await startSim({ seed: 1 });
    dir = await mkdtemp(path.join(tmpdir(), "fewshot-errors-"));
    await writeFile(path.join(dir, "u.py"), UTILS);
    const base = "output_type: generate_until\ndoc_to_text: !function u.text\ndoc_to_target: !function u.target\nmetric_list:\n  - metric: exact_match\n";
    await writeFile(path.join(dir, "match.yaml"), `task: match\n${base}num_fewshot: 1\nfewshot_config:\n  sampler: default\n  match_field: topic\n  samples:\n    - {q: p1, a: "1", topic: x}\n    - {q: p2, a: "2", topic: y, bad: true}\n`);
    await writeFile(path.join(dir, "small.yaml"), `task: small\n${base}num_fewshot: 2\nfewshot_config:\n  samples: !function u.two\n`);
  });
  afterAll(async () => {
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function run(file: string, docs: Doc[]): Promise<ResultLine[]> {
    const task = await loadTask(path.join(dir, file));
    const hooks = new HookPool({ hooks: hooksOf([task]), env: hookEnvironment(process.env) });
    await hooks.start();
    const client = openAIChat({ model: "m", apiKey: "test", baseURL: sim.url, sdk: createSdkClient({ baseURL: sim.url, apiKey: "test" }) });
    const lines: ResultLine[] = [];
    await runEvaluation({ input: docsToLines(docs), tasks: [task], models: [{ client, concurrency: 2 }], hooks, onEvent: (e) => e.type === "result" && lines.push(e.line) }).finally(() => hooks.close());
    return lines.sort((a, b) => a.id.localeCompare(b.id));
  }

  it("an example whose hook raises fails the samples drawing it, naming the hook; the others run", async () => {
    const docs = [1, 2, 3].map((i) => ({ id: `x${i}`, q: `x${i}`, a: "1", topic: "x" })).concat([{ id: "y1", q: "y1", a: "2", topic: "y" }]);
    const lines = await run("match.yaml", docs);
    expect(lines.map((l) => l.status)).toEqual(["ok", "ok", "ok", "error"]);
    for (const l of lines.slice(0, 3)) expect(l.input).toBe(`Q: p1 (rendered 1 time(s)) 1\n\nQ: ${l.id} (rendered 1 time(s))`);
    expect(lines[3]!.error).toMatchObject({ type: "hook_error", message: "few-shot example's doc_to_text (!function u.text): ValueError: bad example p2" });
  });

  it("a samples hook that returns too few examples fails every sample, saying so", async () => {
    const lines = await run("small.yaml", [{ id: "a", q: "a", a: "1" }]);
    expect(lines[0]!.error?.message).toBe("fewshot_config.samples (!function u.two): num_fewshot is 2 but the few-shot pool has only 1 example(s)");
  });
});
