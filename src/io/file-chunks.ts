import { open } from "node:fs/promises";

/**
 * A regular file's bytes, `chunkBytes` at a time, every chunk a view of one buffer that the next read overwrites:
 * a reader must be done with a chunk (or copy what it keeps) before it asks for the next. `readLineBatches` is.
 *
 * Why not `createReadStream`: it allocates a new buffer for every read, and once glibc has freed the first of those
 * (256 kB, above its mmap threshold) it raises the threshold, serves the rest from its heap and leaves that heap
 * fragmented as the GC frees them out of order: a million lines read from a file peaked 10–40 MB higher than the
 * same lines made in the program (docs/benchmarks.md, "Lines read from a file peak far higher").
 *
 * Throws `signal`'s reason before the next read once it is aborted; closes the file when done, on error or on return.
 */
export async function* fileChunks(path: string, chunkBytes: number, signal?: AbortSignal): AsyncGenerator<Buffer, void, undefined> {
  const handle = await open(path, "r");
  try {
    const buf = Buffer.allocUnsafeSlow(chunkBytes);
    for (;;) {
      signal?.throwIfAborted();
      const { bytesRead } = await handle.read(buf, 0, chunkBytes, null);
      if (bytesRead === 0) return;
      yield buf.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}
