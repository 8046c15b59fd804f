import { readFileSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SimServer, startSim } from "../../src/sim/index.js";
import { datasetPath } from "../support/datasets.js";
import { runCli } from "../support/cli.js";

describe("CLI: mt_bench with --judge-model and --judge-base-url (child processes)", { timeout: 90_000 }, () => {
  let model: SimServer;
  let judge: SimServer;
  let dir: string;
  let input: string;
  beforeAll(async () => {
    [model, judge] = await Promise.all([startSim(), startSim({ models: ["judge-x"] })]);
    dir = await mkdtemp(join(tmpdir(), "streameval-judge-"));
    input = join(dir, "mt.jsonl");
    const lines = readFileSync(datasetPath("mtbench_questions.jsonl"), "utf8").trim().split("\n").slice(0, 3);
    await writeFile(input, `${lines.join("\n")}\n`);
  });
  afterAll(async () => {
    await Promise.all([model.close(), judge.close()]);
    await rm(dir, { recursive: true, force: true });
  });

  it("grades every turn with the judge on its own endpoint, per turn and overall in the summary", async () => {
    const summaryPath = join(dir, "summary.json");
    const args = ["run", input, "-t", "mt_bench", "-m", "m", "--base-url", model.url, "--judge-model", "judge-x", "--judge-base-url", judge.url, "--summary", summaryPath, "--store", join(dir, "store")];
    const { code, stdout, stderr } = await runCli(args);
    expect(stderr).not.toMatch(/Error/);
    expect(code).toBe(0);
    const lines = stdout.trim().split("\n").map((l) => JSON.parse(l) as { status: string; scores: Record<string, number>; judge: { model: string } });
    expect(lines).toHaveLength(3);
    expect(lines.every((l) => l.status === "ok" && l.judge.model === "judge-x" && l.scores["judge_score,turn_2"]! >= 1)).toBe(true);
    expect(model.stats().requests).toBe(6);
    expect(judge.stats().requests).toBe(6);
    const summary = JSON.parse(await readFile(summaryPath, "utf8")) as { models: Record<string, { metrics: Record<string, { n: number }> }> };
    expect(Object.keys(summary.models.m!.metrics).sort()).toEqual(["judge_score,overall", "judge_score,turn_1", "judge_score,turn_2"]);
    expect(summary.models.m!.metrics["judge_score,overall"]!.n).toBe(6);
    expect(stderr).toMatch(/judge_score,overall/);
  });

  it("an unknown judge model stops the run as fatal (exit 4), naming the judge", async () => {
    const { code, stderr } = await runCli(["run", input, "-t", "mt_bench", "-m", "m", "--base-url", model.url, "--judge-model", "nope", "--judge-base-url", judge.url, "--store", join(dir, "store2")]);
    expect(code).toBe(4);
    expect(stderr).toMatch(/stopping \(fatal\): judge: .*nope/);
  });

  it("rejects a bad --judge-base-url as a usage error (exit 2)", async () => {
    const { code, stderr } = await runCli(["run", input, "-t", "mt_bench", "-m", "m", "--base-url", model.url, "--judge-base-url", "ftp://x"]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--judge-base-url.*expected an http\(s\) URL/);
  });
});
