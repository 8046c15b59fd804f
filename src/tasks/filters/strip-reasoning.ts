import { z } from "../../zod.js";
import type { FilterFactory, FilterStep } from "./types.js";

/** A reply split into what the model reasoned and what it answered. */
export interface SplitReply {
  readonly answer: string;
  /** The text inside the think tags; null when the reply had none. */
  readonly reasoning: string | null;
}

const BLOCK = /<(think|thinking)>([\s\S]*?)<\/\1>/gi;
const CLOSE = /<\/(?:think|thinking)>/i;
const OPEN = /<(?:think|thinking)>/i;

/**
 * Splits a reasoning model's reply (pure): every `<think>…</think>` (or `<thinking>`) block is
 * removed and its text kept as the reasoning. Two partial forms servers send are handled too: a
 * closing tag with no opening one (the chat template put `<think>` in the prompt, as DeepSeek-R1's
 * does), where everything before it is reasoning; and an opening tag never closed (the reply was
 * cut off while thinking), where everything after it is reasoning and the answer is what came before.
 */
export function splitReasoning(text: string): SplitReply {
  const parts: string[] = [];
  let rest = text.replace(BLOCK, (_m, _tag: string, inner: string) => {
    parts.push(inner.trim());
    return "";
  });
  const close = CLOSE.exec(rest);
  if (close) {
    parts.unshift(rest.slice(0, close.index).trim());
    rest = rest.slice(close.index + close[0].length);
  }
  const open = OPEN.exec(rest);
  if (open) {
    parts.push(rest.slice(open.index + open[0].length).trim());
    rest = rest.slice(0, open.index);
  }
  if (parts.length === 0) return { answer: text, reasoning: null };
  return { answer: rest.trim(), reasoning: parts.filter((p) => p !== "").join("\n\n") };
}

/**
 * `strip_reasoning`: each response without its `<think>…</think>` reasoning (see `splitReasoning`),
 * so exact-match and regex filters see only the answer of a reasoning model.
 */
export const stripReasoning = {
  create(args): FilterStep {
    z.strictObject({}).parse(args);
    return (responses) => responses.map((r) => splitReasoning(r).answer);
  },
} satisfies FilterFactory;
