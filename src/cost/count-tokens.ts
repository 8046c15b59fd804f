import type { ChatMessage } from "../types.js";

/** Offline token counts, for servers that report no usage and for pre-flight estimates. */
export interface TokenCounter {
  /** The encoding used (`o200k_base`, `cl100k_base`). */
  readonly encoding: Encoding;
  /** Tokens of a text, as the encoding splits it. */
  text(text: string): number;
  /**
   * Prompt tokens of a chat request, by OpenAI's documented accounting: each message adds 3 tokens
   * (4 with a `name`) to its content, and the reply is primed with 3 more. Tool calls and tool
   * definitions count as their JSON text.
   */
  chat(messages: readonly ChatMessage[], tools?: readonly unknown[]): number;
}

export type Encoding = "o200k_base" | "cl100k_base";

/**
 * The encoding a model most likely uses: cl100k for GPT-4 / GPT-3.5 and older chat models, o200k
 * for everything else. Other vendors' tokenizers are not bundled; o200k is a close stand-in for
 * English text, which is why such counts are marked `estimated`.
 */
export function encodingFor(model: string): Encoding {
  const m = model.toLowerCase().replace(/^openai\//, "");
  return /^(gpt-4(-|$)|gpt-3\.5|text-embedding-(ada|3))/.test(m) ? "cl100k_base" : "o200k_base";
}

type CountFn = (text: string) => number;
const loaded = new Map<Encoding, Promise<CountFn>>();

/**
 * Loads the tokenizer for a model (gpt-tokenizer; its ranks are bundled, ~0.2–1 s to load the first
 * time, so it is loaded only when a count is needed). Later calls reuse the loaded encoding.
 */
export async function loadTokenCounter(model: string): Promise<TokenCounter> {
  const encoding = encodingFor(model);
  let load = loaded.get(encoding);
  if (!load) {
    load = importEncoding(encoding);
    loaded.set(encoding, load);
  }
  return tokenCounter(encoding, await load);
}

async function importEncoding(encoding: Encoding): Promise<CountFn> {
  const mod = encoding === "cl100k_base" ? await import("gpt-tokenizer/encoding/cl100k_base") : await import("gpt-tokenizer/encoding/o200k_base");
  // Special-token text in a prompt is counted as plain text, as the API does.
  const plain = { disallowedSpecial: new Set<string>() };
  return (text) => mod.countTokens(text, plain);
}

/** A counter over any count function (tests pass a simple one). */
export function tokenCounter(encoding: Encoding, count: CountFn): TokenCounter {
  return {
    encoding,
    text: (text) => (text ? count(text) : 0),
    chat(messages, tools) {
      let n = 3;
      for (const m of messages) {
        n += 3 + count(m.role);
        if (m.content) n += count(m.content);
        if (m.name) n += 1 + count(m.name);
        if (m.tool_calls?.length) n += count(JSON.stringify(m.tool_calls));
      }
      if (tools?.length) n += count(JSON.stringify(tools));
      return n;
    },
  };
}
