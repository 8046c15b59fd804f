import { closeSync, fstatSync, ftruncateSync, openSync, readSync, writeSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { Writable } from "node:stream";

/**
 * The `-o FILE` of a run, written with one synchronous write(2) per line: nothing waits in a buffer,
 * so when the process is killed, every line it emitted is in the file and none is cut in half. (Result
 * lines are emitted only once their record is durable, so the file never holds a line the store lacks.)
 *
 * `append` (a resumed run) keeps the earlier run's lines, so the file ends up with each sample once;
 * a last line without its newline (a power cut mid-write) is cut off first, since it cannot be parsed.
 */
export async function openOutputFile(path: string, options: { readonly append: boolean }): Promise<Writable> {
  await mkdir(dirname(path), { recursive: true });
  const fd = openSync(path, options.append ? "a+" : "w");
  if (options.append) cutTornLine(fd);
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

/** Truncates the file after its last newline (a no-op for an empty file or one ending in a newline). */
function cutTornLine(fd: number): void {
  let end = fstatSync(fd).size;
  const size = end;
  const buf = Buffer.allocUnsafe(64 * 1024);
  while (end > 0) {
    const start = Math.max(0, end - buf.length);
    const n = readSync(fd, buf, 0, end - start, start);
    const nl = buf.subarray(0, n).lastIndexOf(0x0a);
    if (nl !== -1) {
      if (start + nl + 1 !== size) ftruncateSync(fd, start + nl + 1);
      return;
    }
    end = start;
  }
  if (size > 0) ftruncateSync(fd, 0);
}
