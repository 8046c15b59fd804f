import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isStoreLockedError, StoreLockedError } from "../../src/errors/store-locked-error.js";
import { CheckpointStore } from "../../src/store/checkpoint-store.js";
import type { RunMeta } from "../../src/store/run-meta.js";
import { encodeName } from "../../src/store/run-store.js";
import { type ResultLine, workKeyString } from "../../src/types.js";

const line = (id: string, status: "ok" | "error" = "ok", model = "m"): ResultLine => ({
  id, task: "t", model, repeat: 0, status, input: `q ${id}`,
  ...(status === "ok" ? { response: "r", scores: { acc: 1 } } : { error: { type: "timeout", message: "slow", attempts: 3 } }),
});
const key = (id: string, model = "m") => workKeyString({ task: "t", id, model, repeat: 0 });
const meta = (run: string): RunMeta => ({
  run, identity: { tasks: { t: "abc" }, models: ["m"], endpoint: null, repeats: null }, tasks: [{ name: "t", aggregations: { acc: "mean" } }],
  models: ["m"], options: {}, created_at: "2025-01-01T00:00:00.000Z", started_at: "2025-01-01T00:00:00.000Z", ended_at: null,
  sessions: 1, status: "running", counts: { ok: 0, error: 0 },
});

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "streameval-store-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("CheckpointStore", () => {
  it("records ok lines as done and error lines as errors; an ok later clears the error", async () => {
    const store = await CheckpointStore.open(dir);
    const run = store.run("r1");
    await Promise.all([run.record(line("a")), run.record(line("b", "error")), run.record(line("c", "error"))]);
    expect(await run.lookup([key("a"), key("b"), key("zz")])).toEqual([line("a"), undefined, undefined]);
    expect(await run.counts()).toEqual({ ok: 1, error: 2 });
    await run.record(line("b"));
    expect(await run.counts()).toEqual({ ok: 2, error: 1 });
    const all: ResultLine[] = [];
    for await (const l of run.results()) all.push(l);
    expect(all.map((l) => `${l.id}:${l.status}`)).toEqual(["a:ok", "b:ok", "c:error"]);
    await store.close();
  });

  it("counts more records than one read of keys holds (a thousand), each part apart and other runs left out", async () => {
    const store = await CheckpointStore.open(dir);
    const run = store.run("r");
    await Promise.all(Array.from({ length: 2500 }, (_, i) => run.record(line(`s${i}`, i % 500 === 0 ? "error" : "ok"))));
    await store.run("other").record(line("x"));
    expect(await run.counts()).toEqual({ ok: 2495, error: 5 });
    await store.close();
  });

  it("an ok result clears an error recorded by an earlier process", async () => {
    let store = await CheckpointStore.open(dir);
    await store.run("r").record(line("a", "error"));
    await store.close();
    store = await CheckpointStore.open(dir);
    await store.run("r").record(line("a"));
    expect(await store.run("r").counts()).toEqual({ ok: 1, error: 0 });
    await store.close();
  });

  it("lookups see the run as it stood at the first lookup, so this session's records are not skipped", async () => {
    const store = await CheckpointStore.open(dir);
    const empty = store.run("new");
    expect(await empty.lookup([key("a")])).toEqual([undefined]);
    await empty.record(line("a"));
    // a new run stays new for this session: a duplicate id is evaluated again, as without a store
    expect(await empty.lookup([key("a")])).toEqual([undefined]);
    const run = store.run("old");
    await run.record(line("a"));
    expect(await run.lookup([key("a"), key("b")])).toEqual([line("a"), undefined]);
    await run.record(line("b"));
    expect(await run.lookup([key("b")])).toEqual([undefined]);
    await run.close();
    expect(await run.lookup([key("b")])).toEqual([line("b")]);
    expect(await empty.lookup([])).toEqual([]);
    await store.close();
  });

  it("keeps records and metadata across close and reopen, apart per run", async () => {
    let store = await CheckpointStore.open(dir);
    await store.run("one").record(line("a"));
    await store.run("two words/é!").record(line("b"));
    await store.run("one").putMeta(meta("one"));
    await store.run("two words/é!").putMeta(meta("two words/é!"));
    await store.close();
    store = await CheckpointStore.open(dir, { create: false });
    expect(await store.run("one").lookup([key("a"), key("b")])).toEqual([line("a"), undefined]);
    expect(await store.run("two words/é!").lookup([key("a"), key("b")])).toEqual([undefined, line("b")]);
    expect((await store.listRuns()).map((m) => m.run)).toEqual(["one", "two words/é!"]);
    expect((await store.getMeta("one"))?.status).toBe("running");
    expect(await store.getMeta("nope")).toBeUndefined();
    await store.close();
  });

  it("clear deletes a run's records and metadata, and no other run's", async () => {
    const store = await CheckpointStore.open(dir);
    const a = store.run("a");
    const ab = store.run("ab");
    await a.record(line("x"));
    await a.record(line("y", "error"));
    await a.putMeta(meta("a"));
    await ab.record(line("x"));
    await a.clear();
    expect(await a.counts()).toEqual({ ok: 0, error: 0 });
    expect(await a.meta()).toBeUndefined();
    expect(await ab.counts()).toEqual({ ok: 1, error: 0 });
    await store.close();
  });

  it("a second open of the same store fails with a clear error naming the holder", async () => {
    const store = await CheckpointStore.open(dir, { owner: { command: "run", run: "r1" } });
    const second = CheckpointStore.open(dir);
    await expect(second).rejects.toBeInstanceOf(StoreLockedError);
    await expect(second).rejects.toThrow(`the store ${dir} is in use by process ${process.pid} (run --run r1) since`);
    await store.close();
    const again = await CheckpointStore.open(dir);
    await again.close();
  });

  it("open with create false refuses a folder with no store, and close removes the owner file", async () => {
    await expect(CheckpointStore.open(join(dir, "none"), { create: false })).rejects.toThrow(`key \`--store\`: no store at ${join(dir, "none")}`);
    const store = await CheckpointStore.open(dir);
    expect(JSON.parse(await readFile(join(dir, "owner.json"), "utf8")).pid).toBe(process.pid);
    await store.close();
    await expect(readFile(join(dir, "owner.json"))).rejects.toThrow();
  });

  it("another process holding the store gets the clear error; a record it made survives its kill -9", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "-e", `
      const { CheckpointStore } = await import(${JSON.stringify(new URL("../../src/store/checkpoint-store.ts", import.meta.url).pathname)});
      const store = await CheckpointStore.open(${JSON.stringify(dir)}, { owner: { command: "run", run: "other" }, syncIntervalMs: 60000 });
      const run = store.run("r");
      for (let i = 0; i < 50; i++) await run.record({ id: "s" + i, task: "t", model: "m", repeat: 0, status: "ok", input: "" });
      process.stdout.write("recorded\\n");
      setInterval(() => {}, 1000);`], { stdio: ["ignore", "pipe", "inherit"] });
    await new Promise<void>((resolve) => child.stdout.on("data", (d: Buffer) => d.toString().includes("recorded") && resolve()));
    const error: unknown = await CheckpointStore.open(dir).catch((e: unknown) => e);
    expect(isStoreLockedError(error)).toBe(true);
    expect((error as StoreLockedError).owner?.pid).toBe(child.pid);
    expect((error as Error).message).toContain(`process ${child.pid} (run --run other)`);
    // no close, no flush, no fsync: the kernel drops the lock and LevelDB's log has every record
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    const store = await CheckpointStore.open(dir);
    expect(await store.run("r").counts()).toEqual({ ok: 50, error: 0 });
    await store.close();
  });

  it("encodes run names into sublevel-safe names, one to one", () => {
    expect(encodeName("gsm8k-abc_1.2")).toBe("gsm8k-abc_1.2");
    expect(encodeName("a b!é")).toBe("a%20b%21%C3%A9");
    expect(encodeName("a%20b")).not.toBe(encodeName("a b"));
  });
});
