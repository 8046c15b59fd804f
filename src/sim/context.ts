import type { Answerer } from "./answers.js";

/** What an endpoint handler needs besides the request: the server's settings and the request's number. */
export interface HandlerContext {
  readonly answer: Answerer;
  readonly accuracy: number;
  readonly seed: number;
  /** The reply's shape (see SimOptions.replyFormat). */
  readonly replyFormat: "reasoning" | "answer";
  /** Report usage in replies. */
  readonly usage: boolean;
  /** Known model names; undefined accepts any. */
  readonly models: readonly string[] | undefined;
  /** Unique per request, for reply ids. */
  readonly requestNumber: number;
}
