import type { ChatRequest, ModelClient } from "../work/model.js";
import type { TokenCounter } from "./count-tokens.js";
import { outputTokenBound } from "./worst-case.js";
import type { ImageTokenRule } from "../media/image-tokens.js";

/** What a counting model saw, request by request. */
export interface RequestCount {
  readonly request: ChatRequest;
  /** Prompt tokens as the offline tokenizer counts them. */
  readonly promptTokens: number;
  /** The request's output allowance (`max_tokens` × n), or null when it sets none. */
  readonly maxOutputTokens: number | null;
}

/**
 * A model that calls no API: it counts each request's prompt tokens offline, reports them to
 * `onRequest`, and answers with an empty reply (or `replyText`) whose usage is marked `estimated`. Running the real
 * pipelines with it gives the exact requests a run would send (same parsing, templates, limits and
 * repeats) — which is how `streameval estimate` prices a run before it starts. Images count by
 * `imageRule` (the model's `image_tokens`; default OpenAI's tile rule).
 */
export function countingModel(model: string, counter: TokenCounter, onRequest: (count: RequestCount) => void, replyText = "", imageRule?: ImageTokenRule): ModelClient {
  return {
    model,
    async chat(request) {
      const promptTokens = await counter.chatAsync(request.messages, request.tools, imageRule);
      onRequest({ request, promptTokens, maxOutputTokens: outputTokenBound(request) });
      return {
        text: replyText,
        finish_reason: "stop",
        usage: { prompt_tokens: promptTokens, completion_tokens: 0, estimated: true },
        ttft_ms: null,
        e2e_ms: 0,
      };
    },
  };
}
