import * as z from "zod";
import { pyLstrip } from "../../python/str.js";
import type { FilterFactory, FilterStep } from "./types.js";

/** `remove_whitespace` (lm-eval's WhitespaceFilter): `resp.lstrip()`, Python whitespace. */
export const removeWhitespace = {
  create(args): FilterStep {
    z.strictObject({}).parse(args);
    return (responses) => responses.map((r) => pyLstrip(r));
  },
} satisfies FilterFactory;
