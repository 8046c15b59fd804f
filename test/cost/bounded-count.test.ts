import { describe, expect, it } from "vitest";
import { chunkedCount } from "../../src/cost/chunked-count.js";
import { loadTokenCounter } from "../../src/cost/count-tokens.js";

const prose =
  "Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May.\n\nHow many clips did Natalia sell altogether? ";

describe("token counts in bounded time and stack (issue 21, cases 3 and 4)", () => {
  it("counts ordinary text exactly as a whole, piece by piece", async () => {
    const counter = await loadTokenCounter("gpt-4o");
    const whole = (await import("gpt-tokenizer/encoding/o200k_base")).countTokens;
    const text = prose.repeat(200);
    expect(counter.text(text)).toBe(whole(text));
    expect(chunkedCount((t) => whole(t), text)).toBe(whole(text));
  });

  it("counts runs without a word boundary (spaces, CJK, one letter) in pieces, and never overflows the stack", async () => {
    const counter = await loadTokenCounter("gpt-4o");
    // Whole, these take minutes (100k CJK letters: ~4 min) or throw RangeError (10 MB).
    expect(counter.text("漢".repeat(20_000))).toBe(20_000);
    expect(counter.text(" ".repeat(20_000))).toBeGreaterThan(0);
    const tenMb = "A".repeat(10 * 1024 * 1024);
    expect(counter.text(tenMb)).toBe(Math.ceil(tenMb.length / 4)); // above 256 k characters: bytes / 4
    expect(counter.chat([{ role: "user", content: tenMb }])).toBe(Math.ceil(tenMb.length / 4) + 3 + 1 + 3);
  });

  it("counts a large text on a worker thread: the event loop keeps turning meanwhile", async () => {
    const counter = await loadTokenCounter("gpt-4o");
    const large = "漢".repeat(400_000); // over 64 k characters: counted off the main thread
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const counting = counter.chatAsync([{ role: "user", content: large }]);
    const n = await counting;
    clearInterval(timer);
    expect(n).toBe(400_000 + 3 + 1 + 3);
    expect(ticks).toBeGreaterThan(5);
  });
});
