import type { ResultFold } from "../types.js";

/**
 * A result line's judge: the judge model and what its calls for this sample cost (null: unknown
 * price), or undefined for a line no judge graded. Lines carry it under `judge` (see multi-turn-result).
 */
export function judgeCostOf(line: ResultFold): { model: string; usd: number | null } | undefined {
  const judge = line.judge as { model?: unknown; cost_usd?: unknown } | undefined;
  if (typeof judge !== "object" || judge === null) return undefined;
  return { model: typeof judge.model === "string" ? judge.model : "judge", usd: typeof judge.cost_usd === "number" ? judge.cost_usd : null };
}
