import { isBudgetExhaustedError } from "../errors/budget-exhausted-error.js";
import { ModelCallError } from "../errors/model-call-error.js";

/** The `error.type` of a sample the budget refused: the run stops, and the sample stays undone. */
export const BUDGET_REFUSED = "budget";

/**
 * What a refused reservation means for the sample: the budget is used up (type `budget`, cut off:
 * the sample stays undone, not failed), the run was aborted while it waited (`aborted`, cut off), or the
 * request cannot be budgeted at all, e.g. it sets no `max_tokens` (fatal: the run stops).
 */
export function budgetRefusal(error: unknown, model: string, signal: AbortSignal): ModelCallError {
  const message = error instanceof Error ? error.message : String(error);
  if (isBudgetExhaustedError(error)) return new ModelCallError(`budget: ${message}`, { type: BUDGET_REFUSED, kind: "permanent", attempts: 0, model, cutOff: "budget" });
  if (signal.aborted) return new ModelCallError(message, { type: "aborted", kind: "retryable", attempts: 0, model, cutOff: "aborted" });
  return new ModelCallError(`budget: ${message}`, { type: "budget_config", kind: "fatal", attempts: 0, model });
}
