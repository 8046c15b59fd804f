import type { ChatMessage } from "../types.js";

/**
 * Counting a chat request's prompt tokens offline, by OpenAI's documented accounting: each message
 * adds 3 tokens to its role and content (1 more with a `name`), tool calls count as their JSON text,
 * and the reply is primed with 3 more.
 */
export interface TokenCounter {
  /** `o200k_base` or `cl100k_base`, or a name for a test counter. */
  readonly encoding: string;
  /** Tokens of one message in a request. */
  message(m: ChatMessage): number;
  /** Tokens every request adds once (the reply's priming). */
  readonly priming: number;
}

export type Encoding = "o200k_base" | "cl100k_base";

/** cl100k for GPT-4 / GPT-3.5 and older chat models, o200k for everything else (a stand-in for other vendors). */
export function encodingFor(model: string): Encoding {
  const m = model.toLowerCase().replace(/^openai\//, "");
  return /^(gpt-4(-|$)|gpt-3\.5)/.test(m) ? "cl100k_base" : "o200k_base";
}

/** A counter over a text → token count function (tests pass a simple one). */
export function chatTokenCounter(encoding: string, count: (text: string) => number): TokenCounter {
  return {
    encoding,
    priming: 3,
    message(m) {
      let n = 3 + count(m.role);
      if (m.content) n += count(m.content);
      if (m.name) n += 1 + count(m.name);
      if (m.tool_calls?.length) n += count(JSON.stringify(m.tool_calls));
      return n;
    },
  };
}

/** Prompt tokens of a whole request. */
export function countChat(counter: TokenCounter, messages: readonly ChatMessage[]): number {
  let n = counter.priming;
  for (const m of messages) n += counter.message(m);
  return n;
}

const loaded = new Map<Encoding, Promise<TokenCounter>>();

/**
 * The counter for a model, with gpt-tokenizer's encodings (bundled, offline). Loading one takes
 * 0.1–1 s, so it happens on first use only and is shared afterwards.
 */
export function loadTokenCounter(model: string): Promise<TokenCounter> {
  const encoding = encodingFor(model);
  let counter = loaded.get(encoding);
  if (!counter) {
    counter = importEncoding(encoding);
    loaded.set(encoding, counter);
  }
  return counter;
}

async function importEncoding(encoding: Encoding): Promise<TokenCounter> {
  const mod = encoding === "cl100k_base" ? await import("gpt-tokenizer/encoding/cl100k_base") : await import("gpt-tokenizer/encoding/o200k_base");
  // Special-token text in a prompt is plain text to the API.
  const plain = { disallowedSpecial: new Set<string>() };
  return chatTokenCounter(encoding, (text) => mod.countTokens(text, plain));
}
