import type { Timing, Usage } from "../types.js";

/** What the wire told us about one successful attempt. */
export interface MeasuredReply {
  /** Null when the reply was not streamed: TTFT is measured, never estimated. */
  readonly ttft_ms: number | null;
  readonly e2e_ms: number;
  readonly usage: Usage | null;
  /** Streamed chunks that carried output (content or tool-call deltas). */
  readonly chunks?: number;
}

/**
 * The `timing` of a result line, from the attempt that answered:
 * - `tpot_ms` = (E2E − TTFT) / (output tokens − 1), the mean gap between output tokens after the
 *   first; null without a TTFT or with fewer than two tokens.
 * - `output_tokens_per_s` = output tokens / E2E (as LLMPerf reports it per request).
 * Output tokens are the server's `completion_tokens`; when it reported no usage, the streamed chunks
 * that carried output (servers send about one token per chunk). Values are rounded to 0.01.
 *
 * @param queue_ms time spent waiting before the attempt(s) went out: rate limit, breaker, concurrency.
 */
export function requestTiming(reply: MeasuredReply, queue_ms: number, attempts: number): Timing {
  const tokens = outputTokens(reply);
  const tpot =
    reply.ttft_ms !== null && tokens !== null && tokens > 1 ? Math.max(0, reply.e2e_ms - reply.ttft_ms) / (tokens - 1) : null;
  const perS = tokens !== null && tokens > 0 && reply.e2e_ms > 0 ? (tokens * 1000) / reply.e2e_ms : null;
  return {
    e2e_ms: round(reply.e2e_ms),
    ttft_ms: roundOrNull(reply.ttft_ms),
    tpot_ms: roundOrNull(tpot),
    output_tokens_per_s: roundOrNull(perS),
    queue_ms: round(queue_ms),
    attempts,
  };
}

/** Output tokens of a reply: reported usage first, else streamed chunks, else unknown (null). */
export function outputTokens(reply: MeasuredReply): number | null {
  if (reply.usage) return reply.usage.completion_tokens;
  if (reply.chunks !== undefined && reply.ttft_ms !== null) return reply.chunks;
  return null;
}

const round = (ms: number): number => Math.round(ms * 100) / 100;
const roundOrNull = (ms: number | null): number | null => (ms === null ? null : round(ms));
