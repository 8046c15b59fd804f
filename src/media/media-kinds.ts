import { extname } from "node:path";
import type { MediaRef } from "../types.js";

/** MIME types by file extension, for the media the OpenAI API takes (and video, sent as frames). */
const TYPES: Readonly<Record<string, { type: MediaRef["type"]; mime: string }>> = {
  ".png": { type: "image", mime: "image/png" },
  ".jpg": { type: "image", mime: "image/jpeg" },
  ".jpeg": { type: "image", mime: "image/jpeg" },
  ".gif": { type: "image", mime: "image/gif" },
  ".webp": { type: "image", mime: "image/webp" },
  ".wav": { type: "audio", mime: "audio/wav" },
  ".mp3": { type: "audio", mime: "audio/mpeg" },
  ".mp4": { type: "video", mime: "video/mp4" },
  ".webm": { type: "video", mime: "video/webm" },
  ".mov": { type: "video", mime: "video/quicktime" },
  ".mkv": { type: "video", mime: "video/x-matroska" },
  ".avi": { type: "video", mime: "video/x-msvideo" },
};

/** The kind and MIME type a path or URL's extension names, or undefined. */
export function kindOfName(name: string): { type: MediaRef["type"]; mime: string } | undefined {
  const clean = name.split(/[?#]/, 1)[0] ?? name;
  return TYPES[extname(clean).toLowerCase()];
}

/** The kind a MIME type names (`image/png` → image), or undefined. */
export function kindOfMime(mime: string): MediaRef["type"] | undefined {
  const top = mime.split("/", 1)[0];
  return top === "image" || top === "audio" || top === "video" ? top : undefined;
}

/** OpenAI's `input_audio.format` for an audio MIME type (`wav`, `mp3`). */
export function audioFormat(mime: string | undefined): string {
  return mime === "audio/mpeg" || mime === "audio/mp3" ? "mp3" : "wav";
}
