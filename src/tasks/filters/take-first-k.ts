import { z } from "../../zod.js";
import type { FilterFactory, FilterStep } from "./types.js";

/**
 * `take_first_k` (lm-eval's TakeKFilter): keeps the first `k` responses. lm-eval asserts a document has
 * at least k responses (`repeats` ≥ k); with fewer, this keeps them all.
 */
const Args = z.strictObject({ k: z.int().min(1) });

export const takeFirstK = {
  create(args): FilterStep {
    const { k } = Args.parse(args);
    return (responses) => responses.slice(0, k);
  },
} satisfies FilterFactory;
