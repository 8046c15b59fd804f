import { createHash } from "node:crypto";
import { imageSize } from "image-size";
import { imageTokens } from "../media/image-tokens.js";
import { SimApiError } from "./api-error.js";
import type { Body } from "./request-fields.js";

/** An image a request sent: the sha256 of its bytes (or of its URL, when sent by URL) and its billed tokens. */
export interface SentImage {
  readonly sha256: string;
  readonly tokens: number;
}

/** The answer-key key of an image digest (`{"image_sha256": …}` lines of an answer key). */
export const imageKey = (sha256: string): string => `image_sha256:${sha256}`;

/**
 * The images of one message's content parts, checked as OpenAI checks them: an `image_url` part needs
 * `image_url.url` (a `data:` URI or an http(s) URL) and a `detail` of auto, low or high when given; an
 * `input_audio` part needs `data` and `format`. Tokens follow OpenAI's tile rule for the image's size.
 */
export function readImages(content: unknown, i: number): SentImage[] {
  if (!Array.isArray(content)) return [];
  const images: SentImage[] = [];
  content.forEach((part: unknown, j) => {
    const where = `messages[${i}].content[${j}]`;
    if (typeof part !== "object" || part === null) throw bad(where, "an object");
    const p = part as Body;
    if (p.type === "image_url") {
      const image = p.image_url as Body | undefined;
      const url = image?.url;
      if (typeof url !== "string" || url === "") throw bad(`${where}.image_url.url`, "a string");
      const detail = image?.detail;
      if (detail !== undefined && detail !== "auto" && detail !== "low" && detail !== "high") {
        throw new SimApiError(400, `Invalid value: '${JSON.stringify(detail)}'. Supported values are: 'auto', 'low', and 'high'.`, "invalid_request_error", `${where}.image_url.detail`, "invalid_value");
      }
      images.push(sentImage(url, detail, `${where}.image_url.url`));
    } else if (p.type === "input_audio") {
      const audio = p.input_audio as Body | undefined;
      if (typeof audio?.data !== "string" || typeof audio.format !== "string") throw bad(`${where}.input_audio`, "an object with string 'data' and 'format'");
    } else if (p.type !== "text") {
      throw new SimApiError(400, `Invalid value: '${String(p.type)}'. Supported values are: 'text', 'image_url', 'input_audio', 'refusal', 'audio', and 'file'.`, "invalid_request_error", `${where}.type`, "invalid_value");
    }
  });
  return images;
}

function sentImage(url: string, detail: unknown, where: string): SentImage {
  if (!url.startsWith("data:")) {
    if (!/^https?:\/\//i.test(url)) throw new SimApiError(400, "Invalid image URL: expected a data: URI or an http(s) URL.", "invalid_request_error", where, "invalid_image_url");
    return { sha256: sha256(Buffer.from(url)), tokens: imageTokens(undefined, undefined, detail as "low" | undefined) };
  }
  const comma = url.indexOf(",");
  if (comma < 0 || !url.slice(0, comma).endsWith(";base64")) throw new SimApiError(400, "Invalid image data: expected base64.", "invalid_request_error", where, "invalid_image_format");
  const bytes = Buffer.from(url.slice(comma + 1), "base64");
  let size: { width?: number; height?: number };
  try {
    size = imageSize(bytes);
  } catch {
    throw new SimApiError(400, "You uploaded an unsupported image. Please make sure your image is valid.", "invalid_request_error", where, "invalid_image");
  }
  return { sha256: sha256(bytes), tokens: imageTokens(size.width, size.height, detail as "low" | undefined) };
}

function sha256(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

function bad(where: string, expected: string): SimApiError {
  return new SimApiError(400, `Invalid type for '${where}': expected ${expected}.`, "invalid_request_error", where, "invalid_type");
}
