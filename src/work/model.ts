import type { ChatMessage, ToolCall, Usage } from "../types.js";

/** A chat request in OpenAI's vocabulary. `extra` is merged into the request body as is. */
export interface ChatRequest {
  readonly model: string;
  readonly messages: readonly ChatMessage[];
  readonly max_tokens?: number;
  readonly temperature?: number;
  readonly top_p?: number;
  readonly stop?: readonly string[];
  readonly n?: number;
  readonly tools?: readonly unknown[];
  readonly extra?: Readonly<Record<string, unknown>>;
  /**
   * Set for a legacy completions request (`POST /v1/completions`) instead of a chat one, as the
   * loglikelihood pipelines send: `messages` then hold the same text, for token estimates only.
   */
  readonly completion?: CompletionParams;
}

/** A legacy completions request: prompts scored (and continued) as plain text. */
export interface CompletionParams {
  /** One prompt per choice; the reply's `logprobs` come back in the same order. */
  readonly prompts: readonly string[];
  /** Return the prompt's own tokens and logprobs (what loglikelihood needs). */
  readonly echo?: boolean;
  /** Top logprobs per token (1 is enough to tell a greedy token). */
  readonly logprobs?: number;
}

/** The legacy completions `logprobs` object of one choice, as OpenAI and vLLM return it. */
export interface TokenLogprobs {
  readonly tokens: readonly string[];
  /** Null for the first token of an echoed prompt (nothing precedes it). */
  readonly token_logprobs: readonly (number | null)[];
  readonly top_logprobs?: readonly (Readonly<Record<string, number>> | null)[] | null;
  /** Where each token starts in the choice's text, in characters (code points, as Python counts). */
  readonly text_offset?: readonly number[] | null;
}

/** What one successful attempt returned, with what was measured on the wire. */
export interface ChatReply {
  /** Content of the first choice (null when the model only called tools). */
  readonly text: string | null;
  /** The first choice's reasoning, when the server sent it apart (`reasoning_content`). */
  readonly reasoning?: string;
  /** Contents of every choice, when `n` > 1. */
  readonly choices?: readonly (string | null)[];
  readonly tool_calls?: readonly ToolCall[];
  readonly finish_reason: string | null;
  /** As the server reported it; null when it reported none. */
  readonly usage: Usage | null;
  /** Time to the first content or tool-call token of a streamed reply; null when not streamed. */
  readonly ttft_ms: number | null;
  /** Request start to the last byte. */
  readonly e2e_ms: number;
  /** Streamed chunks that carried output, text or tool calls (TPOT and tokens/s when usage is missing). */
  readonly chunks?: number;
  /** For a completions request: each prompt's logprobs, in prompt order (null where the server sent none). */
  readonly logprobs?: readonly (TokenLogprobs | null)[];
}

/** Per-call options of a model client: cancellation and a callback per streamed chunk. */
export interface CallOptions {
  /** Aborting cancels the HTTP request and frees its socket. */
  readonly signal: AbortSignal;
  /** Called on each streamed chunk as it arrives (the dispatcher's TTFT and idle deadlines watch it). */
  readonly onChunk?: () => void;
}

/**
 * A model endpoint. One attempt per call: retries, rate limits and breakers are layered above
 * (src/reliability), so every attempt is counted where it is made.
 */
export interface ModelClient {
  /** The model name as requests name it. */
  readonly model: string;
  /** True when replies are streamed and `onChunk` is called: only then do TTFT and idle deadlines apply. */
  readonly streaming?: boolean;
  chat(request: ChatRequest, options: CallOptions): Promise<ChatReply>;
}
