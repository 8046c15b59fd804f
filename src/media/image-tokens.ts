import type { ImageDetail, MediaRef } from "../types.js";

/**
 * How a model bills an image, set per model in the models YAML under `image_tokens`:
 * - `openai_tiles` (the default), as OpenAI publishes it for its vision models: `low` detail costs
 *   `low` tokens; otherwise the image is scaled to fit a `max_side` square, then so that its short
 *   side is at most `short_side`, and costs `base` + `per_tile` × the `tile` px tiles that cover it;
 * - `per_image`: every image the same (a provider that publishes a flat rate);
 * - `pixels_per_token`, as Anthropic publishes it: an image scaled to fit `max_side` costs
 *   width × height / `pixels_per_token` tokens, at most `max_tokens`.
 */
export type ImageTokenRule = TileRule | PerImageRule | PixelRule;

/** OpenAI's tile rule (see ImageTokenRule). */
export interface TileRule {
  readonly rule: "openai_tiles";
  readonly base: number;
  readonly per_tile: number;
  readonly tile: number;
  readonly max_side: number;
  readonly short_side: number;
  /** Tokens at `detail: low`. */
  readonly low: number;
}

/** A flat rate per image (see ImageTokenRule). */
export interface PerImageRule {
  readonly rule: "per_image";
  readonly per_image: number;
}

/** Tokens by area, as Anthropic bills images (see ImageTokenRule). */
export interface PixelRule {
  readonly rule: "pixels_per_token";
  readonly pixels_per_token: number;
  /** The longer side an image is scaled down to first. */
  readonly max_side: number;
  /** An image never costs more (Anthropic scales larger ones down until they fit); absent: no cap. */
  readonly max_tokens?: number;
}

/** OpenAI's rule for GPT-4o, GPT-4.1 and their kin: 85 tokens, plus 170 per 512 px tile at high detail. */
export const OPENAI_TILE_RULE: TileRule = { rule: "openai_tiles", base: 85, per_tile: 170, tile: 512, max_side: 2048, short_side: 768, low: 85 };

/**
 * The input tokens one image costs at `detail` under `rule` (`auto` counts as `high`: the bound a
 * budget needs; `detail` matters to the tile rule only). Unknown dimensions (a URL not fetched)
 * count as the largest image the rule can bill.
 */
export function imageTokens(width: number | undefined, height: number | undefined, detail: ImageDetail | undefined, rule: ImageTokenRule = OPENAI_TILE_RULE): number {
  switch (rule.rule) {
    case "per_image":
      return rule.per_image;
    case "pixels_per_token":
      return pixelTokens(width, height, rule);
    case "openai_tiles": {
      if (detail === "low") return rule.low;
      const tiles = width && height ? tileCount(width, height, rule) : maxTiles(rule);
      return rule.base + rule.per_tile * tiles;
    }
  }
}

/**
 * Tokens of a media reference, as sent (after `max_side` downscaling): an image by the rule, a video
 * as its frames; audio is left to the server's usage (0 here).
 */
export function mediaTokens(ref: MediaRef, rule?: ImageTokenRule): number {
  if (ref.type === "audio") return 0;
  const [w, h] = sentSize(ref);
  const one = imageTokens(w, h, ref.detail, rule);
  return ref.type === "video" ? (ref.frames ?? 8) * one : one;
}

/** An image's size once scaled to `max_side` (never enlarged). */
export function sentSize(ref: MediaRef): [number | undefined, number | undefined] {
  const { width: w, height: h, max_side: max } = ref;
  if (!w || !h || !max || Math.max(w, h) <= max) return [w, h];
  const k = max / Math.max(w, h);
  return [Math.round(w * k), Math.round(h * k)];
}

function tileCount(width: number, height: number, rule: TileRule): number {
  let w = width;
  let h = height;
  const fit = Math.min(1, rule.max_side / Math.max(w, h));
  w *= fit;
  h *= fit;
  const short = Math.min(1, rule.short_side / Math.min(w, h));
  w *= short;
  h *= short;
  return Math.ceil(w / rule.tile) * Math.ceil(h / rule.tile);
}

/** The most tiles any image can cover under the rule (a short side of `short_side`, a long one of `max_side`). */
function maxTiles(rule: TileRule): number {
  return Math.ceil(rule.short_side / rule.tile) * Math.ceil(rule.max_side / rule.tile);
}

/** Area over `pixels_per_token`, after fitting `max_side`, capped at `max_tokens`; unknown size: a `max_side` square. */
function pixelTokens(width: number | undefined, height: number | undefined, rule: PixelRule): number {
  const [w, h] = width && height ? [width, height] : [rule.max_side, rule.max_side];
  const k = Math.min(1, rule.max_side / Math.max(w, h));
  const tokens = Math.ceil((w * k * (h * k)) / rule.pixels_per_token);
  return rule.max_tokens === undefined ? tokens : Math.min(tokens, rule.max_tokens);
}
