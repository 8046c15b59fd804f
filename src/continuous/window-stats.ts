import { type Accumulator, type AggregationFactory, getAggregation } from "../metrics/index.js";
import { judgeCostOf } from "../cost/judge-cost.js";
import { LatencyHistogram, type Percentiles } from "../stats/latency-histogram.js";
import { foldScores } from "../metrics/line-scores.js";
import type { MetricValue } from "../metrics/types.js";
import type { ResultLine } from "../types.js";

/** The run's tasks (with each metric's aggregation) and models: every window reports all of them. */
export interface WindowScope {
  readonly tasks: readonly { readonly name: string; readonly aggregations: ReadonlyMap<string, string> }[];
  readonly models: readonly string[];
}

/** The scope of a run's tasks (their metric_list aggregations) and model names. */
export function windowScope(
  tasks: readonly { readonly name: string; readonly metrics: readonly { readonly name: string; readonly aggregation: string }[] }[],
  models: readonly string[],
): WindowScope {
  return { tasks: tasks.map((t) => ({ name: t.name, aggregations: new Map(t.metrics.map((m) => [m.name, m.aggregation])) })), models };
}

/** One task × model in one window. Rates are null where they would divide by zero. */
export interface WindowModelStats {
  samples: { total: number; ok: number; error: number };
  /** error / total. */
  error_rate: number | null;
  /** lm-evaluation-harness keys (`metric,filter`), over the window's ok results only. */
  metrics: Record<string, MetricValue>;
  usage: { prompt_tokens: number; completion_tokens: number };
  /** Null when some ok reply had no known price. */
  cost_usd: number | null;
  /** cost_usd over the window's span, in USD per hour. */
  cost_per_hour_usd: number | null;
  latency_ms: { ttft: Percentiles; tpot: Percentiles; e2e: Percentiles; queue: Percentiles };
  errors: Record<string, number>;
}

const LATENCIES = ["ttft", "tpot", "e2e", "queue"] as const;
type LatencyName = (typeof LATENCIES)[number];
const EMPTY_PERCENTILES: Percentiles = { p50: null, p90: null, p99: null, max: null, n: 0 };

/** A task × model's running sums; histograms are allocated on first use and kept across resets. */
class Cell {
  total = 0;
  ok = 0;
  error = 0;
  prompt = 0;
  completion = 0;
  costMicros = 0;
  costUnknown = false;
  readonly errors = new Map<string, number>();
  readonly metrics = new Map<string, Accumulator>();
  readonly latency: Record<LatencyName, LatencyHistogram | undefined> = { ttft: undefined, tpot: undefined, e2e: undefined, queue: undefined };

  constructor(readonly aggregationOf: (key: string) => AggregationFactory) {}

  add(line: ResultLine): void {
    this.total++;
    if (line.status === "error") {
      this.error++;
      const type = line.error?.type ?? "unknown";
      this.errors.set(type, (this.errors.get(type) ?? 0) + 1);
      return;
    }
    this.ok++;
    // The summary's folding: a sample's score over its repeats, weighted where the line says.
    foldScores(line, (key) => this.#metric(key));
    if (line.usage) {
      this.prompt += line.usage.prompt_tokens;
      this.completion += line.usage.completion_tokens;
    }
    if (typeof line.cost_usd === "number") this.costMicros += line.cost_usd * 1e6;
    else this.costUnknown = true;
    // What the sample cost, its judge's calls included (a cost alert is about spending).
    const judge = judgeCostOf(line);
    if (judge?.usd != null) this.costMicros += judge.usd * 1e6;
    else if (judge) this.costUnknown = true;
    const t = line.timing;
    if (t) for (const name of LATENCIES) this.#record(name, t[`${name}_ms`]);
  }

  merge(o: Cell): void {
    this.total += o.total;
    this.ok += o.ok;
    this.error += o.error;
    this.prompt += o.prompt;
    this.completion += o.completion;
    this.costMicros += o.costMicros;
    this.costUnknown ||= o.costUnknown;
    for (const [type, n] of o.errors) this.errors.set(type, (this.errors.get(type) ?? 0) + n);
    for (const [key, acc] of o.metrics) this.#metric(key).merge(acc.state());
    for (const name of LATENCIES) {
      const h = o.latency[name];
      if (h && h.count > 0) (this.latency[name] ??= new LatencyHistogram()).merge(h);
    }
  }

  reset(): void {
    this.total = this.ok = this.error = this.prompt = this.completion = this.costMicros = 0;
    this.costUnknown = false;
    this.errors.clear();
    this.metrics.clear();
    for (const name of LATENCIES) this.latency[name]?.reset();
  }

  stats(spanMs: number): WindowModelStats {
    const metrics: Record<string, MetricValue> = {};
    for (const [key, acc] of this.metrics) metrics[key] = acc.result();
    const cost = this.costUnknown && this.ok > 0 ? null : roundMicros(this.costMicros);
    return {
      samples: { total: this.total, ok: this.ok, error: this.error },
      error_rate: this.total > 0 ? this.error / this.total : null,
      metrics,
      usage: { prompt_tokens: this.prompt, completion_tokens: this.completion },
      cost_usd: cost,
      cost_per_hour_usd: perHour(cost, spanMs),
      latency_ms: {
        ttft: this.latency.ttft?.percentiles() ?? EMPTY_PERCENTILES,
        tpot: this.latency.tpot?.percentiles() ?? EMPTY_PERCENTILES,
        e2e: this.latency.e2e?.percentiles() ?? EMPTY_PERCENTILES,
        queue: this.latency.queue?.percentiles() ?? EMPTY_PERCENTILES,
      },
      errors: Object.fromEntries(this.errors),
    };
  }

  #metric(key: string): Accumulator {
    let acc = this.metrics.get(key);
    if (!acc) this.metrics.set(key, (acc = this.aggregationOf(key).create()));
    return acc;
  }

