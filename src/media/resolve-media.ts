import { readFile, stat } from "node:fs/promises";
import { MEDIA_DATA, type ChatMessage, type ContentPart, type MediaRef } from "../types.js";
import { audioFormat } from "./media-kinds.js";
import { DEFAULT_VIDEO_FRAMES, videoFrames } from "./video-frames.js";

/**
 * How media is fetched when a request is sent. How far images are downscaled and how many frames a
 * video gives are on each MediaRef (`max_side`, `frames`): they change the request, so its fingerprint.
 */
export interface MediaOptions {
  /** Fetch http(s) media and send it inline (`--inline-media`); by default an image URL is sent as a URL. */
  readonly inlineUrls?: boolean;
  /** Fetch for URLs (tests pass their own); default the global fetch. */
  readonly fetch?: typeof fetch;
}

/**
 * Where resolveMedia puts encoded media when the caller writes the body itself (see media-body.ts):
 * each item's bytes, and in the message the marker `slotMarker(nonce, index)` instead of its base64.
 */
export interface MediaSlots {
  readonly nonce: string;
  readonly items: SlotItem[];
}

/** One encoded item of a body: its bytes, or a file of `size` bytes the body's writer reads itself (into the body). */
export type SlotItem = { readonly prefix: string } & ({ readonly bytes: Buffer } | { readonly file: string; readonly size: number });

/** The text standing in a message for slot `index` until the body is written. */
export const slotMarker = (nonce: string, index: number): string => `\u0000${nonce}:${index}\u0000`;

/** Whether any message holds a media part still to be read. */
export function hasMediaParts(messages: readonly ChatMessage[]): boolean {
  return messages.some((m) => typeof m.content !== "string" && m.content !== null && m.content.some((p) => p.type === "media"));
}

/**
 * The messages as the API takes them: each media part read (file, inline data, or a fetched URL),
 * downscaled when asked, and encoded as `image_url` (a `data:` URI, or the URL itself) or
 * `input_audio` parts; a video becomes its frames. Messages without media come back as they are.
 * The encoded bytes live only in the returned messages, which the caller drops once sent.
 */
export async function resolveMedia(messages: readonly ChatMessage[], options: MediaOptions = {}, slots?: MediaSlots): Promise<readonly ChatMessage[]> {
  if (!hasMediaParts(messages)) return messages;
  // With slots, each encoded item is kept as bytes and its place marked; else it is a base64 string here.
  const encoded = (prefix: string, raw: Raw): string => {
    if (!slots) return `${prefix}${(raw as { bytes: Buffer }).bytes.toString("base64")}`;
    slots.items.push({ prefix, ...raw });
    return slotMarker(slots.nonce, slots.items.length - 1);
  };
  // With slots, a file sent as it is is not read here: the body's writer reads it straight into the body.
  const lazyFiles = slots !== undefined;
  return Promise.all(
    messages.map(async (m): Promise<ChatMessage> => {
      if (typeof m.content === "string" || m.content === null) return m;
      const parts = await Promise.all(m.content.map((p): Promise<PendingPart[]> => (p.type === "media" ? partsOf(p.media, options, lazyFiles) : Promise.resolve([p]))));
      // Slots are numbered in message order, after every read finished.
      return { ...m, content: parts.flat().map((p) => encode(p, encoded)) };
    }),
  );
}

/** A part still holding raw bytes (`pending`), encoded now. */
type PendingPart = ContentPart | ({ readonly type: "pending"; readonly kind: "image" | "audio"; readonly mime: string; readonly detail?: MediaRef["detail"] } & Raw);
/** An item's raw bytes, or (only with slots) the file holding them. */
type Raw = { readonly bytes: Buffer } | { readonly file: string; readonly size: number };

function encode(p: PendingPart, encoded: (prefix: string, raw: Raw) => string): ContentPart {
  if (p.type !== "pending") return p;
  const raw: Raw = "bytes" in p ? { bytes: p.bytes } : { file: p.file, size: p.size };
  if (p.kind === "audio") return { type: "input_audio", input_audio: { data: encoded("", raw), format: audioFormat(p.mime) } };
  return { type: "image_url", image_url: { url: encoded(`data:${p.mime};base64,`, raw), ...(p.detail ? { detail: p.detail } : {}) } };
}

