import type { GroupSpec } from "../summary/groups.js";
import type { Summary } from "../summary/summary.js";
import type { CheckpointStore } from "./checkpoint-store.js";
import { identityChanges, type RunIdentity, type RunMeta, type RunStatus, type TaskMeta } from "./run-meta.js";
import type { RunStore } from "./run-store.js";

/** What a run records about itself when it starts (identity, tasks, models), so a rerun can resume it. */
export interface BeginRunOptions {
  readonly run: string;
  readonly identity: RunIdentity;
  readonly tasks: readonly TaskMeta[];
  /** Groups over the tasks (group files). */
  readonly groups?: readonly GroupSpec[];
  readonly models: readonly string[];
  /** Options worth showing in `runs show`; never a secret. */
  readonly options?: Readonly<Record<string, unknown>>;
  /** Delete what the run recorded before and start it over. */
  readonly fresh?: boolean;
  /** Wall-clock time (injected in tests). */
  readonly now?: () => Date;
}

/** One process's work on a run: its records, what it resumes, and how to close it. */
export interface RunSession {
  readonly store: RunStore;
  /** The run's metadata before this session (undefined for a new run, or with `fresh`). */
  readonly previous: RunMeta | undefined;
  /** What changes results and differs from how the run was recorded (empty when nothing does). */
  readonly changes: readonly string[];
  /** A line for the user when `changes` is not empty. */
  readonly warning: string | undefined;
  /** Flushes the records and writes the run's status, counts and summary. */
  finish(summary: Summary): Promise<void>;
  /** Flushes the records and marks the run `failed` (a run-ending error, not a sample's). */
  fail(): Promise<void>;
}

/**
 * Starts (or resumes) a run: reads its metadata, clears it when `fresh`, compares the identity, and
 * marks it `running`. The identity kept is the one the run was first recorded with, so every resume
 * under a changed config warns again rather than once.
 */
export async function beginRun(store: CheckpointStore, options: BeginRunOptions): Promise<RunSession> {
  const now = options.now ?? (() => new Date());
  const runStore = store.run(options.run);
  if (options.fresh) await runStore.clear();
  const previous = await runStore.meta();
  // A session that ended (not one that crashed: `running`) saved its run's counts after its last record.
  if (previous && previous.status !== "running" && Number.isInteger(previous.counts?.ok) && Number.isInteger(previous.counts?.error)) runStore.assumeCounts(previous.counts);
  const changes = previous ? identityChanges(previous.identity, options.identity) : [];
  const started = now().toISOString();
  const meta: RunMeta = {
    run: options.run,
    identity: previous?.identity ?? options.identity,
    tasks: options.tasks,
    ...(options.groups?.length ? { groups: options.groups } : {}),
    models: options.models,
    options: options.options ?? {},
    created_at: previous?.created_at ?? started,
    started_at: started,
    ended_at: null,
    sessions: (previous?.sessions ?? 0) + 1,
    status: "running",
    counts: previous?.counts ?? { ok: 0, error: 0 },
    // A run keeps its layout: the one its metadata names, found from its records when it names none.
    store_layout: previous?.store_layout ?? (await runStore.layout()),
  };
  await runStore.putMeta(meta);
  const warning = changes.length
    ? `run ${options.run} was recorded with a different configuration (${changes.join("; ")}); its recorded results are kept and reused — pass --fresh to start it over`
    : undefined;
  return {
    store: runStore,
    previous,
    changes,
    warning,
    finish: async (summary) => {
      // The records are fsynced with the run's metadata (a synced write): one fsync, not two.
      await runStore.settle();
      const counts = await runStore.counts();
      await runStore.putMeta({ ...meta, ended_at: now().toISOString(), status: statusOf(summary, counts.error), counts, summary });
    },
    fail: async () => {
      await runStore.settle();
      const counts = await runStore.counts();
      await runStore.putMeta({ ...meta, ended_at: now().toISOString(), status: "failed", counts });
    },
  };
}

/** How a session ended, from its summary. */
export function statusOf(summary: Pick<Summary, "stopped">, errors: number): RunStatus {
  if (summary.stopped === "interrupted") return "interrupted";
  if (summary.stopped === "budget") return "budget";
  if (summary.stopped === "fatal") return "fatal";
  return errors > 0 ? "incomplete" : "complete";
}
