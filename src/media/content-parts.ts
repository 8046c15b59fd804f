import type { ChatMessage, ContentPart, MediaRef, MessageContent } from "../types.js";

/** `<image>` or `<image N>`, as lmms-eval and lm-eval's MMMU write them in a question. */
const PLACEHOLDER = /<image(?: (\d+))?>/g;

/**
 * A user message's content for a prompt and its media: each image goes where its placeholder is
 * (`<image N>`: the N-th image, 1-based; `<image>`: the next one not yet placed), and the
 * placeholder is taken out of the text; images no placeholder names, and audio and video, come
 * before the text. Without media the content is the text itself.
 */
export function contentWithMedia(text: MessageContent, media: readonly MediaRef[]): MessageContent {
  return placeMedia([text], media)[0]!;
}

/**
 * Several user messages' contents (a conversation's turns) with one sample's media placed: a
 * placeholder in any of them (`<image N>` numbered over the whole sample, `<image>` the next image
 * not yet placed) puts its image in that message; the media no placeholder names goes before the
 * text of the first message. A content that is already a list of parts keeps its own parts, its text
 * parts' placeholders placed too.
 */
export function placeMedia(contents: readonly MessageContent[], media: readonly MediaRef[]): MessageContent[] {
  if (media.length === 0) return [...contents];
  const images = media.filter((m) => m.type === "image");
  const placed = new Set<number>();
  let next = 0;
  const placeIn = (text: string, body: ContentPart[]): void => {
    let at = 0;
    for (const match of text.matchAll(PLACEHOLDER)) {
      const index = match[1] === undefined ? nextFree(placed, next, images.length) : Number(match[1]) - 1;
      if (index < 0 || index >= images.length) continue; // no such image: the text keeps the placeholder
      pushText(body, text.slice(at, match.index));
      body.push({ type: "media", media: images[index]! });
      placed.add(index);
      if (match[1] === undefined) next = index + 1;
      at = match.index + match[0].length;
    }
    pushText(body, text.slice(at));
  };
  const bodies = contents.map((content) => {
    const body: ContentPart[] = [];
    if (typeof content === "string") placeIn(content, body);
    else for (const p of content) if (p.type === "text") placeIn(p.text, body);
    else body.push(p);
    return body;
  });
  const before: ContentPart[] = media.filter((m) => m.type !== "image" || !placed.has(images.indexOf(m))).map((m) => ({ type: "media", media: m }));
  if (bodies.length > 0) bodies[0] = [...before, ...bodies[0]!];
  return bodies;
}

function nextFree(placed: ReadonlySet<number>, from: number, count: number): number {
  for (let i = from; i < count; i++) if (!placed.has(i)) return i;
  return -1;
}

function pushText(parts: ContentPart[], text: string): void {
  if (text !== "") parts.push({ type: "text", text });
}

/** The text of a message's content: the string, or its text parts joined (media left out). */
export function contentText(content: MessageContent | null | undefined): string {
  if (content === null || content === undefined) return "";
  if (typeof content === "string") return content;
  let text = "";
  for (const p of content) if (p.type === "text") text += p.text;
  return text;
}

/** The media references of a request's messages, in order (what a result line lists). */
export function mediaOfMessages(messages: readonly ChatMessage[]): MediaRef[] {
  const refs: MediaRef[] = [];
  for (const m of messages) if (Array.isArray(m.content)) for (const p of m.content as readonly ContentPart[]) if (p.type === "media") refs.push(p.media);
  return refs;
}

/** A media reference as a result line and the store keep it: where from, type, digest, size — never bytes. */
export function mediaSummary(ref: MediaRef): Record<string, unknown> {
  const { type, source, media_type, sha256, bytes, width, height } = ref;
  return { type, source, ...(media_type ? { media_type } : {}), ...(sha256 ? { sha256 } : {}), ...(bytes !== undefined ? { bytes } : {}), ...(width ? { width, height } : {}) };
}
