import { createRequire } from "node:module";
import type { Histogram } from "hdr-histogram-js";

// The 32-bit HDR histogram alone (what `build({ bitBucketSize: 32 })` makes): the package's index also loads its
// log writer, which formats numbers with Intl at load (tens of ms of ICU start-up in every run), and its
// compression and WebAssembly builds, none of which a summary uses. Required, so its default export is the
// class under Node, tsx, vitest and the bundle alike.
const { default: Int32Histogram } = createRequire(import.meta.url)("hdr-histogram-js/dist/Int32Histogram.js") as typeof import("hdr-histogram-js/dist/Int32Histogram.js");

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
  readonly #h: Histogram = new Int32Histogram(1, 3_600_000_000, 3); // 1 µs to one hour, 3 significant digits; autoResize off
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
