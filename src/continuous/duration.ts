/** Milliseconds per duration unit, as `--window`, `--slide` and `--retain` accept them. */
export const DURATION_UNITS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export type DurationUnit = keyof typeof DURATION_UNITS;

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;

/**
 * `"60s"` → 60000. A number followed by one unit of `ms`, `s`, `m`, `h`, `d`; returns undefined for
 * text that is not a duration (a bare number included: the caller decides what that means).
 */
export function parseDuration(text: string): number | undefined {
  const m = DURATION.exec(text.trim());
  if (!m) return undefined;
  const ms = Number(m[1]) * DURATION_UNITS[m[2] as DurationUnit];
  return Number.isFinite(ms) ? ms : undefined;
}

/** 60000 → `"60s"`, 90000 → `"90s"`, 3600000 → `"1h"`: the largest unit that divides it exactly. */
export function formatDuration(ms: number): string {
  for (const unit of ["d", "h", "m", "s"] as const) {
    const size = DURATION_UNITS[unit];
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
