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

const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => (i < 10 ? `0${i}` : `${i}`));

/**
 * `new Date(ms).toISOString()`, built from the UTC fields for the years 0–9999 (any other year, or an invalid
 * time, goes to toISOString itself). Why not toISOString: Node 20's V8 formats it through its local-time-zone
 * path, whose first call reads ICU's time-zone names, 0.9 MB of Node's binary paged in for good by a run that
 * stamps its result lines (docs/benchmarks.md, "The twelfth session").
 */
export function isoTime(ms: number): string {
  const d = new Date(ms);
  const year = d.getUTCFullYear();
  if (!(year >= 0 && year <= 9999)) return d.toISOString();
  const milli = d.getUTCMilliseconds();
  const yyyy = year >= 1000 ? `${year}` : `${year}`.padStart(4, "0");
  return `${yyyy}-${TWO_DIGITS[d.getUTCMonth() + 1]}-${TWO_DIGITS[d.getUTCDate()]}T${TWO_DIGITS[d.getUTCHours()]}:${TWO_DIGITS[d.getUTCMinutes()]}:${TWO_DIGITS[d.getUTCSeconds()]}.${Math.trunc(milli / 100)}${TWO_DIGITS[milli % 100]}Z`;
}
