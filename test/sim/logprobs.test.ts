import { describe, expect, it } from "vitest";
import { tokenLogprobs } from "../../src/sim/logprobs.js";
import { tokenize } from "../../src/sim/tokens.js";

const tokens = tokenize("The quick brown fox jumps over the lazy dog, again and again.");

describe("tokenLogprobs", () => {
  const lp = tokenLogprobs(tokens, { seed: 1, k: 1, firstIsNull: true });

  it("gives the first echoed token no logprob, and every other one a negative logprob", () => {
    expect(lp.tokens).toEqual(tokens);
    expect(lp.token_logprobs[0]).toBeNull();
    expect(lp.top_logprobs[0]).toBeNull();
    for (const v of lp.token_logprobs.slice(1)) expect(v).toBeLessThan(0);
  });

  it("gives text offsets that locate each token", () => {
    const text = tokens.join("");
    lp.text_offset.forEach((off, i) => expect(text.startsWith(tokens[i]!, off)).toBe(true));
  });

  it("lists the token in its top_logprobs, as the likeliest exactly when its logprob is above -0.7", () => {
    let greedy = 0;
    for (let i = 1; i < tokens.length; i++) {
      const top = lp.top_logprobs[i]!;
      const own = lp.token_logprobs[i]!;
      expect(top[tokens[i]!]).toBe(own);
      const isMax = own === Math.max(...Object.values(top));
      expect(isMax).toBe(own > -0.7);
      if (isMax) greedy++;
      expect(Object.keys(top).length).toBe(isMax ? 1 : 2);
    }
    expect(greedy).toBeGreaterThan(0);
    expect(greedy).toBeLessThan(tokens.length - 1);
  });

  it("returns k alternatives at most, plus the token", () => {
    const wide = tokenLogprobs(tokens, { seed: 1, k: 5, firstIsNull: false });
    for (const top of wide.top_logprobs) expect(Object.keys(top!).length).toBeGreaterThanOrEqual(5);
    for (const top of wide.top_logprobs) expect(Object.keys(top!).length).toBeLessThanOrEqual(6);
  });

  it("is deterministic for a seed and depends on it and on the preceding tokens", () => {
    expect(tokenLogprobs(tokens, { seed: 1, k: 1, firstIsNull: true })).toEqual(lp);
    expect(tokenLogprobs(tokens, { seed: 2, k: 1, firstIsNull: true }).token_logprobs).not.toEqual(lp.token_logprobs);
    const other = tokenLogprobs(["A", ...tokens.slice(1)], { seed: 1, k: 1, firstIsNull: true });
    expect(other.token_logprobs.slice(1)).not.toEqual(lp.token_logprobs.slice(1));
  });
});
