/** What a handler produces and the transport sends: a JSON body, or SSE events in timed steps. */
export type SimOutput =
  | { readonly kind: "json"; readonly body: string; readonly steps: number; readonly usage: TokenCounts }
  | {
      readonly kind: "sse";
      /** Every SSE event, framed (`data: …\n\n`), `data: [DONE]` last. */
      readonly events: readonly string[];
      /**
       * Index of the first event of each step, ascending, starting at 0. Step 0 goes out after the
       * first-token delay, step k at first-token delay + k × inter-token delay (from the request).
       */
      readonly steps: readonly number[];
      readonly usage: TokenCounts;
    };

export interface TokenCounts {
  readonly prompt: number;
  readonly completion: number;
}

/** OpenAI's usage object, details included (the sim caches and reasons nothing, so those are 0). */
export function usageObject(c: TokenCounts): Record<string, unknown> {
  return {
    prompt_tokens: c.prompt,
    completion_tokens: c.completion,
    total_tokens: c.prompt + c.completion,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

/** One SSE event carrying `json` (already serialised). */
export function sse(json: string): string {
  return `data: ${json}\n\n`;
}

export const SSE_DONE = "data: [DONE]\n\n";
