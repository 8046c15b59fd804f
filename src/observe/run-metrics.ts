import type { Registry } from "prom-client";
import { prom } from "./prom.js";
import { RunningScores } from "./running-scores.js";
import { type EvalEvent, foldOf } from "../events.js";
import { judgeCostOf } from "../cost/judge-cost.js";
import type { ProcessMeter } from "./process-meter.js";
import { registerProcessGauges } from "./process-gauges.js";

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

  // Counters and gauges are plain numbers on the hot path, copied into prom-client when scraped:
  // prom-client validates and hashes the labels on every call, and this runs for every event.
  const samples = new Totals();
  const resumed = new Totals();
  const requests = new Totals();
  const tokens = new Totals();
  const cost = new Totals();
  const inFlight = new Totals();
  let rejected = 0;
  counter(`${p}samples_total`, "Results by task, model and status (resumed included)", ["task", "model", "status"], samples, registers);
  counter(`${p}samples_resumed_total`, "Results taken from the checkpoint", ["task", "model"], resumed, registers);
  counter(`${p}requests_total`, "Attempts that ended, by HTTP status code and error type", ["model", "outcome", "code", "error_type"], requests, registers);
  counter(`${p}tokens_total`, "Tokens of results, prompt and completion", ["model", "type"], tokens, registers);
  counter(`${p}cost_usd_total`, "Cost of results in USD (known prices only)", ["model"], cost, registers);
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
    labelNames: ["model"],
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
  const hist = (name: keyof typeof SECONDS, help: string) =>
    new (prom().Histogram)({ name: `${p}${name}_seconds`, help, labelNames: ["model"], buckets: SECONDS[name], registers });
  const ttft = hist("ttft", "Time to first token of streamed replies");
  const tpot = hist("tpot", "Time per output token after the first");
  const e2e = hist("e2e", "Request start to last byte, of the attempt that answered");
  const queue = hist("queue", "Waiting before requests went out (rate limit, breaker, concurrency)");

  const add = (event: EvalEvent): void => {
    switch (event.type) {
      case "request-start":
        inFlight.add(event.model, () => ({ model: event.model }), 1);
        return;
      case "request-end": {
        inFlight.add(event.model, () => ({ model: event.model }), -1);
        const outcome = event.ok ? "ok" : "error";
        const code = event.status !== undefined ? String(event.status) : event.ok ? "200" : "none";
        const error_type = event.ok ? "" : (event.errorType ?? "unknown");
        requests.add(`${event.model}\0${outcome}\0${code}\0${error_type}`, () => ({ model: event.model, outcome, code, error_type }));
        return;
      }
      case "reject":
        rejected++;
        return;
      case "result": {
        const line = foldOf(event);
        const { task, model } = line;
        samples.add(`${task}\0${model}\0${line.status}`, () => ({ task, model, status: line.status }));
        scores.add(line);
        if (event.resumed) {
          resumed.add(`${task}\0${model}`, () => ({ task, model }));
          return;
        }
        if (line.usage) {
          tokens.add(`${model}\0prompt`, () => ({ model, type: "prompt" }), line.usage.prompt_tokens);
          tokens.add(`${model}\0completion`, () => ({ model, type: "completion" }), line.usage.completion_tokens);
        }
        if (typeof line.cost_usd === "number" && line.cost_usd > 0) cost.add(model, () => ({ model }), line.cost_usd);
        // The judge's calls for this sample, under the judge model's name.
        const judge = judgeCostOf(line);
        if (judge?.usd) cost.add(judge.model, () => ({ model: judge.model }), judge.usd);
        const t = line.timing;
        // A reply from the response cache was not timed this time.
        if (line.status !== "ok" || !t || line.cached === true) return;
        const labels = { model };
        if (t.ttft_ms !== null) ttft.observe(labels, t.ttft_ms / 1000);
        if (t.tpot_ms !== null) tpot.observe(labels, t.tpot_ms / 1000);
        e2e.observe(labels, t.e2e_ms / 1000);
        queue.observe(labels, t.queue_ms / 1000);
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

/** Running totals by label set (bounded by the label sets a run produces). */
class Totals {
  readonly #rows = new Map<string, { labels: Labels; value: number }>();

  /** Adds `n` to the row `key`; `labels` is called once, when the row is new. */
  add(key: string, labels: () => Labels, n = 1): void {
    const row = this.#rows.get(key);
    if (row) row.value += n;
    else this.#rows.set(key, { labels: labels(), value: n });
  }

  rows(): Iterable<{ readonly labels: Labels; readonly value: number }> {
    return this.#rows.values();
  }
}

/** A prom-client counter that shows `totals` at each scrape. */
function counter(name: string, help: string, labelNames: string[], totals: Totals, registers: Registry[]): void {
  new (prom().Counter)({
    name,
    help,
    labelNames,
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
