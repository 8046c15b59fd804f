import type { TokenLogprobs } from "../work/model.js";
import { isPySpace, pyRstrip } from "../python/str.js";

/**
 * Loglikelihoods from echoed prompt logprobs, as lm-evaluation-harness's `local-completions` computes
 * them (`parse_logprobs`): the sum of `token_logprobs` over the continuation's tokens, and whether each
 * of those tokens was the likeliest at its position (`is_greedy`: its logprob equals the max of
 * `top_logprobs`).
 *
 * lm-eval tokenizes context and continuation itself and knows where the continuation starts (ctxlen);
 * streameval sends text and finds the continuation by `text_offset`: a token belongs to it when it ends
 * after the split point. The split point is the context's length once trailing whitespace moves to the
 * continuation, as lm-eval's `_encode_pair` does ("Answer:" + " A", never "Answer: " + "A").
 * Offsets count code points, as Python (and vLLM) do. Tokens at or past the prompt's end (the one
 * token lm-eval generates with `max_tokens: 1`) are left out, and so are tokens without a logprob (the
 * first token of a prompt, which nothing precedes).
 */
export interface ContinuationScore {
  /** Σ logprob over the continuation's tokens. */
  readonly ll: number;
  /** Every continuation token was the greedy one. */
  readonly isGreedy: boolean;
  /** Continuation tokens that were scored. */
  readonly tokens: number;
}

/** Where a continuation starts in `context + continuation`, in code points (trailing whitespace moves over). */
export function splitPoint(context: string): number {
  return codePoints(pyRstrip(context));
}

export const codePoints = (s: string): number => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};

/**
 * Scores the tokens of an echoed prompt that lie in [split, promptLength) (code points).
 * Throws a TypeError on logprobs that do not line up (a malformed reply).
 */
export function continuationLoglikelihood(lp: TokenLogprobs, split: number, promptLength: number): ContinuationScore {
  const { tokens, token_logprobs: logprobs } = lp;
  if (logprobs.length !== tokens.length) throw new TypeError(`logprobs for ${logprobs.length} tokens but ${tokens.length} tokens`);
  const offsets = lp.text_offset && lp.text_offset.length === tokens.length ? lp.text_offset : cumulative(tokens);
  let ll = 0;
  let isGreedy = true;
  let scored = 0;
  for (let i = 0; i < tokens.length; i++) {
    const start = offsets[i]!;
    if (start >= promptLength) break;
    const end = i + 1 < tokens.length ? Math.max(offsets[i + 1]!, start) : start + codePoints(tokens[i]!);
    if (end <= split) continue;
    const v = logprobs[i];
    if (v === null || v === undefined) continue;
    ll += v;
    scored++;
    const top = lp.top_logprobs?.[i];
    if (isGreedy && (!top || v !== Math.max(...Object.values(top)))) isGreedy = false;
  }
  return { ll, isGreedy, tokens: scored };
}

function cumulative(tokens: readonly string[]): number[] {
  const out: number[] = [];
  let at = 0;
  for (const t of tokens) {
    out.push(at);
    at += codePoints(t);
  }
  return out;
}

/** lm-eval's `count_words`: `len(re.split(r"\s+", text))`, with Python's whitespace. */
export function countWords(text: string): number {
  let n = 1;
  let inSpace = false;
  for (const ch of text) {
    const space = isPySpace(ch);
    if (space && !inSpace) n++;
    inSpace = space;
  }
  return n;
}

/** lm-eval's `count_bytes`: the length of the UTF-8 encoding. */
export const countBytes = (text: string): number => Buffer.byteLength(text, "utf8");
