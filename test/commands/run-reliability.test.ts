import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { cliArgs } from "../support/cli.js";
import type { ResultLine } from "../../src/types.js";
import { type Fault, type SimServer, startSim } from "../../src/sim/index.js";
import type { Summary } from "../../src/summary/summary.js";

/** `streameval run` as a user runs it: a child process against the simulator on loopback. */
const root = fileURLToPath(new URL("../../", import.meta.url));
const sample = join(root, "examples/gsm8k-sample.jsonl");
const N = 40;

async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [...cliArgs, "run", ...args], { cwd: root, env: { ...process.env, OPENAI_API_KEY: "sk-test", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const [code] = (await once(child, "exit")) as [number | null];
  return { code, stdout, stderr };
}

const lines = (stdout: string): ResultLine[] => stdout.split("\n").filter(Boolean).map((l) => JSON.parse(l) as ResultLine);
const questionOf = (body: unknown): string => JSON.stringify(body);

describe("streameval run: reliability end to end", () => {
  let sim: SimServer | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  it("rides out 429s with Retry-After, 5xx and dropped streams: one result line per sample; a permanent failure ends that sample (exit 5)", async () => {
    sim = await startSim({
      faults: (req, n): Fault | undefined => {
        if (questionOf(req.body).includes("Janet")) return { status: 400, body: { error: { message: "maximum context length exceeded", code: "context_length_exceeded" } } };
        if (n % 7 === 1) return { status: 429, headers: { "retry-after-ms": "30" } };
        if (n % 7 === 3) return { status: 502 };
        if (n % 11 === 5) return { dropAfterChunks: 2 };
        return undefined;
      },
    });
    const dir = await mkdtemp(join(tmpdir(), "rel-cli-"));
    const summaryPath = join(dir, "summary.json");
    const r = await cli([sample, "-t", "gsm8k", "-m", "sim", "--base-url", sim.url, "-c", "8", "--store", join(dir, "store"), "--summary", summaryPath, "--no-progress", "--max-retries", "8"]);
    expect(r.code, r.stderr).toBe(5);
    const results = lines(r.stdout);
    expect(results).toHaveLength(N);
    expect(new Set(results.map((l) => l.id)).size).toBe(N);
    const failed = results.filter((l) => l.status === "error");
    expect(failed.map((l) => [l.id, l.error?.type, l.error?.attempts])).toEqual([["gsm8k-test-0", "context_length", 1]]);
    const summary = JSON.parse(await readFile(summaryPath, "utf8")) as Summary;
    const rel = summary.models.sim?.reliability;
    expect(rel?.attempts).toBe(sim.stats().requests);
    expect(Object.keys(rel?.retries.by_cause ?? {}).sort()).toEqual(["rate_limit", "server_error", "stream"]);
    expect(rel?.failed).toBe(1);
    expect(r.stderr).toMatch(/sim reliability: retries rate_limit \d+, server_error \d+, stream \d+/);
  });

  it("a rejected key stops the run at once with exit 4 and one message naming endpoint and model", async () => {
    sim = await startSim({ apiKey: "sk-right", latencyMs: 20 });
    const dir = await mkdtemp(join(tmpdir(), "rel-cli-"));
    const r = await cli([sample, "-t", "gsm8k", "-m", "sim", "--base-url", sim.url, "-c", "4", "--store", join(dir, "store"), "--no-progress"], { OPENAI_API_KEY: "sk-wrong" });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(`stopping (fatal): authentication failed (check the API key) for model sim at ${sim.url}: 401 Incorrect API key provided.`);
    expect(r.stderr.match(/Incorrect API key/g)?.length).toBeLessThanOrEqual(2); // the message, and the summary's stop line
    expect(r.stderr).not.toContain("sk-wrong");
    // Nothing is retried, and nothing new is sent once the first 401 is back: at most the first wave.
    expect(sim.stats().requests).toBeLessThanOrEqual(4);
    expect(lines(r.stdout).filter((l) => l.error?.type === "auth").length).toBeLessThanOrEqual(4);
  });

  it("a fallback named in --models serves what the primary cannot, and the result line says so", async () => {
    sim = await startSim({ faults: (req) => ((req.body as { model?: string } | undefined)?.model === "flaky" ? { status: 503 } : undefined) });
    const dir = await mkdtemp(join(tmpdir(), "rel-cli-"));
    const models = join(dir, "models.yaml");
    await writeFile(models, `models:\n  flaky:\n    base_url: ${sim.url}\n    max_retries: 1\n    fallback: steady\n    fallback_after: 0.2\n  steady:\n    base_url: ${sim.url}\n    price: { input: 1, output: 2 }\n`);
    const summaryPath = join(dir, "summary.json");
    const r = await cli([sample, "-t", "gsm8k", "-m", "flaky", "--models", models, "--limit", "10", "--store", join(dir, "store"), "--summary", summaryPath, "--no-progress"], { OPENAI_API_KEY: "" });
    expect(r.code, r.stderr).toBe(0);
    const results = lines(r.stdout);
    expect(results).toHaveLength(10);
    expect(results.every((l) => l.model === "flaky" && l.served_by === "steady" && l.status === "ok")).toBe(true);
    expect(results.every((l) => typeof l.cost_usd === "number" && l.cost_usd > 0)).toBe(true);
    const summary = JSON.parse(await readFile(summaryPath, "utf8")) as Summary;
    expect(summary.models.flaky?.reliability?.fallbacks).toBe(10);
  });
});
