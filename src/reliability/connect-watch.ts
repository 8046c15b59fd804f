import type { Clock } from "../clock.js";
import type { EvalEvent } from "../events.js";

/** Network codes that say nothing is there to answer: the port is closed, or the name does not resolve. */
const UNREACHABLE: Readonly<Record<string, string>> = {
  ECONNREFUSED: "connection refused",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host name lookup failed",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
};

export interface ConnectWatchOptions {
  /** How long an endpoint that has never answered may stay unreachable (default 30 000 ms). */
  readonly timeoutMs?: number;
  readonly clock: Clock;
  /** The base URL each model's requests go to (named in the message). */
  readonly endpointOf: (model: string) => string;
  /** Told once, with one line naming the URL and the cause, when an endpoint is given up. */
  readonly onGiveUp: (message: string) => void;
}

/**
 * Fails fast on an endpoint that was never there: when a model's requests are refused or its host does
 * not resolve, and no request to that endpoint has ever had an answer, it waits `timeoutMs` from the
 * first such failure and then gives up (the run stops as fatal, exit 4). An endpoint that has answered
 * once (any HTTP status counts) is in an outage, not a wrong URL: it is waited out as usual.
 * Fold every event with `add`; `dispose` cancels the timers.
 */
export class ConnectWatch {
  readonly #timeoutMs: number;
  readonly #options: ConnectWatchOptions;
  readonly #answered = new Set<string>();
  readonly #watching = new Set<string>();
  readonly #stop = new AbortController();
  #gaveUp = false;

  constructor(options: ConnectWatchOptions) {
    const timeoutMs = options.timeoutMs ?? 30_000;
    if (!(timeoutMs > 0)) throw new RangeError(`Expected \`timeoutMs\` to be a number > 0, got ${timeoutMs}`);
    this.#timeoutMs = timeoutMs;
    this.#options = options;
  }

  add(event: EvalEvent): void {
    if (event.type !== "request-end") return;
    const endpoint = this.#options.endpointOf(event.model);
    if (event.ok || event.status !== undefined) {
      this.#answered.add(endpoint);
      return;
    }
    const cause = event.networkCode === undefined ? undefined : UNREACHABLE[event.networkCode];
    if (cause === undefined || this.#answered.has(endpoint) || this.#watching.has(endpoint)) return;
    this.#watching.add(endpoint);
    this.#options.clock.sleep(this.#timeoutMs, this.#stop.signal).then(
      () => {
        if (this.#answered.has(endpoint) || this.#gaveUp) return;
        this.#gaveUp = true;
        const seconds = Math.round(this.#timeoutMs / 100) / 10;
        this.#options.onGiveUp(`cannot reach ${endpoint}: ${cause} (${event.networkCode}); it has not answered once in ${seconds}s (--connect-timeout). Is the server running, and is the URL right?`);
      },
      () => undefined,
    );
  }

  dispose(): void {
    this.#stop.abort();
  }
}
