/** Time, injected: stages that wait or measure take a Clock so tests run in virtual time. */
export interface Clock {
  /** Milliseconds, monotonic, fractional. */
  now(): number;
  /** Wall-clock epoch milliseconds (for timestamps in records). */
  epochMs(): number;
  /** Resolves after `ms`, or rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** setTimeout's longest delay: a longer one fires at once (TimeoutOverflowWarning), so waits are chained. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The real clock: `Date.now` and timers. Tests pass a virtual one instead. */
export const systemClock: Clock = {
  now: () => performance.now(),
  epochMs: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason as Error);
      const end = performance.now() + ms;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason as Error);
      };
      const arm = () => {
        const left = end - performance.now();
        if (!(left > 0)) {
          signal?.removeEventListener("abort", onAbort);
          resolve();
          return;
        }
        timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      timer = setTimeout(arm, Math.min(Math.max(ms, 0), MAX_TIMER_MS));
    }),
};
