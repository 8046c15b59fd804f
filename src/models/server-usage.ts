import type { Usage } from "../types.js";

/** A token count as a server may report it: anything at all. */
const count = (v: unknown): number | undefined => (typeof v === "number" && Number.isSafeInteger(v) && v >= 0 ? v : undefined);

/**
 * The usage a server reported, if it is believable: prompt and completion tokens non-negative
 * integers (a negative count would credit the budget, a string would poison the totals). Anything
 * else is treated as no usage at all, so the reply's tokens are counted offline and marked
 * `estimated` (cost/estimate-usage.ts). Optional details that are not counts are left out.
 */
export function serverUsage(u: unknown): Usage | null {
  if (typeof u !== "object" || u === null) return null;
  const r = u as { prompt_tokens?: unknown; completion_tokens?: unknown; prompt_tokens_details?: { cached_tokens?: unknown } | null; completion_tokens_details?: { reasoning_tokens?: unknown } | null };
  const prompt = count(r.prompt_tokens ?? 0);
  const completion = count(r.completion_tokens ?? 0);
  if (prompt === undefined || completion === undefined) return null;
  const usage: Usage = { prompt_tokens: prompt, completion_tokens: completion };
  const cached = count(r.prompt_tokens_details?.cached_tokens);
  const reasoning = count(r.completion_tokens_details?.reasoning_tokens);
  if (cached) usage.cached_tokens = Math.min(cached, prompt);
  if (reasoning) usage.reasoning_tokens = Math.min(reasoning, completion);
  return usage;
}
