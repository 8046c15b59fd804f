/** What is wrong with a store that cannot be opened or written. */
export type StoreProblem = "corrupt" | "full" | "read-only" | "io";

/**
 * The checkpoint store (or the response cache beside it) cannot be opened or written: damaged, on a
 * full disk, read-only, or another I/O error. The message names the folder, says what to do, and (for
 * a full disk) that the samples recorded so far are kept, so running the same command again resumes.
 */
export class StoreError extends Error {
  override readonly name = "StoreError";
  readonly code = "E_STORE";
  constructor(
    readonly problem: StoreProblem,
    /** The store folder (`--store`). */
    readonly store: string,
    /** What LevelDB or the file system said (it names the file). */
    readonly detail: string,
  ) {
    super(messageOf(problem, store, detail));
  }
}

function messageOf(problem: StoreProblem, store: string, detail: string): string {
  switch (problem) {
    case "corrupt":
      return `the store ${store} is damaged and cannot be read (${detail}); move it aside (mv ${store} ${store}.damaged) and run again, which starts the run over, or pass another --store`;
    case "full":
      return `no space left on the device of the store ${store} (${detail}); free space on that disk (\`df -h ${store}\` shows it), then run the same command again: the samples recorded so far are kept and the rerun resumes after them (or pass another --store, which starts the run over)`;
    case "read-only":
      return `the store ${store} cannot be written (${detail}); make it writable for this user, or pass another --store (or --no-store)`;
    case "io":
      return `the store ${store} cannot be used (${detail}); check the disk, or pass another --store`;
  }
}

interface Chained {
  readonly code?: unknown;
  readonly message?: unknown;
  readonly cause?: unknown;
}

/**
 * Reads a LevelDB or file system error as a store problem, looking through its causes (LevelDB wraps
 * the real one: `Database failed to open` ← `IO error: …/LOCK: Permission denied`). Undefined when
 * the error is not about the disk (a lock held by another process, a bug).
 */
export function storeProblemOf(error: unknown): { problem: StoreProblem; detail: string } | undefined {
  let found: { problem: StoreProblem; detail: string } | undefined;
  for (let e = error as Chained | undefined, depth = 0; e && typeof e === "object" && depth < 8; e = e.cause as Chained | undefined, depth++) {
    const code = typeof e.code === "string" ? e.code : "";
    const message = typeof e.message === "string" ? e.message : "";
    if (code === "LEVEL_LOCKED") return undefined;
    if (code === "LEVEL_CORRUPTION" || /^Corruption:/.test(message)) return { problem: "corrupt", detail: message };
    if (code === "ENOSPC" || /No space left on device/i.test(message)) return { problem: "full", detail: message };
    if (["EACCES", "EPERM", "EROFS"].includes(code) || /Permission denied|Read-only file system|Operation not permitted/i.test(message)) return { problem: "read-only", detail: message };
    // A file LevelDB's own index names has gone (CURRENT → a missing MANIFEST, a lost table): damaged.
    if (/^IO error: .*No such file or directory/.test(message)) return { problem: "corrupt", detail: message };
    if (code === "LEVEL_IO_ERROR" || /^IO error:/.test(message)) found ??= { problem: "io", detail: message };
  }
  return found;
}

/** `error` as a StoreError of `store` when it is about the disk, else `error` itself. */
export function asStoreError(error: unknown, store: string): unknown {
  if (error instanceof StoreError) return error;
  const p = storeProblemOf(error);
  return p ? new StoreError(p.problem, store, p.detail) : error;
}

/** Whether an error is a StoreError. */
export const isStoreError = (e: unknown): e is StoreError => e instanceof StoreError;
