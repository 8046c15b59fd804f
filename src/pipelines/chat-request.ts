import { dirname } from "node:path";
import { contentWithMedia, mediaOfMessages } from "../media/content-parts.js";
import { partsFromData } from "../media/data-parts.js";
import type { DataContent, DataMessage } from "../tasks/conversation-fields.js";
import type { ChatRequest } from "../work/model.js";
import type { Task } from "../work/task.js";
import type { ChatMessage, MediaRef, MessageContent, Sample } from "../types.js";
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
  const media = task.media(sample.doc, baseDirOf(sample));
  return media.length ? { media } : {};
}

/** The folder a sample's relative media paths start from: its input file's. */
function baseDirOf(sample: Sample): string {
  return sample.at.file === "<stdin>" || sample.at.file === "" ? "." : dirname(sample.at.file);
}

/**
 * A message's content as a data line gave it (`turns`, `doc_to_messages`): text as it is; a list of
 * content parts with its images and audio as media references (paths relative to the input file's
 * folder), read when the request is sent. Throws a TaskInputError naming `key` for a bad part.
 */
export function dataContent(content: DataContent, key: string, sample: Sample, task: Task): MessageContent {
  return typeof content === "string" ? content : partsFromData(content, key, task.mediaSettings ?? {}, baseDirOf(sample));
}

/** A data line's messages with their content parts read (see dataContent). */
export function dataMessages(messages: readonly DataMessage[], key: string, sample: Sample, task: Task): ChatMessage[] {
  return messages.map((m, i) => (m.content === null || typeof m.content === "string" ? (m as ChatMessage) : { ...m, content: dataContent(m.content, `${key}[${i}].content`, sample, task) }));
}

/** Every media reference of some messages, for the result line and routing: `media` on a prepared item, or nothing. */
export function mediaField(messages: readonly ChatMessage[]): { media?: MediaRef[] } {
  const media = mediaOfMessages(messages);
  return media.length ? { media } : {};
}

/** The messages with the media placed in the last user message (at its placeholders, else before its text). */
export function withMedia(messages: readonly ChatMessage[], media: readonly MediaRef[]): ChatMessage[] {
  let last = -1;
  messages.forEach((m, i) => {
    if (m.role === "user") last = i;
  });
  if (last < 0) return [...messages, { role: "user", content: contentWithMedia("", media) }];
  return messages.map((m, i) => (i === last ? { ...m, content: contentWithMedia(m.content ?? "", media) } : m));
}
