import { createHash } from "node:crypto";
import { closeSync, openSync, readFileSync, readSync } from "node:fs";
import { createRequire } from "node:module";
import { isAbsolute, resolve } from "node:path";
import type * as ImageSize from "image-size";
import { TaskInputError } from "../errors/task-input-error.js";
import { MEDIA_DATA, type ImageDetail, type MediaRef } from "../types.js";
import { kindOfMime, kindOfName } from "./media-kinds.js";
import { DEFAULT_VIDEO_FRAMES, probeVideo } from "./video-frames.js";

/** What a task's media key says about the items it yields. */
export interface MediaSpec {
  /** The task key the items came from (`doc_to_image`), named in errors. */
  readonly key: string;
  /** The kind the key yields; `visual` (lmms-eval's doc_to_visual) tells images from video and audio by name or bytes. */
  readonly kind: "image" | "audio" | "visual";
  /** `detail` for the images (the task's `image_detail`). */
  readonly detail?: ImageDetail;
  /** Frames sent per video (`--video-frames`, default 8). */
  readonly frames?: number;
  /** Longer side images are downscaled to before sending (`--max-image-side`). */
  readonly maxSide?: number;
}

/**
 * The media references of one sample: `raw` is what the task's media key gave (one item or a list),
 * each a path (relative to `baseDir`, the input file's folder), an http(s) URL, a `data:` URI,
 * `{"bytes": "<base64>"}`, or `{"path"|"url": …}` (Hugging Face's image feature). A file or inline item
 * is read once here, to take its digest, size and dimensions (a file in 64 KiB chunks), and let go; its bytes are read again
 * when the request is sent. A URL is not fetched here. A bad item throws a TaskInputError naming the key.
 */
export function mediaRefs(raw: unknown, spec: MediaSpec, baseDir: string): MediaRef[] {
  if (raw === undefined || raw === null) return [];
  if (Array.isArray(raw)) return raw.flatMap((item) => mediaRefs(item, spec, baseDir));
  return [mediaRef(raw, spec, baseDir)];
}

