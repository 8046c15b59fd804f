import type { Clock } from "../clock.js";
import { AttemptTimeoutError, type TimeoutKind } from "../errors/attempt-timeout-error.js";

/** Per-attempt deadlines in ms; undefined or Infinity: none. */
export interface AttemptTimeouts {
  /** The whole attempt, first byte to last. */
  readonly totalMs?: number;
  /** Sending to the first streamed chunk (streamed replies only). */
  readonly ttftMs?: number;
  /** Between two streamed chunks (streamed replies only). */
  readonly idleMs?: number;
}

export interface AttemptWatch {
  /** Aborted when a deadline passes or the parent signal aborts: hand it to the model client. */
  readonly signal: AbortSignal;
  /** Tell the watch a streamed chunk arrived (moves the idle deadline). */
  readonly onChunk: () => void;
  /** The deadline that cut the attempt off, if one did. */
  readonly timedOut: AttemptTimeoutError | undefined;
  /** Stops watching (call when the attempt settles, whatever the outcome). */
  dispose(): void;
}

interface Watched {
  readonly start: number;
  lastChunk: number | undefined;
  readonly streaming: boolean;
  readonly controller: AbortController;
  timedOut: AttemptTimeoutError | undefined;
}

const noop = () => {};
/** A fixed reason: abort() without one builds a DOMException (with a stack trace) each time. */
const IDLE = new Error("watchdog idle");

/**
 * Watches the deadlines of a dispatcher's attempts on the injected clock and aborts an attempt's
 * signal, with an AttemptTimeoutError as the reason, once one has passed; aborting cancels the HTTP
 * request and frees its socket. One clock sleep per tick serves every attempt in flight: a timer per
 * attempt would cost more than the request's own bookkeeping (an AbortSignal's abort event alone
 * takes tens of µs in Node). A deadline fires within one tick of passing; the tick is a tenth of the
 * shortest deadline, from 5 ms to 1 s. TTFT and idle deadlines apply to streamed replies only.
 */
export class AttemptWatchdog {
  readonly #total: number | undefined;
  readonly #ttft: number | undefined;
  readonly #idle: number | undefined;
  readonly #clock: Clock;
  readonly #tick: number;
  readonly #active = new Set<Watched>();
  #loop: AbortController | undefined;

  constructor(timeouts: AttemptTimeouts, clock: Clock, tickMs?: number) {
    this.#total = finite(timeouts.totalMs);
    this.#ttft = finite(timeouts.ttftMs);
    this.#idle = finite(timeouts.idleMs);
    this.#clock = clock;
    const shortest = Math.min(this.#total ?? Infinity, this.#ttft ?? Infinity, this.#idle ?? Infinity);
    this.#tick = tickMs ?? Math.min(1000, Math.max(5, shortest / 10));
  }

  /** Starts watching one attempt. `streaming`: the client reports chunks (TTFT and idle apply). */
  watch(parent: AbortSignal, streaming: boolean): AttemptWatch {
    const applies = this.#total !== undefined || (streaming && (this.#ttft !== undefined || this.#idle !== undefined));
    // No deadline: nothing to watch, and nothing to allocate on the hot path.
    if (!applies) return { signal: parent, onChunk: noop, timedOut: undefined, dispose: noop };
    const controller = new AbortController();
    const w: Watched = { start: this.#clock.now(), lastChunk: undefined, streaming, controller, timedOut: undefined };
    const onParent = () => controller.abort(parent.reason);
    if (parent.aborted) onParent();
    else parent.addEventListener("abort", onParent, { once: true });
    this.#active.add(w);
    if (!this.#loop || this.#loop.signal.aborted) void this.#run();
    const clock = this.#clock;
    let disposed = false;
    return {
      signal: controller.signal,
      onChunk: () => {
        w.lastChunk = clock.now();
      },
      get timedOut() {
        return w.timedOut;
      },
      dispose: () => {
        if (disposed) return;
        disposed = true;
        parent.removeEventListener("abort", onParent);
        // The last attempt out stops the tick, so an idle run holds no timer.
        if (this.#active.delete(w) && this.#active.size === 0) this.#loop?.abort(IDLE);
      },
    };
  }

  async #run(): Promise<void> {
    const loop = (this.#loop = new AbortController());
    try {
      while (this.#active.size > 0) {
        await this.#clock.sleep(this.#tick, loop.signal);
        const now = this.#clock.now();
        for (const w of this.#active) {
          const passed = this.#passed(w, now);
          if (!passed) continue;
          this.#active.delete(w);
          w.timedOut = new AttemptTimeoutError(passed.kind, passed.ms);
          w.controller.abort(w.timedOut);
        }
      }
    } catch {
      // Stopped: no attempt left to watch.
    } finally {
      if (this.#loop === loop) this.#loop = undefined;
    }
  }

  /** The deadline of `w` that has passed by `now`, the earliest one if several. */
  #passed(w: Watched, now: number): { kind: TimeoutKind; ms: number } | undefined {
    let best: { at: number; kind: TimeoutKind; ms: number } | undefined;
    const consider = (at: number, kind: TimeoutKind, ms: number) => {
      if (at <= now && (!best || at < best.at)) best = { at, kind, ms };
    };
    if (this.#total !== undefined) consider(w.start + this.#total, "total", this.#total);
    if (w.streaming && w.lastChunk === undefined && this.#ttft !== undefined) consider(w.start + this.#ttft, "ttft", this.#ttft);
    if (w.streaming && w.lastChunk !== undefined && this.#idle !== undefined) consider(w.lastChunk + this.#idle, "idle", this.#idle);
    return best;
  }
}

const finite = (ms: number | undefined): number | undefined => (ms !== undefined && Number.isFinite(ms) && ms > 0 ? ms : undefined);
