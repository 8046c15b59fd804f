import type { Clock } from "../clock.js";
import { systemClock } from "../clock.js";
import type { CallOptions, ChatReply, ChatRequest, ModelClient } from "../work/model.js";

/** What a function model may return: just the text, or a reply with usage and tool calls. */
export type FunctionModelOutput = string | (Partial<ChatReply> & { text: string | null });

/**
 * A model that is a plain async function, for pipelines composed in code and for tests and
 * benchmarks without HTTP. It is timed like any other model (not streamed: `ttft_ms` is null).
 */
export function functionModel(
  model: string,
  fn: (request: ChatRequest, options: CallOptions) => FunctionModelOutput | Promise<FunctionModelOutput>,
  clock: Clock = systemClock,
): ModelClient {
  return {
    model,
    chat: async (request, options) => {
      const start = clock.now();
      const out = await fn(request, options);
      const reply = typeof out === "string" ? { text: out } : out;
      return {
        finish_reason: "stop",
        usage: null,
        ...reply,
        ttft_ms: reply.ttft_ms ?? null,
        e2e_ms: reply.e2e_ms ?? clock.now() - start,
      };
    },
  };
}
