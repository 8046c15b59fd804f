import { z } from "../../zod.js";
import type { FilterFactory, FilterStep } from "./types.js";

/** `uppercase`: Python's `str.upper()` on each response. */
export const uppercase = {
  create(args): FilterStep {
    z.strictObject({}).parse(args);
    return (responses) => responses.map((r) => r.toUpperCase());
  },
} satisfies FilterFactory;
