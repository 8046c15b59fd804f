import { BudgetExhaustedError } from "../errors/budget-exhausted-error.js";
import type { Spend } from "./worst-case.js";

/** Hard limits for a run: USD and/or total tokens; each request reserves its worst case first. */
export interface BudgetLimits {
  /** Hard limit in USD (`--budget-usd`). */
  readonly usd?: number;
  /** Hard limit on prompt + completion tokens (`--max-tokens-total`). */
  readonly tokens?: number;
}

export interface BudgetOptions extends BudgetLimits {
  /** Told once as settled spending passes 50% and 80% of a limit, and once when the budget is used up. */
  readonly onWarning?: (message: string) => void;
  /** Called once, when a reservation can never fit: the run must stop dispatching. */
  readonly onExhausted?: (message: string) => void;
}

/** A reservation held for one request in flight. Exactly one of settle/cancel counts; later calls do nothing. */
export interface Hold {
  /** The request ended: replace the reservation with what it really cost. */
  settle(actual: Spend): void;
  /** The request never went out: give the reservation back. */
  cancel(): void;
}

/** The budget's account: limits, spent and reserved so far, and whether it is used up. */
export interface BudgetState {
  readonly usd: { readonly limit: number; readonly spent: number; readonly reserved: number } | null;
  readonly tokens: { readonly limit: number; readonly spent: number; readonly reserved: number } | null;
  readonly exhausted: boolean;
}

/**
 * Where reservations are held: a Budget in this process, or one shared by a queue's workers through
 * Redis (src/queue). `reserve` rejects with BudgetExhaustedError once the next request can never fit.
 */
export interface BudgetAccount {
  reserve(worst: Spend, signal?: AbortSignal): Promise<Hold>;
  state(): BudgetState;
}

interface Waiter {
  readonly need: Amount;
  readonly grant: (hold: Hold) => void;
  readonly fail: (error: Error) => void;
}

/** Integer nano-dollars and tokens: exact sums, so "never over" holds to the last unit. */
interface Amount {
  nanos: number;
  tokens: number;
}

const THRESHOLDS = [0.5, 0.8] as const;

/**
 * A hard spending limit shared by every request of a run. Each request reserves its worst case
 * before it goes out and settles to its real cost after; a reservation that does not fit beside
 * those in flight waits (first come, first served). Settled spending only grows, so a reservation
 * that does not fit beside what is already spent never will: the budget is then exhausted — that
 * waiter and every later one are refused with BudgetExhaustedError, and `onExhausted` is called once.
 * Sums are kept in integer nano-dollars, reservations and costs rounded up, the limit down.
 */
export class Budget implements BudgetAccount {
  readonly #limit: Amount;
  readonly #spent: Amount = { nanos: 0, tokens: 0 };
  readonly #reserved: Amount = { nanos: 0, tokens: 0 };
  readonly #waiters: Waiter[] = [];
  readonly #warned = new Set<string>();
  readonly #options: BudgetOptions;
  #exhausted: string | null = null;

  constructor(options: BudgetOptions) {
    const { usd, tokens } = options;
    if (usd === undefined && tokens === undefined) throw new RangeError("Expected `usd` or `tokens` to set a limit, got neither");
    if (usd !== undefined && !(typeof usd === "number" && Number.isFinite(usd) && usd > 0)) {
      throw new RangeError(`Expected \`usd\` to be a number > 0, got ${String(usd)}`);
    }
    if (tokens !== undefined && !(Number.isInteger(tokens) && tokens > 0)) {
      throw new RangeError(`Expected \`tokens\` to be an integer > 0, got ${String(tokens)}`);
    }
    this.#options = options;
    this.#limit = { nanos: usd === undefined ? Number.POSITIVE_INFINITY : Math.floor(usd * 1e9), tokens: tokens ?? Number.POSITIVE_INFINITY };
  }

  get exhausted(): boolean {
    return this.#exhausted !== null;
  }

  get waiting(): number {
    return this.#waiters.length;
  }

