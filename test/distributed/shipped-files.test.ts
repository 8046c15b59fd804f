import { cp, mkdir, mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queueKeys } from "../../src/queue/queue-keys.js";
import type { Summary } from "../../src/summary/summary.js";
import { type SimServer, startSim } from "../../src/sim/index.js";
import type { ResultLine } from "../../src/types.js";
import { runCli } from "../support/cli.js";
import { datasetPath } from "../support/datasets.js";
import { fixture } from "../support/lm-eval-fixtures.js";
import { type RedisServer, startRedis } from "../support/redis-server.js";
import { startCli } from "./worker-processes.js";

// What a run definition names on disk (a task folder with Python hooks, routing rules, a models file, a
// few-shot file) goes into Redis with it: the files are moved away before the workers start, so the
// workers can only have them from the queue, as on another machine.
let redisServer: RedisServer;
let redis: Redis;
let sim: SimServer;
let dir: string;
let gsm: string[];
const env = { OPENAI_API_KEY: "k" };
const parse = (text: string) => text.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as ResultLine);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "streameval-shipped-"));
  redisServer = await startRedis();
  redis = redisServer.client();
  sim = await startSim({ port: 0, answerKeyFile: datasetPath("gsm8k_test.jsonl"), accuracy: 0.5, seed: 4, latencyMs: 5 });
  gsm = (await readFile(datasetPath("gsm8k_test.jsonl"), "utf8")).split("\n").filter(Boolean);
});
afterAll(async () => {
  await sim?.close();
  await redisServer?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("enqueue ships the files a run needs; workers need no shared filesystem", { timeout: 120_000 }, () => {
  it("a task folder with Python hooks: a worker refuses the queue's Python without --allow-python-hooks (exit 2), and runs it with", async () => {
    const folder = join(dir, "hooked");
    await mkdir(folder);
    await writeFile(join(folder, "shipped.yaml"), 'task: shipped\noutput_type: generate_until\ndoc_to_text: !function helpers.prompt\ndoc_to_target: answer\ngeneration_kwargs:\n  until: ["\\n"]\nmetric_list:\n  - metric: exact_match\n');
    await writeFile(join(folder, "helpers.py"), 'def prompt(doc):\n    return "SHIPPED: " + doc["question"]\n');
    const input = join(dir, "hooked.jsonl");
    await writeFile(input, `${gsm.slice(0, 6).join("\n")}\n`);
    const queue = redisServer.url("hooked");
    const enq = await runCli(["enqueue", input, "-t", join(folder, "shipped.yaml"), "-m", "m1", "--base-url", sim.url, "--queue", queue], { env });
    expect(enq.code, enq.stderr).toBe(0);
    await rename(folder, join(dir, "gone"));

    const refused = await startCli(["worker", "--queue", queue], env).done;
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr).toContain("--allow-python-hooks");
    expect(refused.stderr).toContain("helpers.py");

    const worker = await startCli(["worker", "--queue", queue, "--allow-python-hooks", "--claim-after", "5"], env).done;
    expect(worker.code, worker.stderr).toBe(0);
    const col = await runCli(["collect", "--queue", queue]);
    const lines = parse(col.stdout);
    expect(lines).toHaveLength(6);
    for (const l of lines) expect(l.input).toMatch(/^SHIPPED: /);
  });

  it("an include outside the task's folder (lm-eval's `include: ../template_yaml`) goes with it, and the hook module that include names", async () => {
    // lm-eval's layout: a family's shared template one folder up, its `!function` resolved beside the template.
    const family = join(dir, "family");
    await mkdir(join(family, "direct"), { recursive: true });
    await writeFile(join(family, "_family_template_yaml"), 'output_type: generate_until\ndoc_to_text: !function family_utils.prompt\ndoc_to_target: answer\ngeneration_kwargs:\n  until: ["\\n"]\nmetric_list:\n  - metric: exact_match\n');
    await writeFile(join(family, "family_utils.py"), 'def prompt(doc):\n    return "FAMILY: " + doc["question"]\n');
    await writeFile(join(family, "direct", "family_direct.yaml"), "include: ../_family_template_yaml\ntask: family_direct\n");
    const input = join(dir, "family.jsonl");
    await writeFile(input, `${gsm.slice(20, 24).join("\n")}\n`);
    const queue = redisServer.url("family");
    const enq = await runCli(["enqueue", input, "-t", join(family, "direct", "family_direct.yaml"), "-m", "m1", "--base-url", sim.url, "--queue", queue], { env });
    expect(enq.code, enq.stderr).toBe(0);
    const shipped = Object.keys(await redis.hgetall(queueKeys("family").files));
    expect(shipped.sort()).toEqual([join(family, "_family_template_yaml"), join(family, "direct", "family_direct.yaml"), join(family, "family_utils.py")].sort());
    await rename(family, join(dir, "family-gone"));

    const worker = await startCli(["worker", "--queue", queue, "--allow-python-hooks", "--claim-after", "5"], env).done;
    expect(worker.code, worker.stderr).toBe(0);
    const lines = parse((await runCli(["collect", "--queue", queue])).stdout);
    expect(lines).toHaveLength(4);
    for (const l of lines) expect(l.input).toMatch(/^FAMILY: /);
  });

  it("a worker runs the hooks with its own --python (the interpreter is never the queue's)", async () => {
    const folder = join(dir, "hooked-python");
    await mkdir(folder);
    await writeFile(join(folder, "shipped.yaml"), 'task: shipped_py\noutput_type: generate_until\ndoc_to_text: !function helpers.prompt\ndoc_to_target: answer\ngeneration_kwargs:\n  until: ["\\n"]\nmetric_list:\n  - metric: exact_match\n');
    await writeFile(join(folder, "helpers.py"), 'import os\ndef prompt(doc):\n    return os.environ.get("WRAPPED", "UNWRAPPED") + ": " + doc["question"]\n');
    // This machine's interpreter: python3 under a wrapper that marks the hooks' environment.
    const wrapper = join(dir, "python-wrapper.sh");
    await writeFile(wrapper, '#!/bin/sh\nWRAPPED=WRAPPED exec python3 "$@"\n', { mode: 0o755 });
    const input = join(dir, "hooked-python.jsonl");
    await writeFile(input, `${gsm.slice(6, 9).join("\n")}\n`);
    const queue = redisServer.url("hooked-python");
    const enq = await runCli(["enqueue", input, "-t", join(folder, "shipped.yaml"), "-m", "m1", "--base-url", sim.url, "--queue", queue], { env });
    expect(enq.code, enq.stderr).toBe(0);
    const worker = await startCli(["worker", "--queue", queue, "--allow-python-hooks", "--python", wrapper], env).done;
    expect(worker.code, worker.stderr).toBe(0);
    const lines = parse((await runCli(["collect", "--queue", queue])).stdout);
    expect(lines).toHaveLength(3);
    for (const l of lines) expect(l.input).toMatch(/^WRAPPED: /);
    // enqueue has no --python: it would name a program on the enqueuing machine, not the workers'.
    const refused = await runCli(["enqueue", input, "-t", join(folder, "shipped.yaml"), "-m", "m1", "--base-url", sim.url, "--queue", redisServer.url("hooked-python-2"), "--python", wrapper], { env });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("unknown option '--python'");
  });

  it("--route, --models and --fewshot-file: each sample goes to its rule's models with the file's few-shot examples, counted once", async () => {
    const models = join(dir, "models.yaml");
    await writeFile(models, `models:\n  m-a:\n    base_url: ${sim.url}\n    concurrency: 2\n  m-b:\n    base_url: ${sim.url}\n    concurrency: 2\n`);
    const routes = join(dir, "routes.yaml");
    await writeFile(routes, 'routes:\n  - name: even\n    when: { id: { matches: "[02468]$" } }\n    model: [m-a, m-b]\n  - name: rest\n    model: m-a\n');
    const fewshot = join(dir, "shots.jsonl");
    await writeFile(fewshot, `${gsm.slice(40, 42).join("\n")}\n`);
    const input = join(dir, "routed.jsonl");
    await writeFile(input, `${gsm.slice(10, 20).join("\n")}\n`);
    const queue = redisServer.url("routed");
    const enq = await runCli(["enqueue", input, "-t", "gsm8k", "--models", models, "--route", routes, "--fewshot-file", fewshot, "--num-fewshot", "2", "--queue", queue], { env });
    expect(enq.code, enq.stderr).toBe(0);
    for (const f of [models, routes, fewshot]) await rm(f);

    const workers = [0, 1].map(() => startCli(["worker", "--queue", queue, "--claim-after", "5"], env));
    for (const w of await Promise.all(workers.map((x) => x.done))) expect(w.code, w.stderr).toBe(0);
    const col = await runCli(["collect", "--queue", queue]);
    expect(col.code, col.stderr).toBe(0);
    const lines = parse(col.stdout);
    // Ids 10–19: five even ones on both models, five odd ones on m-a.
    expect(lines).toHaveLength(15);
    expect(lines.filter((l) => l.model === "m-b").map((l) => l.id).sort()).toEqual(["gsm8k-test-10", "gsm8k-test-12", "gsm8k-test-14", "gsm8k-test-16", "gsm8k-test-18"]);
    expect(new Set(lines.map((l) => l.route))).toEqual(new Set(["even", "rest"]));
    const shot = (JSON.parse(gsm[40]!) as { question: string }).question;
    for (const l of lines) expect(l.input).toContain(shot);
    const status = JSON.parse((await runCli(["status", "--queue", queue, "--json"])).stdout) as { samples: Record<string, number> };
    expect(status.samples).toMatchObject({ done: 10, in_flight: 0, waiting: 0 });
    expect(await redis.xlen(queueKeys("routed").samples)).toBe(0);
  });

  it("code execution needs the worker's own --allow-code-execution, whatever the enqueue allowed", async () => {
    const input = join(dir, "code.jsonl");
    await writeFile(input, `${JSON.stringify({ task_id: "t/0", prompt: "def f():\n", canonical_solution: "    return 1\n", test: "def check(c):\n    assert c() == 1\n", entry_point: "f" })}\n`);
    const queue = redisServer.url("code");
    const bare = await runCli(["enqueue", input, "-t", "humaneval", "-m", "m1", "--base-url", sim.url, "--queue", queue], { env });
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain("--allow-code-execution");
    const enq = await runCli(["enqueue", input, "-t", "humaneval", "-m", "m1", "--base-url", sim.url, "--queue", queue, "--allow-code-execution"], { env });
    expect(enq.code, enq.stderr).toBe(0);
    const refused = await startCli(["worker", "--queue", queue], env).done;
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr).toContain("only when started with --allow-code-execution");
  });

  it("a task that aggregates in Python: collect runs the queue's aggregations (with --allow-python-hooks once the files are only in the queue), equal to a local run", async () => {
    const folder = join(dir, "esbbq");
    await cp(fixture("esbbq"), folder, { recursive: true });
    const local = join(dir, "esbbq-local.json");
    const ran = await runCli(["run", fixture("data/esbbq.jsonl"), "-t", join(folder, "esbbq_age.yaml"), "-m", "m1", "--base-url", sim.url, "--no-store", "-o", "/dev/null", "--summary", local], { env });
    expect(ran.code, ran.stderr).toBe(0);
    const want = (JSON.parse(await readFile(local, "utf8")) as Summary).models.m1!.metrics;
    const python = Object.keys(want).filter((k) => /^(acc|bias_score)_(ambig|disambig)/.test(k));
    expect(python).toHaveLength(4);
    for (const key of python) expect(want[key]!.error, key).toBeUndefined();
    expect(python.filter((k) => typeof want[k]!.value === "number").length).toBeGreaterThan(1);

    const queue = redisServer.url("pyagg");
    const enq = await runCli(["enqueue", fixture("data/esbbq.jsonl"), "-t", join(folder, "esbbq_age.yaml"), "-m", "m1", "--base-url", sim.url, "--queue", queue], { env });
    expect(enq.code, enq.stderr).toBe(0);
    const worker = await startCli(["worker", "--queue", queue, "--allow-python-hooks"], env).done;
    expect(worker.code, worker.stderr).toBe(0);
    const collect = async (...extra: string[]) => {
      const summary = join(dir, `esbbq-collect-${extra.length}.json`);
      const r = await runCli(["collect", "--queue", queue, "-o", "/dev/null", "--summary", summary, ...extra]);
      return { ...r, metrics: r.code === 0 ? (JSON.parse(await readFile(summary, "utf8")) as Summary).models.m1!.metrics : undefined };
    };
    // The enqueuing machine has the files as they were enqueued: its own code, no flag needed.
    const here = await collect();
    expect(here.code, here.stderr).toBe(0);
    for (const key of python) expect(here.metrics![key], key).toEqual(want[key]);

    // Elsewhere (the folder gone), the modules come from the queue: code from whoever can write to it.
    await rename(folder, join(dir, "esbbq-gone"));
    const refused = await collect();
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("--allow-python-hooks");
    expect(refused.stderr).toContain("utils.py");
    const allowed = await collect("--allow-python-hooks");
    expect(allowed.code, allowed.stderr).toBe(0);
    for (const key of python) expect(allowed.metrics![key], key).toEqual(want[key]);
  });
});
