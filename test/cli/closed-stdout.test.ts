import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Summary } from "../../src/summary/summary.js";
import { type SimServer, startSim } from "../../src/sim/index.js";
import { cliArgs, root, runCli } from "../support/cli.js";

const data = join(root, "test/fixtures/datasets/gsm8k_test.jsonl");

/**
 * Starts the CLI with stdout on a real pipe, reads until the first whole line, then closes the pipe's
 * read end, as `| head -1` does when it has its line. Its later writes meet EPIPE.
 */
async function firstLineThenClose(args: readonly string[]): Promise<{ first: string; code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  const child = spawn(process.execPath, [...cliArgs, ...args], { cwd: root, env: { ...process.env, OPENAI_API_KEY: "", OPENAI_BASE_URL: "" }, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const first = await new Promise<string>((resolve) => {
    let seen = "";
    const onData = (d: Buffer) => {
      seen += d.toString();
      if (!seen.includes("\n")) return;
      child.stdout.off("data", onData);
      child.stdout.destroy();
      resolve(seen.slice(0, seen.indexOf("\n")));
    };
    child.stdout.on("data", onData);
  });
  const [code, signal] = (await once(child, "exit")) as [number | null, NodeJS.Signals | null];
  return { first, code, signal, stderr };
}

describe("stdout closed early by its reader (`| head -1`): a stop, not a crash", { timeout: 120_000 }, () => {
  let sim: SimServer;
  let dir: string;
  beforeAll(async () => {
    // 116 result lines of ~2 kB: far more than a pipe holds, so writes after the close meet EPIPE.
    sim = await startSim({ answerKeyFile: data, latencyMs: 5 });
    dir = await mkdtemp(join(tmpdir(), "streameval-closed-stdout-"));
  });
  afterAll(async () => {
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("run … | head -1: stops as on Ctrl-C (exit 130), no stack trace; the store and summary agree; a rerun completes the rest", async () => {
    const store = join(dir, "store");
    const summaryPath = join(dir, "summary.json");
    const args = ["run", data, "-t", "gsm8k", "-m", "m", "--base-url", sim.url, "--store", store, "--run", "piped", "--summary", summaryPath, "--no-progress", "--price", "1/1"];
    const r = await firstLineThenClose(args);
    expect(JSON.parse(r.first)).toMatchObject({ task: "gsm8k", model: "m", status: "ok" });
    expect({ code: r.code, signal: r.signal }).toEqual({ code: 130, signal: null });
    expect(r.stderr).toContain("stopping: stdout was closed by its reader: no new samples are read");
    expect(r.stderr).not.toMatch(/EPIPE|\n\s+at /);
    const summary = JSON.parse(await readFile(summaryPath, "utf8")) as Summary;
    expect(summary.stopped).toBe("interrupted");
    const done = summary.models.m!.samples.ok;
    expect(done).toBeGreaterThan(0);
    expect(done).toBeLessThan(116);
    // What the summary counts is what the store holds.
    const exported = await runCli(["runs", "export", "piped", "--store", store]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout.trim().split("\n")).toHaveLength(done);
    const again = await runCli(args);
    expect(again.code, again.stderr).toBe(0);
    const lines = again.stdout.trim().split("\n").map((l) => JSON.parse(l) as { resumed?: boolean });
    expect(lines).toHaveLength(116);
    expect(lines.filter((l) => l.resumed).length).toBe(done);
  });

  it("runs export RUN | head -1: ends quietly (exit 0, one line on stderr, no stack trace)", async () => {
    const store = join(dir, "store-export");
    const made = await runCli(["run", data, "-t", "gsm8k", "-m", "m", "--base-url", sim.url, "--store", store, "--run", "full", "--no-progress"]);
    expect(made.code, made.stderr).toBe(0);
    const r = await firstLineThenClose(["runs", "export", "full", "--store", store]);
    expect(JSON.parse(r.first)).toMatchObject({ task: "gsm8k", model: "m" });
    expect({ code: r.code, signal: r.signal }).toEqual({ code: 0, signal: null });
    expect(r.stderr).toBe("streameval: stdout was closed by its reader: export stopped\n");
  });
});
