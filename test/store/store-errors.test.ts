import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Level } from "level";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isStoreError, StoreError, storeProblemOf } from "../../src/errors/store-error.js";
import { CheckpointStore, LEVELDB_DIR } from "../../src/store/checkpoint-store.js";
import { jsonSublevel } from "../../src/store/json-sublevel.js";
import { RunStore } from "../../src/store/run-store.js";
import type { ResultLine } from "../../src/types.js";

const line = (id: string): ResultLine => ({ id, task: "t", model: "m", repeat: 0, status: "ok", input: id, response: "r", scores: { acc: 1 } });

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "store-errors-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Makes a store with one record, closed again. */
async function storeWithARecord(): Promise<void> {
  const store = await CheckpointStore.open(dir);
  await store.run("r").record(line("a"));
  await store.close();
}

describe("a store that cannot be used is a StoreError naming it, saying what to do", () => {
  it("a damaged store (garbage in its MANIFEST) is `corrupt`", async () => {
    await storeWithARecord();
    const manifest = (await readdir(join(dir, LEVELDB_DIR))).find((f) => f.startsWith("MANIFEST-"))!;
    await writeFile(join(dir, LEVELDB_DIR, manifest), "garbage\n");
    const error = await CheckpointStore.open(dir).catch((e: unknown) => e);
    expect(isStoreError(error)).toBe(true);
    expect((error as StoreError).problem).toBe("corrupt");
    expect((error as StoreError).message).toContain(`the store ${dir} is damaged`);
    expect((error as StoreError).message).toContain(`mv ${dir} ${dir}.damaged`);
  });

  it("a store whose CURRENT names a MANIFEST that is gone is `corrupt` too", async () => {
    await storeWithARecord();
    await writeFile(join(dir, LEVELDB_DIR, "CURRENT"), "MANIFEST-000999\n");
    const error = await CheckpointStore.open(dir).catch((e: unknown) => e);
    expect((error as StoreError).problem).toBe("corrupt");
  });

  it("a full disk while recording (ENOSPC injected at LevelDB's write) is `full`: names the store, what to free, that a rerun resumes", async () => {
    const db = new Level<string, unknown>(join(dir, LEVELDB_DIR), { valueEncoding: "json" });
    await db.open();
    const run = new RunStore("r", db, jsonSublevel(db, "runs"), { storeDir: dir });
    await run.record(line("a"));
    // What classic-level rejects with when write(2) of its log fails with ENOSPC (seen on a full tmpfs).
    const enospc = Object.assign(new Error(`IO error: ${join(dir, LEVELDB_DIR)}/000003.log: No space left on device`), { code: "LEVEL_IO_ERROR" });
    const batch = db.batch.bind(db);
    db.batch = ((...args: Parameters<typeof batch>) => (args.length ? Promise.reject(enospc) : batch())) as typeof db.batch;
    const error = await run.record(line("b")).catch((e: unknown) => e);
    expect(isStoreError(error)).toBe(true);
    expect((error as StoreError).problem).toBe("full");
    const message = (error as StoreError).message;
    expect(message).toContain(`no space left on the device of the store ${dir}`);
    expect(message).toContain("000003.log");
    expect(message).toContain("free space on that disk");
    expect(message).toContain("run the same command again: the samples recorded so far are kept");
    db.batch = batch;
    expect(await run.lookup([JSON.stringify(["t", "a", "m", 0])])).toEqual([line("a")]);
    await db.close();
  });

  it("reads the problem through LevelDB's cause chain; a held lock is not a disk problem", () => {
    const wrapped = (cause: unknown) => Object.assign(new Error("Database failed to open"), { code: "LEVEL_DATABASE_NOT_OPEN", cause });
    expect(storeProblemOf(wrapped(Object.assign(new Error("IO error: /s/LOCK: Permission denied"), { code: "LEVEL_IO_ERROR" })))?.problem).toBe("read-only");
    expect(storeProblemOf(wrapped(Object.assign(new Error("IO error: /s/LOCK: Read-only file system"), { code: "LEVEL_IO_ERROR" })))?.problem).toBe("read-only");
    expect(storeProblemOf(Object.assign(new Error("EACCES: permission denied, mkdir '/s'"), { code: "EACCES" }))?.problem).toBe("read-only");
    expect(storeProblemOf(Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" }))?.problem).toBe("full");
    expect(storeProblemOf(wrapped(Object.assign(new Error("IO error: lock /s/LOCK: already held by process"), { code: "LEVEL_LOCKED" })))).toBeUndefined();
    expect(storeProblemOf(new TypeError("x is not a function"))).toBeUndefined();
  });
});
