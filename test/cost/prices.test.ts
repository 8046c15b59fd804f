import { describe, expect, it } from "vitest";
import { costOf, parsePrice, ratesFor } from "../../src/cost/price.js";
import { lookupPrice } from "../../src/cost/price-table.js";
import { resolvePrices, unknownPriceMessage } from "../../src/cost/resolve-prices.js";

// Prices as of the pinned table (@pydantic/genai-prices 0.1.8); a bump of the package may move them.
const at = new Date("2026-01-01T00:00:00Z");

describe("lookupPrice (bundled table, offline)", () => {
  it.each([
    ["gpt-4o-mini", "openai/gpt-4o-mini", 0.15, 0.6, 0.075],
    ["gpt-4o-mini-2024-07-18", "openai/gpt-4o-mini", 0.15, 0.6, 0.075],
    ["gpt-4o", "openai/gpt-4o", 2.5, 10, 1.25],
    ["gpt-4o-2024-08-06", "openai/gpt-4o", 2.5, 10, 1.25],
    ["gpt-4.1-mini", "openai/gpt-4.1-mini", 0.4, 1.6, 0.1],
    ["claude-3-5-sonnet-20241022", "anthropic/claude-3-5-sonnet", 3, 15, 0.3],
    ["claude-3-haiku-20240307", "anthropic/claude-3-haiku", 0.25, 1.25, 0.03],
    ["openai/gpt-4o-mini", "openrouter/openai/gpt-4o-mini", 0.15, 0.6, 0.075],
  ])("%s → %s", (model, matched, input, output, cached) => {
    const found = lookupPrice(model, { at });
    expect(found && `${found.provider}/${found.modelId}`).toBe(matched);
    expect(found?.price).toMatchObject({ input, output, cached_input: cached });
  });

  it("narrows to the endpoint's provider, and ignores a loopback endpoint", () => {
    expect(lookupPrice("gpt-4o-mini", { baseURL: "https://api.openai.com/v1", at })?.provider).toBe("openai");
    expect(lookupPrice("gpt-4o-mini", { baseURL: "http://127.0.0.1:8000/v1", at })?.provider).toBe("openai");
  });

  it("returns null for a model the table does not know", () => {
    expect(lookupPrice("sim-model", { at })).toBeNull();
    expect(lookupPrice("my-finetune-7b", { at })).toBeNull();
  });

  it("keeps long-context tiers, billed on every token of a large request", () => {
    const p = lookupPrice("gemini-1.5-pro", { at })!.price;
    expect(p).toMatchObject({ input: 1.25, output: 5, tiers: [{ above_prompt_tokens: 128000, input: 2.5, output: 10 }] });
    expect(costOf({ prompt_tokens: 128000, completion_tokens: 1000 }, p)).toBe((128000 * 1.25 + 1000 * 5) / 1e6);
    expect(costOf({ prompt_tokens: 128001, completion_tokens: 1000 }, p)).toBe((128001 * 2.5 + 1000 * 10) / 1e6);
    expect(ratesFor(p, 10)).toBe(p);
  });
});

describe("costOf", () => {
  it("is tokens × price per million, cached prompt tokens at the cached rate", () => {
    const price = { input: 0.15, output: 0.6, cached_input: 0.075 };
    expect(costOf({ prompt_tokens: 95, completion_tokens: 120 }, price)).toBe((95 * 0.15 + 120 * 0.6) / 1e6);
    expect(costOf({ prompt_tokens: 1000, completion_tokens: 0, cached_tokens: 400 }, price)).toBe((600 * 0.15 + 400 * 0.075) / 1e6);
    expect(costOf({ prompt_tokens: 10, completion_tokens: 1 }, null)).toBeNull();
    expect(costOf(null, price)).toBeNull();
  });

  it("parses --price IN/OUT", () => {
    expect(parsePrice("0.15/0.6")).toEqual({ input: 0.15, output: 0.6 });
    expect(() => parsePrice("cheap")).toThrow('Expected `--price` as IN/OUT in USD per 1M tokens (e.g. 0.15/0.6), got "cheap"');
  });
});

describe("resolvePrices", () => {
  const lookup = (model: string) => (model === "gpt-4o-mini" ? { price: { input: 0.15, output: 0.6 }, provider: "openai", modelId: model } : null);

  it("prefers --price, then the models file, then the table, else unknown", async () => {
    const overrides = new Map([["local", { input: 0, output: 0 }]]);
    expect(await resolvePrices(["gpt-4o-mini", "local", "mystery"], { overrides, lookup })).toEqual([
      { model: "gpt-4o-mini", price: { input: 0.15, output: 0.6 }, source: "table", matched: "openai/gpt-4o-mini" },
      { model: "local", price: { input: 0, output: 0 }, source: "models-file" },
      { model: "mystery", price: null, source: "unknown" },
    ]);
    const flag = { input: 1, output: 2 };
    expect((await resolvePrices(["gpt-4o-mini", "local"], { overrides, lookup, flag })).map((r) => r.source)).toEqual(["flag", "flag"]);
    // The bundled table by default.
    expect((await resolvePrices(["gpt-4o-2024-08-06"]))[0]).toMatchObject({ source: "table", matched: "openai/gpt-4o", price: { input: 2.5, output: 10 } });
  });

  it("validates the prices it is given", async () => {
    await expect(resolvePrices(["m"], { overrides: new Map([["m", { input: -1, output: 0 }]]) })).rejects.toThrow(
      "Expected `input` of price of m to be a number >= 0 (USD per 1M tokens), got -1",
    );
  });

  it("names the ways out in the unknown-price warning", () => {
    expect(unknownPriceMessage("mystery")).toBe(
      "no price known for model mystery: its cost is reported as null (give one with --price IN/OUT or `price` in the models file)",
    );
  });
});
