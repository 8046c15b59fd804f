import type { JudgeStyle } from "./judge.js";
import type { SimReasoning } from "./options.js";
import type { Answerer } from "./answers.js";

/** What an endpoint handler needs besides the request: the server's settings and the request's number. */
export interface HandlerContext {
  readonly answer: Answerer;
  readonly accuracy: number;
  readonly seed: number;
  /** The reply's shape (see SimOptions.replyFormat). */
  readonly replyFormat: "reasoning" | "answer";
  /** How thinking comes back (see SimOptions.reasoning). */
  readonly reasoning: SimReasoning;
  readonly judgeStyle: JudgeStyle;
  readonly judgePositionBias: number;
  /** Report usage in replies. */
  readonly usage: boolean;
  /** Known model names; undefined accepts any. */
  readonly models: readonly string[] | undefined;
  /** Unique per request, for reply ids. */
  readonly requestNumber: number;
}
