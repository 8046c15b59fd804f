import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ASSUMED_ANSWER_TOKENS } from "../../src/run-estimate.js";
import { root, runCli } from "../support/cli.js";

const yaml = join(root, "examples/judge-qa.yaml");
const data = join(root, "examples/judge-qa.jsonl");

type Estimate = {
  models: { model: string; low_usd: number; high_usd: number }[];
  judge?: { model: string; requests: number; prompt_tokens: number; max_output_tokens: number; low_usd: number | null; high_usd: number | null; assumed_answer_tokens: number };
  failed: number;
};

describe("estimate prices the judge of judge-graded tasks on its own line", { timeout: 90_000 }, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "streameval-estimate-judge-"));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it("llm_judge: one judge request per sample and criterion, its prompts plus an assumed answer length, its own price", async () => {
    const summary = join(dir, "judge-qa.json");
    const r = await runCli(["estimate", data, "-t", yaml, "-m", "m", "--price", "1/2", "--judge-model", "j", "--summary", summary]);
    expect(r.code, r.stderr).toBe(0);
    const e = JSON.parse(await readFile(summary, "utf8")) as Estimate;
    expect(e.failed).toBe(0);
    const j = e.judge!;
    // 8 samples × 2 criteria (correct, concise), each up to the judge's max_tokens (2048).
    expect(j).toMatchObject({ model: "j", requests: 16, max_output_tokens: 16 * 2048, assumed_answer_tokens: ASSUMED_ANSWER_TOKENS });
    // The judge templates hold far more than the question: well over the assumed answers alone.
    expect(j.prompt_tokens).toBeGreaterThan(16 * (ASSUMED_ANSWER_TOKENS + 100));
    expect(j.low_usd).toBeCloseTo(j.prompt_tokens * 1e-6, 9);
    expect(j.high_usd).toBeCloseTo(j.prompt_tokens * 1e-6 + j.max_output_tokens * 2e-6, 9);
    expect(r.stdout).toMatch(new RegExp(`^judge j: 16 requests, ${j.prompt_tokens} prompt tokens \\(its prompts over each sample, plus 256 tokens assumed for the answers each one shows\\), max output 32768 tokens; 1/2 per 1M in/out \\(--price\\); cost \\$`, "m"));
  });

  it("the judge's cost counts against --budget-usd", async () => {
    // The models alone fit in $0.01 even at full replies; with the judge's prompts they may not.
    const r = await runCli(["estimate", data, "-t", yaml, "-m", "m", "--price", "1/2", "--judge-model", "j", "--budget-usd", "0.01"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("budget $0.01: enough for the prompts; whether replies fit depends on their length");
  });

  it("with no judge named, the samples are still counted (exit 0) and the judge's line says to name it", async () => {
    const r = await runCli(["estimate", data, "-t", yaml, "-m", "m", "--price", "1/2"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^judge \(no --judge-model\): 16 requests, .* cost unknown: name the judge with --judge-model$/m);
    expect(r.stderr).not.toContain("warning");
  });

  it("mt_bench: its judge grades each turn", async () => {
    const summary = join(dir, "mt.json");
    const r = await runCli(["estimate", join(root, "test/fixtures/datasets/mtbench_questions.jsonl"), "-t", "mt_bench", "-m", "m", "--price", "1/2", "--judge-model", "j", "--limit", "4", "--summary", summary]);
    expect(r.code, r.stderr).toBe(0);
    const e = JSON.parse(await readFile(summary, "utf8")) as Estimate;
    expect(e.judge).toMatchObject({ model: "j", requests: 8 });
    expect(e.judge!.low_usd).toBeGreaterThan(0);
  });
});
