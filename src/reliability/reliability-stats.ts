import type { EvalEvent } from "../events.js";

/** The `reliability` section of a model's summary. */
export interface ModelReliability {
  /** Requests sent (every attempt, retries included). */
  attempts: number;
  /** Retries, in total and by the failure that caused them (`rate_limit`, `server_error`, `timeout` …). */
  retries: { total: number; by_cause: Record<string, number> };
  /** The circuit breaker of the model's endpoint: times it opened, and seconds it was not closed. */
  breaker: { trips: number; open_s: number };
  /** Samples served by the fallback model. */
  fallbacks: number;
  /** Samples that ended as errors (retries spent, or a permanent failure such as context too long). */
  failed: number;
  /** The lowest in-flight limit adaptive concurrency went down to (null: never lowered). */
  min_concurrency: number | null;
}

interface Acc {
  attempts: number;
  retries: number;
  byCause: Map<string, number>;
  trips: number;
  openMs: number;
  fallbacks: number;
  failed: number;
  minLimit: number | null;
}

/**
 * Folds run events into per-model reliability figures, in memory bounded by models × causes.
 * Breaker events count for every model behind the endpoint (their `models`).
 */
export class ReliabilityStats {
  readonly #acc = new Map<string, Acc>();

  add(event: EvalEvent): void {
    switch (event.type) {
      case "request-start":
        this.#of(event.model).attempts++;
        break;
      case "retry": {
        const a = this.#of(event.model);
        a.retries++;
        a.byCause.set(event.cause, (a.byCause.get(event.cause) ?? 0) + 1);
        break;
      }
      case "breaker-open":
        for (const m of event.models ?? []) this.#of(m).trips++;
        break;
      case "breaker-close":
        for (const m of event.models ?? []) this.#of(m).openMs += event.open_ms;
        break;
      case "concurrency-change": {
        const a = this.#of(event.model);
        if (event.reason !== "increase") a.minLimit = Math.min(a.minLimit ?? event.limit, event.limit);
        break;
      }
      case "result": {
        if (event.resumed) break;
        const a = this.#of(event.line.model);
        if (event.line.served_by) a.fallbacks++;
        if (event.line.status === "error") a.failed++;
        break;
      }
      default:
        break;
    }
  }

  /** The figures for one model (zeros when nothing happened to it). */
  forModel(model: string): ModelReliability {
    const a = this.#acc.get(model) ?? newAcc();
    return {
      attempts: a.attempts,
      retries: { total: a.retries, by_cause: Object.fromEntries([...a.byCause].sort(([x], [y]) => x.localeCompare(y))) },
      breaker: { trips: a.trips, open_s: Math.round(a.openMs) / 1000 },
      fallbacks: a.fallbacks,
      failed: a.failed,
      min_concurrency: a.minLimit,
    };
  }

  #of(model: string): Acc {
    let a = this.#acc.get(model);
    if (!a) this.#acc.set(model, (a = newAcc()));
    return a;
  }
}

function newAcc(): Acc {
  return { attempts: 0, retries: 0, byCause: new Map(), trips: 0, openMs: 0, fallbacks: 0, failed: 0, minLimit: null };
}
