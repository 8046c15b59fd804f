import { readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { RunMeta } from "./run-meta.js";

/** Beside the LevelDB folder: what the process holding the store says about it, for readers it locks out. */
export const STATUS_FILE = "status.json";

/** What a live session has produced so far (results written, reused ones included). */
export interface SessionTally {
  ok: number;
  error: number;
  resumed: number;
}

/**
 * `<store>/status.json`: the runs of the store as the process holding it knows them, with the live
 * run's progress. LevelDB admits one process at a time, so `runs list` and `runs show` read this file
 * while a run is going; it is replaced whole (written aside, then renamed), so a reader never sees half.
 */
export interface StoreStatus {
  readonly pid: number;
  readonly command: string;
  /** The run the holder is working on. */
  readonly live: string;
  readonly since: string;
  readonly updated_at: string;
  /** This session's results so far (resumed lines included: together they are the run as read so far). */
  readonly session: SessionTally;
  /** Every run's metadata when the holder opened the store (the live one marked `running`). */
  readonly runs: readonly RunMeta[];
}

/** Reads the status file, or undefined when there is none (or it is unreadable: nobody says anything). */
export async function readStoreStatus(dir: string): Promise<StoreStatus | undefined> {
  try {
    const s = JSON.parse(await readFile(join(dir, STATUS_FILE), "utf8")) as StoreStatus;
    return typeof s.pid === "number" && Array.isArray(s.runs) && typeof s.live === "string" ? s : undefined;
  } catch {
    return undefined;
  }
}

/** How often a live session rewrites the file at most (ms). */
const DEFAULT_INTERVAL_MS = 2000;

/**
 * Keeps `<store>/status.json` current for a session: written when it starts, then at most every
 * `intervalMs` while results come in (a timer that never holds the process open), removed at the end.
 * Writing it is best effort: a failure never stops the run (the store's own writes say what is wrong).
 */
export class LiveStatus {
  readonly #dir: string;
  readonly #base: Omit<StoreStatus, "updated_at" | "session">;
  readonly #session: SessionTally = { ok: 0, error: 0, resumed: 0 };
  readonly #timer: NodeJS.Timeout;
  readonly #now: () => Date;
  #dirty = false;
  #writing: Promise<void> = Promise.resolve();
  #closed = false;

  private constructor(dir: string, base: Omit<StoreStatus, "updated_at" | "session">, intervalMs: number, now: () => Date) {
    this.#dir = dir;
    this.#base = base;
    this.#now = now;
    this.#timer = setInterval(() => {
      if (this.#dirty) this.#write();
    }, intervalMs).unref();
  }

  /** Starts keeping the status of `dir`, whose runs are `runs` (the live one among them), and writes it once. */
  static async start(dir: string, options: { command: string; live: string; runs: readonly RunMeta[]; intervalMs?: number; now?: () => Date }): Promise<LiveStatus> {
    const now = options.now ?? (() => new Date());
    const status = new LiveStatus(dir, { pid: process.pid, command: options.command, live: options.live, since: now().toISOString(), runs: options.runs }, options.intervalMs ?? DEFAULT_INTERVAL_MS, now);
    status.#write();
    await status.#writing;
    return status;
  }

  /** Counts a result written by the session. */
  result(status: "ok" | "error", resumed: boolean): void {
    this.#session[status]++;
    if (resumed) this.#session.resumed++;
    this.#dirty = true;
  }

  /** Stops the timer and removes the file (the store is about to be released). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    await this.#writing;
    await rm(join(this.#dir, STATUS_FILE), { force: true }).catch(() => undefined);
  }

  #write(): void {
    this.#dirty = false;
    const text = `${JSON.stringify({ ...this.#base, updated_at: this.#now().toISOString(), session: { ...this.#session } } satisfies StoreStatus)}\n`;
    const file = join(this.#dir, STATUS_FILE);
    const aside = `${file}.${process.pid}.tmp`;
    this.#writing = this.#writing
      .then(async () => {
        await writeFile(aside, text);
        await rename(aside, file);
      })
      .catch(() => undefined);
  }
}
