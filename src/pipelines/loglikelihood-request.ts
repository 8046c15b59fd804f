import { cacheMark } from "../operators/infer.js";
import type { ChatReply, ChatRequest, TokenLogprobs } from "../work/model.js";
import type { Inferred } from "../work/work-item.js";
import type { ResultLine } from "../types.js";
import { continuationLoglikelihood, type ContinuationScore } from "./loglikelihood-scores.js";

/** One text to score: the prompt sent, and where in it (code points) the scored continuation starts. */
export interface ScoredText {
  readonly text: string;
  readonly split: number;
  readonly length: number;
}

/**
 * The completions request that scores texts, as lm-evaluation-harness's `local-completions` sends it:
 * echo, logprobs 1, temperature 0, and `max_tokens: 0` (score the prompt, generate nothing: vLLM and
 * the simulator accept it). All of a sample's texts (one per choice) go in one request, as a prompt
 * array. `messages` repeat the text for the token estimates of rate limits and budgets.
 */
export function loglikelihoodRequest(model: string, texts: readonly ScoredText[]): ChatRequest {
  const prompts = texts.map((t) => t.text);
  return {
    model,
    messages: [{ role: "user", content: prompts.join("\n") }],
    max_tokens: 0,
    temperature: 0,
    completion: { prompts, echo: true, logprobs: 1 },
  };
}

/** Why a reply cannot be scored, when it cannot. */
export const NO_LOGPROBS =
  "the server returned no prompt logprobs: loglikelihood needs /v1/completions with echo and logprobs (vLLM, SGLang and llama.cpp servers have it; OpenAI's chat models do not; for those use a generative task such as mmlu_generative)";

/** Each text's continuation score, or an error message when the reply lacks logprobs. */
export function scoreTexts(reply: ChatReply, texts: readonly ScoredText[]): ContinuationScore[] | string {
  const lps = reply.logprobs;
  if (!lps || lps.length !== texts.length || lps.some((lp) => lp === null)) return NO_LOGPROBS;
  try {
    return texts.map((t, i) => continuationLoglikelihood(lps[i] as TokenLogprobs, t.split, t.length));
  } catch (error) {
    return `malformed logprobs: ${(error as Error).message}`;
  }
}

/**
 * The result line of a loglikelihood item: an error line when the call failed or the reply has no
 * usable logprobs, else `score(scores)`'s fields over the common ones (usage, cost, timing).
 */
export function loglikelihoodLine(inferred: Inferred, texts: readonly ScoredText[], score: (scores: ContinuationScore[]) => Partial<ResultLine>): ResultLine {
  const { work, timing } = inferred;
  const base: ResultLine = { id: work.key.id, task: work.key.task, model: work.key.model, repeat: work.key.repeat, status: "ok", input: work.prepared.input };
  if (inferred.kind === "error") return { ...base, status: "error", target: work.prepared.target, timing, error: inferred.error };
  const { reply } = inferred;
  const scores = scoreTexts(reply, texts);
  const paid = { usage: reply.usage ?? undefined, cost_usd: inferred.cost_usd, ...cacheMark(inferred), timing };
  if (typeof scores === "string") {
    return { ...base, status: "error", target: work.prepared.target, ...paid, error: { type: "no_logprobs", message: scores, attempts: timing.attempts } };
  }
  return { ...base, target: work.prepared.target, ...score(scores), ...paid };
}

/** `metric,filter` keys for the metrics a task lists, from per-sample values by metric name. */
export function keyed<V = number>(metrics: readonly { readonly name: string }[], filters: readonly { readonly name: string }[], values: Readonly<Record<string, V>>): Record<string, V> {
  const out: Record<string, V> = {};
  for (const m of metrics) {
    const v = values[m.name];
    if (v === undefined) continue;
    for (const f of filters) out[`${m.name},${f.name}`] = v;
  }
  return out;
}
