import type { QueueClient } from "./queue-client.js";
import type { Clock } from "../clock.js";
import { systemClock } from "../clock.js";
import type { BudgetAccount, BudgetLimits, BudgetState, Hold } from "../cost/budget.js";
import type { Spend } from "../cost/worst-case.js";
import { BudgetExhaustedError } from "../errors/budget-exhausted-error.js";
import type { QueueKeys } from "./queue-keys.js";
import { runScript } from "./queue-scripts.js";

/** Writes the budget's limits when the queue has none yet (the first enqueue sets them). */
export async function initSharedBudget(redis: QueueClient, keys: QueueKeys, limits: BudgetLimits): Promise<void> {
  if (limits.usd !== undefined) await redis.hsetnx(keys.budget, "limit_nanos", String(Math.floor(limits.usd * 1e9)));
  if (limits.tokens !== undefined) await redis.hsetnx(keys.budget, "limit_tokens", String(limits.tokens));
}

/** The budget's account as QueueClient holds it (for `status` and the summary). */
export async function readBudgetState(redis: QueueClient, keys: QueueKeys): Promise<BudgetState | null> {
  const b = await redis.hgetall(keys.budget);
  if (!b.limit_nanos && !b.limit_tokens) return null;
  const sum = (values: string[]) => values.reduce((a, v) => a + Number(v), 0);
  const [heldN, heldT] = await Promise.all([redis.hvals(keys.heldNanos), redis.hvals(keys.heldTokens)]);
  return {
    usd: b.limit_nanos ? { limit: Number(b.limit_nanos) / 1e9, spent: Number(b.spent_nanos ?? 0) / 1e9, reserved: sum(heldN) / 1e9 } : null,
    tokens: b.limit_tokens ? { limit: Number(b.limit_tokens), spent: Number(b.spent_tokens ?? 0), reserved: sum(heldT) } : null,
    exhausted: b.exhausted !== undefined,
  };
}

/**
 * One budget for every worker of a queue: each request reserves its worst case in QueueClient (an atomic
 * script) before it goes out and settles to its real cost after, exactly as a run's own Budget does,
 * but summed over all workers. A reservation that does not fit beside those in flight waits (polling);
 * one that never will marks the budget exhausted for everyone, so every worker stops. The holds of a
 * worker whose heartbeat lapsed are charged as spent: the budget is never passed, even by a kill -9.
 */
export class SharedBudget implements BudgetAccount {
  readonly #redis: QueueClient;
  readonly #keys: QueueKeys;
  readonly #worker: string;
  readonly #limits: BudgetLimits;
  readonly #clock: Clock;
  readonly #settling = new Set<Promise<unknown>>();
  #state: BudgetState;

  constructor(redis: QueueClient, keys: QueueKeys, worker: string, limits: BudgetLimits, clock: Clock = systemClock) {
    this.#redis = redis;
    this.#keys = keys;
    this.#worker = worker;
    this.#limits = limits;
    this.#clock = clock;
    this.#state = {
      usd: limits.usd === undefined ? null : { limit: limits.usd, spent: 0, reserved: 0 },
      tokens: limits.tokens === undefined ? null : { limit: limits.tokens, spent: 0, reserved: 0 },
      exhausted: false,
    };
  }

  /** The account as last read (`refresh` reads it again). */
  state(): BudgetState {
    return this.#state;
  }

  async refresh(): Promise<BudgetState> {
    this.#state = (await readBudgetState(this.#redis, this.#keys)) ?? this.#state;
    return this.#state;
  }

  /** Resolves once every settlement sent so far is in Redis. */
  async flush(): Promise<void> {
    await Promise.all([...this.#settling]);
  }

  async reserve(worst: Spend, signal?: AbortSignal): Promise<Hold> {
    if (worst.usd === null && this.#limits.usd !== undefined) throw new RangeError("Expected a known price for every request under a USD budget, got a request without one");
    const nanos = Math.ceil((worst.usd ?? 0) * 1e9);
    const tokens = Math.ceil(worst.tokens);
    const k = this.#keys;
    // Waiting for requests in flight (on any worker) to settle: poll, backing off to 200 ms.
    for (let wait = 10; ; wait = Math.min(200, wait * 2)) {
      if (signal?.aborted) throw signal.reason as Error;
      const [granted, message] = await runScript<[number, string?]>(this.#redis, "seReserve", [k.budget, k.heldNanos, k.heldTokens, k.alive], [this.#worker, nanos, tokens]);
      if (granted === 1) return this.#hold(nanos, tokens);
      if (granted === -1) {
        this.#state = { ...this.#state, exhausted: true };
        throw new BudgetExhaustedError(message ?? "the queue's budget is used up");
      }
      await this.#clock.sleep(wait, signal);
    }
  }

  #hold(nanos: number, tokens: number): Hold {
    let open = true;
    const close = (actualNanos: number, actualTokens: number) => {
      if (!open) return;
      open = false;
      const k = this.#keys;
      const p = runScript(this.#redis, "seSettle", [k.budget, k.heldNanos, k.heldTokens], [this.#worker, nanos, tokens, actualNanos, actualTokens]);
      this.#settling.add(p);
      void p.finally(() => this.#settling.delete(p)).catch(() => undefined);
    };
    return {
      settle: (actual) => close(Math.ceil((actual.usd ?? 0) * 1e9), Math.ceil(actual.tokens)),
      cancel: () => close(0, 0),
    };
  }
}
