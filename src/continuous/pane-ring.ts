import { type WindowReport, windowReport } from "./window-report.js";
import { type WindowScope, WindowStats } from "./window-stats.js";

/**
 * The mechanics the window operators share. A window is `panes` consecutive panes (1 for tumbling
 * windows, size / slide for sliding ones); results go into the open pane; closing a pane ends a
 * window when enough panes have closed, and that window merges the last `panes` panes. The ring is
 * allocated once and panes are reset for reuse, so memory stays flat however long the run.
 */
export class PaneRing {
  readonly #panes: WindowStats[];
  /** Start time of each pane. */
  readonly #starts: number[];
  /** Merges the panes of a sliding window; unused for tumbling windows. */
  readonly #scratch: WindowStats | undefined;
  #open = 0;
  #closed = 0;
  #index = 0;

  constructor(
    scope: WindowScope,
    readonly panes: number,
    readonly kind: "time" | "count",
    startMs: number,
  ) {
    this.#panes = Array.from({ length: panes }, () => new WindowStats(scope));
    this.#starts = Array.from({ length: panes }, () => startMs);
    this.#scratch = panes > 1 ? new WindowStats(scope) : undefined;
  }

  /** Results in the open pane. */
  get openCount(): number {
    return (this.#panes[this.#open] as WindowStats).count;
  }

  add(line: Parameters<WindowStats["add"]>[0]): void {
    (this.#panes[this.#open] as WindowStats).add(line);
  }

  /** Closes the open pane at `nowMs` and opens the next; returns the window that ends there, if one does. */
  close(nowMs: number): WindowReport | undefined {
    this.#closed++;
    let report: WindowReport | undefined;
    if (this.#closed >= this.panes) {
      // The oldest pane of a full ring is the one after the open one.
      const oldest = (this.#open + 1) % this.panes;
      report = this.#report(this.panes, this.#starts[oldest] as number, nowMs, false);
    }
    this.#open = (this.#open + 1) % this.panes;
    (this.#panes[this.#open] as WindowStats).reset();
    this.#starts[this.#open] = nowMs;
    return report;
  }

  /**
   * The last, partial window at `nowMs` (input closed, run stopped): the open pane and the closed
   * panes still in reach of a window. Undefined when the open pane holds no result, since every
   * earlier result was reported already.
   */
  flush(nowMs: number): WindowReport | undefined {
    if (this.openCount === 0) return undefined;
    const count = Math.min(this.#closed, this.panes - 1) + 1;
    const oldest = (this.#open - count + 1 + this.panes) % this.panes;
    return this.#report(count, this.#starts[oldest] as number, nowMs, true);
  }

  /** Reports the `count` panes ending with the open one. */
  #report(count: number, startMs: number, endMs: number, partial: boolean): WindowReport {
    let stats = this.#panes[this.#open] as WindowStats;
    if (this.#scratch) {
      stats = this.#scratch;
      stats.reset();
      for (let i = count - 1; i >= 0; i--) stats.merge(this.#panes[(this.#open - i + this.panes) % this.panes] as WindowStats);
    }
    return windowReport(stats, { index: this.#index++, kind: this.kind, startMs, endMs, partial });
  }
}