  #record(name: LatencyName, ms: number | null | undefined): void {
    if (ms === null || ms === undefined) return;
    (this.latency[name] ??= new LatencyHistogram()).record(ms);
  }
}

/** A window's totals over every task and model. */
export interface WindowTotals {
  samples: { total: number; ok: number; error: number };
  error_rate: number | null;
  cost_usd: number | null;
  cost_per_hour_usd: number | null;
}

/**
 * The statistics of one window (or one pane of a sliding window): per task × model, counts, every
 * metric with its stderr (the metrics' own mergeable accumulators), token usage, cost and latency
 * percentiles (HDR histograms). Memory is bounded by tasks × models × metrics, however many results
 * it folds; `reset` empties it for reuse without giving back its histograms.
 */
export class WindowStats {
  readonly #cells = new Map<string, Map<string, Cell>>();
  readonly #aggregations = new Map<string, ReadonlyMap<string, string>>();
  #count = 0;

  constructor(readonly scope: WindowScope) {
    for (const t of scope.tasks) {
      this.#aggregations.set(t.name, t.aggregations);
      this.#cells.set(t.name, new Map(scope.models.map((m) => [m, this.#newCell(t.name)])));
    }
  }

  /** Results folded since the last reset. */
  get count(): number {
    return this.#count;
  }

  add(line: ResultLine): void {
    this.#cell(line.task, line.model).add(line);
    this.#count++;
  }

  /** Folds another window's statistics into this one (panes into a sliding window). */
  merge(other: WindowStats): void {
    for (const [task, byModel] of other.#cells) for (const [model, cell] of byModel) if (cell.total > 0) this.#cell(task, model).merge(cell);
    this.#count += other.#count;
  }

  reset(): void {
    for (const byModel of this.#cells.values()) for (const cell of byModel.values()) cell.reset();
    this.#count = 0;
  }

  /**
   * The statistics as reported, for a window `spanMs` long (the span makes cost per hour). `models`
   * is the first task's, as in the summary; `tasks` has every task.
   */
  report(spanMs: number): { totals: WindowTotals; models: Record<string, WindowModelStats>; tasks: Record<string, { models: Record<string, WindowModelStats> }> } {
    const tasks: Record<string, { models: Record<string, WindowModelStats> }> = {};
    const totals = { total: 0, ok: 0, error: 0 };
    let costMicros = 0;
    let costUnknown = false;
    for (const [task, byModel] of this.#cells) {
      const models: Record<string, WindowModelStats> = {};
      for (const [model, cell] of byModel) {
        models[model] = cell.stats(spanMs);
        totals.total += cell.total;
        totals.ok += cell.ok;
        totals.error += cell.error;
        costMicros += cell.costMicros;
        costUnknown ||= cell.costUnknown && cell.ok > 0;
      }
      tasks[task] = { models };
    }
    const first = this.scope.tasks[0]?.name ?? [...this.#cells.keys()][0] ?? "";
    const cost = costUnknown ? null : roundMicros(costMicros);
    return {
      totals: { samples: totals, error_rate: totals.total > 0 ? totals.error / totals.total : null, cost_usd: cost, cost_per_hour_usd: perHour(cost, spanMs) },
      models: tasks[first]?.models ?? {},
      tasks,
    };
  }

  #cell(task: string, model: string): Cell {
    let byModel = this.#cells.get(task);
    if (!byModel) this.#cells.set(task, (byModel = new Map<string, Cell>()));
    let cell = byModel.get(model);
    if (!cell) byModel.set(model, (cell = this.#newCell(task)));
    return cell;
  }

  #newCell(task: string): Cell {
    const aggregations = this.#aggregations.get(task);
    return new Cell((key) => {
      const metric = key.split(",")[0] ?? key;
      return getAggregation(aggregations?.get(metric) ?? "mean") ?? (getAggregation("mean") as AggregationFactory);
    });
  }
}

/** Micro-dollars to dollars, rounded to 1e-12 as the summary does. */
const roundMicros = (micros: number): number => Math.round(micros * 1e6) / 1e12;

const perHour = (cost: number | null, spanMs: number): number | null => (cost === null || spanMs <= 0 ? null : (cost * 3_600_000) / spanMs);
