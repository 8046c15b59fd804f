import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliArgs } from "../support/cli.js";
import { type SimServer, startSim } from "../../src/sim/index.js";

const SAMPLE = fileURLToPath(new URL("../../examples/gsm8k-sample.jsonl", import.meta.url));

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env = { ...process.env, OPENAI_API_KEY: "", OPENAI_BASE_URL: "" };
    execFile(process.execPath, [...cliArgs, ...args], { env }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe("CLI: --budget-usd and estimate (child processes)", { timeout: 90_000 }, () => {
  let sim: SimServer;
  let dir: string;
  beforeAll(async () => {
    sim = await startSim({ latencyMs: 2 });
    dir = await mkdtemp(join(tmpdir(), "streameval-cost-"));
  });
  afterAll(async () => {
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("`estimate` prints the cost range per model without calling the API", async () => {
    const { code, stdout, stderr } = await cli(["estimate", SAMPLE, "-t", "gsm8k", "-m", "gpt-4o-mini", "-m", "mystery", "--base-url", sim.url, "--budget-usd", "1"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^estimate: 40 sample\(s\); prompt tokens counted offline, no API call made/);
    expect(stdout).toMatch(/gpt-4o-mini +40 +\d+ +10240 +0\.15\/0\.6 \(table\) +\$[\d.e-]+ … \$[\d.e-]+/);
    expect(stdout).toMatch(/mystery +40 .* unknown +unknown: give --price IN\/OUT/);
    expect(stderr).toMatch(/warning: no price known for model mystery/);
    expect(sim.stats().requests).toBe(0);
  });

  it("`run --budget-usd` stops with exit 3, the budget unspent beyond its limit", async () => {
    const summaryPath = join(dir, "summary.json");
    const { code, stdout, stderr } = await cli(["run", SAMPLE, "-t", "gsm8k", "-m", "gpt-4o-mini", "--base-url", sim.url, "-c", "32", "--budget-usd", "0.0005", "--summary", summaryPath]);
    expect(code).toBe(3);
    expect(stderr).toMatch(/stopping \(budget\): /);
    const summary = JSON.parse(await readFile(summaryPath, "utf8"));
    expect(summary.stopped).toBe("budget");
    expect(summary.cost.budget.usd.spent).toBeLessThanOrEqual(0.0005);
    const lines = stdout.trim().split("\n").map((l) => JSON.parse(l) as unknown);
    expect(lines.length).toBe(sim.stats().requests);
    expect(lines.length).toBeLessThan(40);
  });
});
