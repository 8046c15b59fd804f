import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Clock } from "../src/clock.js";
import type { EvalEvent } from "../src/events.js";
import { docsToLines } from "../src/io/docs-to-lines.js";
import { contentText } from "../src/media/content-parts.js";
import { functionModel } from "../src/models/function-model.js";
import { runEvaluation } from "../src/run-evaluation.js";
import { CheckpointStore } from "../src/store/checkpoint-store.js";
import type { RunStore } from "../src/store/run-store.js";
import type { Summary } from "../src/summary/summary.js";
import { parseTask } from "../src/tasks/load.js";
import type { Doc } from "../src/types.js";

/**
 * The summary snapshot (src/summary-snapshot.ts), end to end through runEvaluation with a real LevelDB: a rerun
 * that merges the snapshot reports what the same rerun reports without it, and one whose input the snapshot does
 * not fit falls back to folding each record.
 */
const docs = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => ({ id: `q${from + k}`, question: `What is ${from + k} + 0?`, target: String(from + k) }));
const model = functionModel("m", (req) => {
  const n = Number(/What is (\d+)/.exec(contentText(req.messages.at(-1)?.content))?.[1]);
  // A third wrong, a tenth with a price-less reply of a longer length: scores, usage and latencies vary.
  return { text: `#### ${n % 3 === 0 ? n + 1 : n}`, usage: { prompt_tokens: 10 + (n % 7), completion_tokens: n % 10 === 0 ? 9 : 3 } };
});
const task = parseTask(
  `task: sums
output_type: generate_until
doc_to_text: "What is {{question.split(' ')[2]}} + 0?"
doc_to_target: "{{target}}"
metric_list:
  - metric: exact_match
    aggregation: mean
    higher_is_better: true
generation_kwargs:
  until: ["\\n"]
`,
  "sums.yaml",
);

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "streameval-snapshot-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Session {
  readonly summary: Summary;
  readonly deferred: number;
  readonly reread: number;
}

/**
 * One session of run `r` in `store` over `input`. `snapshot: false` hides the store's snapshot methods (today's
 * path); `stopAfter` stops it gracefully after that many results.
 */
async function session(store: string, input: readonly object[], options: { snapshot?: boolean; stopAfter?: number; prepare?: (run: RunStore) => Promise<void> } = {}): Promise<Session> {
  const s = await CheckpointStore.open(store);
  let deferred = 0;
  let reread = 0;
  let results = 0;
  const stop = new AbortController();
  try {
    const run = s.run("r");
    await options.prepare?.(run);
    const checkpoint = new Proxy(run, {
      get(target, prop) {
        if (options.snapshot === false && (prop === "readSnapshot" || prop === "saveSnapshot")) return undefined;
        if (prop === "foldsBySeq") return (seqs: readonly number[]) => ((reread += seqs.length), target.foldsBySeq(seqs));
        const value = Reflect.get(target, prop, target) as unknown;
        return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const onEvent = (e: EvalEvent) => {
      if (e.type !== "result") return;
      if (e.deferred) deferred++;
      if (++results === options.stopAfter) stop.abort();
    };
    // Time that moves only when read: the new results of two sessions have the same latencies.
    let t = 0;
    const clock: Clock = { now: () => (t += 0.37), epochMs: () => 1.7e12 + t, sleep: (ms) => ((t += ms), Promise.resolve()) };
    const summary = await runEvaluation({ input: docsToLines(input as Doc[]), tasks: [task], models: [{ client: model, concurrency: 1 }], checkpoint, onEvent, stopSignal: stop.signal, instrument: false, clock });
    return { summary, deferred, reread };
  } finally {
    await s.close();
  }
}

/**
 * What must match: every task × model summary and the cost (numbers to 12 digits: sums added in another order).
 * The reply time (e2e) and output tokens/s of results made in a session are timed by the real clock (the function
 * model's): only their counts are compared then.
 */
function figures(summary: Summary, made = false): unknown {
  const round = (v: unknown): unknown =>
    typeof v === "number" ? Number(v.toPrecision(12)) : Array.isArray(v) ? v.map(round) : v !== null && typeof v === "object" ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, made && (k === "output_tokens_per_s" || k === "e2e") ? (x as { n: number }).n : round(x)])) : v;
  return round({ tasks: summary.tasks, cost: summary.cost, stopped: summary.stopped });
}

/** The same session on two copies of the store: with its snapshot, and without (hidden). */
async function both(input: readonly object[]): Promise<{ snap: Session; plain: Session }> {
  const store = join(dir, "store");
  const copy = join(dir, "copy");
  await rm(copy, { recursive: true, force: true });
  await cp(store, copy, { recursive: true });
  const snap = await session(store, input);
  const plain = await session(copy, input, { snapshot: false });
  return { snap, plain };
}

