import type OpenAI from "openai";
import type { Clock } from "../clock.js";
import { systemClock } from "../clock.js";
import { scrubError } from "../errors/redact.js";
import { isReplyTooLargeError, ReplyTooLargeError } from "../errors/reply-too-large-error.js";
import type { ChatMessage, ToolCall, Usage } from "../types.js";
import type { MediaOptions } from "../media/resolve-media.js";
import { giveBody } from "../media/body-pool.js";
import { mediaJsonBody } from "../media/media-body.js";
import { lendBody } from "./lent-bodies.js";
import { complete } from "./openai-completions.js";
import { createSdkClient } from "./sdk-client.js";
import { serverUsage } from "./server-usage.js";
import { sseJsonBatches } from "./sse-json.js";
import { ownBodyCap, READS_OWN_BODY } from "./capped-fetch.js";
import type { CallOptions, ChatReply, ChatRequest, ModelClient } from "../work/model.js";

/** An OpenAI-compatible chat endpoint: model name, base URL, key, streaming, and an SDK client to share. */
export interface OpenAIChatOptions {
  readonly model: string;
  /** OpenAI-compatible base URL, e.g. http://127.0.0.1:8000/v1. Default: the SDK's (OPENAI_BASE_URL, else OpenAI). */
  readonly baseURL?: string;
  /** The key itself, as read from the environment by the caller. Never logged. */
  readonly apiKey: string;
  /** Stream replies (default true): needed to measure time to first token. */
  readonly stream?: boolean;
  readonly clock?: Clock;
  /** An SDK client to share between models on one endpoint (keeps one connection pool). */
  readonly sdk?: OpenAI;
  /** A reply whose body passes this many bytes is cancelled (default 16 MiB). Used when `sdk` is not given. */
  readonly maxReplyBytes?: number;
  /**
   * A streamed reply with more output chunks (≈ tokens) than this many times the request's
   * `max_tokens` is cancelled (default 4); requests without `max_tokens` have only the byte cap.
   */
  readonly maxReplyTokenFactor?: number;
  /**
   * Values scrubbed from every error this client throws (default: `apiKey`): a server may echo the
   * key it was given. Pass every key of the run.
   */
  readonly secrets?: readonly string[];
  /** How media parts are read when a request is sent (`--inline-media`). */
  readonly media?: MediaOptions;
}

export const DEFAULT_MAX_REPLY_TOKEN_FACTOR = 4;

/**
 * A chat-completions model over the official SDK. One call = one attempt. Streams by default and
 * measures TTFT at the first content or tool-call delta; asks for usage in the stream
 * (`stream_options.include_usage`).
 */
export function openAIChat(options: OpenAIChatOptions): ModelClient {
  const sdk = options.sdk ?? createSdkClient(options);
  const clock = options.clock ?? systemClock;
  const stream = options.stream ?? true;
  const factor = options.maxReplyTokenFactor ?? DEFAULT_MAX_REPLY_TOKEN_FACTOR;
  const secrets = options.secrets ?? [options.apiKey];
  const media = options.media ?? {};
  return {
    model: options.model,
    streaming: stream,
    // A loglikelihood request goes to the same server's /v1/completions (vLLM serves both).
    chat: (request, call) =>
      (request.completion ? complete(sdk, clock, request, call) : stream ? chatStreamed(sdk, clock, request, call, factor, media) : chatPlain(sdk, clock, request, call, media)).catch(
        (error: unknown) => {
          throw scrubError(error, secrets);
        },
      ),
  };
}

/** The request body, its messages as the request holds them (media parts still references). */
function body(request: ChatRequest): Record<string, unknown> {
  const b: Record<string, unknown> = { model: request.model, messages: request.messages };
  if (request.max_tokens !== undefined) b.max_tokens = request.max_tokens;
  if (request.temperature !== undefined) b.temperature = request.temperature;
  if (request.top_p !== undefined) b.top_p = request.top_p;
  // The API takes at most 4 stop sequences; pipelines cut the rest client-side.
  if (request.stop?.length) b.stop = request.stop.slice(0, 4);
  if (request.n !== undefined && request.n > 1) b.n = request.n;
  if (request.tools?.length) b.tools = request.tools;
  return { ...b, ...request.extra };
}

/**
 * The SDK's arguments for a request: its params, and with media the body as bytes (read and encoded
 * here, at the last moment, so the encoded media lives only as long as this attempt's body).
 */
async function sdkArgs<P extends Record<string, unknown>>(params: P, call: CallOptions, media: MediaOptions): Promise<[P, { signal: AbortSignal; body?: Buffer; headers?: Record<string, string> }, (() => void)?]> {
  const { messages, ...rest } = params;
  const bytes = await mediaJsonBody(rest, messages as readonly ChatMessage[], media);
  if (!bytes) return [params, { signal: call.signal }];
  // The body's buffer is the next body's once the SDK call settles and the transport has written it.
  const settled = lendBody(bytes, () => giveBody(bytes));
  return [params, { signal: call.signal, body: bytes, headers: { "content-type": "application/json" } }, settled];
}

