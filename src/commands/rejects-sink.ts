import { join } from "node:path";
import type { Writable } from "node:stream";
import { createRejectsWriter, type RejectsWriter } from "../io/rejects-writer.js";
import type { Reject } from "../types.js";

/** Reasons shown on stderr as they come; the rest are counted and left in the rejects file. */
export const SHOWN_REJECTS = 5;

export interface RejectsSink {
  write(reject: Reject): void;
  readonly count: number;
  /** Closes the file, and returns the closing line for stderr (empty when nothing was rejected). */
  close(): Promise<string>;
}

/**
 * Where a run's rejected lines go, so that none is silent: the first few reasons on stderr
 * (`file:line: reason`), every reject in the rejects file (`--rejects`, else `<store>/<run>/rejects.jsonl`),
 * and a count at the end naming that file. With `--no-store` and no `--rejects` there is no file:
 * every reason goes to stderr, and nothing is written into a store.
 */
export function createRejectsSink(options: { readonly rejects?: string; readonly store: string; readonly checkpoint: boolean; readonly run: string }, stderr: Pick<Writable, "write">): RejectsSink {
  const path = options.rejects ?? (options.checkpoint ? join(options.store, options.run, "rejects.jsonl") : undefined);
  const file: RejectsWriter | undefined = path === undefined ? undefined : createRejectsWriter(path);
  let count = 0;
  return {
    write(reject) {
      count++;
      file?.write(reject);
      if (!file || count <= SHOWN_REJECTS) stderr.write(`rejected ${reject.at.file}:${reject.at.line}: ${reject.reason}\n`);
    },
    get count() {
      return count;
    },
    async close() {
      await file?.close();
      if (count === 0) return "";
      if (!file) return `${count} line(s) rejected (all shown above; --rejects FILE keeps them in a file)\n`;
      const more = count > SHOWN_REJECTS ? `, the first ${SHOWN_REJECTS} shown above` : "";
      return `${count} line(s) rejected${more} → ${path}\n`;
    },
  };
}
