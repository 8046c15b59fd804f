import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { countChatTokens, countTokens, tokenize } from "../../src/sim/tokens.js";

// The documented definition the hand-written scanner must agree with.
const DEFINITION = /\s*(?:\p{L}{1,8}|\p{N}{1,3}|[^\s\p{L}\p{N}])|\s+/gu;

describe("tokenize", () => {
  it("splits words with their leading space, digits in threes, punctuation alone", () => {
    expect(tokenize("She sells 12345 eggs, daily.")).toEqual(["She", " sells", " 123", "45", " eggs", ",", " daily", "."]);
  });

  it("cuts long words into pieces of 8 letters and keeps trailing whitespace as a token", () => {
    expect(tokenize("internationalization  ")).toEqual(["internat", "ionaliza", "tion", "  "]);
  });

  it("returns nothing for the empty string", () => {
    expect(tokenize("")).toEqual([]);
    expect(countTokens("")).toBe(0);
  });

  it("handles non-ASCII letters, digits, spaces and surrogate pairs", () => {
    const text = "héllo wörld 😀😀 ١٢٣٤ 日本語テキストです\u00a0x\u2028";
    expect(tokenize(text)).toEqual(text.match(DEFINITION));
  });

  it("agrees with its regex definition and joins back to the text, for any string", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (s) => {
        const tokens = tokenize(s);
        expect(tokens.join("")).toBe(s);
        expect(tokens).toEqual(s.match(DEFINITION) ?? []);
        expect(countTokens(s)).toBe(tokens.length);
      }),
      { numRuns: 300 },
    );
  });
});

describe("countChatTokens", () => {
  it("adds 3 per message and 3 for the reply priming", () => {
    expect(countChatTokens(["Hi there", "Hello"])).toBe(2 + 3 + 1 + 3 + 3);
    expect(countChatTokens([])).toBe(3);
  });
});
