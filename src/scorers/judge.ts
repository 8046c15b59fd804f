import { costOf, type Price } from "../cost/price.js";
import { isModelCallError } from "../errors/model-call-error.js";
import type { Dispatcher } from "../reliability/dispatcher.js";
import { extractRating } from "./judge-prompts.js";
import type { JudgeRequest } from "./mt-bench-judge.js";
import type { Judgment } from "../work/judgment.js";
import type { CutOffCause } from "../work/work-item.js";

/**
 * A judge model for LLM-graded tasks. It has its own dispatcher (endpoint, limits, breaker), so
 * judge calls never take the evaluated models' slots, and its own price, so its cost is kept apart
 * from theirs.
 */
export interface Judge {
  readonly model: string;
  readonly dispatcher: Dispatcher;
  readonly price: Price | null;
}

/** How the judge samples (the task's `judge` settings; FastChat grades with temperature 0, max_tokens 2048). */
export interface JudgeSettings {
  readonly temperature: number;
  readonly max_tokens: number;
}

export interface JudgeCall {
  /** The sample's id, for request events. */
  readonly id: string;
  readonly signal: AbortSignal;
  /** A fatal error (bad key, unknown judge model) stops the run. */
  readonly onFatal: (message: string) => void;
}

/** A turn's judgment, and `cutOff` when the judge call was cut off (budget, the run's signal) rather than failed. */
export interface JudgeResult {
  readonly judgment: Judgment;
  readonly cutOff?: CutOffCause;
}

/** Sends one judge request and reads the rating from the reply. Failures are data, never thrown. */
export async function judgeTurn(judge: Judge, settings: JudgeSettings, turn: number, request: JudgeRequest, call: JudgeCall): Promise<JudgeResult> {
  const base = { turn, prompt: request.prompt };
  try {
    const { reply, attempts, cached } = await judge.dispatcher.call(
      { model: judge.model, messages: request.messages, temperature: settings.temperature, max_tokens: settings.max_tokens },
      { id: call.id, signal: call.signal },
    );
    const text = reply.text ?? "";
    // A judgment from the response cache cost nothing this time.
    const cost = costOf(reply.usage, judge.price);
    return { judgment: { ...base, rating: extractRating(text), judgment: text, usage: reply.usage, cost_usd: cached && cost !== null ? 0 : cost, attempts, ...(cached ? { cached: true } : {}) } };
  } catch (error) {
    if (!isModelCallError(error)) throw error;
    const { type, kind, attempts, cutOff } = error.info;
    if (kind === "fatal") call.onFatal(`judge: ${error.message}`);
    const judgment: Judgment = { ...base, rating: null, judgment: null, usage: null, cost_usd: null, attempts, error: { type: `judge_${type}`, message: error.message, attempts } };
    return cutOff ? { judgment, cutOff } : { judgment };
  }
}
