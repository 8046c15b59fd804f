import type { Writable } from "node:stream";

/** An output whose reader may go away (`| head`): writes after that are dropped, never a crash. */
export interface WatchedOutput {
  /** The reader went away (EPIPE), or the stream failed: nothing more is written. */
  readonly closed: boolean;
  /**
   * Writes unless closed; resolves once the stream can take more (at once when closed, even mid-wait). `done`: the
   * stream's write callback (not called when nothing was written).
   */
  write(text: string | Uint8Array, done?: () => void): Promise<void> | void;
  /** Stops watching (the stream's error listener is removed). */
  dispose(): void;
}

/**
 * Watches `out` for its reader going away: the first error on it (EPIPE when the pipe's reader exited,
 * e.g. `streameval … | head -1`) marks it closed and calls `onClose` once with the error, instead of an
 * unhandled 'error' event and a stack trace. A writer waiting for 'drain' is released.
 */
export function watchOutput(out: Writable, onClose: (error: NodeJS.ErrnoException) => void): WatchedOutput {
  let closed = false;
  const released = new Set<() => void>();
  const onError = (error: NodeJS.ErrnoException) => {
    if (closed) return;
    closed = true;
    for (const release of released) release();
    released.clear();
    onClose(error);
  };
  out.on("error", onError);
  return {
    get closed() {
      return closed || out.destroyed;
    },
    write(text, done) {
      if (closed || out.destroyed) return;
      if (done ? out.write(text, done) : out.write(text)) return;
      return new Promise<void>((resolve) => {
        const release = () => {
          out.off("drain", release);
          released.delete(release);
          resolve();
        };
        released.add(release);
        out.on("drain", release);
      });
    },
    dispose() {
      // A late EPIPE (a write still buffered) must stay harmless after we stop watching.
      out.off("error", onError);
      out.on("error", () => undefined);
    },
  };
}

/** The message for a closed output: the reader went away, or why writing failed. */
export function closedOutputReason(error: NodeJS.ErrnoException): string {
  return error.code === "EPIPE" ? "stdout was closed by its reader" : `writing to stdout failed (${error.code ?? error.message})`;
}
