/** Which cap a reply passed: its size on the wire, or its length in streamed tokens. */
export type ReplyCap = "bytes" | "tokens";

/**
 * A server sent more than a reply can hold (`--max-reply-bytes`, `--max-reply-token-factor` ×
 * max_tokens): the request is cancelled, what was received is dropped, and the sample ends as an
 * error. Not retried: a server that streams without end would do it again.
 */
export class ReplyTooLargeError extends Error {
  override readonly name = "ReplyTooLargeError";
  readonly code = "E_REPLY_TOO_LARGE";
  constructor(
    readonly cap: ReplyCap,
    readonly limit: number,
  ) {
    super(
      cap === "bytes"
        ? `the reply passed ${limit} bytes (--max-reply-bytes): cancelled and dropped`
        : `the reply passed ${limit} streamed tokens (--max-reply-token-factor × max_tokens): cancelled and dropped`,
    );
  }
}

/** Whether an error is a reply cut off for passing --max-reply-bytes or the token cap. */
export const isReplyTooLargeError = (e: unknown): e is ReplyTooLargeError => e instanceof ReplyTooLargeError;
