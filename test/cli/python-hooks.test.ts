import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SimServer, startSim } from "../../src/sim/index.js";
import type { ResultLine } from "../../src/types.js";
import { runCli } from "../support/cli.js";
import { fixture } from "../support/lm-eval-fixtures.js";

const SECRET = "sk-test-SECRET-hooks-0123456789";
let sim: SimServer;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "streameval-hooks-cli-"));
  sim = await startSim({ port: 0, seed: 9 });
});
afterAll(() => sim.close());

describe("streameval run with an lm-eval task folder that has Python hooks (child process)", { timeout: 90_000 }, () => {
  it("runs hellaswag unchanged (process_docs in a python3 worker): a result per doc, the summary, no secret anywhere", async () => {
    const summaryPath = join(dir, "hellaswag.json");
    const r = await runCli(["run", "-t", fixture("hellaswag/hellaswag.yaml"), "-m", "m1", "--base-url", sim.url, "--summary", summaryPath, "--store", join(dir, "store")], {
      stdin: await readFile(fixture("data/hellaswag.jsonl"), "utf8"),
      env: { OPENAI_API_KEY: SECRET },
    });
    expect(r.stderr).toContain("acc_norm,none");
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as ResultLine);
    expect(lines).toHaveLength(12);
    // The processed doc's query (brackets removed, "[title]" made a full stop) is the prompt.
    expect(lines.find((l) => l.id === "he-0")!.input).toBe("Removing ice from car: How to do removing ice from car. Step 0 of the task. Then a person walks in The person starts");
    const summary = JSON.parse(await readFile(summaryPath, "utf8"));
    expect(summary.models.m1.samples).toMatchObject({ total: 12, ok: 12, error: 0 });
    expect(summary.models.m1.metrics["acc,none"].n).toBe(12);
    expect(r.stdout + r.stderr + JSON.stringify(summary)).not.toContain(SECRET);
  });

  it("exits 2 naming the YAML line and --python when the interpreter does not exist", async () => {
    const r = await runCli(["run", "-t", fixture("winogrande/default.yaml"), "-m", "m1", "--base-url", sim.url, "--no-store", "--python", "/nonexistent/python3"], { stdin: "" });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/winogrande\/default\.yaml:7, key `doc_to_text`: `!function preprocess_winogrande\.doc_to_text` needs Python: no interpreter `\/nonexistent\/python3` was found \(install python3, or name one with --python PATH\)/);
  });
});
