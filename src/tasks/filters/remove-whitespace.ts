import { z } from "../../zod.js";
import { pyStrip } from "../../python/str.js";
import type { FilterFactory, FilterStep } from "./types.js";

/** `remove_whitespace` (lm-eval 0.4.13's WhitespaceFilter): `resp.strip()`, Python whitespace, both sides. */
export const removeWhitespace = {
  create(args): FilterStep {
    z.strictObject({}).parse(args);
    return (responses) => responses.map((r) => pyStrip(r));
  },
} satisfies FilterFactory;