describe("summary snapshot", () => {
  it("a complete rerun merges the snapshot, reads no record back, and reports what it reports without one", async () => {
    const first = await session(join(dir, "store"), docs(0, 30));
    expect(first.summary.models.m!.samples.ok).toBe(30);
    const { snap, plain } = await both(docs(0, 30));
    expect(snap.deferred).toBe(30);
    expect(snap.reread).toBe(0);
    expect(plain.deferred).toBe(0);
    expect(snap.summary.models.m!.samples).toMatchObject({ total: 30, ok: 30, resumed: 30 });
    expect(figures(snap.summary)).toEqual(figures(plain.summary));
    // The metrics and usage are those of the first session (its requests were that session's).
    expect(snap.summary.models.m!.metrics).toEqual(first.summary.models.m!.metrics);
    expect(snap.summary.models.m!.usage).toEqual({ ...first.summary.models.m!.usage, requests: 0 });
    expect(snap.summary.models.m!.latency_ms).toEqual(first.summary.models.m!.latency_ms);
    // Again, after a rerun that had nothing to add (it left the snapshot as it was).
    const again = await session(join(dir, "store"), docs(0, 30));
    expect(again.reread).toBe(0);
    expect(figures(again.summary)).toEqual(figures(plain.summary));
  });

  it("a rerun of fewer samples (--limit) falls back to folding each record it resumes", async () => {
    await session(join(dir, "store"), docs(0, 30));
    const s = await CheckpointStore.open(join(dir, "store"));
    await s.close();
    const { snap, plain } = await both(docs(0, 12));
    expect(snap.reread).toBe(12);
    expect(snap.summary.models.m!.samples).toMatchObject({ total: 12, resumed: 12 });
    expect(figures(snap.summary)).toEqual(figures(plain.summary));
  });

  it("a rerun over other lines falls back for the records it resumes and folds the new ones", async () => {
    await session(join(dir, "store"), docs(0, 30));
    const { snap, plain } = await both([...docs(20, 40), ...docs(3, 9)]);
    expect(snap.reread).toBe(16);
    expect(snap.summary.models.m!.samples).toMatchObject({ total: 26, resumed: 16 });
    expect(figures(snap.summary, true)).toEqual(figures(plain.summary, true));
    // Its snapshot covers the 26 records it folded, not those it did not resume: a rerun over all 40 merges it
    // and reads back the other 14.
    const all = await both(docs(0, 40));
    expect(all.snap.deferred).toBe(40);
    expect(all.snap.reread).toBe(14);
    expect(all.snap.summary.models.m!.samples).toMatchObject({ total: 40, resumed: 40 });
    expect(figures(all.snap.summary)).toEqual(figures(all.plain.summary));
  });

  it("a rerun that adds samples merges the snapshot, and saves one covering the new records too", async () => {
    await session(join(dir, "store"), docs(0, 30));
    const { snap, plain } = await both(docs(0, 45));
    expect(snap.reread).toBe(0);
    expect(snap.summary.models.m!.samples).toMatchObject({ total: 45, resumed: 30 });
    expect(figures(snap.summary, true)).toEqual(figures(plain.summary, true));
    const third = await session(join(dir, "store"), docs(0, 45));
    expect(third.deferred).toBe(45);
    expect(third.reread).toBe(0);
    const fresh = await session(join(dir, "fresh"), docs(0, 45));
    expect(third.summary.models.m!.metrics).toEqual(fresh.summary.models.m!.metrics);
    expect(figures({ ...third.summary, tasks: { sums: { models: { m: { ...third.summary.models.m!, usage: { ...third.summary.models.m!.usage, requests: 45 }, samples: { ...third.summary.models.m!.samples, resumed: 0 }, reliability: fresh.summary.models.m!.reliability } } } } }, true)).toEqual(
      figures({ ...fresh.summary, tasks: { sums: { models: { m: fresh.summary.models.m! } } }, cost: { ...fresh.summary.cost!, attempts_usd: third.summary.cost!.attempts_usd } }, true),
    );
  });

  it("the snapshot of a stopped session covers what it recorded; the rerun completes it", async () => {
    const stopped = await session(join(dir, "store"), docs(0, 30), { stopAfter: 8 });
    expect(stopped.summary.stopped).toBe("interrupted");
    const recorded = stopped.summary.models.m!.samples.ok;
    expect(recorded).toBeLessThan(30);
    const { snap, plain } = await both(docs(0, 30));
    expect(snap.reread).toBe(0);
    expect(snap.deferred).toBe(recorded);
    expect(snap.summary.models.m!.samples).toMatchObject({ total: 30, resumed: recorded });
    expect(figures(snap.summary, true)).toEqual(figures(plain.summary, true));
  });

  it("a damaged or foreign snapshot is ignored: the rerun folds each record, as without one", async () => {
    await session(join(dir, "store"), docs(0, 20));
    const plain = await session(join(dir, "store"), docs(0, 20), { snapshot: false });
    const damaged = [
      "not a snapshot",
      { v: 1, identity: "[]", seqs: "////", summary: { accs: [] }, cost: {} },
      { v: 1, identity: JSON.stringify([["sums", [["exact_match", "mean"]]]]), seqs: "////////", summary: { accs: [["sums", "m", { counts: [1] }]] }, cost: {} },
    ];
    for (const value of damaged) {
      const hurt = await session(join(dir, "store"), docs(0, 20), { prepare: (run) => run.saveSnapshot(value) });
      expect(hurt.deferred).toBe(0);
      expect(figures(hurt.summary)).toEqual(figures(plain.summary));
    }
  });

  it("a snapshot naming records this rerun does not resume is not merged", async () => {
    await session(join(dir, "store"), docs(0, 20));
    // The valid snapshot, saying it also covers a record that does not exist (number 40).
    const s = await CheckpointStore.open(join(dir, "store"));
    const saved = (await s.run("r").readSnapshot()) as { seqs: string };
    const bits = Buffer.alloc(8, 0);
    Buffer.from(saved.seqs, "base64").copy(bits);
    bits[5] = (bits[5] ?? 0) | 1;
    await s.run("r").saveSnapshot({ ...saved, seqs: bits.toString("base64") });
    await s.close();
    const { snap, plain } = await both(docs(0, 20));
    expect(snap.reread).toBe(20);
    expect(figures(snap.summary)).toEqual(figures(plain.summary));
  });
});
