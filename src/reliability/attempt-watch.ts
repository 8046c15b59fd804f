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

/**
 * Watches one attempt's deadlines on the injected clock and aborts its signal, with an
 * AttemptTimeoutError as the reason, when one passes. Aborting cancels the HTTP request, which frees
 * its socket. `streaming: false` ignores the TTFT and idle deadlines (a whole reply has no chunks).
 */
export function watchAttempt(parent: AbortSignal, timeouts: AttemptTimeouts, clock: Clock, streaming: boolean): AttemptWatch {
  const controller = new AbortController();
  const stop = new AbortController();
  const onParent = () => controller.abort(parent.reason);
  if (parent.aborted) onParent();
  else parent.addEventListener("abort", onParent, { once: true });

  const start = clock.now();
  let lastChunk: number | undefined;
  let timedOut: AttemptTimeoutError | undefined;
  const total = finite(timeouts.totalMs);
  const ttft = streaming ? finite(timeouts.ttftMs) : undefined;
  const idle = streaming ? finite(timeouts.idleMs) : undefined;

  const nextDeadline = (): { at: number; kind: TimeoutKind; ms: number } | undefined => {
    const candidates: { at: number; kind: TimeoutKind; ms: number }[] = [];
    if (total !== undefined) candidates.push({ at: start + total, kind: "total", ms: total });
    if (lastChunk === undefined && ttft !== undefined) candidates.push({ at: start + ttft, kind: "ttft", ms: ttft });
    if (lastChunk !== undefined && idle !== undefined) candidates.push({ at: lastChunk + idle, kind: "idle", ms: idle });
    return candidates.reduce<(typeof candidates)[number] | undefined>((a, b) => (a === undefined || b.at < a.at ? b : a), undefined);
  };

  const run = async () => {
    // Wakes at the earliest deadline; a chunk since then only moved it later, so sleep the rest.
    while (!stop.signal.aborted && !controller.signal.aborted) {
      const d = nextDeadline();
      if (!d) return;
      const wait = d.at - clock.now();
      if (wait <= 0) {
        timedOut = new AttemptTimeoutError(d.kind, d.ms);
        controller.abort(timedOut);
        return;
      }
      try {
        await clock.sleep(wait, stop.signal);
      } catch {
        return;
      }
    }
  };
  if (total !== undefined || ttft !== undefined || idle !== undefined) void run();

  return {
    signal: controller.signal,
    onChunk: () => {
      lastChunk = clock.now();
    },
    get timedOut() {
      return timedOut;
    },
    dispose: () => {
      stop.abort();
      parent.removeEventListener("abort", onParent);
    },
  };
}

const finite = (ms: number | undefined): number | undefined => (ms !== undefined && Number.isFinite(ms) && ms > 0 ? ms : undefined);
