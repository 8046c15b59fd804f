import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Level } from "level";
import { ConfigError } from "../errors/config-error.js";
import { StoreLockedError, type StoreOwner } from "../errors/store-locked-error.js";
import { asStoreError } from "../errors/store-error.js";
import type { RunMeta } from "./run-meta.js";
import { jsonSublevel } from "./json-sublevel.js";
import { RunStore, type RunStoreOptions } from "./run-store.js";

/** The LevelDB folder inside `--store` (run folders with rejects files sit beside it). */
export const LEVELDB_DIR = "checkpoint.leveldb";
/** The LevelDB of the runs' done records in store layout 2 (sequenced-done.ts), beside the first. */
export const RECORDS_DIR = "records.leveldb";
const OWNER_FILE = "owner.json";

/** How a checkpoint store is opened: who holds its lock, whether to create it, its cache, and the run store's settings. */
export interface OpenStoreOptions extends RunStoreOptions {
  /** Written to `<store>/owner.json` so another process's lock error can name who holds the store. */
  readonly owner?: { readonly command?: string; readonly run?: string };
  /** Create the store when it does not exist (default true; `runs` commands pass false). */
  readonly create?: boolean;
  /**
   * LevelDB's block cache in MB (default 32): a fixed bound, whatever the store's size. Three quarters go to
   * the records' LevelDB (what resume reads most), a quarter to the other (runs, index, errors).
   */
  readonly cacheMB?: number;
}

type Db = Level<string, unknown>;

/**
 * The checkpoint store of DESIGN.md: one LevelDB under `dir`, opened by one process at a time.
 * Layout: a `runs` sublevel (run name → RunMeta) and one sublevel per run (see RunStore); the runs' done
 * records in a second LevelDB under `dir` (RECORDS_DIR), in the order they were made.
 *
 * The lock is LevelDB's own (an fcntl lock on its LOCK file): the kernel drops it when the process
 * dies, kill -9 included, so a crash never leaves a stale lock behind. A second process gets a
 * StoreLockedError naming the holder instead of a corrupted store.
 */
export class CheckpointStore {
  readonly #db: Db;
  readonly #recordsDb: Db;
  readonly #runs: ReturnType<typeof jsonSublevel>;
  readonly #open = new Map<string, RunStore>();
  readonly #options: OpenStoreOptions;
  #closing: Promise<void> | undefined;

  private constructor(
    readonly dir: string,
    db: Db,
    recordsDb: Db,
    options: OpenStoreOptions,
  ) {
    this.#db = db;
    this.#recordsDb = recordsDb;
    this.#runs = jsonSublevel(db, "runs");
    this.#options = options;
  }

  /**
   * Opens (by default creating) the store under `dir`. Rejects with StoreLockedError when another
   * process holds it, with a ConfigError when `create` is false and there is no store, and with a
   * StoreError when it is damaged, read-only or on a full disk.
   */
  static async open(dir: string, options: OpenStoreOptions = {}): Promise<CheckpointStore> {
    try {
      return await CheckpointStore.#openStore(dir, options);
    } catch (error) {
      throw asStoreError(error, dir);
    }
  }

  static async #openStore(dir: string, options: OpenStoreOptions): Promise<CheckpointStore> {
    const cacheMB = options.cacheMB ?? 32;
    if (!(cacheMB >= 0)) throw new RangeError(`Expected \`cacheMB\` to be a number >= 0, got ${cacheMB}`);
    const location = join(dir, LEVELDB_DIR);
    if (options.create === false) {
      try {
        await readFile(join(location, "CURRENT"));
      } catch {
        throw new ConfigError(`no store at ${dir} (run an evaluation first, or pass --store DIR)`, { key: "--store" });
      }
    } else await mkdir(dir, { recursive: true });
    // Resume looks keys up in input order, which is not key order: a larger block cache than
    // LevelDB's 8 MB default keeps those reads off the disk (100,000 lookups: ~40% faster).
    // LevelDB (level, classic-level's native addon) is loaded when a store is opened, not with the package.
    const { Level } = await import("level");
    const cacheSize = cacheMB * 1024 * 1024;
    // Its records are small (the index, errors, metadata): a 1 MB memtable rather than LevelDB's 4 MB, which a short
    // run never filled and a long one held twice over while flushing it (200,000 lines: 166 MB at the peak, not 176).
    const db = new Level<string, unknown>(location, { valueEncoding: "json", cacheSize: Math.round(cacheSize / 4), writeBufferSize: 1 << 20 });
    try {
      await db.open();
    } catch (error) {
      if (isLocked(error)) throw new StoreLockedError(dir, await readOwner(dir));
      throw error;
    }
    // Made when missing, in a store written before it existed too (its runs keep layout 1: RunStore).
    const recordsDb = new Level<string, unknown>(join(dir, RECORDS_DIR), { valueEncoding: "json", cacheSize: cacheSize - Math.round(cacheSize / 4) });
    try {
      await recordsDb.open();
    } catch (error) {
      await db.close();
      throw error;
    }
    const owner: StoreOwner = { pid: process.pid, ...options.owner, since: new Date().toISOString() };
    await writeFile(join(dir, OWNER_FILE), `${JSON.stringify(owner)}\n`);
    return new CheckpointStore(dir, db, recordsDb, options);
  }

  /** Every run's metadata, in name order. */
  async listRuns(): Promise<RunMeta[]> {
    return (await this.#runs.values().all()) as RunMeta[];
  }

  async getMeta(run: string): Promise<RunMeta | undefined> {
    return (await this.#runs.get(run)) as RunMeta | undefined;
  }

  /** The run's records (one handle per run name per store). */
  run(name: string): RunStore {
    if (typeof name !== "string" || name === "") throw new RangeError(`Expected \`run\` to be a non-empty string, got ${JSON.stringify(name)}`);
    let r = this.#open.get(name);
    if (!r) {
      r = new RunStore(name, this.#db, this.#runs, { ...this.#options, storeDir: this.dir }, this.#recordsDb);
      this.#open.set(name, r);
    }
    return r;
  }

  /** Flushes every run (a final fsync), closes LevelDB and releases the lock. Idempotent. */
  close(): Promise<void> {
    return (this.#closing ??= (async () => {
      try {
        for (const r of this.#open.values()) await r.close();
      } finally {
        await rm(join(this.dir, OWNER_FILE), { force: true });
        await this.#recordsDb.close();
        await this.#db.close();
      }
    })());
  }
}

function isLocked(error: unknown): boolean {
  for (let e = error as { code?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.code === "LEVEL_LOCKED") return true;
  }
  return false;
}

async function readOwner(dir: string): Promise<StoreOwner | undefined> {
  try {
    const o = JSON.parse(await readFile(join(dir, OWNER_FILE), "utf8")) as StoreOwner;
    return typeof o.pid === "number" ? o : undefined;
  } catch {
    return undefined;
  }
}
