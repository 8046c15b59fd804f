import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSim, type SimServer } from "../../src/sim/index.js";
import type { Summary } from "../../src/summary/summary.js";
import type { ResultLine } from "../../src/types.js";
import { runCli } from "../support/cli.js";

// A user's day-one reruns, with the real CLI in child processes against the bundled simulator.
const doc = (id: string, question: string, target: string) => JSON.stringify({ id, question, target });
const ds1 = ["q1", "q2", "q3", "q4"].map((id, i) => doc(id, `Tom has ${i} apples and is given 1 more. How many apples does he have?`, String(i + 1)));
const ds2 = ["q1", "q2", "q3", "q4"].map((id, i) => doc(id, `Ann has ${i} pears and is given 10 more. How many pears does she have?`, String(i + 10)));
const answers = new Map([...ds1, ...ds2].map((l) => JSON.parse(l) as { question: string; target: string }).map((d) => [d.question, d.target]));

let sim: SimServer;
let dir: string;
beforeAll(async () => {
  sim = await startSim({ answerKey: answers, accuracy: 1, seed: 1 });
  dir = await mkdtemp(join(tmpdir(), "streameval-rerun-"));
  await writeFile(join(dir, "ds1.jsonl"), `${ds1.join("\n")}\n`);
  await writeFile(join(dir, "ds2.jsonl"), `${ds2.join("\n")}\n`);
});
afterAll(async () => {
  await sim.close();
  await rm(dir, { recursive: true, force: true });
});

const lines = (text: string) => text.split("\n").filter(Boolean).map((l) => JSON.parse(l) as ResultLine);
const run = (store: string, args: string[]) =>
  runCli(["run", ...args, "-t", "gsm8k", "-m", "sim", "--base-url", sim.url, "--store", join(dir, store), "--no-progress", "--no-cache"], { cwd: dir });

describe("a rerun (child processes, loopback simulator)", { timeout: 240_000 }, () => {
  it("changed data under the same ids is sent again and scored against the new targets, never the old ones", async () => {
    expect((await run("s1", ["ds1.jsonl"])).code).toBe(0);
    const before = sim.stats().requests;
    const r = await run("s1", ["ds2.jsonl", "--summary", join(dir, "s1.json")]);
    expect(r.code, r.stderr).toBe(0);
    expect(sim.stats().requests - before).toBe(4);
    const out = lines(r.stdout);
    expect(out.map((l) => [l.id, l.target, l.resumed])).toEqual(expect.arrayContaining(ds2.map((l) => { const d = JSON.parse(l) as { id: string; target: string }; return [d.id, d.target, undefined]; })));
    expect(out).toHaveLength(4);
    expect(out.every((l) => l.scores?.["exact_match,flexible-extract"] === 1)).toBe(true);
    const summary = JSON.parse(await readFile(join(dir, "s1.json"), "utf8")) as Summary;
    expect(summary.models.sim!.samples).toMatchObject({ total: 4, ok: 4, resumed: 0, changed: 4 });
    expect(r.stderr).toMatch(/4 stored result\(s\) not reused/);

    // Back to ds1: each record changed again, and an unchanged rerun then reuses all four.
    await run("s1", ["ds1.jsonl"]);
    const again = sim.stats().requests;
    const same = await run("s1", ["ds1.jsonl"]);
    expect(sim.stats().requests - again).toBe(0);
    expect(lines(same.stdout).map((l) => l.resumed)).toEqual([true, true, true, true]);
  });

  it("stdout of a rerun holds every sample, resumed ones marked, in input order", async () => {
    const first = await run("s2", ["ds1.jsonl"]);
    expect(lines(first.stdout)).toHaveLength(4);
    const r = await run("s2", ["ds1.jsonl", "--summary", join(dir, "s2.json")]);
    expect(r.code, r.stderr).toBe(0);
    const out = lines(r.stdout);
    expect(out.map((l) => [l.id, l.resumed])).toEqual([["q1", true], ["q2", true], ["q3", true], ["q4", true]]);
    // The same results as the first run made, apart from the mark.
    expect(out.map(({ resumed: _, ...l }) => l)).toEqual(expect.arrayContaining(lines(first.stdout)));
    const summary = JSON.parse(await readFile(join(dir, "s2.json"), "utf8")) as Summary;
    expect(summary.models.sim!.samples).toMatchObject({ total: 4, resumed: 4, changed: 0 });
    // What this run sent (nothing); the tokens still cover the whole run, as the scores do.
    expect(summary.models.sim!.usage.requests).toBe(0);
    expect(summary.models.sim!.usage.retries).toBe(0);
    expect(summary.models.sim!.usage.prompt_tokens).toBeGreaterThan(0);
  });

  it("-o on a rerun holds each sample once, whatever the run before it wrote", async () => {
    const o = join(dir, "results.jsonl");
    // A first run that stopped half way (--limit 2 keeps the run id), then the full rerun, twice.
    expect((await run("s3", ["ds1.jsonl", "--limit", "2", "-o", o])).code).toBe(0);
    expect(lines(await readFile(o, "utf8"))).toHaveLength(2);
    for (let i = 0; i < 2; i++) {
      expect((await run("s3", ["ds1.jsonl", "-o", o])).code).toBe(0);
      const out = lines(await readFile(o, "utf8"));
      expect(out.map((l) => l.id).sort()).toEqual(["q1", "q2", "q3", "q4"]);
      expect(out.filter((l) => l.resumed).length).toBe(i === 0 ? 2 : 4);
    }
  });
});
