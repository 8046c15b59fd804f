import { TaskInputError } from "../errors/task-input-error.js";
import type { ContentPart, ImageDetail, MediaRef, MediaSettings } from "../types.js";
import { mediaRefs } from "./media-items.js";

/**
 * A message's content given as a list of parts in a data line (a conversation turn, a
 * `doc_to_messages` message), as references: `{"type": "text", "text": …}` stays text; an image part —
 * OpenAI's `{"type": "image_url", "image_url": {"url": …, "detail": …}}` (or the URL as a string),
 * or `{"type": "image", "image": <item>}` as Hugging Face's chat templates write it — and an audio
 * part — `{"type": "input_audio", "input_audio": {"data": <base64>, "format": "wav" | "mp3"}}`, or
 * `{"type": "audio", "audio": <item>}` — becomes a media part read when the request is sent. An item
 * is what doc_to_image takes: a path (relative to `baseDir`), an http(s) URL, a data: URI or
 * `{"bytes": …}`. A malformed part throws a TaskInputError naming `key`.
 */
export function partsFromData(parts: readonly unknown[], key: string, settings: MediaSettings, baseDir: string): ContentPart[] {
  return parts.map((part, i): ContentPart => {
    const where = `${key}[${i}]`;
    if (typeof part !== "object" || part === null) throw new TaskInputError(`${where}: expected a content part {"type": …}`, key);
    const p = part as Record<string, unknown>;
    const media = (item: unknown, kind: "image" | "audio", detail?: ImageDetail): ContentPart => {
      const refs = mediaRefs(item, { key: where, kind, ...settings, ...(detail ? { detail } : {}) }, baseDir);
      if (refs.length !== 1) throw new TaskInputError(`${where}: expected one ${kind} item`, key);
      return { type: "media", media: refs[0]! };
    };
    switch (p.type) {
      case "text":
        if (typeof p.text !== "string") throw new TaskInputError(`${where}: a text part needs a string \`text\``, key);
        return { type: "text", text: p.text };
      case "image_url": {
        const v = p.image_url;
        if (typeof v === "string") return media(v, "image");
        const o = (typeof v === "object" && v !== null ? v : {}) as { url?: unknown; detail?: unknown };
        if (typeof o.url !== "string") throw new TaskInputError(`${where}: an image_url part needs \`image_url.url\``, key);
        return media(o.url, "image", detailOf(o.detail, where, key));
      }
      case "image":
        return media(p.image ?? p.url ?? p.path, "image");
      case "input_audio": {
        const a = (typeof p.input_audio === "object" && p.input_audio !== null ? p.input_audio : {}) as { data?: unknown; format?: unknown };
        if (typeof a.data !== "string" || (a.format !== "wav" && a.format !== "mp3")) throw new TaskInputError(`${where}: an input_audio part needs base64 \`data\` and \`format\` wav or mp3`, key);
        return media({ bytes: a.data, media_type: a.format === "mp3" ? "audio/mpeg" : "audio/wav" }, "audio");
      }
      case "audio":
        return media(p.audio ?? p.url ?? p.path, "audio");
      default:
        throw new TaskInputError(`${where}: unknown content part type ${JSON.stringify(p.type)} (expected text, image_url, image, input_audio or audio)`, key);
    }
  });
}

/** The media references among content parts, in order. */
export function mediaOfParts(parts: readonly ContentPart[]): MediaRef[] {
  return parts.flatMap((p) => (p.type === "media" ? [p.media] : []));
}

function detailOf(value: unknown, where: string, key: string): ImageDetail | undefined {
  if (value === undefined) return undefined;
  if (value === "auto" || value === "low" || value === "high") return value;
  throw new TaskInputError(`${where}: image_url.detail must be auto, low or high`, key);
}
