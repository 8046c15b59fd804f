import { dirname } from "node:path";
import { contentText, contentWithMedia } from "../media/content-parts.js";
import type { ChatRequest } from "../work/model.js";
import type { Task } from "../work/task.js";
import type { ChatMessage, MediaRef, Sample } from "../types.js";
import type { WorkItem } from "../work/work-item.js";

/**
 * A chat request for `messages` with the task's generation settings (`max_tokens`, `temperature`,
 * `top_p`, `stop`, extra keys): what every chat pipeline sends, whatever its messages are.
 * `temperature` overrides the task's (MT-Bench sets one per category).
 */
export function chatRequestOf(work: WorkItem, messages: readonly ChatMessage[], temperature = work.task.generation.temperature): ChatRequest {
  const g = work.task.generation;
  return {
    model: work.key.model,
    messages,
    max_tokens: g.max_tokens,
    temperature,
    ...(g.top_p !== undefined ? { top_p: g.top_p } : {}),
    stop: g.stop,
    extra: g.extra,
  };
}

/**
 * A sample's media references (`media` on its prepared item), read from its task's media keys with
 * paths relative to its input file's folder; nothing when the task has no media. Throws a
 * TaskInputError for an item that cannot be read (the line is set aside).
 */
export function sampleMedia(sample: Sample, task: Task): { media?: MediaRef[] } {
  if (!task.media) return {};
  const base = sample.at.file === "<stdin>" || sample.at.file === "" ? "." : dirname(sample.at.file);
  const media = task.media(sample.doc, base);
  return media.length ? { media } : {};
}

/** The messages with the media placed in the last user message (at its placeholders, else before its text). */
export function withMedia(messages: readonly ChatMessage[], media: readonly MediaRef[]): ChatMessage[] {
  let last = -1;
  messages.forEach((m, i) => {
    if (m.role === "user") last = i;
  });
  if (last < 0) return [...messages, { role: "user", content: contentWithMedia("", media) }];
  return messages.map((m, i) => (i === last ? { ...m, content: contentWithMedia(contentText(m.content), media) } : m));
}
