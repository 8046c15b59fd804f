import { costOf, type Price } from "../cost/price.js";
import { isModelCallError } from "../errors/model-call-error.js";
import type { Dispatcher } from "../reliability/dispatcher.js";
import { extractRating } from "./judge-prompts.js";
import { replyTail } from "./reply-tail.js";
import type { JudgeRequest } from "./mt-bench-judge.js";
import type { Judgment } from "../work/judgment.js";
import type { ChatMessage, ErrorInfo, Usage } from "../types.js";
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
  /** How often a reply with no readable verdict is asked again before it is the sample's error (default 1). */
  readonly verdict_retries?: number;
}

export interface JudgeCall {
  /** The sample's id, for request events. */
  readonly id: string;
  readonly signal: AbortSignal;
  /** A fatal error (bad key, unknown judge model) stops the run. */
  readonly onFatal: (message: string) => void;
  /**
   * How the caller reads a verdict. A reply it cannot read is never cached (nor taken from the cache),
   * and is asked again `retries` times (default 0) before it is returned as it is.
   */
  readonly verdict?: { readonly readable: (text: string) => boolean; readonly retries?: number };
}

/** What the judge answered to one request, or why it did not (`error`). Usage and cost as on a result line. */
export interface JudgeReply {
  readonly text: string | null;
  readonly usage: Usage | null;
  /** 0 for a reply from the response cache; null when the judge has no price. */
  readonly cost_usd: number | null;
  readonly attempts: number;
  readonly cached?: true;
  /** The call failed after its retries (type `judge_<cause>`). */
  readonly error?: ErrorInfo;
  /** The call was cut off (budget, the run's signal) rather than failed: the sample stays undone. */
  readonly cutOff?: CutOffCause;
}

/**
 * Sends one request to the judge (its dispatcher: limits, retries, breaker, budget, cache). Failures
 * are data, never thrown; a fatal one (bad key, unknown judge model) also stops the run. With
 * `call.verdict`, a reply whose verdict cannot be read is not cached and is asked again up to
 * `retries` times; the reply returned is the last one, with the requests, usage and cost of all.
 */
export async function askJudge(judge: Judge, settings: JudgeSettings, messages: readonly ChatMessage[], call: JudgeCall): Promise<JudgeReply> {
  let reply = await askOnce(judge, settings, messages, call);
  for (let retry = 0; retry < (call.verdict?.retries ?? 0) && !reply.error && !call.verdict!.readable(reply.text ?? ""); retry++) {
    reply = addUp(reply, await askOnce(judge, settings, messages, call));
  }
  return reply;
}

/** The later reply, with what both cost. */
function addUp(before: JudgeReply, after: JudgeReply): JudgeReply {
  const usages = [before.usage, after.usage].filter((u): u is Usage => u !== null);
  const usage: Usage | null = usages.length
    ? { prompt_tokens: usages.reduce((n, u) => n + u.prompt_tokens, 0), completion_tokens: usages.reduce((n, u) => n + u.completion_tokens, 0), ...(usages.some((u) => u.estimated) ? { estimated: true } : {}) }
    : null;
  const cost = before.cost_usd === null || after.cost_usd === null ? null : before.cost_usd + after.cost_usd;
  const { cached: _cached, ...rest } = after;
  return { ...rest, usage, cost_usd: cost, attempts: before.attempts + after.attempts };
}

async function askOnce(judge: Judge, settings: JudgeSettings, messages: readonly ChatMessage[], call: JudgeCall): Promise<JudgeReply> {
  const readable = call.verdict?.readable;
  try {
    const { reply, attempts, cached } = await judge.dispatcher.call(
      { model: judge.model, messages, temperature: settings.temperature, max_tokens: settings.max_tokens },
      { id: call.id, signal: call.signal, ...(readable ? { final: (r: { text?: string | null }) => readable(r.text ?? "") } : {}) },
    );
    // A judgment from the response cache cost nothing this time.
    const cost = costOf(reply.usage, judge.price);
    return { text: reply.text ?? "", usage: reply.usage, cost_usd: cached && cost !== null ? 0 : cost, attempts, ...(cached ? { cached: true as const } : {}) };
  } catch (error) {
    if (!isModelCallError(error)) throw error;
    const { type, kind, attempts, cutOff } = error.info;
    if (kind === "fatal") call.onFatal(`judge: ${error.message}`);
    return { text: null, usage: null, cost_usd: null, attempts, error: { type: `judge_${type}`, message: error.message, attempts }, ...(cutOff ? { cutOff } : {}) };
  }
}

/** A turn's judgment, and `cutOff` when the judge call was cut off (budget, the run's signal) rather than failed. */
export interface JudgeResult {
  readonly judgment: Judgment;
  readonly cutOff?: CutOffCause;
}

/**
 * Sends one MT-Bench judge request and reads the rating from the reply. Failures are data, never thrown.
 * A reply with no rating is not final, as for `llm_judge`: never cached, asked again `verdict_retries`
 * times, and then the turn's error (`judge_unparseable`), so a rerun asks again. FastChat records -1 and
 * leaves the turn out of its averages, which would let a turn drop out of the score unseen.
 */
export async function judgeTurn(judge: Judge, settings: JudgeSettings, turn: number, request: JudgeRequest, call: JudgeCall): Promise<JudgeResult> {
  const verdict = { readable: (text: string) => extractRating(text) !== null, retries: settings.verdict_retries ?? 1 };
  const reply = await askJudge(judge, settings, request.messages, { ...call, verdict });
  const base = { turn, prompt: request.prompt, usage: reply.usage, cost_usd: reply.cost_usd, attempts: reply.attempts };
  if (reply.error) return { judgment: { ...base, rating: null, judgment: null, error: reply.error }, ...(reply.cutOff ? { cutOff: reply.cutOff } : {}) };
  const text = reply.text ?? "";
  const rating = extractRating(text);
  if (rating === null) {
    const error = { type: "judge_unparseable", message: `no [[rating]] in the judge's reply (${replyTail(text)})`, attempts: reply.attempts };
    return { judgment: { ...base, rating: null, judgment: reply.text, error } };
  }
  return { judgment: { ...base, rating, judgment: reply.text, ...(reply.cached ? { cached: true } : {}) } };
}
