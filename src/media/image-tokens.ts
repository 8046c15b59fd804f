import type { ImageDetail, MediaRef } from "../types.js";

/**
 * How a model bills an image, as OpenAI publishes it for its vision models: `low` detail costs `low`
 * tokens; otherwise the image is scaled to fit a `fit_px` square, then so that its short side is at
 * most `short_px`, and costs `base` + `per_tile` × the `tile_px` tiles that cover it. `per_image`
 * instead bills every image the same (a provider that publishes a flat rate). Set per model in the
 * models YAML under `image_tokens`.
 */
export interface ImageTokenRule {
  readonly base: number;
  readonly per_tile: number;
  readonly tile_px: number;
  readonly fit_px: number;
  readonly short_px: number;
  readonly low: number;
  readonly per_image?: number;
}

/** OpenAI's rule for GPT-4o, GPT-4.1 and their kin: 85 tokens, plus 170 per 512 px tile at high detail. */
export const OPENAI_TILE_RULE: ImageTokenRule = { base: 85, per_tile: 170, tile_px: 512, fit_px: 2048, short_px: 768, low: 85 };

/**
 * The input tokens one image costs at `detail` (`auto` counts as `high`: the bound a budget needs).
 * Unknown dimensions (a URL not fetched) count as the largest image the rule can bill.
 */
export function imageTokens(width: number | undefined, height: number | undefined, detail: ImageDetail | undefined, rule: ImageTokenRule = OPENAI_TILE_RULE): number {
  if (rule.per_image !== undefined) return rule.per_image;
  if (detail === "low") return rule.low;
  const tiles = width && height ? tileCount(width, height, rule) : maxTiles(rule);
  return rule.base + rule.per_tile * tiles;
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

function tileCount(width: number, height: number, rule: ImageTokenRule): number {
  let w = width;
  let h = height;
  const fit = Math.min(1, rule.fit_px / Math.max(w, h));
  w *= fit;
  h *= fit;
  const short = Math.min(1, rule.short_px / Math.min(w, h));
  w *= short;
  h *= short;
  return Math.ceil(w / rule.tile_px) * Math.ceil(h / rule.tile_px);
}

/** The most tiles any image can cover under the rule (a short side of `short_px`, a long one of `fit_px`). */
function maxTiles(rule: ImageTokenRule): number {
  return Math.ceil(rule.short_px / rule.tile_px) * Math.ceil(rule.fit_px / rule.tile_px);
}
