import { loadTokenCounter } from "../cost/count-tokens.js";
import type { ChatMessage } from "../types.js";
import { contentText } from "../media/content-parts.js";
import { mediaPromptTokens } from "../media/request-media.js";

/**
 * Counting a chat request's prompt tokens offline, message by message (so that a context window can be
 * fitted by leaving messages out), with the same accounting as `TokenCounter.chat` of the cost module:
 * each message adds 3 tokens to its role and content (1 more with a `name`), tool calls count as their
 * JSON text, and the reply is primed with 3 more.
 */
export interface MessageTokenCounter {
  /** `o200k_base` or `cl100k_base`, or a name for a test counter. */
  readonly encoding: string;
  /** Tokens of one message in a request. */
  message(m: ChatMessage): number;
  /** Tokens every request adds once (the reply's priming). */
  readonly priming: number;
}

/** A counter over a text → token count function (tests pass a simple one). */
export function chatTokenCounter(encoding: string, count: (text: string) => number): MessageTokenCounter {
  return {
    encoding,
    priming: 3,
    message(m) {
      let n = 3 + count(m.role);
      if (m.content) n += count(contentText(m.content)) + mediaPromptTokens([m]);
      if (m.name) n += 1 + count(m.name);
      if (m.tool_calls?.length) n += count(JSON.stringify(m.tool_calls));
      return n;
    },
  };
}

/** Prompt tokens of a whole request. */
export function countChat(counter: MessageTokenCounter, messages: readonly ChatMessage[]): number {
  let n = counter.priming;
  for (const m of messages) n += counter.message(m);
  return n;
}

/**
 * The counter for a model, over the cost module's offline encodings (gpt-tokenizer: o200k, or
 * cl100k for GPT-4 / GPT-3.5), loaded on first use and shared.
 */
export async function loadChatTokenCounter(model: string): Promise<MessageTokenCounter> {
  const counter = await loadTokenCounter(model);
  return chatTokenCounter(counter.encoding, (text) => counter.text(text));
}
