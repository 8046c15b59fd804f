import type { EvalEvent } from "../events.js";
import { LatencyHistogram } from "../stats/latency-histogram.js";

/**
 * Running latency percentiles of the results so far, over every model, for the progress line:
 * `ttft p50 210ms · e2e p50/p99 1.8s/3.2s`. Folds fresh ok results only (resumed ones were timed
 * in an earlier process). Memory: three HDR histograms.
 */
export class LiveLatency {
  readonly #ttft = new LatencyHistogram();
  readonly #tpot = new LatencyHistogram();
  readonly #e2e = new LatencyHistogram();

  add(event: EvalEvent): void {
    if (event.type !== "result" || event.resumed || event.line.cached === true || event.line.status !== "ok") return;
    const t = event.line.timing;
    if (!t) return;
    this.#ttft.record(t.ttft_ms);
    this.#tpot.record(t.tpot_ms);
    this.#e2e.record(t.e2e_ms);
  }

  /** The progress-line parts, empty before the first timed result. */
  parts(): string[] {
    const parts: string[] = [];
    const ttft = this.#ttft.percentiles();
    const tpot = this.#tpot.percentiles();
    const e2e = this.#e2e.percentiles();
    if (ttft.p50 !== null) parts.push(`ttft p50 ${duration(ttft.p50)}`);
    if (tpot.p50 !== null) parts.push(`tpot p50 ${duration(tpot.p50)}`);
    if (e2e.p50 !== null && e2e.p99 !== null) parts.push(`e2e p50/p99 ${duration(e2e.p50)}/${duration(e2e.p99)}`);
    return parts;
  }
}

/** 8.4ms, 210ms, 1.83s: short, with the digits that matter. */
export function duration(ms: number): string {
  if (ms < 10) return `${ms.toFixed(1)}ms`;
  if (ms < 1000) return `${Math.round(ms)}ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)}s`;
}
