import { randomBytes } from "node:crypto";
import { open } from "node:fs/promises";
import type { ChatMessage } from "../types.js";
import { giveBody, takeBody } from "./body-pool.js";
import { hasMediaParts, type MediaOptions, type MediaSlots, resolveMedia, type SlotItem } from "./resolve-media.js";

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
  const size = pieces.reduce<number>((n, p) => n + (typeof p === "string" ? Buffer.byteLength(p) : slots.items[p]!.prefix.length + base64Length(rawLength(slots.items[p]!))), 0);
  const out = takeBody(size);
  try {
    let w = 0;
    for (const p of pieces) {
      if (typeof p === "string") {
        w += out.write(p, w, "utf8");
        continue;
      }
      const item = slots.items[p]!;
      w += out.write(item.prefix, w, "latin1");
      w = await writeBase64(out, w, item);
    }
    if (w !== size) throw new Error(`media body: wrote ${w} bytes of ${size}`);
    return out;
  } catch (error) {
    giveBody(out);
    throw error;
  }
}

const base64Length = (raw: number): number => 4 * Math.ceil(raw / 3);
const rawLength = (item: SlotItem): number => ("bytes" in item ? item.bytes.length : item.size);

/**
 * Writes `item`'s base64 into `out` at `w`, returning where it ends. A file is read into the tail of its
 * own place in the body and encoded forward from there: base64 is 4/3 of the bytes, so the text written
 * never reaches bytes not yet encoded, and no buffer of the whole file is made.
 */
async function writeBase64(out: Buffer, w: number, item: SlotItem): Promise<number> {
  let raw: Buffer;
  if ("bytes" in item) raw = item.bytes;
  else {
    const end = w + base64Length(item.size);
    raw = out.subarray(end - item.size, end);
    await readExactly(item.file, raw);
  }
  for (let i = 0; i < raw.length; i += RAW_CHUNK) w += out.write(raw.subarray(i, i + RAW_CHUNK).toString("base64"), w, "latin1");
  return w;
}

/** Reads the whole of `path` into `into`, which is its size: a file that changed size since is an error. */
async function readExactly(path: string, into: Buffer): Promise<void> {
  const file = await open(path, "r");
  try {
    const { size } = await file.stat();
    if (size !== into.length) throw new Error(`media file ${path} changed size while being sent (${into.length} bytes, now ${size})`);
    for (let at = 0; at < into.length; ) {
      const { bytesRead } = await file.read(into, at, into.length - at, at);
      if (bytesRead === 0) throw new Error(`media file ${path} ended after ${at} of ${into.length} bytes`);
      at += bytesRead;
    }
  } finally {
    await file.close();
  }
}
