import type { Registry } from "prom-client";
import { prom } from "./prom.js";
import { RunningScores } from "./running-scores.js";
import { type EvalEvent, foldOf } from "../events.js";
import { judgeCostOf } from "../cost/judge-cost.js";
import type { ProcessMeter } from "./process-meter.js";
import { registerProcessGauges } from "./process-gauges.js";
import { TalliedHistogram } from "./tallied-histogram.js";

/** Where a run's Prometheus metrics are registered, their name prefix, and the process meter they show. */
export interface RunMetricsOptions {
  /** The registry to fill (default: a new one, so two runs in one process never share counters). */
  readonly registry?: Registry;
  /**
   * The run's process meter (pass the one `runEvaluation` gets as `processMeter`): its readings are
   * shown as the process metrics (RSS, CPU, heap, event-loop delay; see registerProcessGauges). Absent:
   * no process metrics.
   */
  readonly process?: ProcessMeter;
  /** Metric name prefix (default `streameval_`). */
  readonly prefix?: string;
}

/** Breaker states as the gauge reports them. */
export const BREAKER_STATE = { closed: 0, open: 1, "half-open": 2 } as const;

/** A run's Prometheus registry, fed by its events: requests, tokens, cost, latency, errors. */
export interface RunMetrics {
  readonly registry: Registry;
  /** Folds one run event into the metrics. */
  readonly add: (event: EvalEvent) => void;
}

const SECONDS = {
  ttft: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  tpot: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
  e2e: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
  queue: [0.001, 0.01, 0.1, 0.5, 1, 5, 10, 30, 60, 300],
};

/**
 * Prometheus metrics folded from a run's events (prom-client), for `--metrics-port`:
 * - `samples_total{task,model,status}`: every result, resumed ones too (so it matches the summary's
 *   counts); `samples_resumed_total{task,model}` says how many came from the checkpoint.
 * - `requests_total{model,outcome,code,error_type}`: every attempt that ended; `code` is the HTTP
 *   status, or `none` when there was none (timeout, reset).
 * - `tokens_total{model,type}` (prompt, completion) and `cost_usd_total{model}`: results of this process
 *   (a judge's cost under the judge model's name).
 * - `ttft_seconds`, `tpot_seconds`, `e2e_seconds`, `queue_seconds{model}`: histograms of ok results.
 * - `in_flight_requests{model}`, `breaker_state{target}` (the endpoint; 0 closed, 1 open, 2 half-open) gauges.
 * - `rejected_total`: input lines set aside.
 * - `metric_value{task,model,metric}`, `metric_stderr{…}`: each metric's running mean and its standard error.
 * - with `process`, the process metrics read from that meter (registerProcessGauges; unprefixed names).
 * Memory is bounded by models × status codes × error types.
 */
