/** A timer that can be cancelled; injected so tests run the grace period in virtual time. */
export type SetTimer = (fn: () => void, ms: number) => { clear(): void };

const realTimer: SetTimer = (fn, ms) => {
  const t = setTimeout(fn, ms);
  // The grace timer must never keep a finished run alive.
  t.unref();
  return { clear: () => clearTimeout(t) };
};

export interface ShutdownOptions {
  /** How long samples in flight may take to finish after the first signal (ms, default 30,000). */
  readonly graceMs?: number;
  /** First signal: stop reading input; samples in flight go on. */
  readonly onStop: () => void;
  /** Second signal, or the grace period is over: cancel the samples in flight. */
  readonly onAbort: () => void;
  /** Third signal: leave now (records already written are durable, so nothing recorded is lost). */
  readonly onForce?: () => void;
  /** Notes for the user (stderr). */
  readonly write: (text: string) => void;
  readonly setTimer?: SetTimer;
}

/**
 * Graceful shutdown as a small state machine over SIGINT/SIGTERM: running → stopping (no new samples;
 * in flight finish within the grace period) → aborting (in flight cancelled) → forced exit.
 * Returns the signal handler and a `dispose` that cancels the grace timer when the run ends first.
 */
export function createShutdown(options: ShutdownOptions): { readonly signal: () => void; readonly dispose: () => void } {
  const graceMs = options.graceMs ?? 30_000;
  if (!Number.isFinite(graceMs) || graceMs < 0) throw new RangeError(`Expected \`graceMs\` to be a number >= 0, got ${graceMs}`);
  const setTimer = options.setTimer ?? realTimer;
  let state: "running" | "stopping" | "aborting" | "forced" = "running";
  let timer: { clear(): void } | undefined;

  const abort = (why: string) => {
    timer?.clear();
    timer = undefined;
    state = "aborting";
    options.write(`${why}: cancelling samples in flight (they stay undone; a rerun does them)\n`);
    options.onAbort();
  };

  return {
    signal: () => {
      if (state === "running") {
        state = "stopping";
        options.write(`\nstopping: no new samples are read; samples in flight get ${seconds(graceMs)} to finish (Ctrl-C again to cancel them)\n`);
        options.onStop();
        timer = setTimer(() => abort(`grace period of ${seconds(graceMs)} over`), graceMs);
      } else if (state === "stopping") abort("second signal");
      else if (state === "aborting" && options.onForce) {
        state = "forced";
        options.onForce();
      }
    },
    dispose: () => {
      timer?.clear();
      timer = undefined;
    },
  };
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}
