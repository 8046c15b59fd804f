import { type EvalEvent, foldOf } from "../events.js";
import { type Accumulator, type AccumulatorState, getAggregation } from "../metrics/index.js";
import { ReliabilityStats } from "../reliability/reliability-stats.js";
import type { ResultFold } from "../types.js";
import { groupSummaries, type GroupSpec } from "./groups.js";
import { LatencyHistogram } from "../stats/latency-histogram.js";
import { foldScores } from "../metrics/line-scores.js";
import { overallSummary } from "./overall.js";
import type { MetricValue, ModelSummary, StopReason, Summary } from "./summary.js";
import { isPythonAggregation, type PythonAggregationSpec, PythonValues } from "./python-aggregations.js";
import type { HookCaller } from "../python/hooks/hook-caller.js";

interface ModelAcc {
  total: number;
  ok: number;
  error: number;
  resumed: number;
  /** Stored results not reused because their request or target changed. */
  changed: number;
  /** Results whose reply came from the response cache. */
  cached: number;
  metrics: Map<string, Accumulator>;
  prompt: number;
  completion: number;
  requests: number;
  retries: number;
  /** Micro-dollars: per-sample costs are tiny, so summing them scaled keeps the digits that matter. */
  costMicros: number;
  costUnknown: boolean;
  ttft: LatencyHistogram;
  tpot: LatencyHistogram;
  e2e: LatencyHistogram;
  queue: LatencyHistogram;
  outputTokensPerS: LatencyHistogram;
  errors: Map<string, number>;
}

/** One task × model's folds as `SummaryBuilder.state` saves them (plain JSON). */
interface AccState {
  /** total, ok, error, resumed, changed, cached, prompt tokens, completion tokens, requests, retries. */
  readonly counts: readonly number[];
  readonly costMicros: number;
  readonly costUnknown: boolean;
  readonly metrics: readonly (readonly [string, AccumulatorState])[];
  /** ttft, tpot, e2e, queue, output tokens/s: `LatencyHistogram.state()` each. */
  readonly latency: readonly (readonly number[])[];
  readonly errors: readonly (readonly [string, number])[];
}

/** What `SummaryBuilder.state` saves: the folds of each task × model that has any. */
export interface SummaryFoldState {
  readonly accs: readonly (readonly [string, string, AccState])[];
}

export interface SummaryBuilderOptions {
  readonly run: string;
  /**
   * Task names in order, with each task's metric aggregations (`metric` → aggregation name) and its
   * Python ones (`aggregation: !function`: `metric` → the function), computed by `aggregateInPython`.
   */
  readonly tasks: readonly { readonly name: string; readonly aggregations: ReadonlyMap<string, string>; readonly pythonAggregations?: ReadonlyMap<string, PythonAggregationSpec> }[];
  readonly models: readonly string[];
  /** Groups over the tasks (from group files), reported under `groups`. */
  readonly groups?: readonly GroupSpec[];
}

/**
 * Folds result events into the summary, in memory bounded by tasks × models × metrics (histograms,
 * running sums). Results of a resumed run are folded the same way, so the summary covers the run.
 */
export class SummaryBuilder {
  readonly #acc = new Map<string, Map<string, ModelAcc>>();
  readonly #aggregations = new Map<string, ReadonlyMap<string, string>>();
  #rejected = 0;
  #duplicates = 0;
  readonly #reliability = new ReliabilityStats();
  readonly #pythonValues = new PythonValues();
  readonly #python = new Map<string, MetricValue>();

  constructor(readonly options: SummaryBuilderOptions) {
    for (const t of options.tasks) {
      this.#aggregations.set(t.name, t.aggregations);
      this.#acc.set(t.name, new Map(options.models.map((m): [string, ModelAcc] => [m, newAcc()])));
    }
  }

  add(event: EvalEvent): void {
    this.#reliability.add(event);
    if (event.type === "result") this.addResult(foldOf(event), event.resumed ?? false);
    else if (event.type === "reject") this.#rejected++;
    else if (event.type === "duplicate-id") this.#duplicates++;
    else if (event.type === "record-changed") this.#accFor(event.key.task, event.key.model).changed++;
  }

