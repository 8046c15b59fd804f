import { type RunConfig, routeOf } from "../config/run-config.js";
import { CheckpointStore } from "../store/checkpoint-store.js";
import { runIdentity, taskMeta } from "../store/run-meta.js";
import type { RunStore } from "../store/run-store.js";
import { beginRun } from "../store/run-session.js";
import { LiveStatus } from "../store/store-status.js";
import type { Summary } from "../summary/summary.js";
import type { Task } from "../work/task.js";
import type { GroupSpec } from "../summary/groups.js";

/** The run command's checkpoint: the run's records, and how to close them whatever happens. */
export interface Checkpoint {
  readonly store: RunStore;
  /** The run has records from an earlier session (it resumes). */
  readonly resumed: boolean;
  /** `<store>/status.json`, for `runs list`/`show` while this process holds the store: count each result written. */
  readonly live: LiveStatus;
  /** Flushes the records, saves status, counts and summary, and releases the store. */
  finish(summary: Summary): Promise<void>;
  /** For a run that ended in an exception: flushes, marks it `failed`, releases the store. */
  fail(): Promise<void>;
}

/**
 * Opens the store of `config` for run `run` (StoreLockedError when another process holds it),
 * clears the run with `--fresh`, and tells the user, on `note`, when it resumes and what changed.
 */
export async function openCheckpoint(config: RunConfig, tasks: readonly Task[], run: string, note: (text: string) => void, routesText?: string, groups?: readonly GroupSpec[]): Promise<Checkpoint> {
  // A continuous run indexes its records by time, so --retain (now or in a later session) can prune them.
  const store = await CheckpointStore.open(config.store, { owner: { command: "run", run }, timeIndex: config.continuous?.endless ?? false });
  try {
    const session = await beginRun(store, {
      run,
      fresh: config.fresh,
      // The same inputs as runFingerprint, kept apart so a resume under --run can name what changed.
      identity: runIdentity({
        tasks, models: config.models, endpoint: config.baseURL ?? null, repeats: config.repeats ?? null,
        extras: {
          "routing rules": routesText,
          "--use-n": config.useN ? "on" : undefined,
          "models file endpoints": config.modelsFile ? JSON.stringify(config.modelSpecs.map(routeOf)) : undefined,
          judge: config.judgeModel !== undefined || config.judgeBaseURL !== undefined ? JSON.stringify({ model: config.judgeModel ?? null, baseURL: config.judgeBaseURL ?? null }) : undefined,
        },
      }),
      tasks: tasks.map(taskMeta),
      ...(groups?.length ? { groups } : {}),
      models: config.models,
      // Shown by `runs show`; nothing secret (the key's variable name only).
      options: {
        inputs: config.inputs, concurrency: config.concurrency, limit: config.limit ?? null, repeats: config.repeats ?? null,
        stream: config.stream, strict: config.strict, price: config.price, api_key_env: config.apiKeyEnv,
      },
    });
    if (session.warning) note(`warning: ${session.warning}\n`);
    if (session.previous) {
      const { ok, error } = await session.store.counts();
      note(`resuming run ${run} (${session.previous.status === "running" ? "crashed" : session.previous.status}): ${ok} recorded result(s) are reused${error ? `, ${error} error(s) retried` : ""} — pass --fresh to start over\n`);
    }
    // Readers locked out of LevelDB (runs list, runs show) read this instead.
    const live = await LiveStatus.start(config.store, { command: "run", live: run, runs: await store.listRuns() });
    let closed = false;
    const close = async (end: () => Promise<void>) => {
      if (closed) return;
      closed = true;
      try {
        await end();
      } finally {
        await live.close();
        await store.close();
      }
    };
    return {
      store: session.store,
      resumed: session.previous !== undefined,
      live,
      finish: (summary) => close(() => session.finish(summary)),
      fail: () => close(() => session.fail()),
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