async function partsOf(ref: MediaRef, options: MediaOptions, lazyFiles: boolean): Promise<PendingPart[]> {
  const detail = ref.detail ? { detail: ref.detail } : {};
  if (ref.type === "video") {
    const frames = await videoFrames(ref.source, ref.duration_s ?? 1, ref.frames ?? DEFAULT_VIDEO_FRAMES);
    const scaled = await Promise.all(frames.map((f) => downscale(f, "image/png", ref.max_side)));
    return scaled.map((f) => ({ type: "pending", kind: "image", mime: f.mime, bytes: f.bytes, ...detail }));
  }
  if (ref.type === "image" && isUrl(ref.source) && !options.inlineUrls) return [{ type: "image_url", image_url: { url: ref.source, ...detail } }];
  if (lazyFiles && isFile(ref) && !downscales(ref)) {
    const file = { file: ref.source, size: (await stat(ref.source)).size };
    return [ref.type === "audio" ? { type: "pending", kind: "audio", mime: ref.media_type ?? "audio/wav", ...file } : { type: "pending", kind: "image", mime: ref.media_type ?? "image/png", ...file, ...detail }];
  }
  const { bytes, mime } = await bytesOf(ref, options);
  if (ref.type === "audio") return [{ type: "pending", kind: "audio", mime: mime ?? "audio/wav", bytes }];
  const image = await downscale(bytes, mime ?? "image/png", ref.max_side, ref.width, ref.height);
  return [{ type: "pending", kind: "image", mime: image.mime, bytes: image.bytes, ...detail }];
}

async function bytesOf(ref: MediaRef, options: MediaOptions): Promise<{ bytes: Buffer; mime: string | undefined }> {
  const inline = (ref as MediaRef & { [MEDIA_DATA]?: string })[MEDIA_DATA];
  if (inline !== undefined) return { bytes: Buffer.from(inline, "base64"), mime: ref.media_type };
  if (!isUrl(ref.source)) return { bytes: await readFile(ref.source), mime: ref.media_type };
  const res = await (options.fetch ?? fetch)(ref.source);
  if (!res.ok) throw new Error(`cannot fetch ${ref.source}: HTTP ${res.status}`);
  const mime = res.headers.get("content-type")?.split(";", 1)[0]?.trim() || ref.media_type;
  return { bytes: Buffer.from(await res.arrayBuffer()), mime };
}

/** A file on disk (not inline data, not a URL). */
function isFile(ref: MediaRef): boolean {
  return (ref as MediaRef & { [MEDIA_DATA]?: string })[MEDIA_DATA] === undefined && !isUrl(ref.source);
}

/** Whether `downscale` would change this image (so its bytes must be read and scaled first). */
function downscales(ref: MediaRef): boolean {
  if (ref.type !== "image" || ref.max_side === undefined) return false;
  return ref.width === undefined || ref.height === undefined || Math.max(ref.width, ref.height) > ref.max_side;
}

/** The image scaled down (sharp) so its longer side is at most `maxSide`; unchanged when it fits or no limit is set. */
async function downscale(bytes: Buffer, mime: string, maxSide: number | undefined, width?: number, height?: number): Promise<{ bytes: Buffer; mime: string }> {
  if (maxSide === undefined) return { bytes, mime };
  if (width !== undefined && height !== undefined && Math.max(width, height) <= maxSide) return { bytes, mime };
  // Loaded on first use: a native addon most runs never need.
  const { default: sharp } = await import("sharp");
  const image = sharp(bytes, { failOn: "none" }).resize({ width: maxSide, height: maxSide, fit: "inside", withoutEnlargement: true });
  // JPEG stays JPEG (a photo re-encoded as PNG would grow); everything else becomes PNG.
  return mime === "image/jpeg" ? { bytes: await image.jpeg({ quality: 90 }).toBuffer(), mime } : { bytes: await image.png().toBuffer(), mime: "image/png" };
}

function isUrl(source: string): boolean {
  return /^https?:\/\//i.test(source);
}
