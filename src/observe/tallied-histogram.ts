import type { Metric, Registry } from "prom-client";

/**
 * A Prometheus histogram with one label, whose observations are plain counts until a scrape reads them.
 * prom-client's `Histogram.observe` makes a closure and a label object, validates and hashes the labels
 * and looks its bucket up by a number made a string, on every call; a run makes four a result, and in a
 * run at latency 0 that was most of what `--metrics-port` cost. Here an observation is a bounds search
 * and three additions into the series of its label value (found by that string, no key made).
 *
 * It is registered in a prom-client registry as a metric of its own and shows exactly what prom-client's
 * Histogram shows for the same observations: `_bucket{le}` cumulative counts (`+Inf` last), `_sum`,
 * `_count`, one group per label value in the order they were first seen.
 */
export class TalliedHistogram {
  readonly name: string;
  readonly help: string;
  readonly type = "histogram";
  readonly aggregator = "sum";
  readonly #label: string;
  readonly #bounds: readonly number[];
  readonly #series = new Map<string, Series>();

  /** `bounds`: the buckets' upper bounds, ascending (the `+Inf` bucket is implied). */
  constructor(options: { name: string; help: string; label: string; bounds: readonly number[]; registers: readonly Registry[] }) {
    const { name, help, label, bounds } = options;
    if (label === "le") throw new Error("le is a reserved label keyword");
    for (let i = 1; i < bounds.length; i++) if (!((bounds[i] as number) > (bounds[i - 1] as number))) throw new RangeError(`Expected ascending bucket bounds for ${name}, got ${bounds.join(", ")}`);
    this.name = name;
    this.help = help;
    this.#label = label;
    this.#bounds = [...bounds];
    // prom-client's registry reads a metric's name, help, type and values; nothing else (see get()).
    for (const r of options.registers) r.registerMetric(this as unknown as Metric);
  }

  /** Counts `value` under the label value `labelValue`; a value that is not a finite number throws, as prom-client's would. */
  observe(labelValue: string, value: number): void {
    if (!Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${value}`);
    let s = this.#series.get(labelValue);
    if (!s) this.#series.set(labelValue, (s = { counts: new Float64Array(this.#bounds.length + 1), sum: 0, count: 0 }));
    const bounds = this.#bounds;
    let i = 0;
    while (i < bounds.length && value > (bounds[i] as number)) i++;
    (s.counts[i] as number)++;
    s.sum += value;
    s.count++;
  }

  /** Forgets every observation (prom-client's `registry.resetMetrics()` calls it). */
  reset(): void {
    this.#series.clear();
  }

  /** What prom-client's registry formats (text) or returns (`getMetricsAsJSON`). */
  get(): { name: string; help: string; type: "histogram"; aggregator: "sum"; values: HistogramValue[] } {
    const values: HistogramValue[] = [];
    for (const [labelValue, s] of this.#series) {
      let cumulative = 0;
      for (let i = 0; i < this.#bounds.length; i++) {
        cumulative += s.counts[i] as number;
        values.push({ labels: { le: this.#bounds[i] as number, [this.#label]: labelValue }, value: cumulative, metricName: `${this.name}_bucket`, exemplar: null });
      }
      values.push({ labels: { le: "+Inf", [this.#label]: labelValue }, value: s.count, metricName: `${this.name}_bucket`, exemplar: null });
      values.push({ labels: { [this.#label]: labelValue }, value: s.sum, metricName: `${this.name}_sum` });
      values.push({ labels: { [this.#label]: labelValue }, value: s.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: "histogram", aggregator: "sum", values };
  }
}

interface Series {
  /** Observations per bucket (not cumulative); the last is above every bound. */
  readonly counts: Float64Array;
  sum: number;
  count: number;
}

interface HistogramValue {
  readonly labels: Record<string, string | number>;
  readonly value: number;
  readonly metricName: string;
  /** As prom-client's buckets without exemplars have it. */
  readonly exemplar?: null;
}
