import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hooksOf, startHookWorkers } from "../../../src/commands/hook-workers.js";
import { ConfigError } from "../../../src/errors/config-error.js";
import type { EvalEvent } from "../../../src/events.js";
import { docsToLines } from "../../../src/io/docs-to-lines.js";
import { openAIChat } from "../../../src/models/openai-chat.js";
import { createSdkClient } from "../../../src/models/sdk-client.js";
import { callHooks } from "../../../src/python/hooks/hook-caller.js";
import { hookEnvironment } from "../../../src/python/hooks/hook-env.js";
import { HookLoadError, HookPool } from "../../../src/python/hooks/hook-pool.js";
import { PythonHook } from "../../../src/python/hooks/hook-ref.js";
import { runEvaluation } from "../../../src/run-evaluation.js";
import { type SimServer, startSim } from "../../../src/sim/index.js";
import { loadTask } from "../../../src/tasks/load.js";
import type { Task } from "../../../src/work/task.js";
import type { Doc, Reject, ResultLine } from "../../../src/types.js";

const dir = fileURLToPath(new URL("../../fixtures/hook-tasks/", import.meta.url));

describe("Python hooks: errors, filters and the worker's environment (real python3 workers)", { timeout: 60_000 }, () => {
  let sim: SimServer;
  beforeAll(async () => {
    sim = await startSim({ seed: 2 });
  });
  afterAll(() => sim.close());

  async function run(task: Task, docs: Doc[]) {
    const pool = (await startHookWorkers([task], { python: "python3", env: hookEnvironment(process.env) }))!;
    const client = openAIChat({ model: "m", apiKey: "test", baseURL: sim.url, sdk: createSdkClient({ baseURL: sim.url, apiKey: "test" }) });
    const lines: ResultLine[] = [];
    const rejects: Reject[] = [];
    const summary = await runEvaluation({
      input: docsToLines(docs),
      tasks: [task],
      models: [{ client, concurrency: 2 }],
      hooks: pool,
      onEvent: (e: EvalEvent) => {
        if (e.type === "result") lines.push(e.line);
        if (e.type === "reject") rejects.push(e.reject);
      },
    }).finally(() => pool.close());
    return { lines, rejects, summary };
  }

  it("a doc process_docs filters out is a reject naming the hook; a hook that raises makes its sample an error result naming the hook and the traceback's last line", async () => {
    const task = await loadTask(`${dir}filtered.yaml`);
    const docs = [
      { id: "a", question: "  one  ", answer: "1" },
      { id: "b", question: "two", answer: "2", bad: true },
      { id: "c", question: "three", answer: "3", skip: true },
      { id: "d", question: "four", answer: "4" },
    ];
    const { lines, rejects, summary } = await run(task, docs);
    expect(rejects).toHaveLength(1);
    expect(rejects[0]!.reason).toBe("process_docs (!function hooks.keep_unskipped) filtered out this doc");
    expect(rejects[0]!.at.line).toBe(3);
    const byId = new Map(lines.map((l) => [l.id, l]));
    expect([...byId.keys()].sort()).toEqual(["a", "b", "d"]);
    expect(byId.get("b")).toMatchObject({ status: "error", error: { type: "hook_error", message: "doc_to_text (!function hooks.text): ValueError: doc b is bad" } });
    // process_docs' map ran before doc_to_text: the question is stripped.
    expect(byId.get("a")).toMatchObject({ status: "ok", input: "Q: one\nA:", target: "1" });
    expect(summary.models.m!.samples).toMatchObject({ ok: 2, error: 1, rejected: 1 });
  });

  it("process_results scores generate_until answers (booleans count 0/1); one that raises is an error result; a hook's print does not break the protocol", async () => {
    const task = await loadTask(`${dir}results.yaml`);
    const docs = Array.from({ length: 6 }, (_, i) => ({ id: `q${i}`, question: `What is ${i}?`, answer: String(i), ...(i === 4 ? { bad: true } : {}) }));
    const { lines } = await run(task, docs);
    expect(lines).toHaveLength(6);
    for (const line of lines) {
      if (line.id === "q4") {
        expect(line).toMatchObject({ status: "error", error: { type: "hook_error", message: "process_results (!function hooks.exact_or_raise): KeyError: 'answer'" } });
        expect(line.scores).toBeUndefined();
        continue;
      }
      expect(line.status).toBe("ok");
      const answer = docs.find((d) => d.id === line.id)!.answer;
      expect(line.scores).toEqual({ "exact_match,none": line.filtered!.none!.trim() === answer ? 1 : 0 });
    }
  });

  it("process_docs that makes new rows without keeping their origin fails its batch's samples, saying only row-wise process_docs run on a stream", async () => {
    const base = await loadTask(`${dir}filtered.yaml`);
    const hook = new PythonHook("hooks.one_for_all", dir, "filtered.yaml", 3, "process_docs");
    const task: Task = { ...base, hooks: { ...base.hooks, process_docs: hook }, pythonHooks: [hook, ...(base.pythonHooks ?? [])] };
    const { lines } = await run(task, [{ id: "x", question: "q", answer: "a" }, { id: "y", question: "r", answer: "b" }]);
    expect(lines.map((l) => l.status)).toEqual(["error", "error"]);
    expect(lines[0]!.error!.message).toMatch(/^process_docs \(!function hooks\.one_for_all\): process_docs returned 1 docs for 2 .*only row-wise process_docs/);
  });

  it("the worker's environment has no credentials: the configured key variables and anything named *KEY*/*TOKEN*/*SECRET* are removed", async () => {
    const hook = new PythonHook("hooks.environ", dir, "test.yaml", 1);
    const env = hookEnvironment({ PATH: process.env.PATH, OPENAI_API_KEY: "sk-1", MY_TOKEN: "t", aws_secret_access_key: "s", JUDGE_CREDS: "c", HOME_DIR: "/h" }, ["JUDGE_CREDS"]);
    const pool = new HookPool({ hooks: [hook], env });
    await pool.start();
    const [r] = await callHooks(pool, [{ hook, args: [{}] }]).finally(() => pool.close());
    const names = (r as { ok: string[] }).ok;
    expect(names).toContain("HOME_DIR");
    expect(names).toContain("PATH");
    for (const secret of ["OPENAI_API_KEY", "MY_TOKEN", "aws_secret_access_key", "JUDGE_CREDS"]) expect(names).not.toContain(secret);
  });

  it("a worker that dies fails the requests it held (naming the exit), and the next request starts a new worker", async () => {
    const die = new PythonHook("hooks.die", dir, "test.yaml", 1);
    const environ = new PythonHook("hooks.environ", dir, "test.yaml", 2);
    const pool = new HookPool({ hooks: [die, environ], env: hookEnvironment(process.env), maxWorkers: 1 });
    await pool.start();
    try {
      await expect(callHooks(pool, [{ hook: die, args: [{}] }])).rejects.toThrow(/the Python hook worker exited \(code 3\)/);
      const [r] = await callHooks(pool, [{ hook: environ, args: [{}] }]);
      expect((r as { ok: string[] }).ok).toContain("PATH");
    } finally {
      await pool.close();
    }
  });

  it("values cross unchanged both ways: floats to the last bit, NaN and infinities, tuples as lists", async () => {
    const echo = new PythonHook("hooks.echo", dir, "test.yaml", 1);
    const pool = new HookPool({ hooks: [echo], env: hookEnvironment(process.env) });
    await pool.start();
    const sent = { x: Number.NaN, y: -Infinity, z: 0.1 + 0.2, s: "é\u2028\n" };
    const [r] = await callHooks(pool, [{ hook: echo, args: [sent] }]).finally(() => pool.close());
    expect((r as { ok: unknown }).ok).toEqual([sent, [Number.NaN, Infinity, -Infinity, 0.1 + 0.2, 1e-300], [1, true]]);
  });

  it("a module that cannot be imported is a config error naming the module and the YAML line", async () => {
    const task = await loadTask(`${dir}missing.yaml`);
    const pool = new HookPool({ hooks: hooksOf([task]), env: hookEnvironment(process.env) });
    await expect(pool.start()).rejects.toBeInstanceOf(HookLoadError);
    await pool.close();
    const error = await startHookWorkers([task], { python: "python3", env: hookEnvironment(process.env) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/^.*missing\.yaml:4, key `doc_to_text`: `!function nosuch\.text`: cannot load it: ModuleNotFoundError: no module `nosuch`: no nosuch\.py in /);
  });

  it("no Python interpreter is a config error naming the YAML line and --python", async () => {
    const task = await loadTask(`${dir}filtered.yaml`);
    const error = await startHookWorkers([task], { python: "/nonexistent/python3", env: hookEnvironment(process.env) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/filtered\.yaml:3, key `process_docs`: `!function hooks\.keep_unskipped` needs Python: no interpreter `\/nonexistent\/python3` was found \(install python3, or name one with --python PATH\)/);
  });
});
