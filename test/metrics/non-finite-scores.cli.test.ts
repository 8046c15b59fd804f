import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SimServer, startSim } from "../../src/sim/index.js";
import { runCli } from "../support/cli.js";

const fixtures = fileURLToPath(new URL("../fixtures/nan-scores/", import.meta.url));
const DOCS = [
  { id: "a", question: "Capital of France?", answer: "Paris" },
  { id: "b", question: "Capital of Italy?", answer: "Rome", skip: true },
  { id: "c", question: "Capital of Spain?", answer: "Madrid" },
  { id: "d", question: "Capital of Peru?", answer: "Lima", skip: true },
];

type Summary = { models: { m: { samples: { ok: number; resumed: number }; metrics: Record<string, { value: number | null; stderr: number | null; n: number }> } } };

// A Python process_results that scores some samples NaN (lm-eval tasks do, for "does not apply"): the run
// and its resume must give lm-eval's aggregate, never crash, never count the NaN as 0.
describe("per-sample scores that are not finite (real CLI, python3 hooks, LevelDB store)", { timeout: 120_000 }, () => {
  let sim: SimServer;
  let dir: string;
  beforeAll(async () => {
    sim = await startSim({ answerKey: new Map(DOCS.map((d) => [d.question, d.answer])), accuracy: 1, replyFormat: "answer" });
    dir = await mkdtemp(join(tmpdir(), "streameval-nan-"));
    await writeFile(join(dir, "in.jsonl"), DOCS.map((d) => JSON.stringify(d)).join("\n") + "\n");
  });
  afterAll(async () => {
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function run(task: string, store: string): Promise<{ summary: Summary; lines: { id: string; scores: Record<string, number | null> }[] }> {
    const out = join(dir, `${task}.jsonl`);
    const summary = join(dir, `${task}.summary.json`);
    const r = await runCli(["run", join(dir, "in.jsonl"), "-t", `${fixtures}${task}.yaml`, "-m", "m", "--base-url", sim.url, "--store", store, "-o", out, "--summary", summary, "--no-progress"]);
    expect(r.stderr).not.toMatch(/RangeError|\n\s+at /);
    expect(r.code).toBe(0);
    const lines = (await readFile(out, "utf8")).trim().split("\n").map((l) => JSON.parse(l) as { id: string; scores: Record<string, number | null> });
    return { summary: JSON.parse(await readFile(summary, "utf8")) as Summary, lines: lines.sort((x, y) => x.id.localeCompare(y.id)) };
  }

  it("nanmean leaves the NaN scores out, in the run and in its resume", async () => {
    const store = join(dir, "store-nanmean");
    const first = await run("nan_nanmean", store);
    // JSON has no NaN: a NaN score is written null.
    expect(first.lines.map((l) => l.scores["score,none"])).toEqual([1, null, 1, null]);
    expect(first.summary.models.m.metrics["score,none"]).toMatchObject({ value: 1, n: 4 });
    const second = await run("nan_nanmean", store);
    expect(second.summary.models.m.samples).toMatchObject({ ok: 4, resumed: 4 });
    expect(second.summary.models.m.metrics).toEqual(first.summary.models.m.metrics);
  });

  it("mean over a NaN is NaN (lm-eval's sum / len), written null with no stderr, in the run and in its resume", async () => {
    const store = join(dir, "store-mean");
    const first = await run("nan_mean", store);
    expect(first.summary.models.m.metrics["score,none"]).toEqual({ value: null, stderr: null, n: 4 });
    const second = await run("nan_mean", store);
    expect(second.summary.models.m.samples).toMatchObject({ ok: 4, resumed: 4 });
    expect(second.summary.models.m.metrics).toEqual(first.summary.models.m.metrics);
  });
});
