import type OpenAI from "openai";
import type { Clock } from "../clock.js";
import { systemClock } from "../clock.js";
import { scrubError } from "../errors/redact.js";
import { createSdkClient } from "./sdk-client.js";
import { serverUsage } from "./server-usage.js";
import type { CallOptions, ChatReply, ChatRequest, ModelClient, TokenLogprobs } from "../work/model.js";

/** An OpenAI-compatible legacy completions endpoint (the loglikelihood pipelines' logprobs). */
export interface OpenAICompletionsOptions {
  readonly model: string;
  /** OpenAI-compatible base URL, e.g. http://127.0.0.1:8000/v1 (vLLM). Default: the SDK's. */
  readonly baseURL?: string;
  /** The key itself, as read from the environment by the caller. Never logged. */
  readonly apiKey: string;
  readonly clock?: Clock;
  /** An SDK client to share between models on one endpoint. */
  readonly sdk?: OpenAI;
}

/**
 * A model served on the legacy completions endpoint (`POST /v1/completions`), as lm-evaluation-harness's
 * `local-completions` uses it: base models behind vLLM, SGLang, llama.cpp … Every request goes there:
 * a loglikelihood request (`request.completion`) with its prompts, echo and logprobs; a generation
 * request with its one user message as the raw prompt (no chat template).
 */
export function openAICompletions(options: OpenAICompletionsOptions): ModelClient {
  const sdk = options.sdk ?? createSdkClient(options);
  const clock = options.clock ?? systemClock;
  return {
    model: options.model,
    chat: (request, call) =>
      complete(sdk, clock, request.completion ? request : asCompletion(request), call).catch((error: unknown) => {
        throw scrubError(error, [options.apiKey]);
      }),
  };
}

/** A generation request as a raw-text completion: only one user message can be sent as a prompt. */
function asCompletion(request: ChatRequest): ChatRequest {
  const [only, ...rest] = request.messages;
  if (!only || rest.length > 0 || only.role !== "user" || typeof only.content !== "string") {
    throw new TypeError(`a completions model takes one user message as its prompt, got ${request.messages.length} message(s); use a chat model for multi-turn prompts`);
  }
  return { ...request, completion: { prompts: [only.content] } };
}

/**
 * One attempt at `POST /v1/completions` for a request with `completion` set. Loglikelihood requests
 * (echo) are sent as lm-evaluation-harness sends them — temperature 0, `max_tokens` as asked (0: score
 * the prompt only, as vLLM allows; lm-eval asks for 1 and drops that token, which the loglikelihood
 * code also handles) — and come back with one `logprobs` entry per prompt, in prompt order.
 */
export async function complete(sdk: OpenAI, clock: Clock, request: ChatRequest, call: CallOptions): Promise<ChatReply> {
  const c = request.completion;
  if (!c) throw new TypeError("a completions call needs `request.completion`");
  const start = clock.now();
  const body: Record<string, unknown> = { model: request.model, prompt: c.prompts.length === 1 ? c.prompts[0] : [...c.prompts] };
  if (c.echo) body.echo = true;
  if (c.logprobs !== undefined) body.logprobs = c.logprobs;
  if (request.max_tokens !== undefined) body.max_tokens = request.max_tokens;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.top_p !== undefined) body.top_p = request.top_p;
  if (request.stop?.length) body.stop = request.stop.slice(0, 4);
  if (request.n !== undefined && request.n > 1) body.n = request.n;
  const res = (await sdk.completions.create({ ...body, ...request.extra } as unknown as OpenAI.CompletionCreateParamsNonStreaming, {
    signal: call.signal,
  })) as OpenAI.Completion;
  if (!res || !Array.isArray(res.choices)) throw new SyntaxError("malformed reply: no `choices` in the response body");
  const choices = [...res.choices].sort((a, b) => a.index - b.index);
  const perPrompt = request.n !== undefined && request.n > 1 ? request.n : 1;
  if (choices.length !== c.prompts.length * perPrompt) {
    throw new SyntaxError(`malformed reply: ${choices.length} choices for ${c.prompts.length} prompt(s) × n=${perPrompt}`);
  }
  const texts = choices.map((ch) => ch.text ?? "");
  return {
    // Generated text only: an echoed prompt is cut off (its logprobs stay whole).
    text: c.echo ? texts[0]!.slice(c.prompts[0]!.length) : texts[0]!,
    choices: texts.length > 1 ? texts.map((t, i) => (c.echo ? t.slice(c.prompts[Math.floor(i / perPrompt)]!.length) : t)) : undefined,
    finish_reason: choices[0]?.finish_reason ?? null,
    usage: serverUsage(res.usage),
    ttft_ms: null,
    e2e_ms: clock.now() - start,
    logprobs: c.echo || c.logprobs !== undefined ? choices.map((ch) => toLogprobs(ch.logprobs)) : undefined,
  };
}

function toLogprobs(lp: OpenAI.CompletionChoice.Logprobs | null | undefined): TokenLogprobs | null {
  if (!lp || !Array.isArray(lp.tokens) || !Array.isArray(lp.token_logprobs)) return null;
  return { tokens: lp.tokens, token_logprobs: lp.token_logprobs, top_logprobs: lp.top_logprobs ?? null, text_offset: lp.text_offset ?? null };
}
