import { z } from "../../zod.js";
import type { FilterFactory, FilterStep } from "./types.js";

/** `lowercase`: Python's `str.lower()` on each response. */
export const lowercase = {
  create(args): FilterStep {
    z.strictObject({}).parse(args);
    return (responses) => responses.map((r) => r.toLowerCase());
  },
} satisfies FilterFactory;
