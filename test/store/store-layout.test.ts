import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Level } from "level";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CheckpointStore, LEVELDB_DIR, RECORDS_DIR } from "../../src/store/checkpoint-store.js";
import { beginRun } from "../../src/store/run-session.js";
import { type ResultLine, workKeyString } from "../../src/types.js";

/** Store layouts (src/store/done-part.ts): 2 keeps records in the order they are made, 1 (older stores) under work keys. */
const line = (id: string, response = "r"): ResultLine => ({ id, task: "t", model: "m", repeat: 0, status: "ok", input: `q ${id}`, response, scores: { acc: 1 } });
const key = (id: string) => workKeyString({ task: "t", id, model: "m", repeat: 0 });

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "streameval-layout-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The parts of run `r` as LevelDB holds them, read with the store closed: [key, text] pairs. */
async function raw(part: "r" | "i" | "d", run = "r"): Promise<[string, string][]> {
  const db = new Level<string, string>(join(dir, part === "r" ? RECORDS_DIR : LEVELDB_DIR), { valueEncoding: "utf8" });
  try {
    return await db.sublevel<string, string>(`run:${run}`, { valueEncoding: "utf8" }).sublevel<string, string>(part, { valueEncoding: "utf8" }).iterator().all();
  } finally {
    await db.close();
  }
}

async function results(store: CheckpointStore, run = "r"): Promise<ResultLine[]> {
  const out: ResultLine[] = [];
  for await (const l of store.run(run).results()) out.push(l);
  return out;
}

describe("store layout 2", () => {
  it("keeps done records in the order they are made, in a LevelDB of their own, with a work-key index", async () => {
    const store = await CheckpointStore.open(dir);
    const run = store.run("r");
    expect(await run.layout()).toBe(2);
    for (const id of ["c", "a", "b"]) await run.record(line(id));
    await run.record({ ...line("e"), status: "error", error: { type: "timeout", message: "slow", attempts: 1 } });
    expect(await run.lookup([key("a"), key("b"), key("c"), key("e"), key("z")])).toEqual([line("a"), line("b"), line("c"), undefined, undefined]);
    expect(await run.counts()).toEqual({ ok: 3, error: 1 });
    await store.close();
    const records = await raw("r");
    expect(records.map(([, text]) => (JSON.parse(text) as ResultLine).id)).toEqual(["c", "a", "b"]);
    expect(records.map(([seq]) => seq)).toEqual([...records.map(([seq]) => seq)].sort());
    const index = await raw("i");
    expect(index.map(([k]) => k)).toEqual([key("a"), key("b"), key("c")]);
    expect(index.map(([, seq]) => seq)).toEqual([records[1]![0], records[2]![0], records[0]![0]]);
    expect(await raw("d")).toEqual([]);
    // Export reads them in work-key order, as layout 1 did.
    const again = await CheckpointStore.open(dir, { create: false });
    expect((await results(again)).map((l) => l.id)).toEqual(["a", "b", "c", "e"]);
    await again.close();
  });

  it("a key recorded again replaces its record, in another session too: the old one is deleted", async () => {
    let store = await CheckpointStore.open(dir);
    await store.run("r").record(line("a", "first"));
    await Promise.all([store.run("r").record(line("b", "one")), store.run("r").record(line("b", "two"))]);
    await store.close();
    store = await CheckpointStore.open(dir);
    await store.run("r").record(line("a", "second"));
    expect(await store.run("r").counts()).toEqual({ ok: 2, error: 0 });
    expect(await results(store)).toEqual([line("a", "second"), line("b", "two")]);
    await store.close();
    expect((await raw("r")).map(([, text]) => (JSON.parse(text) as ResultLine).response)).toEqual(["two", "second"]);
  });

  it("prunes records from both LevelDBs, and clear deletes a run's records in both", async () => {
    let now = 1000;
    const store = await CheckpointStore.open(dir, { timeIndex: true, now: () => now });
    const run = store.run("r");
    await run.record(line("a"));
    now = 2000;
    await run.record(line("b"));
    await store.run("other").record(line("a"));
    expect(await run.prune({ maxCount: 1 })).toEqual({ pruned: 1, more: false });
    expect(await run.lookup([key("a"), key("b")])).toEqual([undefined, line("b")]);
    await store.close();
    expect((await raw("r")).map(([, text]) => (JSON.parse(text) as ResultLine).id)).toEqual(["b"]);
    const again = await CheckpointStore.open(dir);
    await again.run("r").clear();
    await again.close();
    expect(await raw("r")).toEqual([]);
    expect(await raw("i")).toEqual([]);
    expect(await raw("r", "other")).toHaveLength(1);
  });

  it("a record nothing refers to (a crash between the records' batch and the index's) is not seen, and later ones go past it", async () => {
    let store = await CheckpointStore.open(dir);
    await store.run("r").record(line("a"));
    await store.close();
    const db = new Level<string, string>(join(dir, RECORDS_DIR), { valueEncoding: "utf8" });
    await db.sublevel<string, string>("run:r", { valueEncoding: "utf8" }).sublevel<string, string>("r", { valueEncoding: "utf8" }).put("00000002", JSON.stringify(line("orphan")));
    await db.close();
    store = await CheckpointStore.open(dir);
    expect(await store.run("r").lookup([key("a"), key("orphan")])).toEqual([line("a"), undefined]);
    await store.run("r").record(line("b"));
    expect(await store.run("r").counts()).toEqual({ ok: 2, error: 0 });
    expect(await results(store)).toEqual([line("a"), line("b")]);
    await store.close();
    expect((await raw("i")).map(([, seq]) => seq)).toEqual(["00000001", "00000003"]);
  });

  it("loses no record a process was told is durable when it is killed with -9 mid-run", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "-e", `
      const { CheckpointStore } = await import(${JSON.stringify(new URL("../../src/store/checkpoint-store.ts", import.meta.url).pathname)});
      const store = await CheckpointStore.open(${JSON.stringify(dir)}, { syncIntervalMs: 60000 });
      const run = store.run("r");
      for (let i = 0; ; i += 8) {
        await Promise.all(Array.from({ length: 8 }, (_, j) => run.record({ id: "s" + (i + j), task: "t", model: "m", repeat: 0, status: "ok", input: "q", response: "x".repeat(500) })));
        process.stdout.write(i + 8 + "\\n");
      }`], { stdio: ["ignore", "pipe", "inherit"] });
    let acknowledged = 0;
    await new Promise<void>((resolve) =>
      child.stdout.on("data", (d: Buffer) => {
        acknowledged = Math.max(acknowledged, ...d.toString().trim().split("\n").map(Number));
        if (acknowledged >= 2000) resolve();
      }),
    );
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    const store = await CheckpointStore.open(dir);
    const keys = Array.from({ length: acknowledged }, (_, i) => key(`s${i}`));
    const found = await store.run("r").lookup(keys);
    expect(found.filter((l) => l?.response === "x".repeat(500))).toHaveLength(acknowledged);
    const { ok } = await store.run("r").counts();
    expect(ok).toBeGreaterThanOrEqual(acknowledged);
    expect(new Set((await results(store)).map((l) => l.id)).size).toBe(ok);
    await store.close();
  });
});

