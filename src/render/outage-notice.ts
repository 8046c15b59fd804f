import type { Clock } from "../clock.js";
import type { EvalEvent } from "../events.js";

/**
 * Says on stderr, progress bar or not, when the run is waiting on an endpoint that stopped answering:
 * a line when its breaker opens, then one every `everyMs` (default 30 s) while it stays open, naming what
 * it waits for and since when; and a line when it answers again. `waiting` tells a Ctrl-C handler that
 * samples are stuck behind a breaker (so a stop need not wait for them). `dispose` cancels the timers.
 */
export class OutageNotice {
  readonly #open = new Map<string, { since: number; stop: AbortController }>();
  readonly #write: (text: string) => void;
  readonly #clock: Clock;
  readonly #everyMs: number;

  constructor(options: { readonly write: (text: string) => void; readonly clock: Clock; readonly everyMs?: number }) {
    this.#write = options.write;
    this.#clock = options.clock;
    this.#everyMs = options.everyMs ?? 30_000;
  }

  get waiting(): boolean {
    return this.#open.size > 0;
  }

  add(event: EvalEvent): void {
    if (event.type === "breaker-open" && !this.#open.has(event.endpoint)) {
      const entry = { since: this.#clock.epochMs(), stop: new AbortController() };
      this.#open.set(event.endpoint, entry);
      const since = new Date(entry.since).toISOString().slice(11, 19);
      const models = event.models?.length ? ` (${event.models.join(", ")})` : "";
      this.#write(`waiting: ${event.endpoint}${models} stopped answering; samples wait for it to come back (since ${since} UTC; Ctrl-C stops)\n`);
      void this.#remind(event.endpoint, since, entry.stop.signal);
    } else if (event.type === "breaker-close") {
      const entry = this.#open.get(event.endpoint);
      if (!entry) return;
      entry.stop.abort();
      this.#open.delete(event.endpoint);
      this.#write(`${event.endpoint} answers again after ${Math.round(event.open_ms / 1000)}s\n`);
    }
  }

  async #remind(endpoint: string, since: string, signal: AbortSignal): Promise<void> {
    try {
      for (;;) {
        await this.#clock.sleep(this.#everyMs, signal);
        this.#write(`still waiting for ${endpoint} (not answering since ${since} UTC)\n`);
      }
    } catch {
      // stopped: the breaker closed, or the run ended
    }
  }

  dispose(): void {
    for (const { stop } of this.#open.values()) stop.abort();
    this.#open.clear();
  }
}