  #accFor(task: string, model: string): ModelAcc {
    let byModel = this.#acc.get(task);
    if (!byModel) this.#acc.set(task, (byModel = new Map<string, ModelAcc>()));
    let a = byModel.get(model);
    if (!a) byModel.set(model, (a = newAcc()));
    return a;
  }

  addResult(line: ResultFold, resumed = false): void {
    const a = this.#accFor(line.task, line.model);
    a.total++;
    if (resumed) a.resumed++;
    // `requests` and `retries` are what this run sent: a resumed line's requests went out in an earlier
    // session (tokens, cost and scores still cover the whole run, as the summary does).
    const attempts = resumed ? 0 : (line.timing?.attempts ?? line.error?.attempts ?? 0);
    a.requests += attempts;
    // A line may stand for several requests (a conversation's turns, an agent's steps): `requests` says how many.
    const sent = typeof line.requests === "number" ? line.requests : 1;
    if (!resumed) a.retries += Math.max(0, attempts - sent);
    if (line.status === "error") {
      a.error++;
      const type = line.error?.type ?? "unknown";
      a.errors.set(type, (a.errors.get(type) ?? 0) + 1);
      return;
    }
    a.ok++;
    const aggregations = this.#aggregations.get(line.task);
    const inPython = (metric: string) => isPythonAggregation(aggregations?.get(metric));
    this.#pythonValues.add(line, inPython);
    foldScores(withoutPythonValues(line, inPython), (key) => {
      let agg = a.metrics.get(key);
      if (!agg) {
        const metric = key.split(",")[0] ?? key;
        agg = (getAggregation(this.#aggregations.get(line.task)?.get(metric) ?? "mean") ?? getAggregation("mean"))!.create();
        a.metrics.set(key, agg);
      }
      return agg;
    });
    if (line.usage) {
      a.prompt += line.usage.prompt_tokens;
      a.completion += line.usage.completion_tokens;
    }
    if (typeof line.cost_usd === "number") a.costMicros += line.cost_usd * 1e6;
    else a.costUnknown = true;
    // A cached reply was not timed this time: it stays out of the latency statistics.
    if (line.cached === true) {
      a.cached++;
      return;
    }
    a.ttft.record(line.timing?.ttft_ms);
    a.tpot.record(line.timing?.tpot_ms);
    a.e2e.record(line.timing?.e2e_ms);
    a.queue.record(line.timing?.queue_ms);
    a.outputTokensPerS.record(line.timing?.output_tokens_per_s);
  }

  /**
   * The saved form of the result lines' folds (a summary snapshot, summary-snapshot.ts): each task × model's
   * counts, metric accumulators (`state()`), sums and latency histograms. Not the rejects, duplicates, reliability
   * or Python values: a snapshot is taken of a builder that folded resumed lines only, in a run without Python
   * aggregations.
   */
  state(): SummaryFoldState {
    const out: [string, string, AccState][] = [];
    for (const [task, byModel] of this.#acc) {
      for (const [model, a] of byModel) {
        if (a.total === 0 && a.changed === 0) continue;
        out.push([task, model, {
          counts: [a.total, a.ok, a.error, a.resumed, a.changed, a.cached, a.prompt, a.completion, a.requests, a.retries],
          costMicros: a.costMicros,
          costUnknown: a.costUnknown,
          metrics: [...a.metrics].map(([key, agg]) => [key, agg.state()] as const),
          latency: [a.ttft.state(), a.tpot.state(), a.e2e.state(), a.queue.state(), a.outputTokensPerS.state()],
          errors: [...a.errors],
        }]);
      }
    }
    return { accs: out };
  }

  /**
   * Adds a saved form (`state()`) as if its lines were folded here. False, adding nothing, when it is not one
   * (a damaged or foreign snapshot), or when its metrics' accumulators are not of this run's aggregations.
   */
  mergeState(state: unknown): boolean {
    const parsed = this.#parseState(state);
    if (parsed === undefined) return false;
    for (const [task, model, b] of parsed) {
      const a = this.#accFor(task, model);
      a.total += b.total;
      a.ok += b.ok;
      a.error += b.error;
      a.resumed += b.resumed;
      a.changed += b.changed;
      a.cached += b.cached;
      a.prompt += b.prompt;
      a.completion += b.completion;
      a.requests += b.requests;
      a.retries += b.retries;
      a.costMicros += b.costMicros;
      if (b.costUnknown) a.costUnknown = true;
      for (const [key, agg] of b.metrics) {
        const mine = a.metrics.get(key);
        if (mine) mine.merge(agg.state());
        else a.metrics.set(key, agg);
      }
      a.ttft.merge(b.ttft);
      a.tpot.merge(b.tpot);
      a.e2e.merge(b.e2e);
      a.queue.merge(b.queue);
      a.outputTokensPerS.merge(b.outputTokensPerS);
      for (const [type, n] of b.errors) a.errors.set(type, (a.errors.get(type) ?? 0) + n);
    }
    return true;
  }

  /** A saved form's accumulators, each checked; undefined when any part is not what `state()` makes. */
  #parseState(state: unknown): [string, string, ModelAcc][] | undefined {
    const accs = (state as { accs?: unknown } | null)?.accs;
    if (!Array.isArray(accs)) return undefined;
    const out: [string, string, ModelAcc][] = [];
    for (const entry of accs as unknown[]) {
      if (!Array.isArray(entry) || entry.length !== 3 || typeof entry[0] !== "string" || typeof entry[1] !== "string") return undefined;
      const [task, model, s] = entry as [string, string, Partial<AccState> | null];
      if (s === null || typeof s !== "object") return undefined;
      const { counts, metrics, latency, errors } = s;
      if (!Array.isArray(counts) || counts.length !== 10 || !counts.every((c) => Number.isInteger(c) && c >= 0)) return undefined;
      if (!Number.isFinite(s.costMicros) || typeof s.costUnknown !== "boolean") return undefined;
      if (!Array.isArray(latency) || latency.length !== 5 || !Array.isArray(metrics) || !Array.isArray(errors)) return undefined;
      const a = newAcc();
      [a.total, a.ok, a.error, a.resumed, a.changed, a.cached, a.prompt, a.completion, a.requests, a.retries] = counts as [number, number, number, number, number, number, number, number, number, number];
      a.costMicros = s.costMicros as number;
      a.costUnknown = s.costUnknown;
      const histograms = [a.ttft, a.tpot, a.e2e, a.queue, a.outputTokensPerS];
      if (!histograms.every((h, i) => h.restore(latency[i]))) return undefined;
      for (const e of errors as unknown[]) {
        if (!Array.isArray(e) || e.length !== 2 || typeof e[0] !== "string" || !Number.isInteger(e[1])) return undefined;
        a.errors.set(e[0], e[1] as number);
      }
      for (const m of metrics as unknown[]) {
        if (!Array.isArray(m) || m.length !== 2 || typeof m[0] !== "string") return undefined;
        const metric = m[0].split(",")[0] ?? m[0];
        const factory = getAggregation(this.#aggregations.get(task)?.get(metric) ?? "mean") ?? getAggregation("mean")!;
        try {
          a.metrics.set(m[0], factory.fromState(m[1]));
        } catch {
          return undefined;
        }
      }
      out.push([task, model, a]);
    }
    return out;
  }

  /**
   * Runs the tasks' Python aggregations (`aggregation: !function`) over every value the run's lines gave
   * them, in the hook workers; `build` then reports them beside the other metrics. Call once, at the end.
   */
  async aggregateInPython(caller: HookCaller): Promise<void> {
    const hooks = new Map(this.options.tasks.map((t) => [t.name, t.pythonAggregations]));
    for (const r of await this.#pythonValues.aggregate(caller, (task, metric) => hooks.get(task)?.get(metric))) this.#python.set(JSON.stringify([r.task, r.model, r.key]), r.value);
  }

  /** Whether a Python aggregation has values to run on (`aggregateInPython` has work to do). */
  get needsPython(): boolean {
    return this.#pythonValues.size > 0 && this.options.tasks.some((t) => t.pythonAggregations?.size);
  }

  /** Reports each Python-aggregated metric as not computed, saying why (no worker could run it). */
  pythonUnavailable(reason: string): void {
    const hooks = new Map(this.options.tasks.map((t) => [t.name, t.pythonAggregations]));
    for (const r of this.#pythonValues.unavailable(reason, (task, metric) => hooks.get(task)?.get(metric))) this.#python.set(JSON.stringify([r.task, r.model, r.key]), r.value);
  }

  build(stopped: StopReason | null, wall_s: number, stop_message?: string): Summary {
    const tasks: Summary["tasks"] = {};
    for (const [task, byModel] of this.#acc) {
      const models: Record<string, ModelSummary> = {};
      for (const [model, a] of byModel) models[model] = this.#modelSummary(a, model, task);
      tasks[task] = { models };
    }
    const first = this.options.tasks[0]?.name ?? [...this.#acc.keys()][0] ?? "";
    return {
      run: this.options.run,
      task: this.options.tasks.map((t) => t.name).join(",") || first,
      stopped,
      ...(stop_message ? { stop_message } : {}),
      models: tasks[first]?.models ?? {},
      tasks,
      ...(Object.keys(tasks).length > 1 ? { overall: { models: overallSummary(tasks) } } : {}),
      ...(this.options.groups?.length ? { groups: groupSummaries(this.options.groups, tasks, this.#modelNames()) } : {}),
      rejected: this.#rejected,
      duplicates: this.#duplicates,
      wall_s: Math.round(wall_s * 1000) / 1000,
    };
  }

  /** The run's models, then any other model a result names (a routed or resumed one). */
  #modelNames(): string[] {
    const names = new Set(this.options.models);
    for (const byModel of this.#acc.values()) for (const m of byModel.keys()) names.add(m);
    return [...names];
  }

  #modelSummary(a: ModelAcc, model: string, task: string): ModelSummary {
    const metrics: ModelSummary["metrics"] = {};
    for (const [key, agg] of a.metrics) metrics[key] = agg.result();
    for (const [id, value] of this.#python) {
      const [t, m, key] = JSON.parse(id) as [string, string, string];
      if (t === task && m === model) metrics[key] = value;
    }
    return {
      samples: { total: a.total, ok: a.ok, error: a.error, resumed: a.resumed, changed: a.changed, cached: a.cached, rejected: this.#rejected },
      metrics,
      usage: { prompt_tokens: a.prompt, completion_tokens: a.completion, requests: a.requests, retries: a.retries },
      cost_usd: a.costUnknown && a.ok > 0 ? null : Math.round(a.costMicros * 1e6) / 1e12,
      latency_ms: { ttft: a.ttft.percentiles(), tpot: a.tpot.percentiles(), e2e: a.e2e.percentiles(), queue: a.queue.percentiles() },
      output_tokens_per_s: a.outputTokensPerS.percentiles(),
      errors: Object.fromEntries(a.errors),
      reliability: this.#reliability.forModel(model),
    };
  }
}

/** The line without the values of metrics aggregated in Python: those are kept apart, for `aggregateInPython`. */
function withoutPythonValues(line: ResultFold, inPython: (metric: string) => boolean): ResultFold {
  const strip = (values: unknown): unknown => {
    if (values === null || typeof values !== "object") return values;
    const entries = Object.entries(values);
    const kept = entries.filter(([key]) => !inPython(key.split(",")[0]!));
    return kept.length === entries.length ? values : Object.fromEntries(kept);
  };
  const sample = line.sample as { values?: unknown } | undefined;
  if (line.values === undefined && sample?.values === undefined) return line;
  return { ...line, ...(line.values ? { values: strip(line.values) as Record<string, unknown> } : {}), ...(sample?.values ? { sample: { ...sample, values: strip(sample.values) } } : {}) };
}

function newAcc(): ModelAcc {
  return {
    total: 0, ok: 0, error: 0, resumed: 0, changed: 0, cached: 0, metrics: new Map(), prompt: 0, completion: 0, requests: 0, retries: 0,
    costMicros: 0, costUnknown: false, ttft: new LatencyHistogram(), tpot: new LatencyHistogram(),
    e2e: new LatencyHistogram(), queue: new LatencyHistogram(), outputTokensPerS: new LatencyHistogram(), errors: new Map(),
  };
}
