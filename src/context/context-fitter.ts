import type { ChatMessage } from "../types.js";
import type { ContextWindowConfig } from "../tasks/conversation-keys.js";
import { type ContextFit, type ContextOverflow, fitContext } from "./fit-context.js";
import { resolveContextPolicy } from "./resolve-policy.js";
import { loadChatTokenCounter } from "./token-counter.js";

/** Fits one work item's conversations to its model's context window (see fitContext). */
export interface ContextFitter {
  /** The model's context window in tokens. */
  readonly window: number;
  fit(messages: readonly ChatMessage[]): ContextFit | ContextOverflow;
}

/**
 * The context-fitting step of a conversation pipeline (multi-turn, tool use): the policy for this
 * model (its window, else the task's `context_window.tokens`; `max_tokens` kept free for the reply)
 * and the model's token counter, loaded only when a window is known. Undefined when none is: the
 * conversation is sent as it is.
 */
export async function createContextFitter(config: ContextWindowConfig | undefined, modelWindow: number | undefined, maxTokens: number, model: string): Promise<ContextFitter | undefined> {
  const policy = resolveContextPolicy(config, modelWindow, maxTokens);
  if (!policy) return undefined;
  const counter = await loadChatTokenCounter(model);
  return { window: policy.window, fit: (messages) => fitContext(messages, policy, counter) };
}
