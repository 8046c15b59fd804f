import type { EvalEvent } from "../events.js";
import { isBudgetExhaustedError } from "../errors/budget-exhausted-error.js";
import { Budget, type BudgetAccount, type BudgetLimits, type BudgetState } from "./budget.js";
import { type BudgetGate, createBudgetGate } from "./budget-gate.js";
import type { Price } from "./price.js";
import type { ImageTokenRule } from "../media/image-tokens.js";

/** A run's budget: the gate its dispatchers ask, and its state for the summary. */
export interface RunBudget {
  readonly gate: BudgetGate;
  state(): BudgetState;
}

export interface RunBudgetHooks {
  readonly emit: (event: EvalEvent) => void;
  /** Stops the run (no new samples; those in flight finish). */
  readonly stop: (reason: "budget", message: string) => void;
}

/**
 * Checks a run's budget against its models' prices; throws a RangeError with an exact message.
 * A USD budget needs a price for every model.
 */
export function checkBudget(limits: BudgetLimits, prices: ReadonlyMap<string, Price | null>): void {
  // Budget's constructor validates the limits; the gate checks the prices.
  createBudgetGate(new Budget(limits), prices, limits.usd !== undefined);
}

/**
 * The budget of one run: warnings (50%, 80%, used up) become `warning` events, and the first
 * reservation that can never fit stops the run with reason `budget`.
 */
export function createRunBudget(
  limits: BudgetLimits,
  prices: ReadonlyMap<string, Price | null>,
  hooks: RunBudgetHooks,
  shared?: BudgetAccount,
  imageRules?: ReadonlyMap<string, ImageTokenRule>,
): RunBudget {
  if (shared) return { gate: createBudgetGate(stopsOnExhaustion(shared, hooks), prices, limits.usd !== undefined, imageRules), state: () => shared.state() };
  const budget = new Budget({
    ...limits,
    onWarning: (message) => hooks.emit({ type: "warning", message }),
    onExhausted: (message) =>
      hooks.stop("budget", `${message}. Samples in flight finish; the rest stay undone: rerun with a larger budget to continue`),
  });
  return { gate: createBudgetGate(budget, prices, limits.usd !== undefined, imageRules), state: () => budget.state() };
}

/**
 * A shared account (a queue's, held in Redis) stops this run the first time it refuses a reservation
 * for good: another process may have used the budget up, so the refusal, not a local count, says so.
 */
function stopsOnExhaustion(account: BudgetAccount, hooks: RunBudgetHooks): BudgetAccount {
  let stopped = false;
  return {
    state: () => account.state(),
    reserve: (worst, signal) =>
      account.reserve(worst, signal).catch((error: unknown) => {
        if (!stopped && isBudgetExhaustedError(error)) {
          stopped = true;
          hooks.stop("budget", `${error.message}. Samples in flight finish; the rest stay undone: rerun with a larger budget to continue`);
        }
        throw error;
      }),
  };
}
