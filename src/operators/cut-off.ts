import { BUDGET_REFUSED } from "../cost/budget-refusal.js";
import type { ResultLine } from "../types.js";

/**
 * Why a result line is work that did not happen — `aborted` (a second signal) or `budget` (refused
 * by the budget), the sample's own request or its judge's (`judge_aborted`, `judge_budget`) — or
 * undefined for a real result. Such a line is neither recorded nor output: the sample stays undone
 * and a rerun does it.
 */
export function cutOffCause(line: ResultLine): "aborted" | "budget" | undefined {
  const type = line.status === "error" ? line.error?.type : undefined;
  if (type === undefined) return undefined;
  const cause = type.startsWith("judge_") ? type.slice("judge_".length) : type;
  return cause === "aborted" || cause === BUDGET_REFUSED ? cause : undefined;
}

/** Whether a result line is work the run's end cut off (see `cutOffCause`). */
export function isCutOff(line: ResultLine): boolean {
  return cutOffCause(line) !== undefined;
}
