import type { Clock } from "../clock.js";
import { type EvalEvent, foldOf } from "../events.js";
import { LiveLatency } from "../observe/live-latency.js";
import type { ProcessMeter } from "../observe/process-meter.js";

export interface ProgressOptions {
  /** Work items expected (samples × models × repeats), when the input's size is known up front. */
  readonly total?: number;
  /** Work items per input line (models × repeats): a rejected line takes that many off `total`. */
  readonly itemsPerSample?: number;
  /** A TTY gets one line redrawn in place; anything else a plain line every `intervalMs`. */
  readonly tty: boolean;
  readonly write: (text: string) => void;
  readonly clock: Clock;
  /** Least time between two lines: default 100 ms on a TTY, 5 s otherwise. */
  readonly intervalMs?: number;
  /** Terminal width: a TTY line is cut to fit, since a wrapped line cannot be redrawn in place. */
  readonly columns?: number;
  /** The run's process meter: the line shows its latest RSS and CPU share (the summary's figures come from it too). */
  readonly process?: Pick<ProcessMeter, "latest">;
}

/** How long the rate looks back: long enough to be steady, short enough to follow a change of pace. */
const RATE_WINDOW_S = 30;

/**
 * Progress folded from run events: done / total, rate, ETA, errors and retries, running value of the
 * first metric, cost so far, samples resumed from a checkpoint; with `process`, the process's RSS and CPU. It only reads events; no stage knows
 * it exists, and it writes only through `write` (the CLI gives it stderr, never stdout).
 *
 * The rate counts only work done in this process (resumed results come from the store at once), and
 * after the first few seconds it is a moving average over about 30 s, so the ETA follows the pace the
 * run has now. `start()` adds a timer, so a line still appears every `intervalMs` while nothing
 * finishes (a slow model, a rate limit); `finish()` stops it.
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
  #changed = 0;
  #costMicros = 0;
  #metricKey: string | undefined;
  #metricSum = 0;
  #metricN = 0;
  #metricSq = 0;
  #stopping: string | undefined;
  #lastDraw = Number.NEGATIVE_INFINITY;
  #timer: NodeJS.Timeout | undefined;
  /** The moving rate: items/s, and when and at what count it was last updated. */
  #rate: number | undefined;
  #rateAt: number;
  #rateFresh = 0;
  readonly #started: number;

  constructor(readonly options: ProgressOptions) {
    this.#started = options.clock.now();
    this.#rateAt = this.#started;
  }

  /** Folds one event; redraws when the last line is older than `intervalMs`. */
  add(event: EvalEvent): void {
    this.#latency.add(event);
    if (event.type === "record-changed") this.#changed++;
    if (event.type === "result") {
      this.#done++;
      const line = foldOf(event);
      if (event.resumed) this.#resumed++;
      else this.#retries += Math.max(0, (line.timing?.attempts ?? 1) - 1);
      if (line.status === "error") this.#errors++;
      if (typeof line.cost_usd === "number") this.#costMicros += line.cost_usd * 1e6;
      const scores = line.scores ?? {};
      this.#metricKey ??= Object.keys(scores)[0];
      const v = this.#metricKey === undefined ? undefined : scores[this.#metricKey];
      if (typeof v === "number") {
        this.#metricSum += v;
        this.#metricSq += v * v;
        this.#metricN++;
      }
      this.maybeDraw();
    } else if (event.type === "reject") this.#rejects++;
    else if (event.type === "breaker-open") {
      this.#breakerTrips++;
      this.#breakersOpen.add(event.endpoint);
      this.maybeDraw();
    } else if (event.type === "breaker-close") this.#breakersOpen.delete(event.endpoint);
    else if (event.type === "stopping") {
      this.#stopping = event.reason;
      this.draw();
    }
  }

  /** The running mean, with ± its standard error once two scores are in (as the summary's stderr). */
  #runningMetric(): string {
    const n = this.#metricN;
    const mean = this.#metricSum / n;
    if (n < 2) return mean.toFixed(3);
    const variance = Math.max(0, (this.#metricSq - n * mean * mean) / (n - 1));
    return `${mean.toFixed(3)} ± ${Math.sqrt(variance / n).toFixed(3)}`;
  }

  /** Draws a line every `intervalMs` even while no event comes. The timer never keeps the process alive. */
  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => this.draw(), this.options.tty ? Math.max(1000, this.#interval()) : this.#interval());
    this.#timer.unref();
  }

  maybeDraw(): void {
    if (this.options.clock.now() - this.#lastDraw >= this.#interval()) this.draw();
  }

  /** Writes the current line now: redrawn in place on a TTY, a new line otherwise. */
  draw(): void {
    const now = this.options.clock.now();
    this.#lastDraw = now;
    this.#updateRate(now);
    const text = this.line(now);
    const cols = this.options.columns;
    this.options.write(this.options.tty ? `\r\x1b[2K${cols && text.length >= cols ? `${text.slice(0, cols - 2)}…` : text}` : `${text}\n`);
  }

  /** Stops the timer and ends the TTY line (before the summary is printed). */
  finish(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.options.tty) {
      this.draw();
      this.options.write("\n");
    }
  }

  /** The progress line at `now` (pure: drawing updates the moving rate, this only reads it). */
  line(now: number): string {
    const elapsed = (now - this.#started) / 1000;
    const rate = this.#currentRate(now);
    const total = this.options.total === undefined ? undefined : Math.max(0, this.options.total - this.#rejects * (this.options.itemsPerSample ?? 0));
    const parts: string[] = [];
    if (total !== undefined && total > 0) {
      const pct = Math.min(100, (100 * this.#done) / total);
      parts.push(`${bar(pct)} ${this.#done}/${total} ${pct.toFixed(1)}%`);
      const left = Math.max(0, total - this.#done);
      parts.push(`eta ${left === 0 ? "0s" : rate > 0 ? duration(left / rate) : "?"}`);
    } else parts.push(`${this.#done} done`);
    parts.push(`${rate.toFixed(1)}/s`, `elapsed ${duration(elapsed)}`);
    if (this.#metricKey && this.#metricN) parts.push(`${this.#metricKey} ${this.#runningMetric()}`);
    if (this.#costMicros > 0) parts.push(`$${(this.#costMicros / 1e6).toFixed(4)}`);
    if (this.#errors) parts.push(`errors ${this.#errors}`);
    if (this.#retries) parts.push(`retries ${this.#retries}`);
    if (this.#rejects) parts.push(`rejected ${this.#rejects}`);
    if (this.#breakersOpen.size) parts.push(`breaker OPEN (${[...this.#breakersOpen].join(", ")}; trips ${this.#breakerTrips})`);
    else if (this.#breakerTrips) parts.push(`breaker trips ${this.#breakerTrips}`);
    parts.push(...this.#latency.parts());
    if (this.#resumed) parts.push(`resumed ${this.#resumed}`);
    if (this.#changed) parts.push(`changed ${this.#changed}`);
    const proc = this.options.process?.latest();
    if (proc) parts.push(`rss ${Math.round(proc.reading.rssBytes / 1048576)} MB`);
    if (proc && proc.cpuPercent !== null) parts.push(`cpu ${Math.round(proc.cpuPercent)}%`);
    if (this.#stopping) parts.push(`stopping (${this.#stopping})`);
    return parts.join(" · ");
  }

  /** Items/s done in this process: the plain average at first, then the moving average. */
  #currentRate(now: number): number {
    const elapsed = (now - this.#started) / 1000;
    const fresh = this.#done - this.#resumed;
    if (this.#rate === undefined || elapsed < RATE_WINDOW_S / 3) return elapsed > 0 ? fresh / elapsed : 0;
    return this.#rate;
  }

  #updateRate(now: number): void {
    const dt = (now - this.#rateAt) / 1000;
    if (dt <= 0) return;
    const fresh = this.#done - this.#resumed;
    const instant = (fresh - this.#rateFresh) / dt;
    const weight = 1 - Math.exp(-dt / RATE_WINDOW_S);
    this.#rate = this.#rate === undefined ? fresh / ((now - this.#started) / 1000) : this.#rate + weight * (instant - this.#rate);
    this.#rateAt = now;
    this.#rateFresh = fresh;
  }

  #interval(): number {
    return this.options.intervalMs ?? (this.options.tty ? 100 : 5000);
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
