import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliArgs } from "../support/cli.js";
import { startSim, type SimRequest, type SimServer } from "../../src/sim/index.js";
import { CheckpointStore } from "../../src/store/checkpoint-store.js";
import type { Summary } from "../../src/summary/summary.js";
import type { ResultLine } from "../../src/types.js";
import { runCommand } from "../../src/commands/run-command.js";
import { resolveRunConfig } from "../../src/config/run-config.js";
import { memoryIO } from "../support/command-io.js";
import { recordedOkIds } from "../support/store.js";

/**
 * Crash and resume, end to end: real `streameval run` processes against the simulator on loopback,
 * killed with SIGKILL at several points, interrupted with SIGINT, then rerun to the end.
 */
const root = fileURLToPath(new URL("../../", import.meta.url));
const sample = join(root, "examples/gsm8k-sample.jsonl");
const N = 40;

let sim: SimServer;
let dir: string;
const idOfQuestion = new Map<string, string>();
/** Requests per sample id, per phase of the test (the phase is set before each process starts). */
const requests = new Map<string, Map<string, number>>();
let phase = "";
let onRequest: (() => void) | undefined;

function countRequest(req: SimRequest): undefined {
  const messages = (req.body as { messages?: { content?: string }[] } | undefined)?.messages ?? [];
  const question = /Question: ([\s\S]*)\nAnswer:$/.exec(messages.at(-1)?.content ?? "")?.[1];
  const id = question === undefined ? "?" : (idOfQuestion.get(question) ?? "?");
  const counts = requests.get(phase) ?? new Map<string, number>();
  requests.set(phase, counts.set(id, (counts.get(id) ?? 0) + 1));
  onRequest?.();
  return undefined;
}

beforeAll(async () => {
  for (const l of (await readFile(sample, "utf8")).trim().split("\n")) {
    const doc = JSON.parse(l) as { id: string; question: string };
    idOfQuestion.set(doc.question, doc.id);
  }
  // Replies are a function of (seed, prompt), so every run gets the same answers and the same scores.
  sim = await startSim({ answerKeyFile: sample, accuracy: 0.6, seed: 11, ttftMs: 15, itlMs: 2, faults: countRequest });
  dir = await mkdtemp(join(tmpdir(), "streameval-resume-"));
});
afterAll(async () => {
  await sim.close();
  await rm(dir, { recursive: true, force: true });
});

interface Proc {
  readonly child: ChildProcess;
  readonly lines: () => string[];
  readonly stderr: () => string;
  readonly exit: Promise<[number | null, NodeJS.Signals | null]>;
  readonly all: () => string[];
}

function cli(store: string, extra: string[] = []): Proc {
  const child = spawn(
    process.execPath,
    [...cliArgs, "run", sample, "-t", "gsm8k", "-m", "sim", "--base-url", sim.url, "-c", "2", "--price", "1/2", "--store", store, "--no-progress", ...extra],
    { cwd: root, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, OPENAI_API_KEY: "" } },
  );
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const exit = once(child, "exit") as Promise<[number | null, NodeJS.Signals | null]>;
  // Only whole lines count: a kill can come between two writes, never inside one.
  const all = () => out.split("\n").slice(0, -1);
  // `lines`: this process's own results; those reused from the store come out too, marked `resumed`.
  return { child, lines: () => all().filter((l) => (JSON.parse(l) as ResultLine).resumed !== true), all, stderr: () => err, exit };
}

/** Resolves once the process has written `n` result lines (or rejects if it exits first). */
async function afterLines(p: Proc, n: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const check = () => {
      if (p.lines().length >= n) {
        p.child.stdout!.off("data", check);
        resolve();
      }
    };
    p.child.stdout!.on("data", check);
    void p.exit.then(([code]) => reject(new Error(`exited ${code} before ${n} lines: ${p.stderr()}`)));
    check();
  });
}

const requestsIn = (p: string, ids: Iterable<string>) => [...ids].reduce((sum, id) => sum + (requests.get(p)?.get(id) ?? 0), 0);

