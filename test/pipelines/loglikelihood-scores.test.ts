import { describe, expect, it } from "vitest";
import type { TokenLogprobs } from "../../src/work/model.js";
import { codePoints, continuationLoglikelihood, countBytes, countWords, splitPoint } from "../../src/pipelines/loglikelihood-scores.js";

// An echoed prompt "Answer: B" as a server returns it: the first token has no logprob.
const echoed: TokenLogprobs = {
  tokens: ["Answer", ":", " B"],
  token_logprobs: [null, -0.25, -1.5],
  top_logprobs: [null, { ":": -0.25, "!": -3 }, { " A": -0.9, " B": -1.5 }],
  text_offset: [0, 6, 7],
};

describe("continuationLoglikelihood (lm-eval's parse_logprobs on text offsets)", () => {
  it("sums the continuation's token logprobs and tells whether each was the greedy token", () => {
    expect(continuationLoglikelihood(echoed, splitPoint("Answer:"), 9)).toEqual({ ll: -1.5, isGreedy: false, tokens: 1 });
    const greedy: TokenLogprobs = { ...echoed, top_logprobs: [null, { ":": -0.25 }, { " B": -1.5, " A": -2 }] };
    expect(continuationLoglikelihood(greedy, 7, 9)).toEqual({ ll: -1.5, isGreedy: true, tokens: 1 });
  });

  it("moves the context's trailing whitespace into the continuation, as _encode_pair does", () => {
    expect(splitPoint("Answer: ")).toBe(7);
    expect(splitPoint("Answer:\n\t ")).toBe(7);
    expect(continuationLoglikelihood(echoed, splitPoint("Answer: "), 9).ll).toBe(-1.5);
  });

  it("leaves out the token generated after the prompt (lm-eval's max_tokens 1 and [ctxlen:-1])", () => {
    const withGenerated: TokenLogprobs = {
      tokens: [...echoed.tokens, " C"],
      token_logprobs: [...echoed.token_logprobs, -0.1],
      top_logprobs: [...echoed.top_logprobs!, { " C": -0.1 }],
      text_offset: [...echoed.text_offset!, 9],
    };
    expect(continuationLoglikelihood(withGenerated, 7, 9)).toEqual({ ll: -1.5, isGreedy: false, tokens: 1 });
  });

  it("counts a token that straddles the split as the continuation's", () => {
    const straddle = { tokens: ["Q", ": A"], token_logprobs: [null, -2], top_logprobs: [null, { ": A": -2 }], text_offset: [0, 1] };
    expect(continuationLoglikelihood(straddle, 2, 4)).toEqual({ ll: -2, isGreedy: true, tokens: 1 });
  });

  it("rebuilds offsets from the tokens when the server sends none, counting code points", () => {
    const lp = { tokens: ["😀", " x", " y"], token_logprobs: [null, -1, -2], top_logprobs: null };
    // "😀 x y": the split after "😀 x" is code point 3
    expect(continuationLoglikelihood(lp, 3, codePoints("😀 x y"))).toEqual({ ll: -2, isGreedy: false, tokens: 1 });
  });

  it("skips tokens without a logprob (the prompt's first), scoring the rest of a rolling text", () => {
    const lp: TokenLogprobs = { tokens: ["The", " cat", " sat"], token_logprobs: [null, -3, -1], top_logprobs: [null, { " cat": -3, " dog": -2 }, { " sat": -1 }], text_offset: [0, 3, 7] };
    expect(continuationLoglikelihood(lp, 0, 11)).toEqual({ ll: -4, isGreedy: false, tokens: 2 });
  });

  it("refuses logprobs that do not line up with their tokens", () => {
    expect(() => continuationLoglikelihood({ tokens: ["a", "b"], token_logprobs: [null] }, 0, 2)).toThrow("logprobs for 1 tokens but 2 tokens");
  });
});

describe("countWords / countBytes (lm-eval's count_words, count_bytes)", () => {
  it.each([
    ["a b  c", 3],
    [" a", 2],
    ["a ", 2],
    ["", 1],
    ["a\u00a0b", 2],
    ["a\x1cb", 2], // Python's \s has U+001C; JavaScript's does not
    ["a\ufeffb", 1], // and JavaScript's has U+FEFF, Python's does not
  ])("len(re.split(r'\\s+', %j)) = %i", (text, n) => {
    expect(countWords(text)).toBe(n);
  });

  it("counts UTF-8 bytes", () => {
    expect(countBytes("héllo")).toBe(6);
    expect(countBytes("😀")).toBe(4);
  });
});
