import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSim, type SimServer } from "../../src/sim/index.js";
import type { Summary } from "../../src/summary/summary.js";
import type { ResultLine } from "../../src/types.js";
import { root, runCli } from "../support/cli.js";

// Editing a filter and rerunning, as a user would: the real CLI in child processes, the bundled simulator.
const docs = Array.from({ length: 6 }, (_, i) => ({ id: `c${i}`, question: `A farmer has ${i + 3} cows and buys ${i + 2} more. How many cows now?`, target: String(2 * i + 5) }));

let sim: SimServer;
let dir: string;
beforeAll(async () => {
  sim = await startSim({ answerKey: new Map(docs.map((d) => [d.question, d.target])), accuracy: 0.5, seed: 4 });
  dir = await mkdtemp(join(tmpdir(), "streameval-cache-"));
  await writeFile(join(dir, "in.jsonl"), `${docs.map((d) => JSON.stringify(d)).join("\n")}\n`);
  await writeFile(join(dir, "task.yaml"), await readFile(join(root, "src/tasks/bundled/gsm8k.yaml"), "utf8"));
});
afterAll(async () => {
  await sim.close();
  await rm(dir, { recursive: true, force: true });
});

const lines = (text: string) => text.split("\n").filter(Boolean).map((l) => JSON.parse(l) as ResultLine);
const run = (extra: string[]) =>
  runCli(["run", "in.jsonl", "-t", "task.yaml", "-m", "sim", "--base-url", sim.url, "--price", "1/2", "--store", "store", "--no-progress", ...extra], { cwd: dir });
const strict = "exact_match,strict-match";
const flexible = "exact_match,flexible-extract";

describe("the response cache across runs (child processes, loopback simulator)", { timeout: 240_000 }, () => {
  it("after a filter is edited, the rerun sends nothing, rescoring the same replies exactly, at cost 0 and out of latency", async () => {
    const first = await run([]);
    expect(first.code, first.stderr).toBe(0);
    const before = lines(first.stdout);
    expect(before.some((l) => l.scores![strict] === 1)).toBe(true);

    // The strict filter now looks for "ANSWER: n", which no reply has: a new run id, the same requests.
    const task = await readFile(join(dir, "task.yaml"), "utf8");
    await writeFile(join(dir, "task.yaml"), task.replace('regex_pattern: "#### (\\\\-?[0-9\\\\.\\\\,]+)"', 'regex_pattern: "ANSWER: (\\\\d+)"'));
    const sent = sim.stats().requests;
    const r = await run(["--summary", "s.json", "--budget-usd", "0.000001"]);
    expect(r.code, r.stderr).toBe(0);
    expect(sim.stats().requests - sent).toBe(0);
    const after = lines(r.stdout);
    expect(after).toHaveLength(docs.length);
    for (const l of after) {
      const b = before.find((x) => x.id === l.id)!;
      expect(l.response).toBe(b.response);
      expect(l.scores![strict]).toBe(0);
      expect(l.scores![flexible]).toBe(b.scores![flexible]);
      expect(l).toMatchObject({ cached: true, cost_usd: 0, cached_cost_usd: b.cost_usd, timing: { attempts: 0 } });
    }
    const summary = JSON.parse(await readFile(join(dir, "s.json"), "utf8")) as Summary;
    const m = summary.models.sim!;
    expect(m.samples).toMatchObject({ total: docs.length, ok: docs.length, cached: docs.length });
    expect(m.usage.requests).toBe(0);
    expect(m.cost_usd).toBe(0);
    expect(m.latency_ms.e2e.p50).toBeNull();
    expect(m.metrics[flexible]!.value).toBeCloseTo(before.filter((l) => l.scores![flexible] === 1).length / docs.length, 12);
    expect(r.stderr).toMatch(/6 result\(s\) answered from the response cache/);

    // `cache stats` counts the six replies; --no-cache sends them again; `cache clear` empties it.
    const stats = await runCli(["cache", "stats", "--store", "store", "--json"], { cwd: dir });
    expect(JSON.parse(stats.stdout)).toMatchObject({ entries: docs.length, by_model: { sim: docs.length } });
    const again = sim.stats().requests;
    expect((await run(["--fresh", "--no-cache"])).code).toBe(0);
    expect(sim.stats().requests - again).toBe(docs.length);
    const cleared = await runCli(["cache", "clear", "--store", "store"], { cwd: dir });
    expect(cleared.stdout).toMatch(/cleared 6 cached replies/);
    const empty = await runCli(["cache", "stats", "--store", "store", "--json"], { cwd: dir });
    expect(JSON.parse(empty.stdout)).toMatchObject({ entries: 0 });
  });
});
