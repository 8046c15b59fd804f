import { closeSync, openSync, writeSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { Writable } from "node:stream";

/**
 * The `-o FILE` of a run, written with one synchronous write(2) per line: nothing waits in a buffer,
 * so when the process is killed, every line it emitted is in the file and none is cut in half. (Result
 * lines are emitted only once their record is durable, so the file never holds a line the store lacks.)
 *
 * The file is truncated: a run writes every sample's line, those reused from the store included
 * (`"resumed": true`), so after any rerun the file holds the whole run with each line once.
 */
export async function openOutputFile(path: string): Promise<Writable> {
  await mkdir(dirname(path), { recursive: true });
  const fd = openSync(path, "w");
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      try {
        writeSync(fd, chunk);
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
    final(callback) {
      closeSync(fd);
      callback();
    },
  });
}
