import type { ChatMessage, ContentPart } from "../types.js";
import { contentText } from "./content-parts.js";
import { imageTokens, mediaTokens, type ImageTokenRule } from "./image-tokens.js";

/**
 * The input tokens a request's media costs: media parts by their references, `image_url` parts given
 * ready-made (dimensions unknown) at the rule's largest image, audio at 0 (the server's usage settles it).
 */
export function mediaPromptTokens(messages: readonly ChatMessage[], rule?: ImageTokenRule): number {
  let n = 0;
  for (const m of messages) {
    if (!Array.isArray(m.content)) continue;
    for (const p of m.content as readonly ContentPart[]) {
      if (p.type === "media") n += mediaTokens(p.media, rule);
      else if (p.type === "image_url") n += imageTokens(undefined, undefined, p.image_url.detail, rule);
    }
  }
  return n;
}

/** The messages with each content list reduced to its text: what byte and token bounds of the text read. */
export function textOnly(messages: readonly ChatMessage[]): readonly ChatMessage[] {
  if (!messages.some((m) => Array.isArray(m.content))) return messages;
  return messages.map((m) => (Array.isArray(m.content) ? { ...m, content: contentText(m.content) } : m));
}
