import type { RetentionRule } from "./time-index.js";

/** A timer that can be cancelled; injected so tests run the prunes in virtual time. */
export type RetentionTimer = (fn: () => void, ms: number) => { clear(): void };

const realTimer: RetentionTimer = (fn, ms) => {
  const t = setTimeout(fn, ms);
  // Pruning must never keep a finished run alive.
  t.unref();
  return { clear: () => clearTimeout(t) };
};

/** What the loop prunes: a RunStore opened with `timeIndex` fits. */
export interface Prunable {
  prune(rule: RetentionRule, options: { maxDeletes?: number }): Promise<{ pruned: number; more: boolean }>;
}

/** How often old records are pruned, and which are kept (by age or count). */
export interface RetentionOptions {
  readonly store: Prunable;
  readonly rule: RetentionRule;
  /** Between prunes, in ms (default 60,000). */
  readonly everyMs?: number;
  /** Most records one prune deletes (default 10,000); when more are due the next prune follows at once. */
  readonly maxDeletes?: number;
  readonly setTimer?: RetentionTimer;
  /** A prune failed; the next one tries again (default: ignored). */
  readonly onError?: (error: unknown) => void;
}

/** A running retention loop: stop it when the run ends. */
export interface RetentionLoop {
  /** Cancels the next prune and waits for one in progress. Idempotent. */
  stop(): Promise<void>;
}

/**
 * `--retain`: prunes the run's store at once — resolving when that first step is done, so a
 * restarted run drops what expired while it was down before it looks anything up — then
 * every `everyMs`, in steps of at most `maxDeletes` records so a prune never holds the store for
 * long; a step that left some due is followed by the next without waiting.
 */
export async function startRetention(options: RetentionOptions): Promise<RetentionLoop> {
  const everyMs = options.everyMs ?? 60_000;
  if (!Number.isFinite(everyMs) || everyMs <= 0) throw new RangeError(`Expected \`everyMs\` to be a number > 0, got ${everyMs}`);
  const maxDeletes = options.maxDeletes ?? 10_000;
  if (!Number.isInteger(maxDeletes) || maxDeletes < 1) throw new RangeError(`Expected \`maxDeletes\` to be an integer >= 1, got ${maxDeletes}`);
  const setTimer = options.setTimer ?? realTimer;
  let stopped = false;
  let timer: { clear(): void } | undefined;
  let running: Promise<void> = Promise.resolve();

  const tick = () => {
    timer = undefined;
    running = options.store.prune(options.rule, { maxDeletes }).then(
      ({ more }) => schedule(more ? 0 : everyMs),
      (error: unknown) => {
        options.onError?.(error);
        schedule(everyMs);
      },
    );
  };
  const schedule = (ms: number) => {
    if (!stopped) timer = setTimer(tick, ms);
  };
  tick();
  await running;

  return {
    stop: async () => {
      stopped = true;
      timer?.clear();
      timer = undefined;
      await running;
    },
  };
}
