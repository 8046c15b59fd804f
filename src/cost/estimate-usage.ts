import type { ChatReply, ChatRequest } from "../work/model.js";
import type { Usage } from "../types.js";
import { loadTokenCounter } from "./count-tokens.js";

/**
 * The reply's usage as the server reported it, or — when it reported none — counted offline with
 * the model's likely tokenizer and marked `estimated: true`, so its cost is a figure, not a silent 0.
 */
export async function usageOrEstimate(request: ChatRequest, reply: ChatReply): Promise<Usage> {
  if (reply.usage) return reply.usage;
  const counter = await loadTokenCounter(request.model);
  const outputs = (reply.choices ?? [reply.text]).map((t) => t ?? "");
  if (reply.tool_calls?.length) outputs.push(JSON.stringify(reply.tool_calls));
  const completion = await counter.textsAsync(outputs);
  return { prompt_tokens: await counter.chatAsync(request.messages, request.tools), completion_tokens: completion, estimated: true };
}
