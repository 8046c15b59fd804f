import { randomBytes } from "node:crypto";
import type { ChatMessage } from "../types.js";
import { hasMediaParts, type MediaOptions, type MediaSlots, resolveMedia } from "./resolve-media.js";

/** Raw bytes per base64 chunk: a multiple of 3, so chunks join without padding in between. */
const RAW_CHUNK = 3 * 16 * 1024;

/**
 * A chat request's JSON body as bytes, its media read and encoded straight into them: each item's
 * base64 is written into the one body buffer a chunk at a time, so no base64 string of a whole
 * image, no data: URI and no JSON text holding it is ever made (they would be garbage of 1.33× the
 * image, several times over, for the collector to catch up with). `params` is the body without its
 * messages. Undefined when the messages hold no media (the caller sends its JSON as usual).
 */
export async function mediaJsonBody(params: Readonly<Record<string, unknown>>, messages: readonly ChatMessage[], options: MediaOptions): Promise<Buffer | undefined> {
  if (!hasMediaParts(messages)) return undefined;
  const slots: MediaSlots = { nonce: randomBytes(8).toString("hex"), items: [] };
  const resolved = await resolveMedia(messages, options, slots);
  const json = JSON.stringify({ ...params, messages: resolved });
  // JSON.stringify writes each marker's NUL characters as \u0000.
  const marker = new RegExp(`\\\\u0000${slots.nonce}:(\\d+)\\\\u0000`, "g");
  const pieces: (string | number)[] = [];
  let at = 0;
  for (const m of json.matchAll(marker)) {
    pieces.push(json.slice(at, m.index), Number(m[1]));
    at = m.index + m[0].length;
  }
  pieces.push(json.slice(at));
  const size = pieces.reduce<number>((n, p) => n + (typeof p === "string" ? Buffer.byteLength(p) : slots.items[p]!.prefix.length + 4 * Math.ceil(slots.items[p]!.bytes.length / 3)), 0);
  const out = Buffer.allocUnsafe(size);
  let w = 0;
  for (const p of pieces) {
    if (typeof p === "string") {
      w += out.write(p, w, "utf8");
      continue;
    }
    const { prefix, bytes } = slots.items[p]!;
    w += out.write(prefix, w, "latin1");
    for (let i = 0; i < bytes.length; i += RAW_CHUNK) w += out.write(bytes.subarray(i, i + RAW_CHUNK).toString("base64"), w, "latin1");
  }
  if (w !== size) throw new Error(`media body: wrote ${w} bytes of ${size}`);
  return out;
}
