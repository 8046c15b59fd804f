import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSim, type SimServer } from "../../src/sim/index.js";
import { runCommand } from "../../src/commands/run-command.js";
import { resolveRunConfig } from "../../src/config/run-config.js";
import type { Summary } from "../../src/summary/summary.js";
import type { ResultLine } from "../../src/types.js";
import { memoryIO } from "../support/command-io.js";

/**
 * A resumed run's results file and summary, byte for byte: every line is the first run's line as it was made, with
 * `"resumed":true` last, in input order; a second resume writes the same file; the summary's scores, tokens, cost
 * and latencies are the first run's. The input has what the resume's shortcuts must get right: ids that are
 * numbers, written with escapes, or repeated; lines with tabs, non-ASCII text, a `task` field, and a bad line.
 */
const COPIES = 30;
const root = fileURLToPath(new URL("../../", import.meta.url));
const sample = join(root, "examples/gsm8k-sample.jsonl");

let sim: SimServer;
let dir: string;
let input: string;

beforeAll(async () => {
  sim = await startSim({ answerKeyFile: sample, accuracy: 0.6, seed: 5, ttftMs: 0, itlMs: 0 });
  dir = await mkdtemp(join(tmpdir(), "streameval-resumed-output-"));
  // Enough lines that the last ones are read once lookups have found samples done (parsed only when read).
  const lines = (await readFile(sample, "utf8"))
    .trim()
    .split("\n")
    .flatMap((line, i, all) => Array.from({ length: COPIES }, (_, c) => (c === 0 ? line : line.replace(/"id": "([^"]+)"/, `"id": "$1-${c * all.length + i}"`))));
  const extra = [
    '{"id":7,"question":"How many is 3 + 4?","answer":"#### 7"}',
    '{"id":"q\\u00e9","question":"Caf\\u00e9 — how many is 1 + 1?","answer":"#### 2"}',
    '{"id":"q-tab",\t"question":"How many is 2 + 2?","answer":"#### 4"}',
    '{"task":"gsm8k","id":"q-task","question":"Naïve: how many is 5 + 5?","answer":"#### 10"}',
    '{"id":"gsm8k-test-1","question":"A repeated id: how many is 6 + 6?","answer":"#### 12"}',
    '{"id":"bad","question":',
    '{"question":"No id: how many is 9 + 9?","answer":"#### 18"}',
  ];
  input = join(dir, "input.jsonl");
  await writeFile(input, `${[...lines, ...extra].join("\n")}\n`);
});
afterAll(async () => {
  await sim.close();
  await rm(dir, { recursive: true, force: true });
});

async function run(name: string): Promise<{ text: string; summary: Summary }> {
  const io = memoryIO();
  const flags = { task: ["gsm8k"], model: ["sim"], baseUrl: sim.url, concurrency: "16", price: "1/2", store: join(dir, "store"), output: join(dir, `${name}.jsonl`), summary: join(dir, `${name}.json`) };
  expect(await runCommand(resolveRunConfig([input], flags, {}), io), io.err()).toBe(0);
  return { text: await readFile(join(dir, `${name}.jsonl`), "utf8"), summary: JSON.parse(await readFile(join(dir, `${name}.json`), "utf8")) as Summary };
}

describe("a resumed run's results file and summary", () => {
  it("are the first run's lines as made, and its summary, every time", async () => {
    const first = await run("first");
    const second = await run("second");
    const third = await run("third");
    const made = first.text.trim().split("\n");
    const n = 40 * COPIES + 6;
    expect(made).toHaveLength(n);
    // The ids the lines give, parsed at once or when read: a number as a string, escapes decoded, a repeated id renamed.
    const ids = new Set(made.map((line) => (JSON.parse(line) as ResultLine).id));
    for (const id of ["7", "qé", "q-tab", "q-task", "gsm8k-test-1", "gsm8k-test-5-205"]) expect(ids).toContain(id);
    expect(ids.size).toBe(n);
    const key = (line: string) => {
      const l = JSON.parse(line) as ResultLine;
      return `${l.id}/${l.repeat}`;
    };
    const byKey = new Map(made.map((line) => [key(line), line]));
    const resumed = second.text.trim().split("\n");
    expect(resumed).toHaveLength(n);
    expect([...resumed.map(key)].sort()).toEqual([...made.map(key)].sort());
    for (const line of resumed) expect(line).toBe(`${byKey.get(key(line))!.slice(0, -1)},"resumed":true}`);
    expect(third.text).toBe(second.text);
    expect(third.summary.tasks).toEqual(second.summary.tasks);
    expect(third.summary.models).toEqual(second.summary.models);
    for (const later of [second.summary, third.summary]) {
      const [a, b] = [first.summary.models.sim!, later.models.sim!];
      expect(b.samples).toMatchObject({ ok: a.samples.ok, error: a.samples.error, resumed: n });
      expect(b.metrics).toEqual(a.metrics);
      for (const [task, t] of Object.entries(first.summary.tasks)) expect(later.tasks[task]!.models.sim!.metrics).toEqual(t.models.sim!.metrics);
      expect(b.usage).toEqual({ ...a.usage, requests: 0 });
      expect(b.cost_usd).toEqual(a.cost_usd);
      expect(b.latency_ms).toEqual(a.latency_ms);
    }
  });
});