describe("store layout 1 (stores written before layout 2)", () => {
  async function writeLayout1(lines: ResultLine[]): Promise<void> {
    const db = new Level<string, unknown>(join(dir, LEVELDB_DIR), { valueEncoding: "json" });
    const done = db.sublevel<string, unknown>("run:r", { valueEncoding: "json" }).sublevel<string, ResultLine>("d", { valueEncoding: "json" });
    await done.batch(lines.map((l) => ({ type: "put" as const, key: workKeyString(l), value: l })));
    await db.close();
  }

  it("a run with records in part d keeps layout 1: lookups, new records, counts, export and its metadata; clear starts it in layout 2", async () => {
    await writeLayout1([line("a"), line("b")]);
    const store = await CheckpointStore.open(dir);
    const run = store.run("r");
    expect(await run.layout()).toBe(1);
    expect(await run.lookup([key("a"), key("b"), key("c")])).toEqual([line("a"), line("b"), undefined]);
    const session = await beginRun(store, { run: "r", identity: { tasks: {}, models: ["m"], endpoint: null, repeats: null }, tasks: [], models: ["m"] });
    expect((await run.meta())?.store_layout).toBe(1);
    await run.record(line("c"));
    await run.record(line("a", "again"));
    expect(await run.counts()).toEqual({ ok: 3, error: 0 });
    expect(await results(store)).toEqual([line("a", "again"), line("b"), line("c")]);
    await session.store.flush();
    await store.close();
    expect((await raw("d")).map(([k]) => k)).toEqual([key("a"), key("b"), key("c")]);
    expect(await raw("r")).toEqual([]);

    const again = await CheckpointStore.open(dir);
    await beginRun(again, { run: "r", identity: { tasks: {}, models: ["m"], endpoint: null, repeats: null }, tasks: [], models: ["m"], fresh: true });
    expect((await again.run("r").meta())?.store_layout).toBe(2);
    await again.run("r").record(line("d"));
    await again.close();
    expect(await raw("d")).toEqual([]);
    expect(await raw("r")).toHaveLength(1);
  });
});
