import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SimServer, startSim } from "../../src/sim/index.js";
import type { ResultLine } from "../../src/types.js";
import { root, runCli } from "../support/cli.js";

const fixture = (name: string) => join(root, "test/fixtures/code", name);
const SECRET = "sk-test-SECRET-code-0123456789";
let sim: SimServer;
let dir: string;

// The simulated model answers each HumanEval prompt with the fixture's completion: three right, one wrong.
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "streameval-code-cli-"));
  const problems = (await readFile(fixture("humaneval.jsonl"), "utf8")).trim().split("\n").map((l) => JSON.parse(l) as { task_id: string; prompt: string });
  const completions = new Map((await readFile(fixture("humaneval-completions.jsonl"), "utf8")).trim().split("\n").map((l) => JSON.parse(l) as { task_id: string; completion: string }).map((c) => [c.task_id, c.completion]));
  sim = await startSim({
    port: 0,
    accuracy: 1,
    replyFormat: "answer",
    answerKey: (prompt) => completions.get(problems.find((p) => prompt.includes(p.prompt))?.task_id ?? ""),
  });
});
afterAll(async () => {
  await sim.close();
});

const parseLines = (text: string) => text.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as ResultLine);

describe("streameval run -t humaneval (child process, real sandbox)", { timeout: 90_000 }, () => {
  it("refuses without --allow-code-execution: exit 2 naming the flag, no request sent", async () => {
    const before = sim.stats().requests;
    const r = await runCli(["run", fixture("humaneval.jsonl"), "-t", "humaneval", "-m", "m", "--base-url", sim.url, "--no-store"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--allow-code-execution");
    expect(r.stderr).toContain("unsafe_code: true");
    expect(r.stdout).toBe("");
    expect(sim.stats().requests).toBe(before);
  });

  it("with --allow-code-execution: each program runs in the sandbox, pass@1 is 3/4, the isolation is logged, no key leaks", async () => {
    const summaryPath = join(dir, "humaneval.json");
    const r = await runCli(
      ["run", fixture("humaneval.jsonl"), "-t", "humaneval", "-m", "m", "--base-url", sim.url, "--no-store", "--allow-code-execution", "--code-timeout", "2", "--summary", summaryPath],
      { env: { OPENAI_API_KEY: SECRET } },
    );
    expect(r.stderr).toMatch(/code execution sandbox: .*not a container/);
    expect(r.code).toBe(0);
    const lines = parseLines(r.stdout);
    expect(lines).toHaveLength(4);
    const byId = Object.fromEntries(lines.map((l) => [l.id, l]));
    for (const id of ["HumanEval/0", "HumanEval/1", "HumanEval/2"]) {
      expect(byId[id]?.scores).toEqual({ "pass@1,create_test": 1 });
      expect(byId[id]?.execution).toEqual({ create_test: { passed: true, result: "passed" } });
    }
    expect(byId["HumanEval/3"]?.scores).toEqual({ "pass@1,create_test": 0 });
    expect(byId["HumanEval/3"]?.execution?.create_test?.result).toBe("failed: ");
    const summary = JSON.parse(await readFile(summaryPath, "utf8"));
    expect(summary.models.m.metrics["pass@1,create_test"]).toMatchObject({ value: 0.75, n: 4 });
    expect(r.stdout + r.stderr + JSON.stringify(summary)).not.toContain(SECRET);
  });

  it("--repeats 3: pass@1 over the repeats on the sample (the sim answers every repeat alike)", async () => {
    const summaryPath = join(dir, "repeats.json");
    const r = await runCli(
      ["run", fixture("humaneval.jsonl"), "-t", "humaneval", "-m", "m", "--base-url", sim.url, "--no-store", "--allow-code-execution", "--repeats", "3", "--limit", "2", "--summary", summaryPath],
    );
    expect(r.code).toBe(0);
    const lines = parseLines(r.stdout);
    expect(lines).toHaveLength(6);
    const sampleLines = lines.filter((l) => l.sample);
    expect(sampleLines).toHaveLength(2);
    for (const l of sampleLines) expect((l.sample as { scores: Record<string, number> }).scores["pass@1,create_test"]).toBe(1);
    const summary = JSON.parse(await readFile(summaryPath, "utf8"));
    expect(summary.models.m.metrics["pass@1,create_test"]).toMatchObject({ value: 1, n: 2 });
  });
});
