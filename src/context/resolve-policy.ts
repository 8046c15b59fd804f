import type { ContextWindowConfig } from "../tasks/conversation-keys.js";
import type { ContextPolicy } from "./fit-context.js";

/**
 * The policy for one model's requests: its window (configured for the model, else the task's
 * `context_window.tokens`), the task's strategy and `keep_last`, and the reply's `max_tokens` kept
 * free. Undefined when no window is known: the conversation is sent as it is.
 */
export function resolveContextPolicy(config: ContextWindowConfig | undefined, modelWindow: number | undefined, reserve: number): ContextPolicy | undefined {
  const window = modelWindow ?? config?.tokens;
  if (window === undefined) return undefined;
  return { window, reserve, strategy: config?.strategy ?? "error", keepLast: config?.keep_last ?? 1 };
}
