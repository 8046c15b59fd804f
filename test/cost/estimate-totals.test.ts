import { describe, expect, it } from "vitest";
import { tokenCounter } from "../../src/cost/count-tokens.js";
import { countingModel, type RequestCount } from "../../src/cost/counting-model.js";
import { EstimateTotals } from "../../src/cost/estimate-totals.js";

describe("countingModel + EstimateTotals", () => {
  it("counts each request offline, answers empty with estimated usage, and sums a cost range per model", async () => {
    const counts: RequestCount[] = [];
    const model = countingModel("m", tokenCounter("o200k_base", (t) => t.length), (c) => counts.push(c));
    const reply = await model.chat({ model: "m", messages: [{ role: "user", content: "abcd" }], max_tokens: 100 }, { signal: new AbortController().signal });
    expect(reply).toMatchObject({ text: "", usage: { prompt_tokens: 3 + 3 + 4 + 4, completion_tokens: 0, estimated: true } });
    expect(counts).toEqual([expect.objectContaining({ promptTokens: 14, maxOutputTokens: 100 })]);

    const totals = new EstimateTotals([
      { model: "m", price: { input: 1, output: 2 }, source: "flag" },
      { model: "x", price: null, source: "unknown" },
    ]);
    totals.add("m", counts[0]!);
    totals.add("m", { ...counts[0]!, promptTokens: 6 });
    totals.add("x", counts[0]!);
    expect(totals.build()).toEqual([
      { model: "m", requests: 2, prompt_tokens: 20, max_output_tokens: 200, price: { input: 1, output: 2 }, price_source: "flag", low_usd: 20e-6, high_usd: 420e-6 },
      { model: "x", requests: 1, prompt_tokens: 14, max_output_tokens: 100, price: null, price_source: "unknown", low_usd: null, high_usd: null },
    ]);
    totals.add("m", { ...counts[0]!, maxOutputTokens: null });
    expect(totals.build()[0]).toMatchObject({ max_output_tokens: null, high_usd: null, low_usd: 34e-6 });
  });
});