function mediaRef(item: unknown, spec: MediaSpec, baseDir: string): MediaRef {
  if (typeof item === "string") {
    if (item.startsWith("data:")) return inlineRef(item, spec);
    if (/^https?:\/\//i.test(item)) return urlRef(item, spec);
    if (item === "") throw new TaskInputError(`${spec.key}: an empty string is not a media item`, spec.key);
    return fileRef(isAbsolute(item) ? item : resolve(baseDir, item), spec);
  }
  if (typeof item === "object" && item !== null && !Array.isArray(item)) {
    const o = item as Record<string, unknown>;
    // A media_type beside the bytes (audio from a Python hook) says what they are.
    if (typeof o.bytes === "string" && o.bytes !== "") return inlineRef(typeof o.media_type === "string" ? `data:${o.media_type};base64,${o.bytes}` : o.bytes, spec);
    if (typeof o.path === "string" && o.path !== "") return mediaRef(o.path, spec, baseDir);
    if (typeof o.url === "string" && o.url !== "") return mediaRef(o.url, spec, baseDir);
  }
  throw new TaskInputError(`${spec.key}: expected a path, an http(s) URL, a data: URI or {"bytes": "<base64>"}, got ${describe(item)}`, spec.key);
}

function urlRef(url: string, spec: MediaSpec): MediaRef {
  const named = kindOfName(url);
  const type = spec.kind === "visual" ? (named?.type ?? "image") : spec.kind;
  return withDetail({ type, source: url, ...(named ? { media_type: named.mime } : {}) }, spec);
}

function fileRef(path: string, spec: MediaSpec): MediaRef {
  let file: FileFacts;
  try {
    file = readFacts(path);
  } catch (e) {
    throw new TaskInputError(`${spec.key}: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, spec.key);
  }
  const named = kindOfName(path);
  const type = spec.kind === "visual" ? (named?.type ?? sniffImage(file.head)?.type ?? "image") : spec.kind;
  if (type === "video") return { ...probeVideo(path, spec.key), type, source: path, media_type: named?.mime ?? "video/mp4", sha256: file.sha256, bytes: file.size, frames: spec.frames ?? DEFAULT_VIDEO_FRAMES, ...detailOf(spec) };
  if (type !== "image") return { type, source: path, ...(named ? { media_type: named.mime } : {}), sha256: file.sha256, bytes: file.size };
  // The header is in the first bytes of PNG, GIF and WebP; a JPEG's may come after a large EXIF block.
  const image = sniffImage(file.head) ?? (file.size > file.head.length ? sniffImage(readFileSync(path)) : undefined);
  if (!image) throw new TaskInputError(`${spec.key}: ${path} is not an image (PNG, JPEG, GIF or WebP)`, spec.key);
  return { type, source: path, media_type: image.mime, sha256: file.sha256, bytes: file.size, width: image.width, height: image.height, ...detailOf(spec) };
}

/** A file's digest and size, and its first bytes (for its header), read in chunks: a large file is never whole in memory here. */
interface FileFacts {
  readonly sha256: string;
  readonly size: number;
  readonly head: Buffer;
}

const CHUNK = 64 * 1024;
/** One read buffer for every file (preparing a sample is synchronous). */
const chunk = Buffer.allocUnsafe(CHUNK);

function readFacts(path: string): FileFacts {
  const fd = openSync(path, "r");
  try {
    const hash = createHash("sha256");
    let size = 0;
    let head: Buffer | undefined;
    for (;;) {
      const n = readSync(fd, chunk, 0, CHUNK, null);
      if (n === 0) break;
      hash.update(chunk.subarray(0, n));
      head ??= Buffer.from(chunk.subarray(0, n));
      size += n;
    }
    return { sha256: hash.digest("hex"), size, head: head ?? Buffer.alloc(0) };
  } finally {
    closeSync(fd);
  }
}

function inlineRef(value: string, spec: MediaSpec): MediaRef {
  let mime: string | undefined;
  let data = value;
  if (value.startsWith("data:")) {
    const comma = value.indexOf(",");
    const head = value.slice(5, comma < 0 ? 5 : comma);
    if (comma < 0 || !head.endsWith(";base64")) throw new TaskInputError(`${spec.key}: a data: URI must be base64 (data:<type>;base64,<data>)`, spec.key);
    mime = head.slice(0, -";base64".length) || undefined;
    data = value.slice(comma + 1);
  }
  const bytes = Buffer.from(data, "base64");
  if (bytes.length === 0) throw new TaskInputError(`${spec.key}: inline media decodes to no bytes`, spec.key);
  const declared = mime ? kindOfMime(mime) : undefined;
  const type = spec.kind === "visual" ? (declared ?? "image") : spec.kind;
  if (type === "video") throw new TaskInputError(`${spec.key}: inline video is not supported; give a path to the video file`, spec.key);
  const ref = describeBytes({ type, source: "inline" }, bytes, mime, spec);
  // The base64 text is the doc's own (no copy); the model client encodes it when the request is sent.
  return Object.assign(ref, { [MEDIA_DATA]: data });
}

/** Digest, size, and for an image its dimensions and format, from the bytes. */
function describeBytes(base: { type: MediaRef["type"]; source: string }, bytes: Buffer, mime: string | undefined, spec: MediaSpec): MediaRef {
  if (base.type !== "image") return { ...base, ...(mime ? { media_type: mime } : {}), sha256: digest(bytes), bytes: bytes.length };
  const image = sniffImage(bytes);
  if (!image) throw new TaskInputError(`${spec.key}: ${base.source === "inline" ? "inline data" : base.source} is not an image (PNG, JPEG, GIF or WebP)`, spec.key);
  return { ...base, media_type: image.mime, sha256: digest(bytes), bytes: bytes.length, width: image.width, height: image.height, ...detailOf(spec) };
}

/** An image's format and size from its header (image-size), or undefined when the bytes are not an image. */
function sniffImage(bytes: Buffer): { type: "image"; mime: string; width: number; height: number } | undefined {
  const imageSize = imageSizeOf();
  try {
    const { width, height, type } = imageSize(bytes);
    const mime = type === "jpg" ? "image/jpeg" : `image/${type ?? "png"}`;
    return { type: "image", mime, width, height };
  } catch {
    return undefined;
  }
}

function withDetail(ref: MediaRef, spec: MediaSpec): MediaRef {
  return ref.type === "audio" ? ref : { ...ref, ...detailOf(spec) };
}

/** The image settings a ref carries: its `detail`, and `max_side` when it is downscaled before sending. */
function detailOf(spec: MediaSpec): { detail?: ImageDetail; max_side?: number } {
  return { ...(spec.detail ? { detail: spec.detail } : {}), ...(spec.maxSide ? { max_side: spec.maxSide } : {}) };
}

function digest(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return `an object with keys ${Object.keys(v).slice(0, 4).join(", ") || "(none)"}`;
  return typeof v === "string" ? JSON.stringify(v.slice(0, 40)) : typeof v === "number" || typeof v === "boolean" ? String(v) : typeof v;
}

let imageSizeModule: typeof ImageSize | undefined;

/**
 * image-size, loaded when the first image is measured rather than with the package: its 26 modules are 0.4 MB
 * of live heap in every process that imports streameval, and V8 sizes the old generation by the live heap
 * (docs/benchmarks.md). A pure function, so its CommonJS build (what require picks) serves as well as any.
 */
function imageSizeOf(): typeof ImageSize.imageSize {
  imageSizeModule ??= createRequire(import.meta.url)("image-size") as typeof ImageSize;
  return imageSizeModule.imageSize;
}
