import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CheckpointStore } from "../../src/store/checkpoint-store.js";
import { type RetentionTimer, startRetention } from "../../src/store/retention.js";
import type { RunStore } from "../../src/store/run-store.js";
import { type ResultLine, workKeyString } from "../../src/types.js";

const line = (id: string, status: "ok" | "error" = "ok"): ResultLine => ({
  id, task: "t", model: "m", repeat: 0, status, input: `q ${id}`,
  ...(status === "ok" ? { response: "r", scores: { acc: 1 } } : { error: { type: "timeout", message: "slow", attempts: 3 } }),
});
const key = (id: string) => workKeyString({ task: "t", id, model: "m", repeat: 0 });

let dir: string;
/** The virtual wall clock every store of a test reads. */
let now = 0;
const clock = () => now;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "streameval-retain-"));
  now = 1_700_000_000_000;
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const open = () => CheckpointStore.open(dir, { timeIndex: true, now: clock });
/** Records `ids` one after another, the clock at `at` (ms after the test's start). */
async function recordAt(run: RunStore, at: number, ...ids: string[]) {
  now = 1_700_000_000_000 + at;
  for (const id of ids) await run.record(id.endsWith("!") ? line(id.slice(0, -1), "error") : line(id));
}
async function ids(run: RunStore): Promise<string[]> {
  const out: string[] = [];
  for await (const l of run.results()) out.push(`${l.id}:${l.status}`);
  return out;
}

describe("RunStore.prune (--retain)", () => {
  it("by age: deletes done, error and conversation records recorded before now − maxAge, keeps the rest", async () => {
    const store = await open();
    const run = store.run("r");
    await recordAt(run, 0, "a", "b!");
    await run.conversations().saveTurn({ task: "t", id: "a", model: "m", repeat: 0 }, [{ turn: 0 } as never]);
    await recordAt(run, 1000, "c");
    await recordAt(run, 5000, "d", "e!");
    now = 1_700_000_000_000 + 5500;
    expect(await run.prune({ maxAgeMs: 4500 })).toEqual({ pruned: 2, more: false }); // a, b (at 0 < 1000)
    expect(await ids(run)).toEqual(["c:ok", "d:ok", "e:error"]);
    expect(await run.conversations().load({ task: "t", id: "a", model: "m", repeat: 0 })).toBeUndefined();
    expect(await run.prune({ maxAgeMs: 2000 })).toEqual({ pruned: 1, more: false }); // c
    expect(await run.counts()).toEqual({ ok: 1, error: 1 });
    expect(await run.prune({ maxAgeMs: 2000 })).toEqual({ pruned: 0, more: false });
    await store.close();
  });

  it("a key recorded again counts from its last record: an error retried to ok is not pruned by its old time", async () => {
    const store = await open();
    const run = store.run("r");
    await recordAt(run, 0, "a!", "b");
    await recordAt(run, 3000, "a");
    now = 1_700_000_000_000 + 4000;
    expect(await run.prune({ maxAgeMs: 2000 })).toEqual({ pruned: 1, more: false });
    expect(await ids(run)).toEqual(["a:ok"]);
    await store.close();
  });

  it("by count: keeps the newest N, in steps of at most maxDeletes, and goes on counting new records", async () => {
    const store = await open();
    const run = store.run("r");
    for (let i = 0; i < 5; i++) await recordAt(run, i * 10, `k${i}`);
    expect(await run.prune({ maxCount: 2 }, { maxDeletes: 2 })).toEqual({ pruned: 2, more: true });
    expect(await run.prune({ maxCount: 2 }, { maxDeletes: 2 })).toEqual({ pruned: 1, more: false });
    expect(await ids(run)).toEqual(["k3:ok", "k4:ok"]);
    await recordAt(run, 100, "k5", "k3"); // k3 again: moves, is not a new record
    expect(await run.prune({ maxCount: 2 })).toEqual({ pruned: 1, more: false });
    expect(await ids(run)).toEqual(["k3:ok", "k5:ok"]);
    await store.close();
  });

  it("across a restart: the count is read back, pruned keys are gone from lookups and kept ones are found", async () => {
    let store = await open();
    let run = store.run("r");
    for (let i = 0; i < 4; i++) await recordAt(run, i, `k${i}`);
    await store.close();
    store = await open();
    run = store.run("r");
    expect(await run.lookup([key("k0"), key("k3")])).toEqual([line("k0"), line("k3")]);
    expect(await run.prune({ maxCount: 3 })).toEqual({ pruned: 1, more: false });
    // The lookup snapshot was renewed by the prune: k0 is no longer found.
    expect(await run.lookup([key("k0"), key("k1"), key("k3")])).toEqual([undefined, line("k1"), line("k3")]);
    await store.close();
  });

  it("needs the timeIndex option and validates maxDeletes", async () => {
    const store = await CheckpointStore.open(dir);
    await expect(store.run("r").prune({ maxCount: 1 })).rejects.toThrow("prune needs a store opened with the `timeIndex` option");
    await store.close();
    const indexed = await open();
    await expect(indexed.run("r").prune({ maxCount: 1 }, { maxDeletes: 0 })).rejects.toThrow("Expected `maxDeletes` to be an integer >= 1, got 0");
    await indexed.close();
  });
});

