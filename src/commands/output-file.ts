import { closeSync, openSync, writeSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { Writable } from "node:stream";

/**
 * The `-o FILE` of a run, written with synchronous write(2)s of whole lines: nothing waits in a buffer past
 * the turn of the event loop that wrote it, so when the process is killed, every line it emitted before that
 * turn is in the file and none is cut in half. (Result lines are emitted only once their record is durable, so
 * the file never holds a line the store lacks.) The lines written in one turn go out in one write(2): a resumed
 * run emits hundreds of stored lines at once, and a write each cost more than everything else it did for them.
 *
 * The file is truncated: a run writes every sample's line, those reused from the store included
 * (`"resumed": true`), so after any rerun the file holds the whole run with each line once.
 */
export async function openOutputFile(path: string): Promise<Writable> {
  await mkdir(dirname(path), { recursive: true });
  const fd = openSync(path, "w");
  // A write is done at the end of its turn (its callback then), so the lines written after it in the same turn
  // wait in the stream's buffer and come to `writev` together.
  const later = (chunks: readonly { chunk: unknown }[], callback: (error?: Error | null) => void) =>
    process.nextTick(() => {
      try {
        writeAll(fd, chunks);
        callback();
      } catch (error) {
        callback(error as Error);
      }
    });
  return new Writable({
    decodeStrings: false,
    highWaterMark: 4 * 1024 * 1024,
    write(chunk: unknown, _encoding, callback) {
      later([{ chunk }], callback);
    },
    writev(chunks, callback) {
      later(chunks, callback);
    },
    final(callback) {
      closeSync(fd);
      callback();
    },
  });
}

/**
 * The chunks (strings or bytes) in one write(2), or more when the kernel takes part of it. Each string is encoded
 * into one buffer where it goes (joining them first and encoding the whole took 3.5× as long).
 */
function writeAll(fd: number, chunks: readonly { chunk: unknown }[]): void {
  const only = chunks.length === 1 ? chunks[0]?.chunk : undefined;
  // One buffer (a turn's result lines, result-output.ts): written as it is.
  if (only instanceof Uint8Array) {
    for (let at = 0; at < only.byteLength; ) at += writeSync(fd, only, at, only.byteLength - at);
    return;
  }
  let most = 0;
  // A UTF-16 code unit takes at most 3 bytes of UTF-8 (a surrogate pair, 2 units, takes 4).
  for (const { chunk } of chunks) most += typeof chunk === "string" ? chunk.length * 3 : (chunk as Uint8Array).byteLength;
  const bytes = Buffer.allocUnsafe(most);
  let end = 0;
  for (const { chunk } of chunks) {
    if (typeof chunk === "string") end += bytes.write(chunk, end);
    else {
      bytes.set(chunk as Uint8Array, end);
      end += (chunk as Uint8Array).byteLength;
    }
  }
  for (let at = 0; at < end; ) at += writeSync(fd, bytes, at, end - at);
}
