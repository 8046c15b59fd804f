import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main as judgeInCode } from "../../examples/judge-qa.js";
import { type SimServer, startSim } from "../../src/sim/index.js";
import { runCli, root } from "../support/cli.js";

const yamlPath = join(root, "examples/judge-qa.yaml");
const dataPath = join(root, "examples/judge-qa.jsonl");

type Line = { id: string; status: string; scores?: Record<string, number>; judge?: { model: string; requests: number; cost_usd: number | null }; resumed?: boolean };

describe("examples/judge-qa.yaml: free-form QA graded against references by a judge", { timeout: 90_000 }, () => {
  let model: SimServer;
  let judge: SimServer;
  let dir: string;
  beforeAll(async () => {
    // The model answers right 3 times in 4 (per prompt, reproducibly), thinking in <think> tags.
    [model, judge] = await Promise.all([startSim({ answerKeyFile: dataPath, answerField: "answer", accuracy: 0.75, reasoning: "think" }), startSim({ models: ["judge-x"], judgeStyle: "tricky" })]);
    dir = await mkdtemp(join(tmpdir(), "streameval-judge-qa-"));
  });
  afterAll(async () => {
    await Promise.all([model.close(), judge.close()]);
    await rm(dir, { recursive: true, force: true });
  });

  it("is a task file of fewer than 20 lines", async () => {
    expect((await readFile(yamlPath, "utf8")).trim().split("\n").length).toBeLessThan(20);
  });

  it("from the CLI: both criteria per sample, judged on the judge's endpoint and priced apart; a rerun judges nothing again", async () => {
    const summaryPath = join(dir, "summary.json");
    const args = ["run", dataPath, "-t", yamlPath, "-m", "m", "--base-url", model.url, "--judge-model", "judge-x", "--judge-base-url", judge.url, "--price", "1/2", "--summary", summaryPath, "--store", join(dir, "store")];
    const first = await runCli(args);
    expect(first.code, first.stderr).toBe(0);
    const lines = first.stdout.trim().split("\n").map((l) => JSON.parse(l) as Line);
    expect(lines).toHaveLength(8);
    for (const l of lines) {
      expect(l.status).toBe("ok");
      expect(Object.keys(l.scores!).sort()).toEqual(["concise,none", "correct,none"]);
      expect(l.judge).toMatchObject({ model: "judge-x", requests: 2 });
      expect(l.judge!.cost_usd).toBeGreaterThan(0);
    }
    expect(judge.stats().requests).toBe(16);
    const summary = JSON.parse(await readFile(summaryPath, "utf8")) as { models: Record<string, { metrics: Record<string, { value: number; n: number }> }> };
    const correct = summary.models.m!.metrics["correct,none"]!;
    expect(correct.n).toBe(8);
    expect(correct.value).toBeCloseTo(lines.reduce((n, l) => n + l.scores!["correct,none"]!, 0) / 8, 12);
    expect(first.stderr).toMatch(/helpers: judge \$/);

    const again = await runCli(args);
    expect(again.code, again.stderr).toBe(0);
    expect(judge.stats().requests).toBe(16);
    const resumed = again.stdout.trim().split("\n").map((l) => JSON.parse(l) as Line);
    expect(resumed.every((l) => l.resumed === true)).toBe(true);
    const byId = (ls: Line[]) => Object.fromEntries(ls.map((l) => [l.id, l.scores]));
    expect(byId(resumed)).toEqual(byId(lines));
  });

  it("from code (examples/judge-qa.ts): the same scores", async () => {
    const summary = await judgeInCode(model.url);
    const metrics = summary.models["my-model"]!.metrics;
    expect(Object.keys(metrics).sort()).toEqual(["concise,none", "correct,none"]);
    expect(metrics["correct,none"]!.n).toBe(8);
  });
});
