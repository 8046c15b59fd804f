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

  /**
   * The saved form (a summary snapshot, summary-snapshot.ts): `[n, max, index, count, index, count …]`, the
   * count of each non-empty bucket. `restore` records each bucket's lowest value `count` times, and the max itself
   * once in its bucket: the same counts and max, so the same percentiles.
   */
  state(): number[] {
    const h = this.#h as unknown as HistogramCounts;
    if (this.#n === 0) return [0, 0];
    const out = [this.#n, h.maxValue];
    for (let i = 0; i < h.countsArrayLength; i++) {
      const count = h.getCountAtIndex(i);
      if (count > 0) out.push(i, count);
    }
    return out;
  }

  /** Adds the values of a saved form (`state()`); false, adding nothing, when it is not one. */
  restore(state: unknown): boolean {
    const h = this.#h as unknown as HistogramCounts;
    if (!Array.isArray(state) || state.length % 2 !== 0 || !state.every((v) => Number.isInteger(v) && v >= 0)) return false;
    const [n, max] = state as number[];
    if (n === 0) return state.length === 2;
    const maxAt = max! >= 1 && max! <= 3_600_000_000 ? h.countsArrayIndex(max!) : -1;
    let total = 0;
    let hasMax = false;
    for (let i = 2; i < state.length; i += 2) {
      if ((state[i] as number) >= h.countsArrayLength || (state[i + 1] as number) < 1) return false;
      total += state[i + 1] as number;
      if (state[i] === maxAt) hasMax = true;
    }
    if (total !== n || !hasMax) return false;
    for (let i = 2; i < state.length; i += 2) {
      const at = state[i] as number;
      const count = (state[i + 1] as number) - (at === maxAt ? 1 : 0);
      if (count > 0) h.recordValueWithCount(h.valueFromIndex(at), count);
    }
    h.recordValueWithCount(max!, 1);
    this.#n += total;
    return true;
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

/** What `state` and `restore` read of the JS histogram (public members of its JsHistogram base, not of the Histogram interface). */
interface HistogramCounts {
  readonly countsArrayLength: number;
  readonly maxValue: number;
  countsArrayIndex(value: number): number;
  getCountAtIndex(index: number): number;
  valueFromIndex(index: number): number;
  recordValueWithCount(value: number, count: number): void;
}
