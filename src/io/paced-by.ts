import { once } from "node:events";
import type { Writable } from "node:stream";

/**
 * Reads the next input line only while `out` is not backed up: a slow consumer of the results
 * (a pipe into `less`, a slow disk) slows the reading instead of filling memory with result lines.
 */
export async function* pacedBy<T>(out: Writable | NodeJS.WritableStream, lines: AsyncIterable<T>): AsyncGenerator<T> {
  const source = lines[Symbol.asyncIterator]();
  try {
    for (;;) {
      if ((out as Writable).writableNeedDrain) await once(out as Writable, "drain");
      const next = await source.next();
      if (next.done) return;
      yield next.value;
    }
  } finally {
    await source.return?.();
  }
}
