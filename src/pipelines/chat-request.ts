import type { ChatRequest } from "../work/model.js";
import type { ChatMessage } from "../types.js";
import type { WorkItem } from "../work/work-item.js";

/**
 * A chat request for `messages` with the task's generation settings (`max_tokens`, `temperature`,
 * `top_p`, `stop`, extra keys): what every chat pipeline sends, whatever its messages are.
 * `temperature` overrides the task's (MT-Bench sets one per category).
 */
export function chatRequestOf(work: WorkItem, messages: readonly ChatMessage[], temperature = work.task.generation.temperature): ChatRequest {
  const g = work.task.generation;
  return {
    model: work.key.model,
    messages,
    max_tokens: g.max_tokens,
    temperature,
    ...(g.top_p !== undefined ? { top_p: g.top_p } : {}),
    stop: g.stop,
    extra: g.extra,
  };
}
