import { workKeyString } from "../types.js";
import type { ConversationState, TurnRecord } from "./conversation-state.js";

/** A JSON key-value part of a durable store (a LevelDB sublevel with `valueEncoding: "json"`). */
export interface JsonKV {
  /** The value, or undefined for a missing key (level 10's `get`). */
  get(key: string): Promise<unknown>;
  /** Durable when it resolves (LevelDB's write-ahead log: it survives the process dying). */
  put(key: string, value: unknown): Promise<void>;
}

/**
 * Conversations kept in a durable store, keyed by work key: each `saveTurn` is one put of the turns
 * so far, so a run killed between turns (kill -9 included) finds them on the rerun and continues at
 * the next turn. `clear` does nothing: deleting the turns before the store records the result would
 * let a crash in between redo them, so the store deletes them in the batch that records the result
 * (RunStore). They also go with the run's records (`--fresh`).
 */
export function kvConversationState(kv: JsonKV): ConversationState {
  return {
    load: async (key) => {
      const v = await kv.get(workKeyString(key));
      return Array.isArray(v) ? (v as TurnRecord[]) : undefined;
    },
    saveTurn: (key, turns) => kv.put(workKeyString(key), turns),
    clear: async () => {},
  };
}
