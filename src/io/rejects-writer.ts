import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { dirname } from "node:path";
import type { Reject } from "../types.js";

export interface RejectsWriter {
  /** Appends one line `{"file","line","reason","raw"}`. Throws if an earlier write failed. */
  write(reject: Reject): void;
  /** Rejects written so far. */
  readonly count: number;
  /** Flushes and closes the file; resolves at once if nothing was written. Rejects with a write error. */
  close(): Promise<void>;
}

/**
 * The rejects file, as JSONL: one object per reject, in the order they arrive. The file, and its
 * directory, are created only when the first reject arrives, so a clean run leaves no empty file;
 * an existing file is replaced (a rerun reads its input again and finds the same rejects).
 *
 * Writes are buffered by the file stream and not awaited: rejects are small and few next to the work
 * per sample. A failure to create the directory throws from that `write`; a failure to open or write
 * the file (reported later by the stream) makes the next `write` and `close` throw it.
 */
export function createRejectsWriter(path: string): RejectsWriter {
  if (typeof path !== "string" || path.length === 0) {
    throw new TypeError(`Expected \`path\` to be a non-empty string, got ${JSON.stringify(path)}`);
  }
  let stream: WriteStream | undefined;
  let failure: Error | undefined;
  let count = 0;
  let closing: Promise<void> | undefined;

  const open = (): WriteStream => {
    mkdirSync(dirname(path), { recursive: true });
    const s = createWriteStream(path, { flags: "w", encoding: "utf8" });
    s.on("error", (error) => {
      failure ??= error;
    });
    return s;
  };

  return {
    write(reject) {
      if (failure) throw failure;
      if (closing) throw new Error(`Rejects file ${path} is closed`);
      stream ??= open();
      const { file, line } = reject.at;
      stream.write(JSON.stringify({ file, line, reason: reject.reason, raw: reject.raw }) + "\n");
      count++;
    },
    get count() {
      return count;
    },
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        if (!stream) return resolve();
        if (failure) return reject(failure);
        // 'close' comes after 'finish' (all data handed to the OS) or after an error, fd released.
        stream.once("close", () => (failure ? reject(failure) : resolve()));
        stream.end();
      });
      return closing;
    },
  };
}
