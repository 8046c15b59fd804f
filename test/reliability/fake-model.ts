import { APIError, APIUserAbortError } from "openai";
import type { CallOptions, ChatReply, ChatRequest, ModelClient } from "../../src/work/model.js";

export interface Call {
  readonly n: number;
  readonly at: number;
  readonly model: string;
}

/** A model client whose every attempt is scripted: `script(n)` answers the n-th call (1-based). */
export function scriptedModel(
  model: string,
  now: () => number,
  script: (n: number, options: CallOptions, request: ChatRequest) => Promise<ChatReply>,
  streaming = false,
): ModelClient & { readonly calls: Call[] } {
  const calls: Call[] = [];
  return {
    model,
    streaming,
    calls,
    chat: (request, options) => {
      const n = calls.length + 1;
      calls.push({ n, at: now(), model: request.model });
      return script(n, options, request);
    },
  };
}

export const reply = (text = "ok"): ChatReply => ({
  text,
  finish_reason: "stop",
  usage: { prompt_tokens: 10, completion_tokens: 5 },
  ttft_ms: null,
  e2e_ms: 0,
});

export const ok = (text = "ok") => Promise.resolve(reply(text));

/** An HTTP error as the SDK throws it. */
export const httpError = (status: number, headers: Record<string, string> = {}, body: object = { message: `status ${status}` }) =>
  Promise.reject(APIError.generate(status, { error: body }, undefined, new Headers(headers)));

/** Never answers; rejects as the SDK does when the attempt's signal aborts. */
export const hang = (options: CallOptions) =>
  new Promise<ChatReply>((_, reject) => {
    if (options.signal.aborted) return reject(new APIUserAbortError());
    options.signal.addEventListener("abort", () => reject(new APIUserAbortError()), { once: true });
  });
