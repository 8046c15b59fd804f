import type { ErrorInfo, Usage } from "../types.js";

/** The names of MT-Bench's single-answer grading prompts (scorers/judge-prompts.ts holds their text). */
export type JudgePromptName = "single-v1" | "single-math-v1" | "single-v1-multi-turn" | "single-math-v1-multi-turn";

/** One graded turn. A judgment without a rating (`rating: null`) has an `error` and is left out of every average. */
export interface Judgment {
  /** 1-based. */
  readonly turn: number;
  readonly prompt: JudgePromptName;
  readonly rating: number | null;
  readonly judgment: string | null;
  readonly usage: Usage | null;
  readonly cost_usd: number | null;
  readonly attempts: number;
  /** The judge call failed, or its replies had no rating (`judge_unparseable`), after retries: the turn is not graded, and a rerun grades it. */
  readonly error?: ErrorInfo;
}
