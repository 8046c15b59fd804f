/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"):
 * the wait before retry k is uniform in [0, min(cap, base · 2^(k-1))). Full jitter spreads the
 * retries of many samples that failed together, so they do not return in one wave.
 */
export interface BackoffOptions {
  /** The ceiling of the first retry's wait, in ms (default 500). */
  readonly baseMs: number;
  /** The largest ceiling, in ms (default 30 000). */
  readonly capMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, capMs: 30_000 };

/** Throws a RangeError naming the first bad option. */
export function validateBackoff(options: BackoffOptions): BackoffOptions {
  if (!Number.isFinite(options.baseMs) || options.baseMs < 0) {
    throw new RangeError(`Expected \`baseMs\` to be a finite number >= 0, got ${options.baseMs}`);
  }
  if (!Number.isFinite(options.capMs) || options.capMs < options.baseMs) {
    throw new RangeError(`Expected \`capMs\` to be a finite number >= baseMs (${options.baseMs}), got ${options.capMs}`);
  }
  return options;
}

/** The exponential ceiling of retry `retry` (1-based): min(cap, base · 2^(retry-1)). */
export function backoffCeiling(retry: number, options: BackoffOptions = DEFAULT_BACKOFF): number {
  if (!Number.isInteger(retry) || retry < 1) throw new RangeError(`Expected \`retry\` to be an integer >= 1, got ${retry}`);
  // 2^(retry-1) overflows to Infinity for large retries; min() keeps it at the cap.
  return Math.min(options.capMs, options.baseMs * 2 ** (retry - 1));
}

/**
 * The wait before retry `retry` (1-based), in ms: `random()` (uniform in [0, 1)) scaled to the
 * ceiling. The caller takes the larger of this and what the server asked for (Retry-After).
 */
export function backoffDelay(retry: number, options: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  return random() * backoffCeiling(retry, options);
}