export function createRunMetrics(options: RunMetricsOptions = {}): RunMetrics {
  const registry = options.registry ?? new (prom().Registry)();
  const p = options.prefix ?? "streameval_";
  const registers = [registry];
  if (options.process) registerProcessGauges(registry, options.process);

  // Counters, gauges and histograms are plain numbers on the hot path, shown to prom-client when scraped:
  // prom-client validates and hashes the labels on every call, and this runs for every event.
  const samples = new Totals(["task", "model", "status"]);
  const resumed = new Totals(["task", "model"]);
  const requests = new Totals(["model", "outcome", "code", "error_type"]);
  const tokens = new Totals(["model", "type"]);
  const cost = new Totals(["model"]);
  const inFlight = new Totals(["model"]);
  let rejected = 0;
  counter(`${p}samples_total`, "Results by task, model and status (resumed included)", samples, registers);
  counter(`${p}samples_resumed_total`, "Results taken from the checkpoint", resumed, registers);
  counter(`${p}requests_total`, "Attempts that ended, by HTTP status code and error type", requests, registers);
  counter(`${p}tokens_total`, "Tokens of results, prompt and completion", tokens, registers);
  counter(`${p}cost_usd_total`, "Cost of results in USD (known prices only)", cost, registers);
  new (prom().Counter)({
    name: `${p}rejected_total`,
    help: "Input lines set aside",
    registers,
    collect() {
      this.reset();
      this.inc(rejected);
    },
  });
  new (prom().Gauge)({
    name: `${p}in_flight_requests`,
    help: "Requests in flight",
    labelNames: inFlight.names,
    registers,
    collect() {
      for (const row of inFlight.rows()) this.set(row.labels, row.value);
    },
  });
  // Every result, resumed ones too: the running value covers the whole run, as the summary will.
  const scores = new RunningScores();
  new (prom().Gauge)({
    name: `${p}metric_value`,
    help: "Running mean of a metric's per-sample scores",
    labelNames: ["task", "model", "metric"],
    registers,
    collect() {
      for (const r of scores.rows()) this.set({ task: r.task, model: r.model, metric: r.metric }, r.value);
    },
  });
  new (prom().Gauge)({
    name: `${p}metric_stderr`,
    help: "Standard error of the running mean (sample standard deviation / sqrt(n))",
    labelNames: ["task", "model", "metric"],
    registers,
    collect() {
      for (const r of scores.rows()) if (r.stderr !== null) this.set({ task: r.task, model: r.model, metric: r.metric }, r.stderr);
    },
  });
  const breaker = new (prom().Gauge)({ name: `${p}breaker_state`, help: "Circuit breaker: 0 closed, 1 open, 2 half-open", labelNames: ["target"], registers });
  const hist = (name: keyof typeof SECONDS, help: string) => new TalliedHistogram({ name: `${p}${name}_seconds`, help, label: "model", bounds: SECONDS[name], registers });
  const ttft = hist("ttft", "Time to first token of streamed replies");
  const tpot = hist("tpot", "Time per output token after the first");
  const e2e = hist("e2e", "Request start to last byte, of the attempt that answered");
  const queue = hist("queue", "Waiting before requests went out (rate limit, breaker, concurrency)");

  const add = (event: EvalEvent): void => {
    switch (event.type) {
      case "request-start":
        inFlight.add(1, event.model);
        return;
      case "request-end": {
        inFlight.add(-1, event.model);
        const code = event.status !== undefined ? String(event.status) : event.ok ? "200" : "none";
        if (event.ok) requests.add(1, event.model, "ok", code, "");
        else requests.add(1, event.model, "error", code, event.errorType ?? "unknown");
        return;
      }
      case "reject":
        rejected++;
        return;
      case "result": {
        const line = foldOf(event);
        const { task, model } = line;
        samples.add(1, task, model, line.status);
        scores.add(line);
        if (event.resumed) {
          resumed.add(1, task, model);
          return;
        }
        if (line.usage) {
          tokens.add(line.usage.prompt_tokens, model, "prompt");
          tokens.add(line.usage.completion_tokens, model, "completion");
        }
        if (typeof line.cost_usd === "number" && line.cost_usd > 0) cost.add(line.cost_usd, model);
        // The judge's calls for this sample, under the judge model's name.
        const judge = judgeCostOf(line);
        if (judge?.usd) cost.add(judge.usd, judge.model);
        const t = line.timing;
        // A reply from the response cache was not timed this time.
        if (line.status !== "ok" || !t || line.cached === true) return;
        if (t.ttft_ms !== null) ttft.observe(model, t.ttft_ms / 1000);
        if (t.tpot_ms !== null) tpot.observe(model, t.tpot_ms / 1000);
        e2e.observe(model, t.e2e_ms / 1000);
        queue.observe(model, t.queue_ms / 1000);
        return;
      }
      case "breaker-open":
      case "breaker-half-open":
      case "breaker-close":
        breaker.set({ target: event.endpoint }, BREAKER_EVENTS[event.type]);
        return;
    }
  };
  return { registry, add };
}

type Labels = Record<string, string>;

interface Row {
  readonly labels: Labels;
  value: number;
}

/**
 * Running totals by label values (bounded by the label sets a run produces). The values lead through
 * nested maps to their row, so adding makes no key and no label object; a row's labels are made once,
 * when it is new.
 */
class Totals {
  readonly #root = new Map<string, unknown>();
  readonly #rows: Row[] = [];

  /** `names`: the label names, in the order `add` takes their values. */
  constructor(readonly names: readonly string[]) {}

  /** Adds `n` to the row of these label values, given in the order of `names`. */
  add(n: number, a: string, b?: string, c?: string, d?: string): void {
    const depth = this.names.length;
    let map = this.#root;
    for (let i = 0; i < depth - 1; i++) {
      const value = (i === 0 ? a : i === 1 ? b : c) as string;
      let next = map.get(value) as Map<string, unknown> | undefined;
      if (!next) map.set(value, (next = new Map<string, unknown>()));
      map = next;
    }
    const last = (depth === 1 ? a : depth === 2 ? b : depth === 3 ? c : d) as string;
    const row = map.get(last) as Row | undefined;
    if (row) {
      row.value += n;
      return;
    }
    const values = [a, b, c, d];
    const labels: Labels = {};
    for (let i = 0; i < depth; i++) labels[this.names[i] as string] = values[i] as string;
    const made = { labels, value: n };
    map.set(last, made);
    this.#rows.push(made);
  }

  /** The rows in the order they were first added. */
  rows(): Iterable<Readonly<Row>> {
    return this.#rows;
  }
}

/** A prom-client counter that shows `totals` at each scrape. */
function counter(name: string, help: string, totals: Totals, registers: Registry[]): void {
  new (prom().Counter)({
    name,
    help,
    labelNames: totals.names,
    registers,
    collect() {
      this.reset();
      for (const row of totals.rows()) this.inc(row.labels, row.value);
    },
  });
}

const BREAKER_EVENTS = {
  "breaker-open": BREAKER_STATE.open,
  "breaker-half-open": BREAKER_STATE["half-open"],
  "breaker-close": BREAKER_STATE.closed,
} as const;
