import { describe, expect, it } from "vitest";
import { fitContext } from "../../src/context/fit-context.js";
import { chatTokenCounter, countChat, loadChatTokenCounter } from "../../src/context/token-counter.js";
import type { ChatMessage } from "../../src/types.js";

/** One token per word: sizes a reader can check by eye. Each message costs 3 + 1 (role) + words. */
const words = chatTokenCounter("words", (t) => t.split(/\s+/).filter(Boolean).length);

const conversation: ChatMessage[] = [
  { role: "system", content: "be brief" }, // 6
  { role: "user", content: "one two three" }, // 7
  { role: "assistant", content: "a b c d e f" }, // 10
  { role: "user", content: "four five" }, // 6
  { role: "assistant", content: "g h" }, // 6
  { role: "user", content: "six" }, // 5
];
// priming 3 + 6 + 17 + 12 + 5 = 43

describe("fitContext", () => {
  it("sends the conversation as it is when it fits, reserve included", () => {
    expect(countChat(words, conversation)).toBe(43);
    const fit = fitContext(conversation, { window: 53, reserve: 10, strategy: "drop_oldest", keepLast: 1 }, words);
    expect(fit).toMatchObject({ ok: true, promptTokens: 43, droppedTurns: 0 });
    expect(fit.ok && fit.messages).toBe(conversation);
  });

  it("drops the oldest turns, keeping the system prompt and the last K", () => {
    const fit = fitContext(conversation, { window: 52, reserve: 10, strategy: "drop_oldest", keepLast: 1 }, words);
    expect(fit).toMatchObject({ ok: true, promptTokens: 26, droppedTurns: 1, droppedMessages: 2 });
    expect(fit.ok && fit.messages.map((m) => m.content)).toEqual(["be brief", "four five", "g h", "six"]);
    const tight = fitContext(conversation, { window: 24, reserve: 10, strategy: "drop_oldest", keepLast: 1 }, words);
    expect(tight.ok && tight.messages.map((m) => m.content)).toEqual(["be brief", "six"]);
  });

  it("says clearly when even the last K turns do not fit", () => {
    const fit = fitContext(conversation, { window: 30, reserve: 10, strategy: "drop_oldest", keepLast: 2 }, words);
    expect(fit).toEqual({
      ok: false,
      promptTokens: 26,
      message: "even the system prompt and the last 2 turn(s) needs 26 prompt tokens + 10 for the reply, over the 30-token context window",
    });
  });

  it("with the error strategy, ends instead of dropping", () => {
    const fit = fitContext(conversation, { window: 52, reserve: 10, strategy: "error", keepLast: 1 }, words);
    expect(fit).toMatchObject({ ok: false, promptTokens: 43, message: "the conversation (3 turns) needs 43 prompt tokens + 10 for the reply, over the 52-token context window" });
  });

  it("validates the policy", () => {
    expect(() => fitContext(conversation, { window: 10, reserve: 0, strategy: "error", keepLast: 0 }, words)).toThrow("Expected `keepLast` to be an integer >= 1, got 0");
  });
});

describe("token counter", () => {
  it("counts with the model's real encoding (gpt-tokenizer, offline)", async () => {
    const counter = await loadChatTokenCounter("gpt-4o");
    expect(counter.encoding).toBe("o200k_base");
    // "Hello world" is 2 tokens; + 3 per message + 1 for the role + 3 priming.
    expect(countChat(counter, [{ role: "user", content: "Hello world" }])).toBe(9);
  });
});
