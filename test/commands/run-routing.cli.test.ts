import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliArgs } from "../support/cli.js";
import { startSim, type SimServer } from "../../src/sim/index.js";
import { datasetPath } from "../support/datasets.js";

const run = promisify(execFile);

/** `streameval run …` as a child process; resolves with its exit code and output. */
async function streameval(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [...cliArgs, "run", ...args], { cwd, env: { ...process.env, OPENAI_API_KEY: "test", NO_COLOR: "1" } });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe("streameval run: routing, several tasks, few-shot, repeats (child process, simulator)", () => {
  let sim: SimServer;
  let dir: string;
  beforeAll(async () => {
    sim = await startSim({ seed: 1 });
    dir = await mkdtemp(path.join(tmpdir(), "se-routing-"));
    const mmlu = (await readFile(datasetPath("mmlu_test.jsonl"), "utf8")).split("\n").filter(Boolean);
    // 4 mmlu lines (2 of them long) and 2 lines for a second task, picked by their `task` field
    const lines = [...mmlu.slice(0, 4), JSON.stringify({ id: "g1", task: "gsm8k", question: "What is 2 + 2?", target: "4" }), JSON.stringify({ id: "g2", task: "gsm8k", question: "What is 3 + 3?", target: "6" })];
    await writeFile(path.join(dir, "in.jsonl"), `${lines.join("\n")}\n`);
    await writeFile(
      path.join(dir, "routes.yaml"),
      `routes:\n  - name: chat\n    when: {output_type: generate_until}\n    model: chat-model\n  - name: long\n    when: {prompt_tokens: {gt: 200}}\n    model: big\n  - name: rest\n    model: small\n`,
    );
    await writeFile(path.join(dir, "mmlu.jsonl"), `${mmlu.slice(0, 3).join("\n")}\n`);
  }, 30_000);
  afterAll(async () => {
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("routes each sample, records the route, and summarises per task and overall", async () => {
    const r = await streameval(["in.jsonl", "--task", "mmlu", "--task", "gsm8k", "--route", "routes.yaml", "--base-url", sim.url, "--summary", "summary.json", "--store", "store", "--no-progress"], dir);
    expect(r.stderr).not.toMatch(/streameval: /);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(6);
    for (const l of lines) {
      if (l.task === "gsm8k") expect(l).toMatchObject({ model: "chat-model", route: "chat" });
      else expect(l).toMatchObject({ task: "mmlu", model: "small", route: "rest", status: "ok" });
    }
    const summary = JSON.parse(await readFile(path.join(dir, "summary.json"), "utf8"));
    expect(Object.keys(summary.tasks).sort()).toEqual(["gsm8k", "mmlu"]);
    expect(summary.tasks.mmlu.models.small.metrics["acc,none"].n).toBe(4);
    expect(summary.overall.models.small.samples.total).toBe(4);
    expect(summary.overall.models["chat-model"].samples.total).toBe(2);
  });

  it("--num-fewshot 5 makes mmlu prompts long enough for the long-context rule", async () => {
    const r = await streameval(["mmlu.jsonl", "--task", "mmlu", "--route", "routes.yaml", "--base-url", sim.url, "--num-fewshot", "5", "--store", "store", "--no-progress"], dir);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(3);
    for (const l of lines) {
      expect(l).toMatchObject({ model: "big", route: "long", status: "ok" });
      expect((l.input as string).split("Answer:")).toHaveLength(7);
    }
  });

  it("fails with exit 2 and the file, line and key of a bad routing rule", async () => {
    await writeFile(path.join(dir, "bad.yaml"), "routes:\n  - name: a\n    when: {tokens: 3}\n    model: m\n");
    const r = await streameval(["in.jsonl", "--task", "mmlu", "--route", "bad.yaml", "--base-url", sim.url, "--store", "store", "--no-progress"], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("bad.yaml:3, key `routes[0].when.tokens`: unknown selector `tokens`");
  });
});