describe("kill -9, Ctrl-C and resume (real processes, loopback simulator)", () => {
  let reference: Summary;

  it("an uninterrupted run gives the reference summary", async () => {
    phase = "reference";
    const io = memoryIO();
    const flags = { task: ["gsm8k"], model: ["sim"], baseUrl: sim.url, concurrency: "2", price: "1/2", store: join(dir, "reference"), summary: join(dir, "reference.json") };
    expect(await runCommand(resolveRunConfig([sample], flags, {}), io), io.err()).toBe(0);
    expect(io.out().trim().split("\n")).toHaveLength(N);
    reference = JSON.parse(await readFile(join(dir, "reference.json"), "utf8")) as Summary;
    expect(reference.models.sim!.samples.ok).toBe(N);
  });

  it(
    "killed at several points, interrupted once, rerun: nothing recorded is sent again, each id is output once, the summary is the same",
    async () => {
      const store = join(dir, "chain");
      const outputs: string[][] = [];
      const recordedBefore: Set<string>[] = [];

      // 1. SIGKILL as the first request reaches the server: nothing can be recorded yet.
      phase = "kill-at-first-request";
      let p = cli(store);
      onRequest = () => p.child.kill("SIGKILL");
      await p.exit;
      onRequest = undefined;
      outputs.push(p.lines());
      recordedBefore.push(await recordedOkIds(store).catch(() => new Set<string>()));

      // 2. and 3. SIGKILL after some results were written.
      for (const [i, n] of [3, 10].entries()) {
        phase = `kill-after-${n}`;
        p = cli(store);
        await afterLines(p, n);
        p.child.kill("SIGKILL");
        const [, signal] = await p.exit;
        expect(signal).toBe("SIGKILL");
        outputs.push(p.lines());
        // no sample recorded by an earlier process was requested by this one
        expect(requestsIn(phase, recordedBefore[i]!)).toBe(0);
        recordedBefore.push(await recordedOkIds(store));
      }
      expect(recordedBefore.at(-1)!.size).toBeGreaterThanOrEqual(13);

      // 4. Ctrl-C: samples in flight finish and are recorded, the summary says interrupted, exit 130.
      phase = "sigint";
      p = cli(store, ["--summary", join(dir, "interrupted.json")]);
      await afterLines(p, 2);
      p.child.kill("SIGINT");
      const [code] = await p.exit;
      expect(code, p.stderr()).toBe(130);
      expect(p.stderr()).toContain("stopping: no new samples are read");
      const interrupted = JSON.parse(await readFile(join(dir, "interrupted.json"), "utf8")) as Summary;
      expect(interrupted.stopped).toBe("interrupted");
      expect(requestsIn(phase, recordedBefore.at(-1)!)).toBe(0);
      outputs.push(p.lines());
      recordedBefore.push(await recordedOkIds(store));
      // what a graceful stop output is exactly what it recorded: nothing in flight was lost
      expect([...recordedBefore.at(-1)!].filter((id) => !recordedBefore.at(-2)!.has(id)).sort()).toEqual(
        p.lines().map((l) => (JSON.parse(l) as ResultLine).id).sort(),
      );

      // 5. The rerun finishes the run.
      phase = "final";
      p = cli(store, ["--summary", join(dir, "final.json")]);
      const [finalCode] = await p.exit;
      expect(finalCode, p.stderr()).toBe(0);
      expect(requestsIn(phase, recordedBefore.at(-1)!)).toBe(0);
      outputs.push(p.lines());
      // The last run's output holds the whole run: every id once, those of earlier processes marked resumed.
      const last = p.all().map((l) => JSON.parse(l) as ResultLine);
      expect(last).toHaveLength(N);
      expect(new Set(last.map((l) => l.id)).size).toBe(N);
      expect(last.filter((l) => l.resumed === true)).toHaveLength(recordedBefore.at(-1)!.size);

      // Each id at most once across every process's output; any id a kill kept from the output is
      // in the store (the kill fell between its durable record and its write), for `runs export`.
      const ids = outputs.flat().map((l) => (JSON.parse(l) as ResultLine).id);
      expect(new Set(ids).size).toBe(ids.length);
      const all = await recordedOkIds(store);
      expect(all.size).toBe(N);
      for (const id of all) if (!ids.includes(id)) expect(recordedBefore.some((s) => s.has(id))).toBe(true);

      const final = JSON.parse(await readFile(join(dir, "final.json"), "utf8")) as Summary;
      const [m, r] = [final.models.sim!, reference.models.sim!];
      expect(final.stopped).toBeNull();
      // The records of earlier sessions come from their summary snapshot (src/summary-snapshot.ts), whose sums were
      // added in another order: a stderr may differ in its last digit.
      for (const [key, metric] of Object.entries(r.metrics)) {
        expect(m.metrics[key]).toMatchObject({ value: metric.value, n: metric.n });
        expect(m.metrics[key]!.stderr).toBeCloseTo(metric.stderr!, 12);
      }
      expect(Object.keys(m.metrics).sort()).toEqual(Object.keys(r.metrics).sort());
      // A reply a killed process got (and cached) but never recorded is taken from the response cache by the
      // rerun: nothing is sent twice, and the line says `cached`.
      expect({ ...m.samples, resumed: 0, cached: 0 }).toEqual(r.samples);
      expect(m.samples.resumed).toBe(recordedBefore.at(-1)!.size);
      expect(m.usage.prompt_tokens).toBe(r.usage.prompt_tokens);
      expect(m.usage.completion_tokens).toBe(r.usage.completion_tokens);
      // A cached line costs 0 and keeps what its reply cost in `cached_cost_usd`: together they are the reference.
      const cachedCost = last.reduce((sum, l) => sum + (l.cached === true ? Number(l.cached_cost_usd ?? 0) : 0), 0);
      expect(m.samples.cached).toBe(last.filter((l) => l.cached === true).length);
      expect(m.cost_usd! + cachedCost).toBeCloseTo(r.cost_usd!, 12);
    },
    180_000,
  );

  it("a second process on the same store gets a clear error, not a shared store", async () => {
    const store = join(dir, "locked");
    phase = "lock";
    const holder = await CheckpointStore.open(store, { owner: { command: "run", run: "busy" } });
    try {
      const second = cli(store);
      const [code] = await second.exit;
      expect(code).toBe(2);
      expect(second.stderr()).toContain(`streameval: the store ${store} is in use by process ${process.pid} (run --run busy)`);
      expect(second.lines()).toEqual([]);
      expect(requests.get("lock")).toBeUndefined();
    } finally {
      await holder.close();
    }
  }, 60_000);
});