  state(): BudgetState {
    const usd = this.#options.usd;
    const tokens = this.#options.tokens;
    return {
      usd: usd === undefined ? null : { limit: usd, spent: this.#spent.nanos / 1e9, reserved: this.#reserved.nanos / 1e9 },
      tokens: tokens === undefined ? null : { limit: tokens, spent: this.#spent.tokens, reserved: this.#reserved.tokens },
      exhausted: this.exhausted,
    };
  }

  /**
   * Resolves with a hold once `worst` fits beside the spending settled and reserved so far. Rejects
   * with BudgetExhaustedError when it never will, with RangeError when a USD limit is set and the
   * amount's price is unknown, and with the signal's reason when aborted while waiting.
   */
  reserve(worst: Spend, signal?: AbortSignal): Promise<Hold> {
    return new Promise<Hold>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason as Error);
      if (this.#exhausted !== null) return reject(new BudgetExhaustedError(this.#exhausted));
      if (worst.usd === null && this.#options.usd !== undefined) {
        return reject(new RangeError("Expected a known price for every request under a USD budget, got a request without one"));
      }
      const need = { nanos: Math.ceil((worst.usd ?? 0) * 1e9), tokens: Math.ceil(worst.tokens) };
      let onAbort: (() => void) | undefined;
      const waiter: Waiter = {
        need,
        grant: (hold) => {
          if (onAbort) signal?.removeEventListener("abort", onAbort);
          resolve(hold);
        },
        fail: (error) => {
          if (onAbort) signal?.removeEventListener("abort", onAbort);
          reject(error);
        },
      };
      if (signal) {
        onAbort = () => {
          const i = this.#waiters.indexOf(waiter);
          if (i >= 0) this.#waiters.splice(i, 1);
          reject(signal.reason as Error);
          // The head may have been what held others back.
          this.#drain();
        };
        signal.addEventListener("abort", onAbort, { once: true });
      }
      this.#waiters.push(waiter);
      this.#drain();
    });
  }

  #drain(): void {
    while (this.#waiters.length > 0) {
      const head = this.#waiters[0] as Waiter;
      if (!this.#fits(head.need, false)) {
        this.#exhaust(head.need);
        return;
      }
      if (!this.#fits(head.need, true)) return;
      this.#waiters.shift();
      head.grant(this.#hold(head.need));
    }
  }

  #fits(need: Amount, withReserved: boolean): boolean {
    const r = withReserved ? this.#reserved : { nanos: 0, tokens: 0 };
    return this.#spent.nanos + r.nanos + need.nanos <= this.#limit.nanos && this.#spent.tokens + r.tokens + need.tokens <= this.#limit.tokens;
  }

  #hold(need: Amount): Hold {
    this.#reserved.nanos += need.nanos;
    this.#reserved.tokens += need.tokens;
    let open = true;
    const close = (actual: Amount) => {
      if (!open) return;
      open = false;
      this.#reserved.nanos -= need.nanos;
      this.#reserved.tokens -= need.tokens;
      this.#spent.nanos += actual.nanos;
      this.#spent.tokens += actual.tokens;
      this.#warn();
      this.#drain();
    };
    return {
      settle: (actual) => close({ nanos: Math.ceil((actual.usd ?? 0) * 1e9), tokens: Math.ceil(actual.tokens) }),
      cancel: () => close({ nanos: 0, tokens: 0 }),
    };
  }

  #exhaust(need: Amount): void {
    const message = this.#exhaustedMessage(need);
    this.#exhausted = message;
    this.#warnOnce("100%", `budget: 100%, no room for another request (${this.#spentText()})`);
    const waiters = this.#waiters.splice(0);
    this.#options.onExhausted?.(message);
    for (const w of waiters) w.fail(new BudgetExhaustedError(message));
  }

  #exhaustedMessage(need: Amount): string {
    if (this.#spent.nanos + need.nanos > this.#limit.nanos) {
      const left = this.#limit.nanos - this.#spent.nanos;
      return `$${usd(this.#spent.nanos)} of $${this.#options.usd} spent; the next request's worst case ($${usd(need.nanos)}) does not fit in the $${usd(left)} left`;
    }
    const left = this.#limit.tokens - this.#spent.tokens;
    return `${this.#spent.tokens} of ${this.#options.tokens} tokens spent; the next request's worst case (${need.tokens} tokens) does not fit in the ${left} left`;
  }

  #spentText(): string {
    const parts: string[] = [];
    if (this.#options.usd !== undefined) parts.push(`$${usd(this.#spent.nanos)} of $${this.#options.usd} spent`);
    if (this.#options.tokens !== undefined) parts.push(`${this.#spent.tokens} of ${this.#options.tokens} tokens spent`);
    return parts.join(", ");
  }

  #warn(): void {
    const checks: [string, number, number, (n: number) => string][] = [
      ["usd", this.#spent.nanos, this.#limit.nanos, (n) => `$${usd(n)} of $${this.#options.usd}`],
      ["tokens", this.#spent.tokens, this.#limit.tokens, (n) => `${n} of ${this.#options.tokens} tokens`],
    ];
    for (const [unit, spent, limit, show] of checks) {
      if (!Number.isFinite(limit)) continue;
      for (const t of THRESHOLDS) if (spent >= t * limit) this.#warnOnce(`${unit}${t}`, `budget: ${Math.round(t * 100)}% spent (${show(spent)})`);
      if (spent >= limit) this.#warnOnce("100%", `budget: 100% spent (${show(spent)})`);
    }
  }

  #warnOnce(key: string, message: string): void {
    if (this.#warned.has(key)) return;
    this.#warned.add(key);
    this.#options.onWarning?.(message);
  }
}

/** Nano-dollars as a readable USD figure (enough digits for cent fractions of tiny budgets). */
function usd(nanos: number): string {
  return String(Number((nanos / 1e9).toPrecision(4)));
}
