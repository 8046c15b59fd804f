/**
 * The budget cannot fit another request, even once everything in flight has settled. Not a failure
 * of the sample: the run stops (exit 3) and the sample stays undone, so a rerun with a larger budget
 * does it.
 */
export class BudgetExhaustedError extends Error {
  override readonly name = "BudgetExhaustedError";
  readonly code = "E_BUDGET_EXHAUSTED";
}

/** Whether an error is a BudgetExhaustedError. */
export const isBudgetExhaustedError = (e: unknown): e is BudgetExhaustedError => e instanceof BudgetExhaustedError;