/** A virtual timer queue: `fire()` runs the due timer, as the clock would. */
function virtualTimers() {
  const pending: { fn: () => void; ms: number; cleared: boolean }[] = [];
  const setTimer: RetentionTimer = (fn, ms) => {
    const t = { fn, ms, cleared: false };
    pending.push(t);
    return { clear: () => void (t.cleared = true) };
  };
  const next = () => pending.filter((t) => !t.cleared);
  const fire = () => {
    const t = next()[0]!;
    pending.splice(pending.indexOf(t), 1);
    t.fn();
  };
  /** Resolves once the loop has scheduled its next prune (the one before has ended). */
  const scheduled = async () => {
    while (next().length === 0) await new Promise((r) => setImmediate(r));
  };
  return { setTimer, next, fire, scheduled };
}

describe("startRetention", () => {
  it("prunes at once, again without waiting while more are due, then every everyMs; stop cancels the next", async () => {
    const store = await open();
    const run = store.run("r");
    for (let i = 0; i < 5; i++) await recordAt(run, i, `k${i}`);
    const timers = virtualTimers();
    const loop = await startRetention({ store: run, rule: { maxCount: 1 }, maxDeletes: 3, everyMs: 60_000, setTimer: timers.setTimer });
    // The first step is done when startRetention resolves.
    expect(await ids(run)).toEqual(["k3:ok", "k4:ok"]);
    expect(timers.next().map((t) => t.ms)).toEqual([0]);
    timers.fire();
    await timers.scheduled();
    expect(await ids(run)).toEqual(["k4:ok"]);
    expect(timers.next().map((t) => t.ms)).toEqual([60_000]);
    await recordAt(run, 100, "k5");
    timers.fire();
    await timers.scheduled();
    expect(await ids(run)).toEqual(["k5:ok"]);
    await loop.stop();
    expect(timers.next()).toEqual([]);
    await store.close();
  });

  it("reports a failed prune and tries again at the next period", async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const timers = virtualTimers();
    const loop = await startRetention({
      store: { prune: async () => (++calls === 1 ? Promise.reject(new Error("disk")) : { pruned: 0, more: false }) },
      rule: { maxAgeMs: 1000 },
      everyMs: 5000,
      setTimer: timers.setTimer,
      onError: (e) => errors.push(e),
    });
    await timers.scheduled();
    expect(errors.map((e) => (e as Error).message)).toEqual(["disk"]);
    expect(timers.next().map((t) => t.ms)).toEqual([5000]);
    timers.fire();
    await timers.scheduled();
    expect(calls).toBe(2);
    await loop.stop();
    await expect(startRetention({ store: { prune: async () => ({ pruned: 0, more: false }) }, rule: { maxCount: 1 }, everyMs: 0 })).rejects.toThrow("Expected `everyMs` to be a number > 0, got 0");
  });
});
