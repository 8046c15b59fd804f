import type { ChatMessage } from "../types.js";
import type { MessageTokenCounter } from "./token-counter.js";

/** What to do when a conversation outgrows the model's context window. */
export type ContextStrategy = "drop_oldest" | "error";

export interface ContextPolicy {
  /** The model's context window in tokens. */
  readonly window: number;
  /** Tokens kept free for the reply (the request's max_tokens). */
  readonly reserve: number;
  readonly strategy: ContextStrategy;
  /** `drop_oldest` never drops the last K turns (the current one included); at least 1. */
  readonly keepLast: number;
}

/** The messages to send, and what was done to fit them. */
export interface ContextFit {
  readonly ok: true;
  readonly messages: readonly ChatMessage[];
  /** Prompt tokens as counted offline. */
  readonly promptTokens: number;
  /** Whole turns (a user message and what followed it) left out, oldest first. */
  readonly droppedTurns: number;
  readonly droppedMessages: number;
}

export interface ContextOverflow {
  readonly ok: false;
  /** One line saying what did not fit and why. */
  readonly message: string;
  readonly promptTokens: number;
}

/**
 * Fits a conversation into a context window: prompt tokens + reserve ≤ window. Leading system
 * messages always stay; the rest is grouped into turns, each starting at a user message. With
 * `drop_oldest`, the oldest turns are left out until the request fits, never the last `keepLast`;
 * with `error` (or when even that is too long) the result says the conversation does not fit.
 * Pure; counts each message once.
 */
export function fitContext(messages: readonly ChatMessage[], policy: ContextPolicy, counter: MessageTokenCounter): ContextFit | ContextOverflow {
  validatePolicy(policy);
  const budget = policy.window - policy.reserve;
  let head = 0;
  while (head < messages.length && messages[head]!.role === "system") head++;
  const turns = groupTurns(messages.slice(head));
  const sizes = turns.map((t) => t.reduce((n, m) => n + counter.message(m), 0));
  const fixed = counter.priming + messages.slice(0, head).reduce((n, m) => n + counter.message(m), 0);
  let total = fixed + sizes.reduce((a, b) => a + b, 0);
  if (total <= budget) return { ok: true, messages, promptTokens: total, droppedTurns: 0, droppedMessages: 0 };

  const over = (tokens: number, what: string): ContextOverflow => ({
    ok: false,
    promptTokens: tokens,
    message: `${what} needs ${tokens} prompt tokens + ${policy.reserve} for the reply, over the ${policy.window}-token context window`,
  });
  if (policy.strategy === "error") return over(total, `the conversation (${turns.length} turn${turns.length === 1 ? "" : "s"})`);

  let dropped = 0;
  while (total > budget && turns.length - dropped > policy.keepLast) total -= sizes[dropped++]!;
  if (total > budget) return over(total, `even the system prompt and the last ${Math.min(policy.keepLast, turns.length)} turn(s)`);
  const kept = turns.slice(dropped).flat();
  return {
    ok: true,
    messages: [...messages.slice(0, head), ...kept],
    promptTokens: total,
    droppedTurns: dropped,
    droppedMessages: messages.length - head - kept.length,
  };
}

/** Splits messages into turns: each user message starts one (anything before the first is a turn too). */
function groupTurns(messages: readonly ChatMessage[]): ChatMessage[][] {
  const turns: ChatMessage[][] = [];
  for (const m of messages) {
    if (m.role === "user" || turns.length === 0) turns.push([m]);
    else turns[turns.length - 1]!.push(m);
  }
  return turns;
}

function validatePolicy(p: ContextPolicy): void {
  if (!Number.isInteger(p.window) || p.window < 1) throw new RangeError(`Expected \`window\` to be an integer >= 1, got ${p.window}`);
  if (!Number.isInteger(p.reserve) || p.reserve < 0) throw new RangeError(`Expected \`reserve\` to be an integer >= 0, got ${p.reserve}`);
  if (!Number.isInteger(p.keepLast) || p.keepLast < 1) throw new RangeError(`Expected \`keepLast\` to be an integer >= 1, got ${p.keepLast}`);
}
