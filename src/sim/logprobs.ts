import { combine, fnv1a, toUnit } from "./hash.js";

/** The legacy completions `logprobs` object, as OpenAI and vLLM return it. */
export interface CompletionLogprobs {
  tokens: string[];
  token_logprobs: (number | null)[];
  top_logprobs: (Record<string, number> | null)[];
  text_offset: number[];
}

/** Stand-ins for the other likely tokens at a position (the sim has no vocabulary). */
const ALTERNATIVES = [" the", ",", " and", " of", ".", " to", " a", " in", "\n", " is", " that", " for", " it", " as", " with", " was", " on", " be", " at", " by", " this"];

/** Most tokens a `logprobs` request may ask for (vLLM's default limit). */
export const MAX_LOGPROBS = 20;

/**
 * Deterministic logprobs for `tokens`, as vLLM reports them for `echo: true`: each token's logprob depends
 * on the seed, the tokens before it and the token itself, so the same text scores the same on every run
 * and different continuations of one context score differently.
 *
 * `top_logprobs[i]` holds the `k` likeliest tokens at position i plus the token itself when it is not
 * among them (so 1..k+1 entries, as vLLM). A token is the likeliest (greedy) when its logprob is above
 * -0.7; otherwise an alternative ranks above it. With `firstIsNull` (the start of an echoed prompt) the first token has no logprob and
 * no top_logprobs, as in vLLM. `offset` is the text offset of the first token.
 */
export function tokenLogprobs(
  tokens: readonly string[],
  opts: { seed: number; k: number; firstIsNull: boolean; offset?: number },
): CompletionLogprobs {
  const out: CompletionLogprobs = { tokens: [...tokens], token_logprobs: [], top_logprobs: [], text_offset: [] };
  let offset = opts.offset ?? 0;
  // running hash of everything before the current token
  let prefix = combine(opts.seed, 0x10c);
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    out.text_offset.push(offset);
    offset += token.length;
    const h = combine(prefix, fnv1a(token));
    prefix = h;
    if (i === 0 && opts.firstIsNull) {
      out.token_logprobs.push(null);
      out.top_logprobs.push(null);
      continue;
    }
    const u = toUnit(h);
    const lp = round4(-(0.01 + 7 * u * u));
    out.token_logprobs.push(lp);
    out.top_logprobs.push(topLogprobs(token, lp, opts.k, h));
  }
  return out;
}

function topLogprobs(token: string, lp: number, k: number, h: number): Record<string, number> {
  const top: Record<string, number> = {};
  const greedy = lp > -0.7;
  // the best alternative beats a non-greedy token; the rest rank below whichever is best
  let best = greedy ? lp : round4(Math.max(lp / 4, -0.69));
  const wanted = greedy ? k - 1 : k;
  let taken = 0;
  for (let j = 0; taken < wanted && j < ALTERNATIVES.length; j++) {
    const alt = ALTERNATIVES[(h + j) % ALTERNATIVES.length]!;
    if (alt === token) continue;
    if (taken === 0 && !greedy) {
      top[alt] = best;
    } else {
      best = round4(best - 0.5 - toUnit(combine(h, j)));
      top[alt] = best;
    }
    taken++;
  }
  top[token] = lp;
  return top;
}

function round4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
