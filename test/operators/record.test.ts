import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EMPTY, from, lastValueFrom, NEVER, concat, throwError, toArray } from "rxjs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { record, type ResultRecorder } from "../../src/operators/record.js";
import type { CutOffCause, Outcome } from "../../src/work/work-item.js";
import { CheckpointStore } from "../../src/store/checkpoint-store.js";
import type { ResultLine } from "../../src/types.js";
import { workKeyHead, workKeyString, workKeyTail } from "../../src/types.js";
import fc from "fast-check";

const ok = (id: string): ResultLine => ({ id, task: "t", model: "m", repeat: 0, status: "ok", input: "", scores: { acc: 1 } });
const err = (id: string, type = "timeout"): ResultLine => ({ id, task: "t", model: "m", repeat: 0, status: "error", input: "", error: { type, message: "x", attempts: 1 } });
const outcome = (line: ResultLine) => ({ kind: "done", work: { key: line }, line }) as unknown as Outcome;
const cutOff = (line: ResultLine, cause: CutOffCause) => ({ kind: "cut-off", cause, work: { key: line }, line }) as unknown as Outcome;

let dir: string;
let store: CheckpointStore;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "streameval-record-"));
  store = await CheckpointStore.open(dir);
});
afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe("record", () => {
  it("completes empty for an empty source", async () => {
    expect(await lastValueFrom(EMPTY.pipe(record({ store: store.run("r") }), toArray()))).toEqual([]);
  });

  it("records ok lines as done and errors as not done, and passes every outcome on", async () => {
    const run = store.run("r");
    const out = await lastValueFrom(from([ok("a"), err("b"), ok("c")].map(outcome)).pipe(record({ store: run }), toArray()));
    expect(out.map((o) => o.line.id)).toEqual(["a", "b", "c"]);
    expect(await run.lookup(["a", "b", "c"].map((id) => workKeyString(ok(id))))).toEqual([ok("a"), undefined, ok("c")]);
    expect(await run.counts()).toEqual({ ok: 2, error: 1 });
  });

  it("passes an outcome on only after its write resolved", async () => {
    const log: string[] = [];
    let release = () => {};
    const slow: ResultRecorder = { record: (line) => new Promise<void>((r) => (release = () => (log.push(`written ${line.id}`), r()))) };
    const sub = from([outcome(ok("a"))]).pipe(record({ store: slow })).subscribe((o) => log.push(`emitted ${o.line.id}`));
    await new Promise((r) => setImmediate(r));
    expect(log).toEqual([]);
    release();
    await new Promise((r) => setImmediate(r));
    expect(log).toEqual(["written a", "emitted a"]);
    sub.unsubscribe();
  });

  it("does not record work cut off by an abort or refused by the budget", async () => {
    const run = store.run("r");
    const out = await lastValueFrom(from([cutOff(err("a", "aborted"), "aborted"), cutOff(err("b", "budget"), "budget")]).pipe(record({ store: run }), toArray()));
    expect(out).toHaveLength(2);
    expect(await run.counts()).toEqual({ ok: 0, error: 0 });
  });

  it("records an error line as an error whatever its type says: only the tag cuts work off", async () => {
    const run = store.run("r");
    await lastValueFrom(from([outcome(err("a", "aborted")), outcome(err("b", "budget"))]).pipe(record({ store: run }), toArray()));
    expect(await run.counts()).toEqual({ ok: 0, error: 2 });
  });

  it("errors when a write fails, and passes a source error on", async () => {
    const broken: ResultRecorder = { record: async () => { throw new Error("disk full"); } };
    await expect(lastValueFrom(from([outcome(ok("a"))]).pipe(record({ store: broken })))).rejects.toThrow("disk full");
    await expect(lastValueFrom(throwError(() => new Error("upstream")).pipe(record({ store: store.run("r") })))).rejects.toThrow("upstream");
  });

  it("does not complete while the source goes on", async () => {
    let completed = false;
    const seen: string[] = [];
    const sub = concat(from([outcome(ok("a"))]), NEVER).pipe(record({ store: store.run("r") })).subscribe({ next: (o) => seen.push(o.line.id), complete: () => (completed = true) });
    await store.run("r").flush();
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual(["a"]);
    expect(completed).toBe(false);
    sub.unsubscribe();
  });

  it("validates its options when called", () => {
    expect(() => record({ store: {} as ResultRecorder })).toThrow("Expected `store` to have a record(line) method");
  });
});

describe("workKeyHead / workKeyTail", () => {
  it("make workKeyString's string in parts, for any task, id, model and repeat", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), fc.nat(), (task, id, model, repeat) => {
        expect(workKeyHead(task) + JSON.stringify(id) + workKeyTail(model, repeat)).toBe(workKeyString({ task, id, model, repeat }));
      }),
    );
  });
});
