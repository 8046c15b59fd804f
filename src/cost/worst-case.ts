import type { ChatReply, ChatRequest } from "../work/model.js";
import type { Usage } from "../types.js";
import { costOf, type Price } from "./price.js";
import type { ImageTokenRule } from "../media/image-tokens.js";
import { mediaPromptTokens, textOnly } from "../media/request-media.js";

/** Money and tokens, as a budget counts them. `usd` is null when the price is unknown. */
export interface Spend {
  readonly usd: number | null;
  readonly tokens: number;
}

/** Bytes of the constant parts of a chat prompt (priming, a request's framing) not in the JSON below. */
const FRAMING = 16;

/**
 * An upper bound on a request's prompt tokens that holds for every byte-level tokenizer (OpenAI's,
 * Anthropic's, Llama's …): a token is at least one byte, so the UTF-8 size of the messages' JSON —
 * content plus at least 25 bytes of framing per message, more than the 4 tokens a message adds —
 * cannot be exceeded. Loose (about 4× for English), but a budget must never be overrun by a
 * tokenizer that splits finer than the one we guessed.
 */
export function promptTokenBound(request: ChatRequest, imageRule?: ImageTokenRule): number {
  // Media counts by the image rule (its bytes are not tokens); the rest by its UTF-8 size.
  let bytes = FRAMING + Buffer.byteLength(JSON.stringify(textOnly(request.messages))) + mediaPromptTokens(request.messages, imageRule);
  if (request.tools?.length) bytes += Buffer.byteLength(JSON.stringify(request.tools));
  if (request.extra) bytes += Buffer.byteLength(JSON.stringify(request.extra));
  return bytes;
}

/**
 * The most completion tokens a request can be billed for: its `max_tokens` (or
 * `max_completion_tokens`, which includes reasoning tokens) times the choices asked for. Null when
 * the request sets no limit: its cost has no bound.
 */
export function outputTokenBound(request: ChatRequest): number | null {
  const limits = [request.max_tokens, request.extra?.max_completion_tokens, request.extra?.max_tokens].filter(
    (v): v is number => typeof v === "number" && Number.isFinite(v) && v >= 0,
  );
  if (limits.length === 0) return null;
  return Math.max(...limits) * Math.max(1, request.n ?? 1);
}

/**
 * A request's worst case: every prompt token at the input price and the full output allowance at
 * the output price (cached-input discounts are not assumed). Throws a RangeError when the request
 * sets no output limit, because a budget cannot bound it.
 */
export function worstCase(request: ChatRequest, price: Price | null, imageRule?: ImageTokenRule): Spend {
  const completion = outputTokenBound(request);
  if (completion === null) {
    throw new RangeError(`Expected \`max_tokens\` on requests to ${request.model} under a budget: without it their cost has no bound`);
  }
  const usage = { prompt_tokens: promptTokenBound(request, imageRule), completion_tokens: completion };
  return { usd: costOf(usage, price), tokens: usage.prompt_tokens + completion };
}

/**
 * What a finished attempt is settled at. With usage reported: its real cost. Without: a bound —
 * the prompt bound plus the reply's UTF-8 size (capped at the output allowance) — so the budget
 * never undercounts a server that reports nothing.
 */
export function settledSpend(request: ChatRequest, reply: ChatReply, price: Price | null, imageRule?: ImageTokenRule): Spend {
  if (reply.usage) return spendOf(reply.usage, price);
  const allowance = outputTokenBound(request) ?? Number.POSITIVE_INFINITY;
  const replyBytes = Buffer.byteLength(JSON.stringify([reply.choices ?? reply.text, reply.tool_calls ?? null]));
  return spendOf({ prompt_tokens: promptTokenBound(request, imageRule), completion_tokens: Math.min(allowance, replyBytes) }, price);
}

export function spendOf(usage: Usage, price: Price | null): Spend {
  return { usd: costOf(usage, price), tokens: usage.prompt_tokens + usage.completion_tokens };
}