async function chatPlain(sdk: OpenAI, clock: Clock, request: ChatRequest, call: CallOptions, media: MediaOptions): Promise<ChatReply> {
  // Timed from when the body is ready: reading and encoding media is not the server's latency.
  const [params, options, settled] = await sdkArgs(body(request), call, media);
  const start = clock.now();
  const sent = sdk.chat.completions.create(params as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming, options);
  const res = (await (settled ? sent.finally(settled) : sent)) as OpenAI.ChatCompletion;
  if (!res || !Array.isArray(res.choices)) throw new SyntaxError("malformed reply: no `choices` in the response body");
  const first = res.choices[0];
  const toolCalls = first?.message.tool_calls
    ?.filter((t) => t.type === "function")
    .map((t) => ({ id: t.id, type: "function" as const, function: { name: t.function.name, arguments: t.function.arguments } }));
  const reasoning = reasoningOf(first?.message);
  return {
    text: first?.message.content ?? null,
    ...(reasoning ? { reasoning } : {}),
    choices: res.choices.length > 1 ? res.choices.map((c) => c.message.content ?? null) : undefined,
    tool_calls: toolCalls?.length ? toolCalls : undefined,
    finish_reason: first?.finish_reason ?? null,
    usage: serverUsage(res.usage),
    ttft_ms: null,
    e2e_ms: clock.now() - start,
  };
}

async function chatStreamed(sdk: OpenAI, clock: Clock, request: ChatRequest, call: CallOptions, tokenFactor: number, media: MediaOptions): Promise<ChatReply> {
  const [params, options, settled] = await sdkArgs({ ...body(request), stream: true, stream_options: { include_usage: true } }, call, media);
  const start = clock.now();
  // Chunks are counted per choice: a server streams about one token per chunk, never fewer tokens.
  const maxChunks = request.max_tokens === undefined ? Infinity : tokenFactor * request.max_tokens * Math.max(request.n ?? 1, 1);
  // The raw reply, its events parsed by sseJsonBatches rather than the SDK's Stream (the same events, for less
  // CPU), one array per network read.
  // The body is read here and held to the client's byte cap here (READS_OWN_BODY): no counting stream in front of it.
  const sent = sdk.chat.completions.create(params as unknown as OpenAI.ChatCompletionCreateParamsStreaming, { ...options, fetchOptions: { [READS_OWN_BODY]: true } as Record<string, never> }).asResponse();
  const response = await (settled ? sent.finally(settled) : sent);
  const stream = sseJsonBatches(response, ownBodyCap(response)) as AsyncGenerator<OpenAI.ChatCompletionChunk[]>;
  const texts: string[][] = [];
  const reasoning: string[] = [];
  const finish: (string | null)[] = [];
  const tools = new Map<number, { id: string; name: string; args: string[] }>();
  let usage: Usage | null = null;
  let ttft: number | null = null;
  let chunks = 0;
  let sawChoice = false;
  try {
    for await (const batch of stream) {
      call.onChunk?.();
      for (const chunk of batch) {
        if (chunk.usage) usage = serverUsage(chunk.usage);
        for (const choice of chunk.choices ?? []) {
          sawChoice = true;
          const i = choice.index ?? 0;
          const delta = choice.delta;
          if (delta?.content) {
            ttft ??= clock.now() - start;
            (texts[i] ??= []).push(delta.content);
          }
          const thought = reasoningOf(delta);
          if (thought) {
            ttft ??= clock.now() - start;
            if (i === 0) reasoning.push(thought);
          }
          // A chunk carrying output counts once (≈ one token), be it text, reasoning or a tool call's arguments.
          if (delta?.content || thought || delta?.tool_calls?.length) chunks++;
          if (chunks > maxChunks) throw new ReplyTooLargeError("tokens", maxChunks);
          for (const t of delta?.tool_calls ?? []) {
            ttft ??= clock.now() - start;
            const acc = tools.get(t.index) ?? { id: "", name: "", args: [] };
            if (t.id) acc.id = t.id;
            if (t.function?.name) acc.name += t.function.name;
            if (t.function?.arguments) acc.args.push(t.function.arguments);
            tools.set(t.index, acc);
          }
          if (choice.finish_reason) finish[i] = choice.finish_reason;
        }
      }
    }
  } catch (error) {
    // The body broke off after the reply began (the socket closed mid-stream): a dropped stream.
    if (isReplyTooLargeError(error) || isReplyTooLargeError((error as { cause?: unknown } | null)?.cause)) {
      throw isReplyTooLargeError(error) ? error : (error as { cause: unknown }).cause;
    }
    if (error instanceof TypeError && !call.signal.aborted) throw new StreamDroppedError(error);
    throw error;
  }
  // A stream that ends without a finish_reason was cut off mid-way: retryable, never a short answer.
  if (!sawChoice || finish[0] === undefined) throw new StreamDroppedError();
  const toolCalls: ToolCall[] = [...tools.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, t]) => ({ id: t.id, type: "function", function: { name: t.name, arguments: t.args.join("") } }));
  const n = Math.max(texts.length, 1);
  const choices = Array.from({ length: n }, (_, i) => (texts[i] ? texts[i].join("") : null));
  return {
    text: choices[0] ?? null,
    ...(reasoning.length ? { reasoning: reasoning.join("") } : {}),
    choices: n > 1 ? choices : undefined,
    tool_calls: toolCalls.length ? toolCalls : undefined,
    finish_reason: finish[0] ?? null,
    usage,
    ttft_ms: ttft,
    e2e_ms: clock.now() - start,
    chunks,
  };
}

/**
 * The reasoning a server sent apart from the content: `reasoning_content` (DeepSeek, vLLM, SGLang) or
 * `reasoning` (OpenRouter, newer vLLM); the SDK's types know neither.
 */
function reasoningOf(message: unknown): string | undefined {
  if (typeof message !== "object" || message === null) return undefined;
  const m = message as { reasoning_content?: unknown; reasoning?: unknown };
  const value = m.reasoning_content ?? m.reasoning;
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** The stream closed before the server said it was finished. */
export class StreamDroppedError extends Error {
  override readonly name = "StreamDroppedError";
  constructor(cause?: unknown) {
    super("the stream ended before a finish_reason: dropped mid-way", cause === undefined ? undefined : { cause });
  }
}
