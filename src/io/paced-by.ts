import { once } from "node:events";
import type { Writable } from "node:stream";
import { batchesOf, withBatches } from "./line-batches.js";

/**
 * Reads the next input line only while `out` is not backed up: a slow consumer of the results
 * (a pipe into `less`, a slow disk) slows the reading instead of filling memory with result lines.
 * An output that fails or closes stops holding the reading back (its owner decides whether to stop).
 * Lines that can be read in batches (`openInputs`) stay so, paced a batch (one chunk of input) at a time.
 */
export function pacedBy<T>(out: Writable | NodeJS.WritableStream, lines: AsyncIterable<T>): AsyncGenerator<T> {
  const batches = batchesOf(lines);
  return batches ? withBatches<T>(paced<readonly T[]>(out, batches)) : paced(out, lines);
}

async function* paced<T>(out: Writable | NodeJS.WritableStream, lines: AsyncIterable<T>): AsyncGenerator<T, void, undefined> {
  const source = lines[Symbol.asyncIterator]();
  try {
    for (;;) {
      const w = out as Writable;
      // A stream that failed or was closed (its reader went away) never drains: stop pacing by it.
      if (w.writableNeedDrain && !w.destroyed) await Promise.race([once(w, "drain"), once(w, "close")]).catch(() => undefined);
      const next = await source.next();
      if (next.done) return;
      yield next.value;
    }
  } finally {
    await source.return?.();
  }
}
