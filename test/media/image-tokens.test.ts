import { describe, expect, it } from "vitest";
import { Budget } from "../../src/cost/budget.js";
import { createBudgetGate } from "../../src/cost/budget-gate.js";
import { promptTokenBound } from "../../src/cost/worst-case.js";
import { parseModelsConfig } from "../../src/config/models-config.js";
import { BudgetExhaustedError } from "../../src/errors/budget-exhausted-error.js";
import { imageTokens, mediaTokens, OPENAI_TILE_RULE, type ImageTokenRule } from "../../src/media/image-tokens.js";
import type { MediaRef } from "../../src/types.js";
import type { ChatRequest } from "../../src/work/model.js";

describe("imageTokens: the published rules", () => {
  it("OpenAI's tile rule by detail (the examples of OpenAI's vision guide)", () => {
    expect(imageTokens(1024, 1024, "high")).toBe(765); // 768×768: 4 tiles
    expect(imageTokens(2048, 4096, "high")).toBe(1105); // 1024×2048 → 768×1536: 6 tiles
    expect(imageTokens(4096, 8192, "low")).toBe(85);
    expect(imageTokens(320, 240, undefined)).toBe(255); // auto counts as high: one tile
    // A URL not fetched: the largest image the rule bills (2 × 4 tiles).
    expect(imageTokens(undefined, undefined, "auto")).toBe(85 + 170 * 8);
  });

  it("a flat rate per image, whatever its size or detail", () => {
    const rule: ImageTokenRule = { rule: "per_image", per_image: 258 };
    expect([imageTokens(10, 10, "low", rule), imageTokens(5000, 5000, "high", rule), imageTokens(undefined, undefined, undefined, rule)]).toEqual([258, 258, 258]);
  });

  it("Anthropic's area rule: width × height / 750 after fitting 1568 px, capped", () => {
    const rule: ImageTokenRule = { rule: "pixels_per_token", pixels_per_token: 750, max_side: 1568, max_tokens: 1600 };
    expect(imageTokens(1092, 1092, "low", rule)).toBe(1590); // Anthropic's table: 1092×1092 ≈ 1590
    expect(imageTokens(200, 200, undefined, rule)).toBe(54);
    expect(imageTokens(3136, 1568, undefined, rule)).toBe(1600); // scaled to 1568×784 = 1640 → capped
    expect(imageTokens(undefined, undefined, undefined, { ...rule, max_tokens: undefined })).toBe(Math.ceil((1568 * 1568) / 750));
  });

  it("a video costs its frames; a downscaled image costs its sent size", () => {
    const video: MediaRef = { type: "video", source: "/v.mp4", width: 640, height: 480, frames: 4 };
    expect(mediaTokens(video)).toBe(4 * imageTokens(640, 480, undefined));
    const big: MediaRef = { type: "image", source: "/i.png", width: 4000, height: 2000, max_side: 512 };
    expect(mediaTokens(big)).toBe(imageTokens(512, 256, undefined));
    expect(mediaTokens({ type: "audio", source: "/a.wav" })).toBe(0);
  });
});

describe("image_tokens in the models YAML", () => {
  const parse = (rule: string) => parseModelsConfig(`models:\n  vlm:\n    image_tokens: ${rule}\n`, "models.yaml").models.get("vlm")!.imageTokens;

  it("reads the three rules, filling unset numbers from the published ones", () => {
    expect(parse("{rule: openai_tiles, base: 85, per_tile: 170, tile: 512, max_side: 2048, short_side: 768}")).toEqual(OPENAI_TILE_RULE);
    expect(parse("{rule: openai_tiles, base: 65, per_tile: 129}")).toEqual({ ...OPENAI_TILE_RULE, base: 65, per_tile: 129, low: 65 });
    expect(parse("{per_image: 258}")).toEqual({ rule: "per_image", per_image: 258 });
    expect(parse("{pixels_per_token: 750, max_tokens: 1600}")).toEqual({ rule: "pixels_per_token", pixels_per_token: 750, max_side: 1568, max_tokens: 1600 });
    expect(parseModelsConfig("models:\n  m:\n", "models.yaml").models.get("m")!.imageTokens).toBeUndefined();
  });

  it("names the key and line of a bad rule", () => {
    expect(() => parse("{rule: squares}")).toThrow(/expected rule: openai_tiles, per_image or pixels_per_token/);
    expect(() => parse("{per_image: -1}")).toThrow(/expected a number of tokens >= 0/);
    expect(() => parse("{rule: per_image, per_image: 1, tile: 3}")).toThrow(/models\.yaml.*line 3|unknown key/);
  });
});

describe("the budget's worst case counts images by the model's rule", () => {
  const image: MediaRef = { type: "image", source: "/c.png", sha256: "00", width: 320, height: 240 };
  const request = (model: string): ChatRequest => ({ model, messages: [{ role: "user", content: [{ type: "media", media: image }, { type: "text", text: "What is shown?" }] }], max_tokens: 10 });
  const signal = new AbortController().signal;
  // $1 per 1M input tokens: a token is a micro-dollar.
  const prices = new Map([
    ["tiles", { input: 1, output: 1 }],
    ["flat", { input: 1, output: 1 }],
  ]);
  const rules = new Map<string, ImageTokenRule>([["flat", { rule: "per_image", per_image: 2_000_000 }]]);

  it("reserves the image at the model's own rule, and refuses what can never fit", async () => {
    const budget = new Budget({ usd: 1 });
    const gate = createBudgetGate(budget, prices, true, rules);
    await gate.reserve(request("tiles"), signal);
    // OpenAI's rule for a model without its own: 255 tokens for a 320×240 image.
    expect(promptTokenBound(request("tiles"))).toBe(promptTokenBound(request("tiles"), { rule: "per_image", per_image: 0 }) + 255);
    expect(budget.state().usd!.reserved).toBeCloseTo((promptTokenBound(request("tiles")) + 10) / 1e6, 9);
    // Two million tokens for the image: $2, more than the whole budget.
    await expect(gate.reserve(request("flat"), signal)).rejects.toBeInstanceOf(BudgetExhaustedError);
  });
});
