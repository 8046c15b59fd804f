import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { Level } from "level";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CheckpointStore } from "../../src/store/checkpoint-store.js";
import type { RunStore } from "../../src/store/run-store.js";
import type { ResultLine } from "../../src/types.js";

const line = (id: string, status: "ok" | "error" = "ok"): ResultLine => ({
  id, task: "t", model: "m", repeat: 0, status, input: `q ${id}`,
  ...(status === "ok" ? { response: "r", scores: { acc: 1 } } : { error: { type: "timeout", message: "slow", attempts: 3 } }),
});

/** The counts as a scan of the run's records finds them (results() reads the done part, then the errors). */
async function scanned(run: RunStore): Promise<{ ok: number; error: number }> {
  const counts = { ok: 0, error: 0 };
  for await (const l of run.results()) counts[l.status === "ok" ? "ok" : "error"]++;
  return counts;
}

/** Records each batch's lines in one tick, so they go to LevelDB in one batch. */
async function recordBatches(run: RunStore, batches: readonly (readonly ResultLine[])[]): Promise<void> {
  for (const batch of batches) await Promise.all(batch.map((l) => run.record(l)));
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "streameval-counts-"));
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

describe("RunStore counts", () => {
  it("counts a new run as it records, so its end reads no records", async () => {
    const store = await CheckpointStore.open(dir);
    const run = store.run("r");
    await recordBatches(run, [[line("a"), line("b", "error")], [line("c"), line("b")]]);
    const reads = vi.spyOn(Level.prototype, "keys");
    expect(await run.counts()).toEqual({ ok: 3, error: 0 });
    expect(reads).not.toHaveBeenCalled();
    await store.close();
  });

  it("scans a run that had records when the session began, and one past maxCountedKeys", async () => {
    let store = await CheckpointStore.open(dir);
    await recordBatches(store.run("r"), [[line("a"), line("b", "error")]]);
    await store.close();
    store = await CheckpointStore.open(dir, { maxCountedKeys: 2 });
    const resumed = store.run("r");
    const fresh = store.run("s");
    await recordBatches(resumed, [[line("b"), line("c")]]);
    await recordBatches(fresh, [[line("a"), line("b")], [line("c")]]);
    const reads = vi.spyOn(Level.prototype, "keys");
    expect(await resumed.counts()).toEqual({ ok: 3, error: 0 });
    expect(reads).toHaveBeenCalled();
    reads.mockClear();
    expect(await fresh.counts()).toEqual({ ok: 3, error: 0 });
    expect(reads).toHaveBeenCalled();
    await store.close();
  });

  it("scans a resumed run once while nothing is recorded between two counts (its start and its end), again after a record", async () => {
    let store = await CheckpointStore.open(dir);
    await recordBatches(store.run("r"), [[line("a"), line("b", "error")]]);
    await store.close();
    store = await CheckpointStore.open(dir);
    const run = store.run("r");
    const reads = vi.spyOn(Level.prototype, "keys");
    expect(await run.counts()).toEqual({ ok: 1, error: 1 });
    expect(reads).toHaveBeenCalled();
    reads.mockClear();
    expect(await run.counts()).toEqual({ ok: 1, error: 1 });
    expect(reads).not.toHaveBeenCalled();
    await recordBatches(run, [[line("b"), line("c")]]);
    expect(await run.counts()).toEqual({ ok: 3, error: 0 });
    expect(reads).toHaveBeenCalled();
    await store.close();
  });

  it("counts exactly what a scan finds: repeated keys within and across batches, errors retried, a clear, a reopen (property)", async () => {
    const lines = fc.array(fc.record({ id: fc.constantFrom("a", "b", "c", "d"), status: fc.constantFrom("ok" as const, "error" as const) }), { minLength: 1, maxLength: 5 });
    await fc.assert(
      fc.asyncProperty(fc.array(lines, { maxLength: 3 }), fc.array(lines, { minLength: 1, maxLength: 6 }), fc.boolean(), async (before, during, clear) => {
        const at = await mkdtemp(join(dir, "p-"));
        let store = await CheckpointStore.open(at);
        await recordBatches(store.run("r"), before.map((b) => b.map((l) => line(l.id, l.status))));
        await store.close();
        store = await CheckpointStore.open(at, { maxBatch: 3 });
        const run = store.run("r");
        // Counted at the start too, as a resumed run is: the count at its end must not be that one's.
        if (clear) await run.clear();
        else expect(await run.counts()).toEqual(await scanned(run));
        await recordBatches(run, during.map((b) => b.map((l) => line(l.id, l.status))));
        expect(await run.counts()).toEqual(await scanned(run));
        await store.close();
      }),
      { numRuns: 25 },
    );
  });
});
