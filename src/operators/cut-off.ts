import { BUDGET_REFUSED } from "../cost/budget-refusal.js";
import type { ResultLine } from "../types.js";

/** Error types of work the run's end cut off: aborted (a second signal) or refused by the budget. */
const CUT_OFF = new Set(["aborted", BUDGET_REFUSED]);

/**
 * Whether a result line is work that did not happen — cut off by an abort or the budget, the
 * sample's own request or its judge's (`judge_aborted`, `judge_budget`). Such a line is neither
 * recorded nor output: the sample stays undone and a rerun does it.
 */
export function isCutOff(line: ResultLine): boolean {
  const type = line.status === "error" ? line.error?.type : undefined;
  if (type === undefined) return false;
  return CUT_OFF.has(type.startsWith("judge_") ? type.slice("judge_".length) : type);
}
