import type { ChatMessage } from "../types.js";
import { contentText } from "../media/content-parts.js";
import { mediaPromptTokens } from "../media/request-media.js";
import type { ImageTokenRule } from "../media/image-tokens.js";
import { approximateTokenCount, chunkedCount, EXACT_MAX_CHARS, SYNC_EXACT_MAX_CHARS } from "./chunked-count.js";
import { countOffThread } from "./count-worker.js";

/** Offline token counts, for servers that report no usage and for pre-flight estimates. */
export interface TokenCounter {
  /** The encoding used (`o200k_base`, `cl100k_base`). */
  readonly encoding: Encoding;
  /**
   * Tokens of a text, as the encoding splits it, in time linear in its length; above 256 k
   * characters, UTF-8 bytes / 4 (see chunked-count.ts).
   */
  text(text: string): number;
  /**
   * Prompt tokens of a chat request, by OpenAI's documented accounting: each message adds 3 tokens
   * (4 with a `name`) to its content, and the reply is primed with 3 more. Tool calls and tool
   * definitions count as their JSON text; images by `imageRule` (default: OpenAI's tile rule).
   */
  chat(messages: readonly ChatMessage[], tools?: readonly unknown[], imageRule?: ImageTokenRule): number;
  /**
   * As `chat`, with large texts (over 64 k characters) counted exactly on a worker thread, up to 4 M
   * characters (beyond, bytes / 4): for the paths that can wait (usage estimates, `estimate`).
   */
  chatAsync(messages: readonly ChatMessage[], tools?: readonly unknown[], imageRule?: ImageTokenRule): Promise<number>;
  /** As `text`, for many texts, counted as `chatAsync` counts. */
  textsAsync(texts: readonly string[]): Promise<number>;
}

/** Texts up to this size are counted in place even on the asynchronous paths (a few ms at most). */
const IN_PLACE_MAX_CHARS = 64 * 1024;

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
  return tokenCounter(encoding, await load, (texts) => countOffThread(encoding, texts));
}

async function importEncoding(encoding: Encoding): Promise<CountFn> {
  const mod = encoding === "cl100k_base" ? await import("gpt-tokenizer/encoding/cl100k_base") : await import("gpt-tokenizer/encoding/o200k_base");
  // Special-token text in a prompt is counted as plain text, as the API does.
  const plain = { disallowedSpecial: new Set<string>() };
  return (text) => mod.countTokens(text, plain);
}

/** The texts of a chat request and the tokens its framing adds (OpenAI's accounting, see `chat`). */
function chatParts(messages: readonly ChatMessage[], tools?: readonly unknown[], imageRule?: ImageTokenRule): { texts: string[]; framing: number } {
  const texts: string[] = [];
  // Images are billed by their size, not their bytes (see media/image-tokens.ts).
  let framing = 3 + mediaPromptTokens(messages, imageRule);
  for (const m of messages) {
    framing += 3;
    texts.push(m.role);
    if (m.content) texts.push(contentText(m.content));
    if (m.name) {
      framing += 1;
      texts.push(m.name);
    }
    if (m.tool_calls?.length) texts.push(JSON.stringify(m.tool_calls));
  }
  if (tools?.length) texts.push(JSON.stringify(tools));
  return { texts, framing };
}

/**
 * A counter over any count function (tests pass a simple one). `offThread` counts large texts
 * elsewhere (the worker thread for gpt-tokenizer's encodings); without it they are counted in place.
 */
export function tokenCounter(encoding: Encoding, count: CountFn, offThread?: (texts: readonly string[]) => Promise<number[]>): TokenCounter {
  const text = (t: string): number => (t.length > SYNC_EXACT_MAX_CHARS ? approximateTokenCount(t) : chunkedCount(count, t));
  const textsAsync = async (texts: readonly string[]): Promise<number> => {
    let n = 0;
    const large: string[] = [];
    for (const t of texts) {
      if (t.length > EXACT_MAX_CHARS) n += approximateTokenCount(t);
      else if (t.length > IN_PLACE_MAX_CHARS && offThread) large.push(t);
      else n += t.length > IN_PLACE_MAX_CHARS ? chunkedCount(count, t) : text(t);
    }
    if (large.length) for (const c of await offThread!(large)) n += c;
    return n;
  };
  return {
    encoding,
    text,
    chat(messages, tools, imageRule) {
      const { texts, framing } = chatParts(messages, tools, imageRule);
      return texts.reduce((n, t) => n + text(t), framing);
    },
    async chatAsync(messages, tools, imageRule) {
      const { texts, framing } = chatParts(messages, tools, imageRule);
      return framing + (await textsAsync(texts));
    },
    textsAsync,
  };
}
