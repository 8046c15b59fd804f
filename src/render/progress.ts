import type { Clock } from "../clock.js";
import type { EvalEvent } from "../events.js";
import { LiveLatency } from "../observe/live-latency.js";

export interface ProgressOptions {
  /** Work items expected (samples × models × repeats), when the input's size is known up front. */
  readonly total?: number;
  /** A TTY gets one line redrawn in place; anything else a plain line every `intervalMs`. */
  readonly tty: boolean;
  readonly write: (text: string) => void;
  readonly clock: Clock;
  readonly intervalMs?: number;
}

/**
 * Progress folded from run events: done / total, rate, ETA, errors and retries, running accuracy of
 * the first metric, cost so far. It only reads events; no stage knows it exists.
 */
export class Progress {
  #done = 0;
  #errors = 0;
  #retries = 0;
  #rejects = 0;
  #breakerTrips = 0;
  readonly #breakersOpen = new Set<string>();
  readonly #latency = new LiveLatency();
  #resumed = 0;
  #costMicros = 0;
  #metricKey: string | undefined;
  #metricSum = 0;
  #metricN = 0;
  #lastDraw = Number.NEGATIVE_INFINITY;
  readonly #started: number;

  constructor(readonly options: ProgressOptions) {
    this.#started = options.clock.now();
  }

  add(event: EvalEvent): void {
    this.#latency.add(event);
    if (event.type === "result") {
      this.#done++;
      if (event.resumed) this.#resumed++;
      const line = event.line;
      if (line.status === "error") this.#errors++;
      this.#retries += Math.max(0, (line.timing?.attempts ?? 1) - 1);
      if (typeof line.cost_usd === "number") this.#costMicros += line.cost_usd * 1e6;
      const scores = line.scores ?? {};
      this.#metricKey ??= Object.keys(scores)[0];
      const v = this.#metricKey === undefined ? undefined : scores[this.#metricKey];
      if (typeof v === "number") {
        this.#metricSum += v;
        this.#metricN++;
      }
      this.maybeDraw();
    } else if (event.type === "reject") this.#rejects++;
    else if (event.type === "breaker-open") {
      this.#breakerTrips++;
      this.#breakersOpen.add(event.endpoint);
      this.maybeDraw();
    } else if (event.type === "breaker-close") this.#breakersOpen.delete(event.endpoint);
  }

  maybeDraw(): void {
    const now = this.options.clock.now();
    const interval = this.options.intervalMs ?? (this.options.tty ? 100 : 5000);
    if (now - this.#lastDraw < interval) return;
    this.#lastDraw = now;
    this.options.write(this.options.tty ? `\r\x1b[2K${this.line(now)}` : `${this.line(now)}\n`);
  }

  /** Draws the final line (ending the TTY line) before the summary is printed. */
  finish(): void {
    const line = this.line(this.options.clock.now());
    this.options.write(this.options.tty ? `\r\x1b[2K${line}\n` : `${line}\n`);
  }

  line(now: number): string {
    const elapsed = (now - this.#started) / 1000;
    const fresh = this.#done - this.#resumed;
    const rate = elapsed > 0 ? fresh / elapsed : 0;
    const total = this.options.total;
    const parts: string[] = [];
    if (total !== undefined && total > 0) {
      const pct = Math.min(100, (100 * this.#done) / total);
      parts.push(`${bar(pct)} ${this.#done}/${total} ${pct.toFixed(1)}%`);
      const left = total - this.#done;
      parts.push(`eta ${rate > 0 ? duration(left / rate) : "?"}`);
    } else parts.push(`${this.#done} done`);
    parts.push(`${rate.toFixed(1)}/s`, `elapsed ${duration(elapsed)}`);
    if (this.#metricKey && this.#metricN) parts.push(`${this.#metricKey} ${(this.#metricSum / this.#metricN).toFixed(3)}`);
    if (this.#costMicros > 0) parts.push(`$${(this.#costMicros / 1e6).toFixed(4)}`);
    if (this.#errors) parts.push(`errors ${this.#errors}`);
    if (this.#retries) parts.push(`retries ${this.#retries}`);
    if (this.#rejects) parts.push(`rejected ${this.#rejects}`);
    if (this.#breakersOpen.size) parts.push(`breaker OPEN (${[...this.#breakersOpen].join(", ")}; trips ${this.#breakerTrips})`);
    else if (this.#breakerTrips) parts.push(`breaker trips ${this.#breakerTrips}`);
    parts.push(...this.#latency.parts());
    return parts.join(" · ");
  }
}

function bar(pct: number, width = 20): string {
  const full = Math.round((pct / 100) * width);
  return `[${"#".repeat(full)}${".".repeat(width - full)}]`;
}

export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}
