import { build, type Histogram } from "hdr-histogram-js";

export interface Percentiles {
  readonly p50: number | null;
  readonly p90: number | null;
  readonly p99: number | null;
  readonly max: number | null;
  readonly n: number;
}

/**
 * Latency percentiles in bounded memory: an HDR histogram of microseconds (3 significant digits,
 * up to one hour), reported in milliseconds.
 */
export class LatencyHistogram {
  readonly #h: Histogram = build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3, autoResize: false });
  #n = 0;

  record(ms: number | null | undefined): void {
    if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return;
    this.#h.recordValue(Math.min(Math.max(1, Math.round(ms * 1000)), 3_600_000_000));
    this.#n++;
  }

  get count(): number {
    return this.#n;
  }

  /** Adds every value `other` recorded (rolling windows merge their panes this way). */
  merge(other: LatencyHistogram): void {
    if (other.#n === 0) return;
    this.#h.add(other.#h);
    this.#n += other.#n;
  }

  /** Forgets every value, keeping the allocated buckets (cheaper than a new histogram). */
  reset(): void {
    this.#h.reset();
    this.#n = 0;
  }

  percentiles(): Percentiles {
    if (this.#n === 0) return { p50: null, p90: null, p99: null, max: null, n: 0 };
    const max = Math.round(this.#h.maxValue) / 1000;
    // A percentile is the top of its HDR bucket, which can lie above the largest value recorded.
    const at = (p: number) => Math.min(Math.round(this.#h.getValueAtPercentile(p)) / 1000, max);
    return { p50: at(50), p90: at(90), p99: at(99), max, n: this.#n };
  }
}
