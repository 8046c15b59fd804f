import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SimServer, startSim } from "../../src/sim/index.js";
import type { ResultLine } from "../../src/types.js";
import { runCli } from "../support/cli.js";
import { datasetPath } from "../support/datasets.js";

const SECRET = "sk-test-SECRET-value-0123456789";
let sim: SimServer;
let lockedSim: SimServer;
let dir: string;
let gsm8k: string[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "streameval-cli-"));
  gsm8k = (await readFile(datasetPath("gsm8k_test.jsonl"), "utf8")).split("\n").slice(0, 20);
  sim = await startSim({
    port: 0,
    answerKeyFile: datasetPath("gsm8k_test.jsonl"),
    accuracy: 0.7,
    seed: 3,
    // One prompt is "too long": a permanent 400 for that sample only.
    faults: (req) => (JSON.stringify(req.body).includes("Kylar went to the store") ? { status: 400, body: { error: { message: "context too long", type: "invalid_request_error" } } } : undefined),
  });
  lockedSim = await startSim({ port: 0, apiKey: "the-right-key" });
});
afterAll(async () => {
  await sim.close();
  await lockedSim.close();
});

const parseLines = (text: string) => text.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as ResultLine);

describe("streameval run (child process)", { timeout: 90_000 }, () => {
  it("pipes JSONL through stdin: one result line per sample, a summary, the table on stderr, and no secret anywhere", async () => {
    const summaryPath = join(dir, "s.json");
    const input = gsm8k.slice(8, 20).join("\n");
    const r = await runCli(["run", "--task", "gsm8k", "--model", "m1", "--base-url", sim.url, "-c", "4", "--summary", summaryPath, "--store", join(dir, "store1")], {
      stdin: input,
      env: { OPENAI_API_KEY: SECRET },
    });
    expect(r.stderr).toContain("exact_match,strict-match");
    expect(r.code).toBe(0);
    const lines = parseLines(r.stdout);
    expect(lines).toHaveLength(12);
    expect(new Set(lines.map((l) => l.id)).size).toBe(12);
    for (const l of lines) {
      expect(l).toMatchObject({ task: "gsm8k", model: "m1", repeat: 0, status: "ok" });
      expect(Object.keys(l.scores ?? {}).sort()).toEqual(["exact_match,flexible-extract", "exact_match,strict-match"]);
      expect(l.timing?.ttft_ms).not.toBeNull();
    }
    const summaryText = await readFile(summaryPath, "utf8");
    const summary = JSON.parse(summaryText);
    const m = summary.models.m1;
    expect(m.samples).toMatchObject({ total: 12, ok: 12, error: 0 });
    const acc = lines.filter((l) => l.scores?.["exact_match,strict-match"] === 1).length / 12;
    expect(m.metrics["exact_match,strict-match"].value).toBeCloseTo(acc, 12);
    expect(summary.stopped).toBeNull();
    for (const text of [r.stdout, r.stderr, summaryText]) expect(text).not.toContain(SECRET);
  });

  it("sets bad lines aside in the rejects file with line numbers, and goes on", async () => {
    const rejects = join(dir, "rejects.jsonl");
    const input = [gsm8k[0], "{oops", "", gsm8k[1], '{"id":"x","answer":"#### 3"}', "[1,2]"].join("\r\n");
    const r = await runCli(["run", "-t", "gsm8k", "-m", "m1", "--base-url", sim.url, "--rejects", rejects, "--store", join(dir, "store2")], { stdin: `\uFEFF${input}` });
    expect(r.code).toBe(0);
    expect(parseLines(r.stdout)).toHaveLength(2);
    const rej = (await readFile(rejects, "utf8")).trim().split("\n").map((l) => JSON.parse(l));
    expect(rej.map((x: { line: number }) => x.line)).toEqual([2, 5, 6]);
    expect(rej[1].reason).toMatch(/question/);
    expect(r.stderr).toMatch(/3 line\(s\) rejected/);
  });

  it("--strict: the first bad line fails the run with exit 2, naming where", async () => {
    const r = await runCli(["run", "-t", "gsm8k", "-m", "m1", "--base-url", sim.url, "--strict", "--store", join(dir, "store3")], { stdin: `${gsm8k[0]}\n{oops\n` });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/<stdin>:2: .*JSON/);
  });

  it("a permanent failure of one sample: an error line, the others scored, exit 5", async () => {
    const input = gsm8k.slice(0, 8).join("\n");
    expect(input).toContain("Kylar went to the store");
    const r = await runCli(["run", "-t", "gsm8k", "-m", "m1", "--base-url", sim.url, "--store", join(dir, "store4")], { stdin: input });
    expect(r.code).toBe(5);
    const lines = parseLines(r.stdout);
    expect(lines).toHaveLength(8);
    const errors = lines.filter((l) => l.status === "error");
    expect(errors).toHaveLength(1);
    expect(errors[0]?.error).toMatchObject({ type: "bad_request" });
    expect(errors[0]?.scores).toBeUndefined();
  });

  it("a bad API key stops the run with exit 4 and one message naming the model and endpoint", async () => {
    const r = await runCli(["run", "-t", "gsm8k", "-m", "m1", "--base-url", lockedSim.url, "--store", join(dir, "store5")], {
      stdin: gsm8k.slice(0, 10).join("\n"),
      env: { OPENAI_API_KEY: SECRET },
    });
    expect(r.stderr).toContain("model m1");
    expect(r.code).toBe(4);
    expect(r.stderr).toContain("model m1");
    expect(r.stderr).toContain(lockedSim.url);
    expect(r.stderr).not.toContain(SECRET);
  });

  it("a task file error exits 2 naming the file, line and key", async () => {
    const bad = join(dir, "bad.yaml");
    await writeFile(bad, "task: t\noutput_type: generate_until\ndoc_to_text: '{{q}}'\nrepeats: zero\n");
    const r = await runCli(["run", "-t", bad, "-m", "m1", "--base-url", sim.url], { stdin: "" });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("bad.yaml:4");
    expect(r.stderr).toContain("repeats");
  });

  it("a missing input file exits 2 naming it", async () => {
    const r = await runCli(["run", join(dir, "missing.jsonl"), "-t", "gsm8k", "-m", "m1", "--base-url", sim.url]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("missing.jsonl");
  });

  it("no key and no local endpoint, or an unknown flag: exit 2", async () => {
    const r = await runCli(["run", "-t", "gsm8k", "-m", "m1"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("OPENAI_API_KEY");
    expect((await runCli(["run", "--bogus"])).code).toBe(2);
  });
});
