import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ClassicLevel } from "classic-level";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CheckpointStore } from "../../src/store/checkpoint-store.js";
import { runIdentity } from "../../src/store/run-meta.js";
import { beginRun, statusOf } from "../../src/store/run-session.js";
import type { Summary } from "../../src/summary/summary.js";

const identity = (text = "a", models = ["m"]) => runIdentity({ tasks: [{ name: "t", origin: { text } }], models });
const summary = { run: "r", stopped: null } as unknown as Summary;
let clockMs = Date.parse("2025-01-01T00:00:00Z");
const now = () => new Date((clockMs += 1000));
const opts = (over: Partial<Parameters<typeof beginRun>[1]> = {}) => ({
  run: "r", identity: identity(), tasks: [{ name: "t", aggregations: { acc: "mean" } }], models: ["m"], options: { concurrency: 4 }, now, ...over,
});

let dir: string;
let store: CheckpointStore;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "streameval-session-"));
  store = await CheckpointStore.open(dir);
});
afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe("beginRun", () => {
  it("marks a new run running, then finished with counts and summary", async () => {
    const s = await beginRun(store, opts());
    expect(s.previous).toBeUndefined();
    expect(s.warning).toBeUndefined();
    expect(await store.getMeta("r")).toMatchObject({ status: "running", sessions: 1, ended_at: null, options: { concurrency: 4 } });
    await s.store.record({ id: "a", task: "t", model: "m", repeat: 0, status: "ok", input: "" });
    await s.store.record({ id: "b", task: "t", model: "m", repeat: 0, status: "error", input: "", error: { type: "x", message: "", attempts: 1 } });
    await s.finish(summary);
    const meta = await store.getMeta("r");
    expect(meta).toMatchObject({ status: "incomplete", sessions: 1, counts: { ok: 1, error: 1 }, summary: { run: "r" } });
    expect(meta?.ended_at).not.toBeNull();
  });

  it("finish fsyncs each log once: the records go to the logs, the records' log is fsynced, and the metadata's synced write fsyncs the other with it", async () => {
    const s = await beginRun(store, opts());
    const ok = (id: string) => ({ id, task: "t", model: "m", repeat: 0, status: "ok" as const, input: "" });
    // The first commit is fsynced; the next, within the sync interval, is not.
    await s.store.record(ok("a"));
    await s.store.record(ok("b"));
    const batches = vi.spyOn(ClassicLevel.prototype as unknown as { _batch: (ops: unknown[], o: { sync?: boolean }) => Promise<void> }, "_batch");
    try {
      await s.finish(summary);
      await store.close();
      const synced = batches.mock.calls.flatMap(([, o], i) => (o?.sync ? [batches.mock.contexts[i]] : []));
      expect(synced).toHaveLength(2);
      expect(synced[0]).not.toBe(synced[1]);
    } finally {
      batches.mockRestore();
    }
    store = await CheckpointStore.open(dir);
    expect(await store.getMeta("r")).toMatchObject({ counts: { ok: 2, error: 0 } });
  });

  it("a resume of a run that ended takes its counts from the metadata it saved, reading no records; of one that crashed, counts them", async () => {
    const ok = (id: string) => ({ id, task: "t", model: "m", repeat: 0, status: "ok" as const, input: "" });
    const first = await beginRun(store, opts());
    await first.store.record(ok("a"));
    await first.store.record(ok("b"));
    await first.finish(summary);
    await store.close();
    store = await CheckpointStore.open(dir);
    const keys = vi.spyOn(ClassicLevel.prototype, "keys");
    try {
      const resumed = await beginRun(store, opts());
      expect(await resumed.store.counts()).toEqual({ ok: 2, error: 0 });
      await resumed.finish(summary);
      expect(keys).not.toHaveBeenCalled();
      // Crashed: left `running`, its saved counts are its start's. Counted afresh.
      const crashed = await beginRun(store, opts());
      await crashed.store.record(ok("c"));
      await store.close();
      store = await CheckpointStore.open(dir);
      const after = await beginRun(store, opts());
      expect(after.previous?.status).toBe("running");
      expect(await after.store.counts()).toEqual({ ok: 3, error: 0 });
      expect(keys).toHaveBeenCalled();
    } finally {
      keys.mockRestore();
    }
  });

  it("a resume counts a session, keeps created_at, and warns naming what changed", async () => {
    const first = await beginRun(store, opts());
    await first.finish({ ...summary, stopped: "interrupted" });
    const created = (await store.getMeta("r"))?.created_at;
    const same = await beginRun(store, opts());
    expect(same.previous?.status).toBe("interrupted");
    expect(same.changes).toEqual([]);
    const changed = await beginRun(store, opts({ identity: identity("b", ["m", "n"]) }));
    expect(changed.changes).toEqual(["task t's text changed", "models: m → m, n"]);
    expect(changed.warning).toBe(
      "run r was recorded with a different configuration (task t's text changed; models: m → m, n); its recorded results are kept and reused — pass --fresh to start it over",
    );
    const meta = await store.getMeta("r");
    expect(meta).toMatchObject({ sessions: 3, created_at: created, status: "running" });
    // the identity stays the one the records were made with, so the next resume warns again
    expect(meta?.identity).toEqual(identity());
  });

  it("fresh forgets the earlier records and metadata", async () => {
    const first = await beginRun(store, opts());
    await first.store.record({ id: "a", task: "t", model: "m", repeat: 0, status: "ok", input: "" });
    await first.finish(summary);
    const again = await beginRun(store, opts({ fresh: true, identity: identity("other") }));
    expect(again.previous).toBeUndefined();
    expect(again.warning).toBeUndefined();
    expect(await again.store.counts()).toEqual({ ok: 0, error: 0 });
    expect((await store.getMeta("r"))?.sessions).toBe(1);
  });
});

describe("statusOf", () => {
  it("maps the stop reason, then errors", () => {
    expect(statusOf({ stopped: null }, 0)).toBe("complete");
    expect(statusOf({ stopped: null }, 2)).toBe("incomplete");
    expect(statusOf({ stopped: "interrupted" }, 0)).toBe("interrupted");
    expect(statusOf({ stopped: "budget" }, 0)).toBe("budget");
    expect(statusOf({ stopped: "fatal" }, 0)).toBe("fatal");
  });
});
