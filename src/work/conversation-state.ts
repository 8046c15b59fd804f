import type { Judgment } from "./judgment.js";
import type { Timing, Usage, WorkKey } from "../types.js";
import { workKeyString } from "../types.js";

/** A completed turn of a conversation, as kept between runs. */
export interface TurnRecord {
  readonly user: string;
  readonly assistant: string;
  readonly finish_reason: string | null;
  readonly usage: Usage | null;
  readonly cost_usd: number | null;
  readonly timing: Timing;
  /** The model that answered, when a fallback served the turn. */
  readonly served_by?: string;
  /** Set when older turns were left out to fit the context window. */
  readonly context?: { readonly dropped_turns: number; readonly prompt_tokens: number; readonly window: number };
  /** The judge's grade, once given. */
  readonly judgment?: Judgment;
}

/**
 * Where conversations are kept between turns, so a resumed run continues an unfinished one at its
 * next turn and redoes no finished turn (nor a given judgment). Keys are work items (task, sample,
 * model, repeat) of one run.
 */
export interface ConversationState {
  /** The turns completed so far, or undefined for a conversation not started. */
  load(key: WorkKey): Promise<readonly TurnRecord[] | undefined>;
  /** Records the turns completed so far (each call holds all of them); durable when it resolves. */
  saveTurn(key: WorkKey, turns: readonly TurnRecord[]): Promise<void>;
  /** The conversation's result is final: its turns may be forgotten. */
  clear(key: WorkKey): Promise<void>;
}

/**
 * Conversations kept in memory, for runs without a store and for code. Bounded: past `capacity`
 * unfinished conversations, the oldest is forgotten (it would be redone from its first turn).
 */
export function memoryConversationState(capacity = 10_000): ConversationState {
  if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`Expected \`capacity\` to be an integer >= 1, got ${capacity}`);
  const turns = new Map<string, readonly TurnRecord[]>();
  return {
    load: async (key) => turns.get(workKeyString(key)),
    saveTurn: async (key, list) => {
      const k = workKeyString(key);
      turns.delete(k);
      turns.set(k, [...list]);
      if (turns.size > capacity) turns.delete(turns.keys().next().value!);
    },
    clear: async (key) => void turns.delete(workKeyString(key)),
  };
}
