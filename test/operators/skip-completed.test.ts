import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { firstValueFrom, from, lastValueFrom, NEVER, concat, Subject, throwError, toArray } from "rxjs";
import { describe, expect, it } from "vitest";
import type { EvalEvent } from "../../src/events.js";
import { type CompletedLookup, skipCompleted } from "../../src/operators/skip-completed.js";
import type { WorkItem } from "../../src/work/work-item.js";
import { CheckpointStore } from "../../src/store/checkpoint-store.js";
import { type ResultLine, workKeyString } from "../../src/types.js";

const doneCalls: string[] = [];
const item = (id: string): WorkItem =>
  ({ key: { task: "t", id, model: "m", repeat: 0 }, sample: {}, task: {}, prepared: { input: "", target: "" }, done: () => doneCalls.push(id) }) as unknown as WorkItem;
const line = (id: string): ResultLine => ({ id, task: "t", model: "m", repeat: 0, status: "ok", input: "", scores: { acc: 1 } });

/** An in-memory lookup that counts its calls (the RunStore test below uses LevelDB). */
function memory(ids: string[]) {
  const stored = new Map(ids.map((id) => [workKeyString(line(id)), line(id)]));
  const calls: number[] = [];
  const store: CompletedLookup = { lookup: async (keys) => (calls.push(keys.length), keys.map((k) => stored.get(k))) };
  return { store, calls };
}

async function runThrough(ids: string[], recorded: string[], maxBatch?: number) {
  doneCalls.length = 0;
  const { store, calls } = memory(recorded);
  const events: EvalEvent[] = [];
  const out = await lastValueFrom(from(ids.map(item)).pipe(skipCompleted({ store, onResumed: (_w, line) => events.push({ type: "result", line, resumed: true }), maxBatch }), toArray()));
  return { passed: out.map((w) => w.key.id), events, calls };
}

describe("skipCompleted", () => {
  it("completes empty for an empty source, without a lookup", async () => {
    expect(await runThrough([], [])).toEqual({ passed: [], events: [], calls: [] });
  });

  it("passes unrecorded items on, in order, and leaves their done to the pipeline", async () => {
    const r = await runThrough(["a", "b", "c"], []);
    expect(r.passed).toEqual(["a", "b", "c"]);
    expect(r.events).toEqual([]);
    expect(doneCalls).toEqual([]);
  });

  it("tells onLookup how many keys of each lookup were done", async () => {
    const { store } = memory(["a", "c"]);
    const told: [number, number][] = [];
    await lastValueFrom(from(["a", "b", "c"].map(item)).pipe(skipCompleted({ store, onResumed: () => {}, maxBatch: 2, onLookup: (done, keys) => told.push([done, keys]) }), toArray()));
    expect(told).toEqual([[1, 2], [1, 1]]);
  });

  it("drops recorded items: emits their stored result as resumed and calls done", async () => {
    const r = await runThrough(["a", "b", "c", "d"], ["b", "d"]);
    expect(r.passed).toEqual(["a", "c"]);
    expect(r.events).toEqual([
      { type: "result", line: line("b"), resumed: true },
      { type: "result", line: line("d"), resumed: true },
    ]);
    expect(doneCalls).toEqual(["b", "d"]);
  });

  it("looks up the items of one tick together, in batches of maxBatch", async () => {
    expect((await runThrough(["a", "b", "c", "d", "e"], ["a"])).calls).toEqual([5]);
    expect((await runThrough(["a", "b", "c", "d", "e"], ["a"], 2)).calls).toEqual([2, 2, 1]);
  });

  it("items arriving in later ticks get their own lookups, and completion waits for the last", async () => {
    const { store, calls } = memory(["b"]);
    const src = new Subject<WorkItem>();
    const events: EvalEvent[] = [];
    const out = lastValueFrom(src.pipe(skipCompleted({ store, onResumed: (_w, line) => events.push({ type: "result", line, resumed: true }) }), toArray()));
    src.next(item("a"));
    await new Promise((r) => setImmediate(r));
    src.next(item("b"));
    src.complete();
    expect((await out).map((w) => w.key.id)).toEqual(["a"]);
    expect(events).toHaveLength(1);
    expect(calls).toEqual([1, 1]);
  });

  it("passes a source error on", async () => {
    const { store } = memory([]);
    await expect(lastValueFrom(throwError(() => new Error("source broke")).pipe(skipCompleted({ store, onResumed: () => {} })))).rejects.toThrow("source broke");
  });

  it("errors when the store fails a lookup", async () => {
    const store: CompletedLookup = { lookup: async () => { throw new Error("store closed"); } };
    await expect(lastValueFrom(from([item("a")]).pipe(skipCompleted({ store, onResumed: () => {} })))).rejects.toThrow("store closed");
  });

  it("errors when onResumed throws", async () => {
    const { store } = memory(["a"]);
    const onResumed = () => { throw new Error("listener broke"); };
    await expect(lastValueFrom(from([item("a")]).pipe(skipCompleted({ store, onResumed })))).rejects.toThrow("listener broke");
  });

  it("never completes for a never-ending source, and drops answers after unsubscribe", async () => {
    const { store } = memory(["a"]);
    const events: EvalEvent[] = [];
    let completed = false;
    const sub = concat(from([item("a"), item("b")]), NEVER).pipe(skipCompleted({ store, onResumed: (_w, line) => events.push({ type: "result", line, resumed: true }) })).subscribe({ complete: () => (completed = true) });
    sub.unsubscribe();
    await new Promise((r) => setImmediate(r));
    expect(events).toEqual([]);
    expect(completed).toBe(false);
  });

  it("works on a real RunStore", async () => {
    const dir = await mkdtemp(join(tmpdir(), "streameval-skip-"));
    const store = await CheckpointStore.open(dir);
    try {
      const run = store.run("r");
      await run.record(line("x"));
      const events: EvalEvent[] = [];
      const first = await firstValueFrom(from([item("x"), item("y")]).pipe(skipCompleted({ store: run, onResumed: (_w, line) => events.push({ type: "result", line, resumed: true }) })));
      expect(first.key.id).toBe("y");
      expect(events).toEqual([{ type: "result", line: line("x"), resumed: true }]);
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("validates its options when called", () => {
    const { store } = memory([]);
    expect(() => skipCompleted({ store: {} as CompletedLookup, onResumed: () => {} })).toThrow("Expected `store` to have a lookup(keys) method");
    expect(() => skipCompleted({ store, onResumed: undefined as never })).toThrow("Expected `onResumed` to be a function");
    expect(() => skipCompleted({ store, onResumed: () => {}, maxBatch: 0 })).toThrow("Expected `maxBatch` to be an integer >= 1, got 0");
  });
});
